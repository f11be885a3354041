/* From the merged settings to the typed config of one environment.
 *
 * For each key of the table: connection keys come from [environments.E] and,
 * for the selected environment only, the overlay of -url / FLYWAY_URL / .conf
 * connection settings (the later source wins); [flyway] keys come from
 * [environments.E.flyway] when that sets them (lists and maps replaced whole,
 * reference 8.2 and 14 item 4), else from [flyway]; command-line options from
 * the command line; else the default. Strings pass through the ${...}
 * resolvers (TOML mode only) before they are converted.
 *
 * Runs concurrently for several environments on one fw_settings: it only
 * reads the settings and writes to `out`. */
#include "config/internal.h"
#include "util/duration.h"
#include "db/db.h"
#include "sql/version.h"   /* a leaf: the version grammar, on util only */
#include "util/redact.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct rctx {
	const struct fw_settings *s;
	const char *env;
	const struct cnode *envtab;   /* [environments.E], may be NULL */
	const struct cnode *envfly;   /* [environments.E.flyway], may be NULL */
	const struct cnode *fly;      /* [flyway], may be NULL */
	int selected;                 /* E is the selected environment */
	int overlay;                  /* the overlay applies: E is the selected environment, or
	                                 a fleet target (fw_config_resolve_member) */
	struct fw_config *c;
	struct fw_error *err;
	struct fw_resolver_ctx rc;
};

int fw_config_parse_scalar(const struct fw_key *k, const char *text, int *out)
{
	char *end;
	long v;
	if (k->type == KT_BOOL) {
		if (!strcasecmp(text, "true"))
			*out = 1;
		else if (!strcasecmp(text, "false"))
			*out = 0;
		else
			return -1;
		return 0;
	}
	/* decimal, as Java's Integer.valueOf: optional sign, digits, nothing else */
	if (!isdigit((unsigned char)text[0]) && !((text[0] == '-' || text[0] == '+') &&
						   isdigit((unsigned char)text[1])))
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (*end || errno || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static void add_where(struct rctx *x, const struct cnode *n, const char *fullname)
{
	struct strbuf where = STRBUF_INIT;
	cnode_where(n, &where);
	fw_error_detail(x->err, "%s (%s)", where.buf, fullname);
	strbuf_release(&where);
}

/* the text of a scalar, with ${...} references resolved in TOML mode */
static int node_text(struct rctx *x, const struct cnode *n, const char *fullname, struct strbuf *out)
{
	struct strbuf raw = STRBUF_INIT;
	int rc = 0;
	if (cnode_scalar_text(n, &raw) < 0) {
		strbuf_release(&raw);
		fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION", "Invalid value for %s (should not be %s)",
			       fullname, toml_type_name(n->type));
		add_where(x, n, fullname);
		return -1;
	}
	/* defaults (no origin) and legacy .conf values are taken as they are */
	if (x->s->legacy || n->type != TOML_STRING || !n->origin) {
		strbuf_addbuf(out, &raw);
	} else if (fw_resolve_string(&x->rc, raw.buf, out, x->err) < 0) {
		add_where(x, n, fullname);
		rc = -1;
	}
	strbuf_release(&raw);
	return rc;
}

static int bad_value(struct rctx *x, const struct fw_key *k, const struct cnode *n,
		     const char *fullname, const char *text)
{
	if (k->flags & KF_SECRET)
		fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION", "Invalid value for %s (should be %s)",
			       fullname, fw_key_type_text(k->type));
	else
		fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION", "Invalid value for %s (should be %s): %s",
			       fullname, fw_key_type_text(k->type), text);
	add_where(x, n, fullname);
	return -1;
}

static void *field(struct rctx *x, const struct fw_key *k)
{
	return (char *)x->c + k->off;
}

static int set_list(struct rctx *x, const struct cnode *n, const char *fullname, struct strvec *out)
{
	struct strbuf t = STRBUF_INIT;
	int rc = 0;
	strvec_clear(out);
	if (n->type != TOML_ARRAY) {
		rc = node_text(x, n, fullname, &t);
		if (!rc)
			strvec_split(out, t.buf, ',');
	}
	for (size_t i = 0; n->type == TOML_ARRAY && i < n->nr && !rc; i++) {
		strbuf_reset(&t);
		rc = node_text(x, n->items[i], fullname, &t);
		if (!rc && t.len)
			strvec_push(out, t.buf);
	}
	strbuf_release(&t);
	return rc;
}

