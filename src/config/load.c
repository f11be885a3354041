/* Loading every configuration source into one settings tree (reference 8.1-8.6).
 *
 * Order of application, lowest first, as in Flyway's ModernConfigurationManager:
 *   config files (install conf/, ~, cwd, -workingDirectory, FLYWAY_CONFIG_FILES,
 *   -configFiles), then environment variables (FLYWAY_X, then flyway_x which
 *   wins over it, environments_x_y), then -key=value flags, then
 *   -environments.E.x flags. Connection keys given outside an [environments.E]
 *   table (flyway.url in .conf, FLYWAY_URL, flyway_url, -url) go to an overlay
 *   that fw_config_resolve() merges into the selected environment; every value
 *   carries a sequence number so that the later source wins there too. */
#include "config/internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---------- string maps ---------- */

void fw_kv_set(struct fw_kv *kv, const char *key, const char *value)
{
	for (size_t i = 0; i < kv->keys.nr; i++) {
		if (!strcmp(kv->keys.v[i], key)) {
			free(kv->values.v[i]);
			kv->values.v[i] = xstrdup(value);
			return;
		}
	}
	strvec_push(&kv->keys, key);
	strvec_push(&kv->values, value);
}

const char *fw_kv_get(const struct fw_kv *kv, const char *key)
{
	for (size_t i = 0; i < kv->keys.nr; i++)
		if (!strcmp(kv->keys.v[i], key))
			return kv->values.v[i];
	return NULL;
}

void fw_kv_clear(struct fw_kv *kv)
{
	strvec_clear(&kv->keys);
	strvec_clear(&kv->values);
}

/* ---------- helpers ---------- */

const char *fw_settings_origin(struct fw_settings *s, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strvec_push_nodup(&s->origins, strbuf_detach(&sb, NULL));
	return s->origins.v[s->origins.nr - 1];
}

