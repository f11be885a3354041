/* Migration file names (reference sections 1.2, 1.3, 1.5).
 *
 * One grammar serves SQL migrations, script migrations and callbacks:
 * strip the suffix, find the longest known prefix (a migration prefix or a
 * callback event name), split the rest at the first separator into a version
 * part and a description. SQL files with a bad name are errors (Flyway lists
 * them under validateMigrationNaming); script files with a bad name are
 * silently not scripts, as in Flyway's script resolver. */
#include "engine/naming.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const fw_callback_events[] = {
	/* migrate */
	"beforeMigrate", "beforeEachMigrate", "beforeEachMigrateStatement",
	"afterEachMigrateStatement", "afterEachMigrateStatementError", "afterEachMigrate",
	"afterEachMigrateError", "beforeRepeatables", "afterVersioned", "afterMigrateApplied",
	"afterMigrate", "afterMigrateError",
	/* undo */
	"beforeUndo", "beforeEachUndo", "beforeEachUndoStatement", "afterEachUndoStatement",
	"afterEachUndoStatementError", "afterEachUndo", "afterEachUndoError", "afterUndo",
	"afterUndoError",
	/* validate, baseline, repair, info, clean */
	"beforeValidate", "afterValidate", "afterValidateError",
	"beforeBaseline", "afterBaseline", "afterBaselineError",
	"beforeRepair", "afterRepair", "afterRepairError",
	"beforeInfo", "afterInfo", "afterInfoError",
	"beforeClean", "afterClean", "afterCleanError",
	/* schema creation, connection */
	"createSchema", "beforeCreateSchema",
	"beforeConnect", "afterConnect",
	/* operation finish: Flyway knows these names too, so they are prefixes */
	"afterMigrateOperationFinish", "afterInfoOperationFinish",
	NULL
};

/* extensions of script migrations (1.3); a file without extension is one too */
static const char *const script_exts[] = { "cmd", "bat", "ps1", "py", "sh", "bash", NULL };

int fw_is_callback_event(const char *name)
{
	int i;
	for (i = 0; fw_callback_events[i]; i++)
		if (!strcmp(name, fw_callback_events[i]))
			return 1;
	return 0;
}

void fw_parsed_name_release(struct fw_parsed_name *p)
{
	struct fw_parsed_name empty = FW_PARSED_NAME_INIT;
	fw_version_release(&p->version);
	free(p->description);
	free(p->callback_event);
	free(p->suffix);
	*p = empty;
}

/* ---- configuration with defaults filled in ------------------------------ */

struct naming {
	const char *prefix[4];         /* V, R, B, U in Flyway's order of preference */
	enum fw_file_kind kind[4];
	const char *separator;
	const char *const *suffixes;
};

static const char *const default_suffixes[] = { ".sql", NULL };

static const char *or_default(const char *v, const char *def)
{
	return v ? v : def;
}

static void resolve_naming(const struct fw_naming *nm, struct naming *out)
{
	static const struct fw_naming none;

	if (!nm)
		nm = &none;
	out->prefix[0] = or_default(nm->versioned_prefix, "V");
	out->kind[0] = FW_FILE_VERSIONED;
	out->prefix[1] = or_default(nm->repeatable_prefix, "R");
	out->kind[1] = FW_FILE_REPEATABLE;
	out->prefix[2] = or_default(nm->baseline_prefix, "B");
	out->kind[2] = FW_FILE_BASELINE;
	out->prefix[3] = or_default(nm->undo_prefix, "U");
	out->kind[3] = FW_FILE_UNDO;
	out->separator = or_default(nm->separator, "__");
	out->suffixes = nm->sql_suffixes && nm->sql_suffixes->v
		? (const char *const *)nm->sql_suffixes->v : default_suffixes;
}

/* ---- the grammar -------------------------------------------------------- */

static int ends_with_nocase(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return m <= n && !strncasecmp(s + n - m, suffix, m);
}

/* the first configured suffix the name ends with (any case), or NULL */
static const char *match_suffix(const char *name, const char *const *suffixes)
{
	size_t n = strlen(name);
	int i;
	for (i = 0; suffixes[i]; i++)
		if (ends_with_nocase(name, n, suffixes[i]))
			return suffixes[i];
	return NULL;
}

struct prefix_match {
	const char *text;
	enum fw_file_kind kind;
};

static void consider(struct prefix_match *best, const char *stem, const char *prefix,
		     enum fw_file_kind kind)
{
	size_t n = strlen(prefix);

	if (strncmp(stem, prefix, n))
		return;
	/* longest first; among equally long ones the earlier candidate stays */
	if (!best->text || n > strlen(best->text)) {
		best->text = prefix;
		best->kind = kind;
	}
}

/* Flyway's prefix choice: case-sensitive, longest candidate first */
static int find_prefix(const char *stem, const struct naming *nm, struct prefix_match *best)
{
	int i;

	best->text = NULL;
	best->kind = FW_FILE_NONE;
	for (i = 0; i < 4; i++)
		consider(best, stem, nm->prefix[i], nm->kind[i]);
	for (i = 0; fw_callback_events[i]; i++)
		consider(best, stem, fw_callback_events[i], FW_FILE_CALLBACK);
	return best->text != NULL;
}