static int set_value(struct rctx *x, const struct fw_key *k, const struct cnode *n, const char *fullname)
{
	struct strbuf t = STRBUF_INIT;
	int rc = 0;
	switch (k->type) {
	case KT_BOOL:
	case KT_INT:
		rc = node_text(x, n, fullname, &t);
		if (!rc && fw_config_parse_scalar(k, t.buf, field(x, k)) < 0)
			rc = bad_value(x, k, n, fullname, t.buf);
		break;
	case KT_STRING:
		rc = node_text(x, n, fullname, &t);
		if (!rc) {
			char **dst = field(x, k);
			free(*dst);
			*dst = strbuf_detach(&t, NULL);
			/* registered before anything else can see it */
			if (k->flags & KF_SECRET)
				redact_register(*dst);
		}
		break;
	case KT_LIST:
		rc = set_list(x, n, fullname, field(x, k));
		break;
	case KT_MAP:
		fw_kv_clear(field(x, k));
		for (size_t i = 0; n->type == TOML_TABLE && i < n->nr && !rc; i++) {
			strbuf_reset(&t);
			rc = node_text(x, n->items[i], fullname, &t);
			if (!rc)
				fw_kv_set(field(x, k), n->keys[i], t.buf);
		}
		break;
	case KT_TABLE:
		break;
	}
	strbuf_release(&t);
	return rc;
}

/* ---------- what a value must mean beyond its type ---------- */

/* the error is set: add where the value was set, and what to do */
static int meaning_error(struct rctx *x, const struct cnode *n, const char *fullname, const char *hint)
{
	add_where(x, n, fullname);
	if (hint)
		fw_error_hint(x->err, "%s", hint);
	return -1;
}

/* a version as Flyway's MigrationVersion reads it ("Invalid version" otherwise);
 * a target may also be latest/current/next and end in '?' (reference 2) */
static int check_version(struct rctx *x, const struct fw_key *k, const struct cnode *n,
			 const char *fullname, const char *text)
{
	struct fw_version v = FW_VERSION_INIT;
	struct fw_error perr = FW_ERROR_INIT;
	int target = (k->flags & KF_TARGET) != 0, rc = 0;
	char *s = xstrdup(text);
	size_t len = strlen(s);
	if (target && len && s[len - 1] == '?')
		s[len - 1] = '\0';
	if (!(target && !len) && fw_version_parse(s, target, &v, &perr) < 0) {
		fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION", "%s", perr.message.buf);
		rc = meaning_error(x, n, fullname,
				   target ? "target is latest, current, next, or a version such as 5 or 1.2 (5? when the version may not exist)"
					  : "a version is numbers separated by dots or underscores, such as 1, 1.2 or 2024_01_15");
	}
	fw_version_release(&v);
	fw_error_clear(&perr);
	free(s);
	return rc;
}

/* the URL must name a database kind fleetway has a driver for: a misspelt
 * scheme is a configuration error, found before anything connects */
static int check_url(struct rctx *x, const struct cnode *n, const char *fullname, const char *url)
{
	struct db_url u;
	struct fw_error perr = FW_ERROR_INIT;
	int rc = 0;
	if (db_url_parse(url, &u, &perr) < 0) {
		fw_error_move(x->err, &perr);
		x->err->exit_code = FW_EXIT_USAGE;
		add_where(x, n, fullname);
		rc = -1;
	}
	db_url_release(&u);
	return rc;
}

/* connectRetries: Flyway's own words; the others in the same form */
static int check_number(struct rctx *x, const struct fw_key *k, const struct cnode *n,
			const char *fullname, int v)
{
	int min = (k->flags & KF_RETRY_COUNT) ? -1 : 0;
	if (v >= min)
		return 0;
	fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION", "Invalid number %s %s (must be %d or greater): %d",
		       strcmp(k->name, "connectRetriesInterval") ? "of" : "for", k->name, min, v);
	return meaning_error(x, n, fullname, min < 0 ? "-1 retries for ever, 0 not at all" : NULL);
}

