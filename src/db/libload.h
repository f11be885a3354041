/* Client libraries loaded on first use. fleetway is one binary for SQLite,
 * PostgreSQL and MySQL, but a run against SQLite should not pay for mapping
 * libpq and libmariadb and their thirty-odd dependencies (Kerberos, LDAP,
 * GnuTLS, ...: about 2.5 ms of every start), nor need them installed.
 * src/db/lazy-pq.c and lazy-mysql.c define the client functions the drivers
 * call as thin forwarders to the library opened here. */
#ifndef FW_LIBLOAD_H
#define FW_LIBLOAD_H
#include <stddef.h>
#include "util/error.h"

struct fw_lib {
	const char *soname;          /* "libpq.so.5" */
	const char *package;         /* Debian package to install when missing */
	const char *const *symbols;  /* names, in the order of `slots` */
	void **slots;
	size_t n;
	/* set by fw_lib_load */
	int state;                   /* 0 untried, 1 loaded, -1 failed */
	char why[256];
};

/* Open the library and resolve every symbol, once per process (thread-safe);
 * later calls return the first outcome. */
int fw_lib_load(struct fw_lib *lib, struct fw_error *err);

/* FW_LIB_DEFINE(LIST, soname, package, loader) in a lazy-*.c file defines
 * `int loader(struct fw_error *)` and one forwarder per function of LIST,
 * where LIST(R, V) expands R(return type, name, (parameters), (arguments))
 * for each function and V(name, (parameters), (arguments)) for void ones. */
#define FW_LIB_SLOT(name) fw_lib_idx_##name
#define FW_LIB_ENUM_R(ret, name, params, args) FW_LIB_SLOT(name),
#define FW_LIB_ENUM_V(name, params, args) FW_LIB_SLOT(name),
#define FW_LIB_NAME_R(ret, name, params, args) #name,
#define FW_LIB_NAME_V(name, params, args) #name,
/* a slot holds a void *: POSIX guarantees it converts to a function pointer */
#define FW_LIB_FORWARD_R(ret, name, params, args) \
	ret name params \
	{ \
		ret (*fn) params = (ret (*) params)fw_lib_slots[FW_LIB_SLOT(name)]; \
		return fn args; \
	}
#define FW_LIB_FORWARD_V(name, params, args) \
	void name params \
	{ \
		void (*fn) params = (void (*) params)fw_lib_slots[FW_LIB_SLOT(name)]; \
		fn args; \
	}
#define FW_LIB_DEFINE(LIST, soname, package, loader) \
	enum { LIST(FW_LIB_ENUM_R, FW_LIB_ENUM_V) FW_LIB_NR }; \
	static const char *const fw_lib_names[] = { LIST(FW_LIB_NAME_R, FW_LIB_NAME_V) }; \
	static void *fw_lib_slots[FW_LIB_NR]; \
	static struct fw_lib fw_lib_this = { soname, package, fw_lib_names, fw_lib_slots, \
					     FW_LIB_NR, 0, "" }; \
	int loader(struct fw_error *err) \
	{ \
		return fw_lib_load(&fw_lib_this, err); \
	} \
	LIST(FW_LIB_FORWARD_R, FW_LIB_FORWARD_V)

/* the two client libraries */
int fw_libpq_load(struct fw_error *err);
int fw_libmariadb_load(struct fw_error *err);

#endif