char *fw_path_absolute(const char *base, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	if (path[0] == '/' || !base)
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	strbuf_addstr(&sb, base);
	if (sb.len && sb.buf[sb.len - 1] != '/')
		strbuf_addch(&sb, '/');
	if (strcmp(path, "."))
		strbuf_addstr(&sb, path);
	if (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	return strbuf_detach(&sb, NULL);
}

static int is_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

struct loader {
	struct fw_settings *s;
	const struct fw_settings_sources *src;
	struct fw_error *err;
	const char *config_files;     /* -configFiles= */
	const char *config_encoding;  /* -configFileEncoding= or FLYWAY_CONFIG_FILE_ENCODING */
	struct strvec upper_keys;     /* keys set by FLYWAY_X variables ... */
	struct strvec upper_vars;     /* ... and the variables that set them */
};

static int config_error(struct loader *L, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_error(struct loader *L, const char *where, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fw_errorf_exit(L->err, FW_EXIT_USAGE, "CONFIGURATION", "%s", sb.buf);
	if (where)
		fw_error_detail(L->err, "%s", where);
	strbuf_release(&sb);
	return -1;
}

/* ---------- setting text values (from .conf, environment variables, flags) ---------- */

/* Split a dotted key into segments; once the segments so far name a map key
 * (placeholders, jdbcProperties), the rest is one segment, so that
 * -placeholders.my.name=x defines the placeholder "my.name". */
static int split_key(struct loader *L, const char *name, unsigned scope, const char *origin,
		     struct strvec *segs)
{
	struct strbuf sofar = STRBUF_INIT;
	const char *p = name;
	for (;;) {
		const char *dot = strchr(p, '.');
		const struct fw_key *k;
		if (!dot) {
			strvec_push(segs, p);
			break;
		}
		strvec_push_nodup(segs, xstrndup(p, (size_t)(dot - p)));
		if (sofar.len)
			strbuf_addch(&sofar, '.');
		strbuf_add(&sofar, p, (size_t)(dot - p));
		k = fw_key_find(sofar.buf, scope);
		if (k && k->type == KT_MAP) {
			strvec_push(segs, dot + 1);
			break;
		}
		p = dot + 1;
	}
	strbuf_release(&sofar);
	for (size_t i = 0; i < segs->nr; i++) {
		if (!*segs->v[i] || segs->nr > 32)
			return config_error(L, origin, "Invalid configuration key: %s", name);
	}
	return 0;
}

static int set_path(struct loader *L, struct cnode *tab, const char *name, unsigned scope,
		    const char *value, const char *origin, int line)
{
	struct strvec segs = STRVEC_INIT;
	struct cnode *leaf;
	if (split_key(L, name, scope, origin, &segs) < 0) {
		strvec_clear(&segs);
		return -1;
	}
	for (size_t i = 0; i + 1 < segs.nr; i++)
		tab = cnode_child_table(tab, segs.v[i], origin, L->s->seq);
	leaf = cnode_new_text(value, origin, L->s->seq);
	leaf->line = line;
	cnode_set(tab, segs.v[segs.nr - 1], strlen(segs.v[segs.nr - 1]), leaf);
	strvec_clear(&segs);
	return 0;
}

static struct cnode *flyway_table(struct loader *L)
{
	return cnode_child_table(L->s->tree, "flyway", NULL, 0);
}

/* a key of a source without environments: connection keys to the overlay,
 * command-line options to the cli table, the rest into [flyway] (checked
 * against the key table later, with everything else) */
static int set_flyway_text(struct loader *L, const char *name, const char *value,
			   const char *origin, int line, int from_flag)
{
	const struct fw_key *k = fw_key_find(name, KF_CONN);
	struct fw_settings *s = L->s;
	if ((k && k->type != KT_TABLE) || !strncmp(name, "jdbcProperties.", 15))
		return set_path(L, s->overlay, name, KF_CONN, value, origin, line);
	k = fw_key_find(name, KF_CLI);
	if (k && !(k->flags & KF_FLYWAY)) {
		if (from_flag)
			return set_path(L, s->cli, name, KF_CLI, value, origin, line);
		return config_error(L, origin, "%s can only be given on the command line", name);
	}
	return set_path(L, flyway_table(L), name, KF_FLYWAY, value, origin, line);
}

/* environments.E.key=value from a flag or an environments_E_key variable */
static int set_env_text(struct loader *L, const char *rest, const char *value, const char *origin)
{
	const char *dot = strchr(rest, '.');
	struct cnode *envs, *env;
	char *name;
	if (!dot || dot == rest || !dot[1])
		return config_error(L, origin, "Invalid configuration key: environments.%s", rest);
	name = xstrndup(rest, (size_t)(dot - rest));
	envs = cnode_child_table(L->s->tree, "environments", origin, L->s->seq);
	env = cnode_child_table(envs, name, origin, L->s->seq);
	free(name);
	rest = dot + 1;
	if (!strncmp(rest, "flyway.", 7))
		return set_path(L, cnode_child_table(env, "flyway", origin, L->s->seq), rest + 7,
				KF_FLYWAY, value, origin, 0);
	return set_path(L, env, rest, KF_CONN, value, origin, 0);
}

/* ---------- config files ---------- */

static int convert_encoding(struct loader *L, struct strbuf *text, const char *path)
{
	const char *enc = L->config_encoding;
	struct strbuf out = STRBUF_INIT;
	if (!enc || !*enc || !strcasecmp(enc, "UTF-8") || !strcasecmp(enc, "UTF8") ||
	    !strcasecmp(enc, "US-ASCII"))
		return 0;
	if (strcasecmp(enc, "ISO-8859-1") && strcasecmp(enc, "ISO8859_1") && strcasecmp(enc, "latin1")) {
		config_error(L, path, "Unsupported config file encoding: %s", enc);
		fw_error_hint(L->err, "fleetway reads config files as UTF-8 or ISO-8859-1");
		return -1;
	}
	for (size_t i = 0; i < text->len; i++) {
		unsigned char c = (unsigned char)text->buf[i];
		if (c < 0x80) {
			strbuf_addch(&out, c);
		} else {
			strbuf_addch(&out, 0xC0 | (c >> 6));
			strbuf_addch(&out, 0x80 | (c & 0x3F));
		}
	}
	strbuf_release(text);
	*text = out;
	return 0;
}

static int read_config_file(struct loader *L, const char *path, struct strbuf *text)
{
	if (!strcmp(path, "-")) {
		char buf[8192];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
			strbuf_add(text, buf, n);
	} else if (strbuf_read_file(text, path) < 0) {
		config_error(L, NULL, "Unable to load config file: %s", path);
		fw_error_detail(L->err, "%s", strerror(errno));
		return -1;
	}
	if (convert_encoding(L, text, path) < 0)
		return -1;
	/* a UTF-8 byte order mark would otherwise become part of the first key */
	if (text->len >= 3 && !memcmp(text->buf, "\xEF\xBB\xBF", 3)) {
		memmove(text->buf, text->buf + 3, text->len - 3);
		strbuf_setlen(text, text->len - 3);
	}
	return 0;
}

static int load_toml(struct loader *L, const char *path, const struct strbuf *text)
{
	struct fw_error perr = FW_ERROR_INIT;
	struct toml_value *doc;
	struct cnode *root;
	const char *origin = fw_settings_origin(L->s, "%s", path);
	if (toml_parse(text->buf, text->len, path, &doc, &perr) < 0) {
		fw_errorf_exit(L->err, FW_EXIT_USAGE, "CONFIGURATION", "Error parsing config file %s", path);
		fw_error_detail(L->err, "%s", perr.message.buf);
		fw_error_hint(L->err, "fix the TOML syntax at the position shown");
		fw_error_clear(&perr);
		return -1;
	}
	root = cnode_from_toml(doc, origin, ++L->s->seq);
	toml_free(doc);
	for (size_t i = 0; i < root->nr; i++) {
		cnode_merge(L->s->tree, root->keys[i], root->keylens[i], root->items[i]);
		root->items[i] = NULL;
	}
	cnode_free(root);
	return 0;
}

static int load_conf(struct loader *L, const char *path, const struct strbuf *text)
{
	struct fw_conf_entries ents = { NULL, 0, 0 };
	const char *origin = fw_settings_origin(L->s, "%s", strcmp(path, "-") ? path : "(standard input)");
	int rc = 0;
	fw_conf_parse(text->buf, text->len, &L->s->environ, &ents);
	L->s->seq++;
	for (size_t i = 0; i < ents.nr && !rc; i++) {
		const char *key = ents.v[i].key;
		/* other properties in the file are not Flyway's; plugin ones are tolerated */
		if (strncmp(key, "flyway.", 7) || !strncmp(key, "flyway.plugins.", 15))
			continue;
		rc = set_flyway_text(L, key + 7, ents.v[i].value, origin, ents.v[i].line, 0);
	}
	fw_conf_entries_release(&ents);
	return rc;
}

static int load_file(struct loader *L, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	int rc = read_config_file(L, path, &text);
	if (!rc)
		rc = L->s->legacy ? load_conf(L, path, &text) : load_toml(L, path, &text);
	strbuf_release(&text);
	return rc;
}

/* ---------- which files, which mode ---------- */

static void split_files(struct loader *L, const char *list, struct strvec *toml, struct strvec *conf)
{
	struct strvec items = STRVEC_INIT;
	const char *base = L->s->workdir ? L->s->workdir : L->s->cwd;
	strvec_split(&items, list, ',');
	for (size_t i = 0; i < items.nr; i++) {
		char *path = strcmp(items.v[i], "-") ? fw_path_absolute(base, items.v[i]) : xstrdup("-");
		strvec_push_nodup(ends_with(path, ".toml") ? toml : conf, path);
	}
	strvec_clear(&items);
}

static int both_kinds(struct loader *L, const char *where, const struct strvec *toml,
		      const struct strvec *conf)
{
	config_error(L, where,
		     "Using both TOML configuration and CONF configuration is not supported. Please use one or the other.");
	fw_error_detail(L->err, "TOML: %s; CONF: %s", toml->v[0], conf->v[0]);
	fw_error_hint(L->err, "convert the .conf settings into flyway.toml, or list only one kind of file");
	return -1;
}

static void default_files(struct loader *L, int legacy, struct strvec *out)
{
	const char *dirs[4];
	struct strbuf sb = STRBUF_INIT;
	char *conf_dir = L->s->install_dir ? fw_path_absolute(L->s->install_dir, "conf") : NULL;
	dirs[0] = conf_dir;
	dirs[1] = L->src->home;
	dirs[2] = L->s->cwd;
	dirs[3] = L->s->workdir;
	for (int i = 0; i < 4; i++) {
		static const char *const toml_names[] = { "flyway.toml", "flyway.user.toml", NULL };
		static const char *const conf_names[] = { "flyway.conf", NULL };
		const char *const *names = legacy ? conf_names : toml_names;
		if (!dirs[i])
			continue;
		for (int j = 0; names[j]; j++) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s/%s", dirs[i], names[j]);
			if (is_file(sb.buf) && !strvec_contains(out, sb.buf))
				strvec_push(out, sb.buf);
		}
	}
	strbuf_release(&sb);
	free(conf_dir);
}

/* A file named in -configFiles or FLYWAY_CONFIG_FILES must exist: Flyway stops
 * too, and going on without it would run against whatever else is configured. */
static int add_explicit(struct loader *L, const struct strvec *files, const char *where,
			struct strvec *out)
{
	for (size_t i = 0; i < files->nr; i++) {
		if (strcmp(files->v[i], "-") && !is_file(files->v[i])) {
			struct stat st;
			config_error(L, NULL, "Unable to load config file: %s", files->v[i]);
			fw_error_detail(L->err, "%s: %s", where, stat(files->v[i], &st) ? strerror(errno) : "not a regular file");
			fw_error_hint(L->err, "check the file name; relative names are read from %s",
				      L->s->workdir ? L->s->workdir : L->s->cwd);
			return -1;
		}
		if (!strvec_contains(out, files->v[i]))
			strvec_push(out, files->v[i]);
	}
	return 0;
}

static int choose_files(struct loader *L, struct strvec *files)
{
	struct strvec flag_toml = STRVEC_INIT, flag_conf = STRVEC_INIT;
	struct strvec env_toml = STRVEC_INIT, env_conf = STRVEC_INIT;
	struct strvec defaults = STRVEC_INIT;
	const char *env_files = fw_environ_get(&L->s->environ, "FLYWAY_CONFIG_FILES");
	int rc = 0;

	if (L->config_files)
		split_files(L, L->config_files, &flag_toml, &flag_conf);
	if (env_files)
		split_files(L, env_files, &env_toml, &env_conf);
	if (flag_toml.nr && flag_conf.nr) {
		rc = both_kinds(L, "command line -configFiles", &flag_toml, &flag_conf);
	} else if (flag_toml.nr || flag_conf.nr) {
		L->s->legacy = flag_conf.nr > 0;
	} else if (env_toml.nr && env_conf.nr) {
		rc = both_kinds(L, "environment variable FLYWAY_CONFIG_FILES", &env_toml, &env_conf);
	} else if (env_toml.nr || env_conf.nr) {
		L->s->legacy = env_conf.nr > 0;
	} else {
		default_files(L, 0, &defaults);
		if (!defaults.nr) {
			default_files(L, 1, &defaults);
			L->s->legacy = defaults.nr > 0;
		}
		strvec_clear(&defaults);
	}
	if (!rc) {
		default_files(L, L->s->legacy, files);
		rc = add_explicit(L, L->s->legacy ? &env_conf : &env_toml, "environment variable FLYWAY_CONFIG_FILES",
				  files);
	}
	if (!rc)
		rc = add_explicit(L, L->s->legacy ? &flag_conf : &flag_toml, "command line -configFiles", files);
	strvec_clear(&flag_toml);
	strvec_clear(&flag_conf);
	strvec_clear(&env_toml);
	strvec_clear(&env_conf);
	return rc;
}

/* -workingDirectory, -configFiles and -configFileEncoding decide which files
 * are read, so they are looked at before anything else */
static int prescan_flags(struct loader *L)
{
	const struct strvec *flags = &L->src->args->flags;
	const char *enc = fw_environ_get(&L->s->environ, "FLYWAY_CONFIG_FILE_ENCODING");
	for (size_t i = 0; i < flags->nr; i++) {
		const char *f = flags->v[i];
		if (!strncmp(f, "workingDirectory=", 17) && f[17]) {
			free(L->s->workdir);
			L->s->workdir = fw_path_absolute(L->s->cwd, f + 17);
		} else if (!strncmp(f, "configFiles=", 12)) {
			L->config_files = f + 12;
		} else if (!strncmp(f, "configFileEncoding=", 19)) {
			enc = f + 19;
		}
	}
	L->config_encoding = enc;
	/* a missing one would silently read no project files and default locations */
	if (L->s->workdir && !is_dir(L->s->workdir)) {
		struct stat st;
		config_error(L, NULL, "Invalid working directory: %s", L->s->workdir);
		fw_error_detail(L->err, "command line -workingDirectory: %s",
				stat(L->s->workdir, &st) ? strerror(errno) : "not a directory");
		fw_error_hint(L->err, "give an existing folder (relative to %s)", L->s->cwd);
		return -1;
	}
	return 0;
}

/* ---------- environment variables ---------- */

static void remember_upper(struct loader *L, const char *key, const char *var)
{
	strvec_push(&L->upper_keys, key);
	strvec_push_nodup(&L->upper_vars, xstrndup(var, strcspn(var, "=")));
}

static char *lower_dup(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

/* An unknown FLYWAY_* variable is ignored, as Flyway does (FLYWAY_HOME, the
 * FLYWAY_VERSION of Flyway's Docker image), unless it is plainly meant as
 * configuration: then going on would run with the setting silently missing. */
static int unknown_var(struct loader *L, const char *name, const char *origin)
{
	int not_read;
	const struct fw_key *k = fw_key_envvar_meant(name, &not_read);
	struct strbuf lower = STRBUF_INIT, var = STRBUF_INIT;
	if (!k)
		return 0;
	if (not_read) {
		strbuf_addf(&lower, "flyway_%s", k->name);
		for (size_t i = 7; i < lower.len; i++)
			if (lower.buf[i] == '.')
				lower.buf[i] = '_';
		config_error(L, origin, "Unknown environment variable: %s (Flyway reads no such variable)", name);
		fw_error_hint(L->err, "set %s=... (the lower-case form) or give -%s=... on the command line",
			      lower.buf, k->name);
	} else {
		fw_key_envvar(k, &var);
		config_error(L, origin, "Unknown environment variable: %s", name);
		fw_error_hint(L->err, "Did you mean %s? (other FLYWAY_* variables are ignored, as Flyway does)",
			      var.buf);
	}
	strbuf_release(&lower);
	strbuf_release(&var);
	return -1;
}

/* FLYWAY_X=value: the key table knows each name; FLYWAY_PLACEHOLDERS_<N> and
 * FLYWAY_JDBC_PROPERTIES_<N> carry a lower-cased name. */
static int upper_var(struct loader *L, const char *var, const char *value, const char *origin)
{
	struct strbuf key = STRBUF_INIT;
	const struct fw_key *k;
	int rc = 0;
	size_t nlen = strcspn(var, "=");
	char *name = xstrndup(var, nlen);
	if (!strncmp(name, "FLYWAY_PLACEHOLDERS_", 20) && name[20]) {
		char *p = lower_dup(name + 20);
		strbuf_addf(&key, "placeholders.%s", p);
		free(p);
	} else if (!strncmp(name, "FLYWAY_JDBC_PROPERTIES_", 23) && name[23]) {
		char *p = lower_dup(name + 23);
		strbuf_addf(&key, "jdbcProperties.%s", !strcmp(p, "accesstoken") ? "accessToken" : p);
		free(p);
	} else if ((k = fw_key_by_envvar(name)) && !(k->flags & KF_CLI)) {
		strbuf_addstr(&key, k->name);
	} else if (!k) { /* (FLYWAY_CONFIG_FILES and the like were read with the files) */
		rc = unknown_var(L, name, origin);
	}
	if (key.len) {
		rc = set_flyway_text(L, key.buf, value, origin, 0, 0);
		remember_upper(L, key.buf, var);
	}
	strbuf_release(&key);
	free(name);
	return rc;
}

/* flyway_a_b / environments_e_key: every '_' is a '.' */
static int lower_var(struct loader *L, const char *var, const char *value, const char *origin)
{
	size_t nlen = strcspn(var, "=");
	char *path = xstrndup(var, nlen);
	char *name = xstrndup(var, nlen);
	int rc;
	for (char *p = path; *p; p++)
		if (*p == '_')
			*p = '.';
	if (!strncmp(path, "environments.", 13)) {
		rc = set_env_text(L, path + 13, value, origin);
	} else {
		for (size_t i = 0; i < L->upper_keys.nr; i++)
			if (!strcmp(L->upper_keys.v[i], path + 7))
				strvec_pushf(&L->s->warnings,
					     "Using both new Environment variable %s and old Environment variable %s. Please remove %s.",
					     name, L->upper_vars.v[i], L->upper_vars.v[i]);
		rc = path[7] ? set_flyway_text(L, path + 7, value, origin, 0, 0) :
			       config_error(L, origin, "Invalid configuration key: %s", path);
	}
	free(path);
	free(name);
	return rc;
}

static int load_environment(struct loader *L)
{
	const struct strvec *env = &L->s->environ;
	L->s->seq++;
	for (size_t i = 0; i < env->nr; i++) {
		const char *var = env->v[i], *eq = strchr(var, '=');
		const char *origin;
		if (!eq || strncmp(var, "FLYWAY_", 7))
			continue;
		origin = fw_settings_origin(L->s, "environment variable %.*s", (int)(eq - var), var);
		if (upper_var(L, var, eq + 1, origin) < 0)
			return -1;
	}
	/* legacy mode reads only the FLYWAY_X form */
	if (L->s->legacy)
		return 0;
	for (size_t i = 0; i < env->nr; i++) {
		const char *var = env->v[i], *eq = strchr(var, '=');
		const char *origin;
		if (!eq || (strncmp(var, "flyway_", 7) && strncmp(var, "environments_", 13)))
			continue;
		origin = fw_settings_origin(L->s, "environment variable %.*s", (int)(eq - var), var);
		if (lower_var(L, var, eq + 1, origin) < 0)
			return -1;
	}
	return 0;
}

/* ---------- command-line flags ---------- */

static int load_flag(struct loader *L, const char *f, int envs_pass)
{
	const char *eq = strchr(f, '=');
	int is_env = !strncasecmp(f, "environments.", 13);
	const char *origin;
	char *key;
	int rc;
	if (is_env != envs_pass)
		return 0;
	if (!eq) {
		const char *dot = strchr(f, '.');
		/* a switch scoped to a command: check -code */
		if (dot) {
			strvec_push(&L->s->command_flags, dot + 1);
			return 0;
		}
		origin = fw_settings_origin(L->s, "command line -%s", f);
		return set_path(L, L->s->cli, f, KF_CLI, "true", origin, 0);
	}
	key = xstrndup(f, (size_t)(eq - f));
	origin = fw_settings_origin(L->s, "command line -%s", key);
	if (is_env)
		rc = set_env_text(L, key + 13, eq + 1, origin);
	else if (!strncasecmp(key, "fleets.", 7) && strchr(key + 7, '.'))
		/* a fleet's own setting for this run (-fleets.prod.pause=0s): into
		 * [fleets.NAME] as text, checked with the rest of the fleet's table */
		rc = set_path(L, L->s->tree, key, 0, eq + 1, origin, 0);
	else
		rc = set_flyway_text(L, key, eq + 1, origin, 0, 1);
	free(key);
	return rc;
}

static int load_flags(struct loader *L)
{
	const struct strvec *flags = &L->src->args->flags;
	/* -environments.E.x flags are applied after everything else (Flyway merges
	 * them last), so they beat -url and FLYWAY_URL for environment E */
	for (int pass = 0; pass < 2; pass++) {
		L->s->seq++;
		for (size_t i = 0; i < flags->nr; i++)
			if (load_flag(L, flags->v[i], pass) < 0)
				return -1;
	}
	return 0;
}

/* ---------- validation ---------- */

static int is_scalar(const struct cnode *n)
{
	return n->type != TOML_TABLE && n->type != TOML_ARRAY;
}

/* a string that resolvers will still change cannot be checked before resolving */
static int unresolved(const struct fw_settings *s, const struct cnode *n)
{
	return !s->legacy && n->type == TOML_STRING && (strstr(n->s, "${") || strstr(n->s, "!{"));
}

static int type_error(struct loader *L, const struct fw_key *k, const struct cnode *n,
		      const char *fullname)
{
	struct strbuf where = STRBUF_INIT, val = STRBUF_INIT;
	cnode_where(n, &where);
	if (is_scalar(n) && !(k->flags & KF_SECRET) && !cnode_scalar_text(n, &val))
		config_error(L, where.buf, "Invalid value for %s (should be %s): %s", fullname,
			     fw_key_type_text(k->type), val.buf);
	else
		config_error(L, where.buf, "Invalid value for %s (should be %s, not %s)", fullname,
			     fw_key_type_text(k->type), n->text ? "text" : toml_type_name(n->type));
	strbuf_release(&where);
	strbuf_release(&val);
	return -1;
}

static int check_value(struct loader *L, const struct fw_key *k, const struct cnode *n,
		       const char *fullname)
{
	struct strbuf text = STRBUF_INIT;
	int dummy, ok = 1;
	switch (k->type) {
	case KT_BOOL:
	case KT_INT:
		if (!is_scalar(n))
			ok = 0;
		else if (!unresolved(L->s, n) && !cnode_scalar_text(n, &text))
			ok = !fw_config_parse_scalar(k, text.buf, &dummy);
		break;
	case KT_STRING:
		ok = is_scalar(n);
		break;
	case KT_LIST:
		if (n->type == TOML_ARRAY)
			for (size_t i = 0; i < n->nr; i++)
				ok &= is_scalar(n->items[i]);
		else
			ok = n->type == TOML_STRING;
		break;
	case KT_MAP:
		ok = n->type == TOML_TABLE;
		for (size_t i = 0; ok && i < n->nr; i++)
			ok = is_scalar(n->items[i]);
		break;
	case KT_TABLE:
		ok = n->type == TOML_TABLE;
		break;
	}
	strbuf_release(&text);
	return ok ? 0 : type_error(L, k, n, fullname);
}

static int unknown_key(struct loader *L, const char *fullname, const char *name,
		       const struct cnode *n, int in_env)
{
	struct strbuf where = STRBUF_INIT;
	const struct fw_key *k;
	cnode_where(n, &where);
	config_error(L, where.buf, "Unknown configuration property: %s", fullname);
	if ((k = fw_key_find(name, KF_CONN)))
		fw_error_hint(L->err, "%s is a connection setting: put it directly under [environments.<name>] (or use -%s=)",
			      name, name);
	else if ((k = fw_key_find(name, KF_CLI)))
		fw_error_hint(L->err, "%s can only be given on the command line (-%s=...)", name, name);
	else if ((k = fw_key_suggest(name, KF_FLYWAY)))
		fw_error_hint(L->err, "Did you mean '%.*s%s'? Check the parameter spelling.",
			      (int)(strlen(fullname) - strlen(name)), fullname, k->name);
	else
		fw_error_hint(L->err, "Check the parameter spelling.");
	strbuf_release(&where);
	return -1;
}

static int validate_flyway(struct loader *L, const struct cnode *tab, const char *prefix,
			   const char *display, int in_env)
{
	struct strbuf name = STRBUF_INIT, full = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < tab->nr && !rc; i++) {
		const struct cnode *n = tab->items[i];
		const struct fw_key *k;
		strbuf_reset(&name);
		if (*prefix)
			strbuf_addf(&name, "%s.", prefix);
		strbuf_addstr(&name, tab->keys[i]);
		strbuf_reset(&full);
		strbuf_addf(&full, "%s.%s", display, name.buf);
		k = fw_key_find(name.buf, KF_FLYWAY);
		if (k && (k->flags & KF_REMOVED)) {
			struct strbuf where = STRBUF_INIT;
			cnode_where(n, &where);
			rc = config_error(L, where.buf, "Removed: %s", full.buf);
			fw_error_hint(L->err, "%s", k->note);
			strbuf_release(&where);
		} else if (k && in_env && (k->flags & KF_NO_OVERRIDE)) {
			struct strbuf where = STRBUF_INIT;
			cnode_where(n, &where);
			rc = config_error(L, where.buf, "%s cannot be overridden per environment", full.buf);
			fw_error_hint(L->err, "set %s under [flyway] instead", name.buf);
			strbuf_release(&where);
		} else if (k) {
			rc = check_value(L, k, n, full.buf);
		} else if (n->type == TOML_TABLE && fw_key_is_namespace(name.buf, KF_FLYWAY)) {
			rc = validate_flyway(L, n, name.buf, display, in_env);
		} else {
			rc = unknown_key(L, full.buf, name.buf, n, in_env);
		}
	}
	strbuf_release(&name);
	strbuf_release(&full);
	return rc;
}

static int unknown_env_key(struct loader *L, const char *env, const char *fullname, const char *key,
			   const struct cnode *n)
{
	struct strbuf where = STRBUF_INIT;
	const struct fw_key *k;
	cnode_where(n, &where);
	config_error(L, where.buf, "Unknown configuration property: %s", fullname);
	if ((k = fw_key_find(key, KF_FLYWAY)) && !(k->flags & KF_REMOVED))
		fw_error_hint(L->err, "%s is a [flyway] setting: put it under [environments.%s.flyway]", key, env);
	else if ((k = fw_key_suggest(key, KF_CONN)))
		fw_error_hint(L->err, "Did you mean 'environments.%s.%s'? Check the parameter spelling.", env, k->name);
	else
		fw_error_hint(L->err, "Check the parameter spelling.");
	strbuf_release(&where);
	return -1;
}

static int validate_environment(struct loader *L, const char *env, const struct cnode *tab)
{
	struct strbuf full = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < tab->nr && !rc; i++) {
		const char *key = tab->keys[i];
		const struct cnode *n = tab->items[i];
		const struct fw_key *k = fw_key_find(key, KF_CONN);
		strbuf_reset(&full);
		strbuf_addf(&full, "environments.%s.%s", env, key);
		if (!strcmp(key, "flyway") && n->type == TOML_TABLE) {
			rc = validate_flyway(L, n, "", full.buf, 1);
		} else if (k) {
			rc = check_value(L, k, n, full.buf);
		} else {
			/* Flyway only warns here; a typo in an environment is as dangerous as anywhere */
			rc = unknown_env_key(L, env, full.buf, key, n);
		}
	}
	strbuf_release(&full);
	return rc;
}