static int check_meaning(struct rctx *x, const struct fw_key *k, const struct cnode *n, const char *fullname)
{
	const char *str = k->type == KT_STRING ? *(char **)field(x, k) : NULL;
	if (k->flags & (KF_NOT_NEGATIVE | KF_RETRY_COUNT))
		return check_number(x, k, n, fullname, *(int *)field(x, k));
	if (!str)
		return 0;
	if ((k->flags & KF_NOT_EMPTY) && !fw_has_text(str)) {
		fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION", "Invalid value for %s (should not be empty)",
			       fullname);
		return meaning_error(x, n, fullname, NULL);
	}
	if (k->flags & (KF_VERSION | KF_TARGET))
		return check_version(x, k, n, fullname, str);
	if ((k->flags & KF_URL) && *str)
		return check_url(x, n, fullname, str);
	if (k->flags & KF_DURATION) {
		long ms;
		if (fw_parse_duration(str, &ms, x->err) < 0)
			return meaning_error(x, n, fullname, "a duration such as 5s, 500ms or 2m (a bare number is seconds)");
	}
	return 0;
}

/* of an environment's value and the overlay's, the one set later; on a tie
 * the overlay (Flyway merges -url / FLYWAY_URL into the environment after
 * the environments of the same source) */
static const struct cnode *later(const struct cnode *env, const struct cnode *ovl)
{
	const struct cnode *late, *early;
	if (!env || !ovl)
		return env ? env : ovl;
	late = env->seq > ovl->seq ? env : ovl;
	early = late == env ? ovl : env;
	return late->type == TOML_ARRAY && !late->nr ? early : late;
}

static const struct cnode *find_node(struct rctx *x, const struct fw_key *k, struct strbuf *fullname)
{
	const struct cnode *n;
	if (k->flags & KF_CONN) {
		strbuf_addf(fullname, "environments.%s.%s", x->env, k->name);
		return later(cnode_get(x->envtab, k->name),
			     x->overlay ? cnode_get(x->s->overlay, k->name) : NULL);
	}
	if (k->flags & KF_FLYWAY) {
		if (x->envfly && !(k->flags & KF_NO_OVERRIDE) && (n = cnode_get_path(x->envfly, k->name))) {
			strbuf_addf(fullname, "environments.%s.flyway.%s", x->env, k->name);
			return n;
		}
		strbuf_addf(fullname, "flyway.%s", k->name);
		return cnode_get_path(x->fly, k->name);
	}
	strbuf_addf(fullname, "-%s", k->name);
	return cnode_get(x->s->cli, k->name);
}

/* jdbcProperties: the environment's table and the overlay's merge key by key */
static int resolve_conn_map(struct rctx *x, const struct fw_key *k)
{
	const struct cnode *env = cnode_get(x->envtab, k->name);
	const struct cnode *ovl = x->overlay ? cnode_get(x->s->overlay, k->name) : NULL;
	struct cnode merged = { .type = TOML_TABLE };
	struct strbuf full = STRBUF_INIT;
	int rc;
	/* a shallow view: items and keys are borrowed, so only the arrays are freed */
	for (int pass = 0; pass < 2; pass++) {
		const struct cnode *src = pass ? ovl : env;
		for (size_t i = 0; src && src->type == TOML_TABLE && i < src->nr; i++) {
			size_t j;
			for (j = 0; j < merged.nr; j++)
				if (!strcmp(merged.keys[j], src->keys[i]))
					break;
			if (j == merged.nr) {
				ALLOC_GROW(merged.items, merged.nr + 1, merged.alloc);
				merged.keys = xrealloc(merged.keys, merged.alloc * sizeof(*merged.keys));
				merged.keys[merged.nr] = src->keys[i];
				merged.items[merged.nr++] = src->items[i];
			} else if (src->items[i]->seq >= merged.items[j]->seq) {
				merged.items[j] = src->items[i];
			}
		}
	}
	strbuf_addf(&full, "environments.%s.%s", x->env, k->name);
	rc = set_value(x, k, &merged, full.buf);
	free(merged.items);
	free(merged.keys);
	strbuf_release(&full);
	return rc;
}

