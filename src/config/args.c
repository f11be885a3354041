/* Splitting argv into commands and -key=value flags (reference 8.5). */
#include "config/internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Commands whose own options may follow them without a namespace:
 * "check -code -rulesLocation=x" means check.code and check.rulesLocation.
 * `own` are options a command takes for itself although a [flyway] key has
 * the name: "diff -target=schemaModel" is diff.target, not flyway.target. */
static const struct {
	const char *command;
	const char *const switches[7];
	const char *const own[3];
} scoped[] = {
	{ "check", { "code", "drift", "changes", "dryrun", "failOnDrift", "rehearse", NULL }, { NULL } },
	{ "snapshot", { NULL }, { NULL } },
	{ "diff", { NULL }, { "source", "target", NULL } },
	{ "diffText", { NULL }, { NULL } },
	{ "generate", { NULL }, { "target", NULL } },
	{ "model", { NULL }, { NULL } },
};

static int scoped_command(const char *cmd)
{
	for (size_t i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++)
		if (!strcmp(scoped[i].command, cmd))
			return (int)i;
	return -1;
}

static int scoped_switch(int cmd, const char *name)
{
	for (int i = 0; scoped[cmd].switches[i]; i++)
		if (!strcmp(scoped[cmd].switches[i], name))
			return 1;
	return 0;
}

static int scoped_own(int cmd, const char *key, size_t len)
{
	for (int i = 0; scoped[cmd].own[i]; i++)
		if (strlen(scoped[cmd].own[i]) == len && !strncmp(scoped[cmd].own[i], key, len))
			return 1;
	return 0;
}

/* A key that means something without the command's namespace: a known key,
 * or the start of a known dotted one (placeholders.x, environments.x.url). */
static int known_key(const char *key, size_t len)
{
	char *k = xstrndup(key, len);
	char *dot = strchr(k, '.');
	const struct fw_key *e;
	int known;
	if (dot)
		*dot = '\0';
	e = fw_key_find(k, KF_FLYWAY | KF_CONN | KF_CLI);
	known = (e && (!dot || e->type == KT_MAP || e->type == KT_TABLE)) ||
		(dot && (!strcmp(k, "environments") || fw_key_is_namespace(k, KF_FLYWAY)));
	if (dot && !known) {
		*dot = '.';
		known = fw_key_find(k, KF_FLYWAY | KF_CONN | KF_CLI) != NULL;
	}
	free(k);
	return known;
}

int fw_has_text(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 1;
	return 0;
}

static int invalid_flag(struct fw_error *err, const char *arg, const char *next)
{
	if (next && !strcmp(next, "="))
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			       "Invalid configuration argument: %s. Please check you have not included any spaces in your configuration argument.",
			       arg);
	else
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "Invalid flag: %s", arg);
	fw_error_detail(err, "command line %s", arg);
	fw_error_hint(err, "give options as -key=value, with no spaces around '='");
	return -1;
}

static int is_one_of(const char *a, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(a, *list))
			return 1;
	return 0;
}

static int parse_one(const char *a, const char *next, int scope, struct fw_args *out,
		     struct fw_error *err)
{
	static const char *const help[] = { "-?", "-h", "--help", NULL };
	static const char *const version[] = { "-v", "--version", NULL };
	const char *eq = strchr(a, '=');

	if (is_one_of(a, help)) {
		out->want_help = 1;
	} else if (is_one_of(a, version)) {
		out->want_version = 1;
	} else if (!eq) {
		const struct fw_key *k = fw_key_find(a + 1, KF_SWITCH);
		if (k)
			strvec_push(&out->flags, a + 1);
		else if (scope >= 0 && scoped_switch(scope, a + 1))
			strvec_pushf(&out->flags, "%s.%s", scoped[scope].command, a + 1);
		else
			return invalid_flag(err, a, next);
	} else if (eq == a + 1) {
		return invalid_flag(err, a, next);
	} else if (scope >= 0 && (scoped_own(scope, a + 1, (size_t)(eq - a - 1)) ||
				  !known_key(a + 1, (size_t)(eq - a - 1)))) {
		strvec_pushf(&out->flags, "%s.%s", scoped[scope].command, a + 1);
	} else {
		strvec_push(&out->flags, a + 1);
	}
	return 0;
}

int fw_args_parse(int argc, const char *const *argv, struct fw_args *out, struct fw_error *err)
{
	int scope = -1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		/* Flyway drops empty and blank arguments before looking at them */
		if (!fw_has_text(a))
			continue;
		if (a[0] != '-') {
			if (!strcmp(a, "help")) {
				out->want_help = 1;
				continue;
			}
			strvec_push(&out->commands, a);
			scope = scoped_command(a);
			continue;
		}
		if (parse_one(a, i + 1 < argc ? argv[i + 1] : NULL, scope, out, err) < 0)
			return -1;
	}
	return 0;
}

void fw_args_release(struct fw_args *a)
{
	strvec_clear(&a->commands);
	strvec_clear(&a->flags);
	a->want_help = a->want_version = 0;
}
