#include "libload.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static int open_and_resolve(struct fw_lib *lib)
{
	const char *e;
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		e = dlerror();
		snprintf(lib->why, sizeof(lib->why), "%s", e ? e : "dlopen failed");
		return -1;
	}
	for (size_t i = 0; i < lib->n; i++) {
		/* from this library's own scope, never our forwarders of the same name */
		lib->slots[i] = dlsym(h, lib->symbols[i]);
		if (!lib->slots[i]) {
			snprintf(lib->why, sizeof(lib->why), "%s has no function %s (too old a version?)",
				 lib->soname, lib->symbols[i]);
			return -1;  /* the handle stays open: harmless, and dlclose of a half-used library is not */
		}
	}
	return 0;
}

int fw_lib_load(struct fw_lib *lib, struct fw_error *err)
{
	int state;
	pthread_mutex_lock(&load_lock);
	if (!lib->state)
		lib->state = open_and_resolve(lib) == 0 ? 1 : -1;
	state = lib->state;
	pthread_mutex_unlock(&load_lock);
	if (state > 0)
		return 0;
	fw_errorf(err, "JDBC_DRIVER", "unable to load the client library %s", lib->soname);
	fw_error_detail(err, "%s", lib->why);
	fw_error_hint(err, "install it (Debian/Ubuntu: apt-get install %s)", lib->package);
	return -1;
}