static int resolve_key(struct rctx *x, const struct fw_key *k)
{
	struct strbuf full = STRBUF_INIT;
	const struct cnode *n;
	int rc = 0;
	if (k->type == KT_MAP && (k->flags & KF_CONN))
		return resolve_conn_map(x, k);
	n = find_node(x, k, &full);
	/* an empty TOML list means "not set" (Flyway keeps the earlier list) */
	if (n && n->type == TOML_ARRAY && !n->nr)
		n = NULL;
	if (n) {
		rc = set_value(x, k, n, full.buf);
		if (!rc)
			rc = check_meaning(x, k, n, full.buf);
	} else if (k->def) {
		struct cnode *def = cnode_new_text(k->def, NULL, 0);
		rc = set_value(x, k, def, full.buf);
		cnode_free(def);
	}
	strbuf_release(&full);
	return rc;
}

/* ---------- after the table ---------- */

static int is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* "filesystem:x" and a bare "x" become "filesystem:<absolute x>"; other
 * prefixes (classpath:, s3:, gcs:) stay as they are. Flyway reads a bare
 * path as a classpath location, which for a command-line user finds nothing;
 * fleetway reads it as a folder, which is what such a user means. A Windows
 * drive letter ("C:") is not a prefix. */
static char *fix_location(const char *loc, const char *wd)
{
	const char *colon = strchr(loc, ':');
	const char *path = loc;
	struct strbuf sb = STRBUF_INIT;
	char *abs;
	if (!strncmp(loc, "filesystem:", 11)) {
		path = loc + 11;
	} else if (colon && colon - loc > 1) {
		int prefix = 1;
		for (const char *p = loc; p < colon; p++)
			prefix &= isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.';
		if (prefix)
			return xstrdup(loc);
	}
	abs = fw_path_absolute(wd, path);
	strbuf_addf(&sb, "filesystem:%s", abs);
	free(abs);
	return strbuf_detach(&sb, NULL);
}

static void fix_locations(struct strvec *list, const char *wd)
{
	for (size_t i = 0; i < list->nr; i++) {
		char *fixed = fix_location(list->v[i], wd);
		free(list->v[i]);
		list->v[i] = fixed;
	}
}

/* Flyway's CLI default: <workingDirectory or install dir>/sql, if it exists */
static void default_locations(struct rctx *x)
{
	struct fw_config *c = x->c;
	const char *dir = x->s->workdir ? x->s->workdir : x->s->install_dir;
	char *sql = dir ? fw_path_absolute(dir, "sql") : NULL;
	strvec_clear(&c->locations);
	if (sql && is_dir(sql))
		strvec_pushf(&c->locations, "filesystem:%s", sql);
	else
		strvec_push(&c->warnings, "No locations configured and default location 'sql' not found.");
	free(sql);
}

/* After fix_location every location is filesystem:<absolute path> or keeps a
 * prefix: classpath: (scanning warns and skips it: it needs Java) is accepted,
 * the rest (s3:, gcs: of Flyway Teams, a misspelt filesystem:) is an error
 * rather than a location that silently finds nothing. */
static int check_location_prefixes(struct rctx *x, const char *keyname, const struct strvec *list)
{
	const struct fw_key *k = fw_key_find(keyname, KF_FLYWAY);
	for (size_t i = 0; i < list->nr; i++) {
		const char *loc = list->v[i];
		struct strbuf full = STRBUF_INIT;
		const struct cnode *n;
		int cloud = !strncasecmp(loc, "s3:", 3) || !strncasecmp(loc, "gcs:", 4);
		if (!strncmp(loc, "filesystem:", 11) || !strncmp(loc, "classpath:", 10))
			continue;
		n = find_node(x, k, &full);
		fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION",
			       "Unknown prefix for location (should be one of filesystem:, classpath:): %s", loc);
		if (n)
			add_where(x, n, full.buf);
		fw_error_hint(x->err, "%s", cloud ? "s3: and gcs: locations (Flyway Teams) are not read by fleetway: copy the scripts into a folder and give filesystem:<folder>"
						  : "give a folder, as filesystem:<folder> or just <folder>");
		strbuf_release(&full);
		return -1;
	}
	return 0;
}

static int locations_are_default(struct rctx *x)
{
	struct strbuf full = STRBUF_INIT;
	const struct cnode *n = find_node(x, fw_key_find("locations", KF_FLYWAY), &full);
	strbuf_release(&full);
	if (!n || (n->type == TOML_ARRAY && !n->nr))
		return 1;
	/* Flyway compares with its own default list, db/migration */
	return x->c->locations.nr == 1 && !strcmp(x->c->locations.v[0], "db/migration");
}

