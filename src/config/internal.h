/* Internals of the configuration module, shared by config*.c and resolvers.c.
 *
 * The module keeps its own tree of settings (struct cnode) rather than
 * struct toml_value: the TOML reader builds its tables privately, and the
 * merge needs more per value than a TOML document has (which source it came
 * from, whether it arrived as plain text, in which order it was set). The
 * merged tree is turned into a real TOML tree once, at the end of
 * fw_settings_load(), for fw_settings_root(). */
#ifndef FW_CONFIG_INTERNAL_H
#define FW_CONFIG_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "config/config.h"

/* ---------- the one table of known keys (config-keys.c) ---------- */

enum key_type {
	KT_BOOL,
	KT_INT,
	KT_STRING,
	KT_LIST,     /* TOML array, or comma-separated text */
	KT_MAP,      /* string -> string (placeholders, jdbcProperties) */
	KT_TABLE,    /* a namespace accepted whole and not interpreted here (check, resolvers) */
};

enum key_flag {
	KF_FLYWAY = 1 << 0,      /* [flyway] key; flyway.x in .conf; -x flag */
	KF_CONN = 1 << 1,        /* [environments.X] key; from .conf, FLYWAY_X or -x it goes to the selected environment */
	KF_CLI = 1 << 2,         /* may be given on the command line although not a [flyway] key */
	KF_ENVVAR = 1 << 3,      /* has an upper-case FLYWAY_* environment variable */
	KF_NO_OVERRIDE = 1 << 4, /* not allowed in [environments.X.flyway] */
	KF_SECRET = 1 << 5,      /* never printed; registered with redact_register() */
	KF_REMOVED = 1 << 6,     /* removed from Flyway: an error with a hint */
	KF_SWITCH = 1 << 7,      /* command-line switch without a value (-X) */
	KF_PATH = 1 << 8,        /* a file path, made absolute against workingDirectory */
	KF_LOCATIONS = 1 << 9,   /* a list of locations, made absolute against workingDirectory */
	/* what a value must mean beyond its type, checked when it is resolved (with where it was set) */
	KF_VERSION = 1 << 10,    /* a migration version: 1, 1.2, 2024_01 */
	KF_TARGET = 1 << 11,     /* a version, latest, current or next; a trailing '?' allowed */
	KF_NOT_EMPTY = 1 << 12,  /* a string that must not be empty or blank */
	KF_NOT_NEGATIVE = 1 << 13, /* an integer >= 0 */
	KF_RETRY_COUNT = 1 << 14,  /* an integer >= -1 (-1: retry for ever) */
	KF_URL = 1 << 15,        /* a database URL the drivers must be able to read */
	KF_DURATION = 1 << 16,   /* a duration: 30s, 500ms, 1m30s, or a number of seconds */
};

struct fw_key {
	const char *name;      /* camelCase, dotted inside namespaces: postgresql.transactional.lock */
	enum key_type type;
	const char *def;       /* default, as text parsed like user input; NULL = unset */
	size_t off;            /* offsetof() in struct fw_config, or KEY_NO_FIELD */
	unsigned flags;        /* enum key_flag */
	const char *envvar;    /* FLYWAY_* name when not derived from `name` */
	const char *note;      /* KF_REMOVED: what to do instead */
};
#define KEY_NO_FIELD ((size_t)-1)

extern const struct fw_key fw_keys[];
extern const size_t fw_nr_keys;

/* the key called `name` whose flags include one of `any_of`, or NULL */
const struct fw_key *fw_key_find(const char *name, unsigned any_of);
/* true if some key with one of `any_of` lives under namespace `prefix` ("postgresql") */
int fw_key_is_namespace(const char *prefix, unsigned any_of);
/* FLYWAY_* name of a key (derived from camelCase unless the table says otherwise) */
void fw_key_envvar(const struct fw_key *k, struct strbuf *out);
/* the key a FLYWAY_* variable sets, or NULL (unknown variables are ignored, as Flyway does) */
const struct fw_key *fw_key_by_envvar(const char *var);
/* the key an unknown FLYWAY_* variable was meant for, or NULL: *not_read is set
 * when it is the name of a key that has no upper-case variable (FLYWAY_ENVIRONMENT),
 * clear for a near miss of one (FLYWAY_LOCATOINS) */
const struct fw_key *fw_key_envvar_meant(const char *var, int *not_read);
/* closest known key to a misspelt one among keys with one of `any_of`; NULL if none is close */
const struct fw_key *fw_key_suggest(const char *name, unsigned any_of);
/* "an integer", "either true or false", ... for messages */
const char *fw_key_type_text(enum key_type t);
/* edit distance, case-insensitive (for "Did you mean") */
size_t fw_edit_distance(const char *a, const char *b);

/* ---------- the settings tree (config-tree.c) ---------- */