static int is_versioned_kind(enum fw_file_kind k)
{
	return k == FW_FILE_VERSIONED || k == FW_FILE_BASELINE || k == FW_FILE_UNDO;
}

static char *describe(const char *right)
{
	char *d = xstrdup(right), *c;
	for (c = d; *c; c++)
		if (*c == '_')
			*c = ' ';
	return d;
}

/* what a parse is about: the file name, its name without suffix, and the
 * suffix both as configured (for Flyway's example names) and as written */
struct name_parts {
	const char *filename;
	char *stem;
	const char *suffix_cfg;
	const char *suffix_written;
};

static int check_version_part(const struct name_parts *np, const struct naming *nm,
			      const struct prefix_match *pm, const char *left, const char *right,
			      struct fw_parsed_name *out, struct fw_error *err)
{
	const char *example = *right ? right : "description";

	if (!*left)
		return fw_errorf(err, "ERROR", "Invalid versioned migration name format: %s "
				 "(It must contain a version and should look like this: %s1.2%s%s%s)",
				 np->filename, pm->text, nm->separator, example, np->suffix_cfg);
	if (fw_version_parse(left, 0, &out->version, err) < 0)
		return fw_errorf(err, "ERROR", "Invalid versioned migration name format: %s "
				 "(could not recognise version number %s)", np->filename, left);
	return 0;
}

static int check_no_version(const struct name_parts *np, const struct naming *nm,
			    const struct prefix_match *pm, const char *left, const char *right,
			    struct fw_error *err)
{
	const char *example = *right ? right : "description";

	if (!*left)
		return 0;
	return fw_errorf(err, "ERROR", "Invalid repeatable migration / callback name format: %s "
			 "(It cannot contain a version and should look like this: %s%s%s%s)",
			 np->filename, pm->text, nm->separator, example, np->suffix_cfg);
}

/* steps 2-5 of the grammar on np->stem; fills out or fails with Flyway's text */
static int parse_stem(const struct name_parts *np, const struct naming *nm,
		      struct fw_parsed_name *out, struct fw_error *err)
{
	struct prefix_match pm;
	char *rest, *sep;
	const char *right = "";
	int r;

	if (!find_prefix(np->stem, nm, &pm))
		return fw_errorf(err, "ERROR", "Unrecognised migration name format: %s", np->filename);
	rest = np->stem + strlen(pm.text);
	/* Java's indexOf: an empty separator is found at once */
	sep = strstr(rest, nm->separator);
	if (sep) {
		*sep = '\0';
		right = sep + strlen(nm->separator);
	}
	if (is_versioned_kind(pm.kind))
		r = check_version_part(np, nm, &pm, rest, right, out, err);
	else
		r = check_no_version(np, nm, &pm, rest, right, err);
	if (r < 0)
		return -1;
	out->kind = pm.kind;
	out->description = describe(right);
	out->suffix = xstrdup(np->suffix_written);
	if (pm.kind == FW_FILE_CALLBACK)
		out->callback_event = xstrdup(pm.text);
	return 0;
}

static int parse_sql(const char *filename, const char *suffix, const struct naming *nm,
		     struct fw_parsed_name *out, struct fw_error *err)
{
	size_t stem_len = strlen(filename) - strlen(suffix);
	struct name_parts np = { filename, xstrndup(filename, stem_len), suffix, filename + stem_len };
	int r = parse_stem(&np, nm, out, err);

	free(np.stem);
	if (r < 0)
		fw_parsed_name_release(out);
	return r;
}

/* The extension as Flyway's script resolver sees it: the text after the last
 * dot, "" when there is none. NULL if that is not a script extension. */
static const char *script_extension(const char *filename)
{
	const char *dot = strrchr(filename, '.');
	int i;

	if (!dot)
		return filename + strlen(filename);
	for (i = 0; script_exts[i]; i++)
		if (!strcasecmp(dot + 1, script_exts[i]))
			return dot;
	return NULL;
}

/* Script migrations use the V and R prefixes; script callbacks any event.
 * Anything else, or a bad name, is simply not a script (no error). */
static int script_kind_ok(enum fw_file_kind k)
{
	return k == FW_FILE_VERSIONED || k == FW_FILE_REPEATABLE || k == FW_FILE_CALLBACK;
}

static void parse_script(const char *filename, const char *ext, const struct naming *nm,
			 struct fw_parsed_name *out)
{
	struct fw_error ignored = FW_ERROR_INIT;
	struct name_parts np = { filename, xstrndup(filename, (size_t)(ext - filename)), ext, ext };

	if (parse_stem(&np, nm, out, &ignored) < 0 || !script_kind_ok(out->kind))
		fw_parsed_name_release(out);
	else
		out->is_script = 1;
	free(np.stem);
	fw_error_clear(&ignored);
}

int fw_parse_name(const char *filename, const struct fw_naming *nm_in, struct fw_parsed_name *out,
		  struct fw_error *err)
{
	struct fw_parsed_name empty = FW_PARSED_NAME_INIT;
	struct naming nm;
	const char *suffix, *ext;

	*out = empty;
	resolve_naming(nm_in, &nm);
	suffix = match_suffix(filename, nm.suffixes);
	if (suffix)
		return parse_sql(filename, suffix, &nm, out, err);
	ext = script_extension(filename);
	if (ext)
		parse_script(filename, ext, &nm, out);
	return 0;
}