static int is_password_key(const char *k, size_t n)
{
	static const char *const keys[] = { "password", "pass", "pwd", "sslpassword", NULL };
	for (int i = 0; keys[i]; i++)
		if (strlen(keys[i]) == n && !strncasecmp(keys[i], k, n))
			return 1;
	return 0;
}

static void register_n(const char *s, size_t n)
{
	char *v = xstrndup(s, n);
	redact_register(v);
	free(v);
}

/* a password written into the URL (user:pass@host, ?password=...) is a secret too */
static void register_url_secrets(const char *url)
{
	const char *scheme = strstr(url, "://");
	if (scheme) {
		const char *auth = scheme + 3, *at = NULL, *colon;
		size_t alen = strcspn(auth, "/?#");
		for (size_t i = 0; i < alen; i++)
			if (auth[i] == '@')
				at = auth + i;
		if (at && (colon = memchr(auth, ':', (size_t)(at - auth))))
			register_n(colon + 1, (size_t)(at - colon - 1));
	}
	for (const char *p = strpbrk(url, "?&;"); p; p = strpbrk(p + 1, "?&;")) {
		const char *key = p + 1;
		size_t klen = strcspn(key, "=&;#");
		if (key[klen] == '=' && is_password_key(key, klen))
			register_n(key + klen + 1, strcspn(key + klen + 1, "&;#"));
	}
}

static int secret_property(const char *key)
{
	return strcasestr(key, "password") || strcasestr(key, "token") || strcasestr(key, "secret") ||
	       is_password_key(key, strlen(key));
}

static int check_placeholders(struct rctx *x)
{
	struct fw_config *c = x->c;
	struct strbuf reserved = STRBUF_INIT;
	int rc = 0;
	strbuf_addf(&reserved, "flyway%s", c->placeholder_separator ? c->placeholder_separator : ":");
	for (size_t i = 0; i < c->placeholders.keys.nr && !rc; i++) {
		if (!strncasecmp(c->placeholders.keys.v[i], reserved.buf, reserved.len)) {
			rc = fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION",
					    "Invalid placeholder ('%s' prefix is reserved): %s", reserved.buf,
					    c->placeholders.keys.v[i]);
			fw_error_hint(x->err, "rename the placeholder; %s names are Flyway's built-ins", reserved.buf);
		}
	}
	strbuf_release(&reserved);
	return rc;
}

static void absolutize(char **path, const char *wd)
{
	char *abs;
	if (!*path || !**path)
		return;
	abs = fw_path_absolute(wd, *path);
	free(*path);
	*path = abs;
}

static int finish(struct rctx *x)
{
	struct fw_config *c = x->c;
	const struct cnode *ot = cnode_get(x->fly, "outputType");
	struct strbuf t = STRBUF_INIT;
	char *wd = c->working_directory;

	c->working_directory = wd && *wd ? fw_path_absolute(x->s->cwd, wd) : xstrdup(x->s->cwd);
	free(wd);
	if (locations_are_default(x))
		default_locations(x);
	fix_locations(&c->locations, c->working_directory);
	fix_locations(&c->callback_locations, c->working_directory);
	if (check_location_prefixes(x, "locations", &c->locations) < 0 ||
	    check_location_prefixes(x, "callbackLocations", &c->callback_locations) < 0)
		return -1;
	for (size_t i = 0; i < fw_nr_keys; i++)
		if ((fw_keys[i].flags & KF_PATH) && fw_keys[i].type == KT_STRING)
			absolutize(field(x, &fw_keys[i]), c->working_directory);
	c->output_json = ot && !cnode_scalar_text(ot, &t) && !strcasecmp(t.buf, "json");
	strbuf_release(&t);
	if (c->installed_by && !*c->installed_by)
		xfree(&c->installed_by);
	if (c->quiet)
		c->debug = 0;
	if (c->url)
		register_url_secrets(c->url);
	for (size_t i = 0; i < c->jdbc_properties.keys.nr; i++)
		if (secret_property(c->jdbc_properties.keys.v[i]))
			redact_register(c->jdbc_properties.values.v[i]);
	strvec_copy(&c->command_flags, &x->s->command_flags);
	return check_placeholders(x);
}