struct cnode {
	enum toml_type type;   /* TOML_STRING for text from .conf, env vars and flags */
	unsigned text : 1;     /* plain text from a source without types: lists are comma-separated */
	char *s;               /* STRING and date/time kinds (NUL-terminated, may hold NUL) */
	size_t len;
	int64_t i;
	double f;
	int b;
	struct cnode **items;  /* ARRAY items; TABLE values */
	char **keys;           /* TABLE keys (NUL-terminated, may hold NUL) */
	size_t *keylens;
	size_t nr, alloc;
	const char *origin;    /* file path, "environment variable X", "command line -x" (owned by fw_settings) */
	int line, col;         /* position in a file, 0 otherwise */
	unsigned seq;          /* order in which values were set: later sources have larger numbers */
};

struct cnode *cnode_new(enum toml_type t, const char *origin, int line, int col, unsigned seq);
struct cnode *cnode_new_text(const char *s, const char *origin, unsigned seq);
void cnode_free(struct cnode *n);
struct cnode *cnode_get(const struct cnode *tab, const char *key);
/* walk a dotted path of segments; a remaining part that is itself a key (quoted
 * "a.b" in TOML) is found too */
struct cnode *cnode_get_path(const struct cnode *tab, const char *dotted);
/* set key in tab to v (owned), replacing an existing value */
void cnode_set(struct cnode *tab, const char *key, size_t keylen, struct cnode *v);
/* the table at key, created if absent or replaced if not a table */
struct cnode *cnode_child_table(struct cnode *tab, const char *key, const char *origin, unsigned seq);
/* Merge src (owned) into tab[key]: tables merge key by key, scalars replace,
 * a list replaces only if it is non-empty or comes from text. */
void cnode_merge(struct cnode *tab, const char *key, size_t keylen, struct cnode *src);
/* copy a parsed TOML tree (origin = file name) */
struct cnode *cnode_from_toml(const struct toml_value *v, const char *origin, unsigned seq);
/* the text of a scalar (integers, booleans, floats and date-times as TOML writes them) */
int cnode_scalar_text(const struct cnode *n, struct strbuf *out);
/* "file:line:col", or the origin as is */
void cnode_where(const struct cnode *n, struct strbuf *out);

/* Build a real TOML tree from the settings tree; `map` receives one
 * (toml value, settings node) pair per value, sorted by toml pointer. */
struct fw_srcmap {
	const struct toml_value *v;
	char *where;
};
int cnode_export(const struct cnode *root, struct toml_value **out, struct fw_srcmap **map,
		 size_t *nmap, struct fw_error *err);

/* ---------- the loaded settings (config.c) ---------- */

struct fw_settings {
	int legacy;                 /* .conf mode: no resolvers, no environment tables in files */
	struct cnode *tree;         /* TOML shape: flyway, environments, any other root tables */
	struct cnode *overlay;      /* connection keys from FLYWAY_*, flyway_*, .conf and -url... flags:
	                               merged into the selected environment */
	struct cnode *cli;          /* command-line-only keys and switches */
	struct strvec command_flags;
	struct strvec environ;      /* copy of the process environment, for ${env.X} */
	char *cwd;
	char *workdir;              /* absolute -workingDirectory, NULL when not given */
	char *install_dir;
	char *selected;             /* name of the selected environment */
	struct strvec warnings;
	struct strvec origins;      /* owned strings that cnode.origin points into */
	unsigned seq;
	struct toml_value *root;
	struct fw_srcmap *map;
	size_t nmap;
};

/* true if s has a character other than white space (args.c) */
int fw_has_text(const char *s);

/* path made absolute against base (kept as is when already absolute) */
char *fw_path_absolute(const char *base, const char *path);

/* intern an origin string for the lifetime of s */
const char *fw_settings_origin(struct fw_settings *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* a bool ("true"/"false", any case) or decimal int for key k, from text (config-resolve.c) */
int fw_config_parse_scalar(const struct fw_key *k, const char *text, int *out);

/* ---------- legacy .conf files (config-conf.c) ---------- */

struct fw_conf_entry {
	char *key;
	char *value;
	int line;
};
struct fw_conf_entries {
	struct fw_conf_entry *v;
	size_t nr, alloc;
};
/* Parse Java-properties text as Flyway reads flyway.conf: comments, `\`
 * continuation onto a line that is not itself a flyway.* property, literal
 * backslashes, ${NAME} replaced from `environ` (unset = empty). Never fails:
 * every line either is a property or is ignored, as in Java. Later duplicates
 * replace earlier ones. */
void fw_conf_parse(const char *text, size_t len, const struct strvec *environ,
		   struct fw_conf_entries *out);
void fw_conf_entries_release(struct fw_conf_entries *e);

/* ---------- resolvers (resolvers.c) ---------- */

struct fw_resolver_ctx {
	const struct strvec *environ;     /* "NAME=value" */
	const struct fw_kv *placeholders; /* for ${placeholder.x}; NULL = none */
	const char *env_name;             /* for messages */
};
/* Expand ${resolver.key[:filter]} in `in` as Flyway does: surrounding
 * whitespace dropped, $${a.b} kept as ${a.b}, a whole !{...} taken verbatim,
 * nested references rejected. Appends to out. Errors name the resolver and
 * key but never the value. */
int fw_resolve_string(const struct fw_resolver_ctx *rc, const char *in, struct strbuf *out,
		      struct fw_error *err);
/* value of NAME in a "NAME=value" list, or NULL */
const char *fw_environ_get(const struct strvec *environ, const char *name);

#endif