static int must_be_table(struct loader *L, const struct cnode *n, const char *what)
{
	struct strbuf where = STRBUF_INIT;
	if (n->type == TOML_TABLE)
		return 0;
	cnode_where(n, &where);
	config_error(L, where.buf, "%s must be a table", what);
	strbuf_release(&where);
	return -1;
}

/* connection keys given outside environments land in the selected one */
static int validate_overlay(struct loader *L)
{
	struct strbuf full = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < L->s->overlay->nr && !rc; i++) {
		const struct fw_key *k = fw_key_find(L->s->overlay->keys[i], KF_CONN);
		strbuf_reset(&full);
		strbuf_addf(&full, "environments.%s.%s", L->s->selected, L->s->overlay->keys[i]);
		if (k)
			rc = check_value(L, k, L->s->overlay->items[i], full.buf);
	}
	strbuf_release(&full);
	return rc;
}

/* Other root tables belong to other tools (Redgate's [redgateCompare], ...) and
 * are left alone, except one that is a misspelling of a section read here. */
static int validate_root(struct loader *L)
{
	static const char *const sections[] = { "flyway", "environments", "fleets", NULL };
	const struct cnode *root = L->s->tree;
	for (size_t i = 0; i < root->nr; i++)
		for (int j = 0; sections[j]; j++) {
			struct strbuf where = STRBUF_INIT;
			if (!strcmp(root->keys[i], sections[j]) || strlen(root->keys[i]) != root->keylens[i] ||
			    fw_edit_distance(root->keys[i], sections[j]) > 2)
				continue;
			cnode_where(root->items[i], &where);
			config_error(L, where.buf, "Unknown configuration section: %s", root->keys[i]);
			fw_error_hint(L->err, "Did you mean [%s]? Check the spelling.", sections[j]);
			strbuf_release(&where);
			return -1;
		}
	return 0;
}