static int env_not_found(struct rctx *x)
{
	const struct cnode *envs = cnode_get(x->s->tree, "environments");
	const char *near = NULL;
	size_t best = 3;
	fw_errorf_exit(x->err, FW_EXIT_USAGE, "CONFIGURATION",
		       "Environment '%s' not found. Check that this environment exists in your configuration.",
		       x->env);
	for (size_t i = 0; envs && i < envs->nr; i++) {
		size_t d = strcasecmp(envs->keys[i], x->env) ? fw_edit_distance(envs->keys[i], x->env) : 0;
		if (d < best) {
			best = d;
			near = envs->keys[i];
		}
	}
	if (near) {
		fw_error_hint(x->err, "Did you mean '%s'?", near);
	} else if (envs && envs->nr) {
		struct strbuf names = STRBUF_INIT;
		for (size_t i = 0; i < envs->nr; i++)
			strbuf_addf(&names, "%s%s", i ? ", " : "", envs->keys[i]);
		fw_error_hint(x->err, "defined environments: %s", names.buf);
		strbuf_release(&names);
	} else {
		fw_error_hint(x->err, "define [environments.%s] with its url in flyway.toml", x->env);
	}
	return -1;
}

static int resolve(const struct fw_settings *s, const char *env_name, int member, struct fw_config *out,
		   struct fw_error *err)
{
	const struct cnode *envs = cnode_get(s->tree, "environments");
	const struct fw_key *ph = fw_key_find("placeholders", KF_FLYWAY);
	struct rctx x;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	out->settings = s;
	x.s = s;
	x.env = env_name ? env_name : s->selected;
	x.envtab = cnode_get(envs, x.env);
	x.envfly = cnode_get(x.envtab, "flyway");
	x.fly = cnode_get(s->tree, "flyway");
	x.selected = !strcmp(x.env, s->selected);
	x.overlay = x.selected || member;
	x.c = out;
	x.err = err;
	x.rc.environ = &s->environ;
	x.rc.env_name = x.env;
	out->environment = xstrdup(x.env);
	if (!x.envtab && !(x.selected && (s->overlay->nr || !strcmp(x.env, "default"))))
		rc = env_not_found(&x);
	/* placeholders first: ${placeholder.x} in the other values reads them */
	if (!rc)
		rc = resolve_key(&x, ph);
	x.rc.placeholders = &out->placeholders;
	for (size_t i = 0; i < fw_nr_keys && !rc; i++)
		if (fw_keys[i].off != KEY_NO_FIELD && &fw_keys[i] != ph)
			rc = resolve_key(&x, &fw_keys[i]);
	if (!rc)
		rc = finish(&x);
	if (rc)
		fw_config_release(out);
	return rc;
}

void fw_config_release(struct fw_config *c)
{
	for (size_t i = 0; i < fw_nr_keys; i++) {
		void *f = (char *)c + fw_keys[i].off;
		if (fw_keys[i].off == KEY_NO_FIELD)
			continue;
		if (fw_keys[i].type == KT_STRING)
			xfree(f);
		else if (fw_keys[i].type == KT_LIST)
			strvec_clear(f);
		else if (fw_keys[i].type == KT_MAP)
			fw_kv_clear(f);
	}
	free(c->environment);
	strvec_clear(&c->command_flags);
	strvec_clear(&c->warnings);
	memset(c, 0, sizeof(*c));
}

/* ---------- debug dump ---------- */

static void dump_value(const struct fw_key *k, const void *f, struct strbuf *out)
{
	switch (k->type) {
	case KT_BOOL:
		strbuf_addstr(out, *(const int *)f ? "true" : "false");
		break;
	case KT_INT:
		strbuf_addf(out, "%d", *(const int *)f);
		break;
	case KT_STRING: {
		const char *v = *(char *const *)f;
		if (!v)
			strbuf_addstr(out, "(unset)");
		else if (k->flags & KF_SECRET)
			strbuf_addstr(out, "***");
		else if (!strcmp(k->name, "url"))
			redact_url(v, out);
		else
			strbuf_addstr(out, v);
		break;
	}
	case KT_LIST: {
		const struct strvec *l = f;
		strbuf_addch(out, '[');
		for (size_t i = 0; i < l->nr; i++)
			strbuf_addf(out, "%s%s", i ? ", " : "", l->v[i]);
		strbuf_addch(out, ']');
		break;
	}
	case KT_MAP: {
		const struct fw_kv *kv = f;
		strbuf_addch(out, '{');
		for (size_t i = 0; i < kv->keys.nr; i++)
			strbuf_addf(out, "%s%s=%s", i ? ", " : "", kv->keys.v[i],
				    secret_property(kv->keys.v[i]) ? "***" : kv->values.v[i]);
		strbuf_addch(out, '}');
		break;
	}
	case KT_TABLE:
		break;
	}
}

void fw_config_dump(const struct fw_config *c, struct strbuf *out)
{
	struct strbuf tmp = STRBUF_INIT;
	strbuf_addf(&tmp, "environment = %s\n", c->environment ? c->environment : "(unset)");
	for (size_t i = 0; i < fw_nr_keys; i++) {
		if (fw_keys[i].off == KEY_NO_FIELD)
			continue;
		strbuf_addf(&tmp, "%s = ", fw_keys[i].name);
		dump_value(&fw_keys[i], (const char *)c + fw_keys[i].off, &tmp);
		strbuf_addch(&tmp, '\n');
	}
	strbuf_addf(&tmp, "outputType = %s\n", c->output_json ? "json" : "(text)");
	/* the net under the rule: anything registered as secret is masked anyway */
	redact_buf(&tmp);
	strbuf_addbuf(out, &tmp);
	strbuf_release(&tmp);
}

int fw_config_resolve(const struct fw_settings *s, const char *env_name, struct fw_config *out,
		      struct fw_error *err)
{
	return resolve(s, env_name, 0, out, err);
}

int fw_config_resolve_member(const struct fw_settings *s, const char *env_name, struct fw_config *out,
			     struct fw_error *err)
{
	return resolve(s, env_name, 1, out, err);
}

/* the url, user and password name one database: on a fleet each target has its own */
int fw_settings_refuse_shared_credentials(const struct fw_settings *s, struct fw_error *err)
{
	static const char *const keys[] = { "url", "user", "password", NULL };
	for (int i = 0; keys[i]; i++) {
		const struct cnode *n = cnode_get(s->overlay, keys[i]);
		if (!n)
			continue;
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			       "%s from %s applies to one database, not to every target of a fleet", keys[i],
			       n->origin ? n->origin : "the command line");
		fw_error_hint(err, "give each target its own: %s in [environments.<target>] of flyway.toml, or the %s column of the fleet's inventory (${env.VAR} works in both)",
			      keys[i], keys[i]);
		return -1;
	}
	return 0;
}

static const struct toml_value *setting(const struct fw_config *c, const char *key)
{
	struct strbuf path = STRBUF_INIT;
	const struct toml_value *v;
	if (!c->settings)
		return NULL;
	strbuf_addf(&path, "flyway.%s", key);
	v = toml_get_path(fw_settings_root(c->settings), path.buf);
	strbuf_release(&path);
	return v;
}

const char *fw_config_setting(const struct fw_config *c, const char *key)
{
	const struct toml_value *v = setting(c, key);
	if (!v)
		return NULL;
	if (v->type == TOML_BOOL)
		return v->u.b ? "true" : "false";
	return v->type == TOML_STRING ? v->u.str.s : NULL;
}

int fw_config_setting_bool(const struct fw_config *c, const char *key, int dflt)
{
	const char *v = fw_config_setting(c, key);
	if (!v)
		return dflt;
	return !strcasecmp(v, "true") ? 1 : !strcasecmp(v, "false") ? 0 : dflt;
}

void fw_config_setting_list(const struct fw_config *c, const char *key, struct strvec *out)
{
	const struct toml_value *v = setting(c, key);
	if (v && v->type == TOML_STRING) {
		struct strvec parts = STRVEC_INIT;
		strvec_split(&parts, v->u.str.s, ',');
		for (size_t i = 0; i < parts.nr; i++)
			if (*parts.v[i])
				strvec_push(out, parts.v[i]);
		strvec_clear(&parts);
	}
	for (size_t i = 0; v && v->type == TOML_ARRAY && i < v->u.arr.nr; i++)
		if (v->u.arr.items[i]->type == TOML_STRING)
			strvec_push(out, v->u.arr.items[i]->u.str.s);
}