static int validate(struct loader *L)
{
	const struct cnode *fly = cnode_get(L->s->tree, "flyway");
	const struct cnode *envs = cnode_get(L->s->tree, "environments");
	struct strbuf what = STRBUF_INIT;
	int rc = 0;
	if (validate_root(L) < 0)
		return -1;
	if (fly && (must_be_table(L, fly, "[flyway]") < 0 || validate_flyway(L, fly, "", "flyway", 0) < 0))
		return -1;
	if (validate_overlay(L) < 0)
		return -1;
	if (!envs)
		return 0;
	if (must_be_table(L, envs, "[environments]") < 0)
		return -1;
	for (size_t i = 0; i < envs->nr && !rc; i++) {
		strbuf_reset(&what);
		strbuf_addf(&what, "[environments.%s]", envs->keys[i]);
		rc = must_be_table(L, envs->items[i], what.buf);
		if (!rc)
			rc = validate_environment(L, envs->keys[i], envs->items[i]);
	}
	strbuf_release(&what);
	return rc;
}

/* outputType and color hold for the whole run: checked once here */
static int check_run_options(struct loader *L)
{
	const struct cnode *ot = cnode_get_path(L->s->tree, "flyway.outputType");
	const struct cnode *color = cnode_get(L->s->cli, "color");
	struct strbuf v = STRBUF_INIT;
	int rc = 0;
	if (ot && !cnode_scalar_text(ot, &v) && v.len && strcasecmp(v.buf, "json")) {
		struct strbuf where = STRBUF_INIT;
		for (size_t i = 0; i < v.len; i++)
			v.buf[i] = (char)tolower((unsigned char)v.buf[i]);
		cnode_where(ot, &where);
		rc = config_error(L, where.buf, "'%s' is an invalid value for the -outputType option. Use 'json'.",
				  v.buf);
		strbuf_release(&where);
	}
	strbuf_reset(&v);
	if (!rc && color && !cnode_scalar_text(color, &v) && v.len && strcmp(v.buf, "always") &&
	    strcmp(v.buf, "never") && strcmp(v.buf, "auto"))
		rc = config_error(L, color->origin,
				  "'%s' is an invalid value for the -color option. Use 'always', 'never', or 'auto'.",
				  v.buf);
	strbuf_release(&v);
	return rc;
}

static void choose_environment(struct fw_settings *s)
{
	const struct cnode *n = cnode_get_path(s->tree, "flyway.environment");
	struct strbuf sb = STRBUF_INIT;
	if (n && !cnode_scalar_text(n, &sb) && sb.len)
		s->selected = strbuf_detach(&sb, NULL);
	else
		s->selected = xstrdup("default");
	strbuf_release(&sb);
}

/* ---------- public ---------- */

static struct fw_settings *settings_new(const struct fw_settings_sources *src)
{
	struct fw_settings *s = xcalloc(1, sizeof(*s));
	s->tree = cnode_new(TOML_TABLE, NULL, 0, 0, 0);
	s->overlay = cnode_new(TOML_TABLE, NULL, 0, 0, 0);
	s->cli = cnode_new(TOML_TABLE, NULL, 0, 0, 0);
	for (const char *const *e = src->environ; e && *e; e++)
		strvec_push(&s->environ, *e);
	s->cwd = xstrdup(src->cwd ? src->cwd : ".");
	s->install_dir = src->install_dir ? xstrdup(src->install_dir) : NULL;
	return s;
}

int fw_settings_load(const struct fw_settings_sources *src, struct fw_settings **out,
		     struct fw_error *err)
{
	static const struct fw_args no_args = FW_ARGS_INIT;
	struct fw_settings_sources local = *src;
	struct loader L;
	struct strvec files = STRVEC_INIT;
	int rc;

	if (!local.args)
		local.args = &no_args;
	memset(&L, 0, sizeof(L));
	L.s = settings_new(&local);
	L.src = &local;
	L.err = err;
	rc = prescan_flags(&L);
	if (!rc)
		rc = choose_files(&L, &files);
	for (size_t i = 0; !rc && i < files.nr; i++)
		rc = load_file(&L, files.v[i]);
	if (!rc)
		rc = load_environment(&L);
	if (!rc)
		rc = load_flags(&L);
	if (!rc) {
		choose_environment(L.s);
		rc = validate(&L);
	}
	if (!rc)
		rc = check_run_options(&L);
	if (!rc)
		rc = cnode_export(L.s->tree, &L.s->root, &L.s->map, &L.s->nmap, err);
	strvec_clear(&files);
	strvec_clear(&L.upper_keys);
	strvec_clear(&L.upper_vars);
	if (rc) {
		fw_settings_free(L.s);
		*out = NULL;
		return -1;
	}
	*out = L.s;
	return 0;
}

void fw_settings_free(struct fw_settings *s)
{
	if (!s)
		return;
	cnode_free(s->tree);
	cnode_free(s->overlay);
	cnode_free(s->cli);
	strvec_clear(&s->command_flags);
	strvec_clear(&s->environ);
	strvec_clear(&s->warnings);
	strvec_clear(&s->origins);
	free(s->cwd);
	free(s->workdir);
	free(s->install_dir);
	free(s->selected);
	toml_free(s->root);
	for (size_t i = 0; i < s->nmap; i++)
		free(s->map[i].where);
	free(s->map);
	free(s);
}

const struct toml_value *fw_settings_root(const struct fw_settings *s)
{
	return s->root;
}

void fw_settings_environments(const struct fw_settings *s, struct strvec *out)
{
	const struct cnode *envs = cnode_get(s->tree, "environments");
	for (size_t i = 0; envs && envs->type == TOML_TABLE && i < envs->nr; i++)
		strvec_push(out, envs->keys[i]);
}

const char *fw_settings_source_of(const struct fw_settings *s, const struct toml_value *v)
{
	size_t lo = 0, hi = s->nmap;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->map[mid].v == v)
			return s->map[mid].where;
		if ((const void *)s->map[mid].v < (const void *)v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct strvec *fw_settings_warnings(const struct fw_settings *s)
{
	return &s->warnings;
}

int fw_settings_is_legacy(const struct fw_settings *s)
{
	return s->legacy;
}

const char *fw_settings_selected_environment(const struct fw_settings *s)
{
	return s->selected;
}
