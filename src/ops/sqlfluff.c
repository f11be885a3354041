/* SQLFluff as a child process (see sqlfluff.h) */
#include "ops/sqlfluff.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- the two spellings of a rule ---------------------------------------- */

/* SQLFluff 2.0's renaming: each 1.x code, its 2.x code */
static const struct { const char *old, *new_code; } renamed[] = {
	{ "L001", "LT01" }, { "L002", "LT02" }, { "L003", "LT02" }, { "L004", "LT02" }, { "L005", "LT01" },
	{ "L006", "LT01" }, { "L007", "LT03" }, { "L008", "LT01" }, { "L009", "LT12" }, { "L010", "CP01" },
	{ "L011", "AL01" }, { "L012", "AL02" }, { "L013", "AL03" }, { "L014", "CP02" }, { "L015", "ST08" },
	{ "L016", "LT05" }, { "L017", "LT06" }, { "L018", "LT07" }, { "L019", "LT04" }, { "L020", "AL04" },
	{ "L021", "AM01" }, { "L022", "LT08" }, { "L023", "LT01" }, { "L024", "LT01" }, { "L025", "AL05" },
	{ "L026", "RF01" }, { "L027", "RF02" }, { "L028", "RF03" }, { "L029", "RF04" }, { "L030", "CP03" },
	{ "L031", "AL07" }, { "L032", "ST07" }, { "L033", "AM02" }, { "L034", "ST06" }, { "L035", "ST01" },
	{ "L036", "LT09" }, { "L037", "AM03" }, { "L038", "CV03" }, { "L039", "LT01" }, { "L040", "CP04" },
	{ "L041", "LT10" }, { "L042", "ST05" }, { "L043", "ST02" }, { "L044", "AM04" }, { "L045", "ST03" },
	{ "L046", "JJ01" }, { "L047", "CV04" }, { "L048", "LT01" }, { "L049", "CV05" }, { "L050", "LT13" },
	{ "L051", "AM05" }, { "L052", "CV06" }, { "L053", "CV07" }, { "L054", "AM06" }, { "L055", "CV08" },
	{ "L056", "TQ01" }, { "L057", "RF05" }, { "L058", "ST04" }, { "L059", "RF06" }, { "L060", "CV02" },
	{ "L061", "CV01" }, { "L062", "CV09" }, { "L063", "CP05" }, { "L064", "CV10" }, { "L065", "LT11" },
	{ "L066", "AL06" }, { "L067", "CV11" }, { "L068", "AM07" }, { "L071", "LT01" },
};
#define NR_RENAMED (sizeof(renamed) / sizeof(renamed[0]))

/* 2.x codes and names (a configuration may use either) */
static const struct { const char *code, *name; } named[] = {
	{ "LT01", "layout.spacing" }, { "LT02", "layout.indent" }, { "LT03", "layout.operators" },
	{ "LT04", "layout.commas" }, { "LT05", "layout.long_lines" }, { "LT06", "layout.functions" },
	{ "LT07", "layout.cte_bracket" }, { "LT08", "layout.cte_newline" }, { "LT09", "layout.select_targets" },
	{ "LT10", "layout.select_modifiers" }, { "LT11", "layout.set_operators" }, { "LT12", "layout.end_of_file" },
	{ "LT13", "layout.start_of_file" }, { "CP01", "capitalisation.keywords" },
	{ "CP02", "capitalisation.identifiers" }, { "CP03", "capitalisation.functions" },
	{ "CP04", "capitalisation.literals" }, { "CP05", "capitalisation.types" }, { "AL01", "aliasing.table" },
	{ "AL02", "aliasing.column" }, { "AL03", "aliasing.expression" }, { "AL04", "aliasing.unique.table" },
	{ "AL05", "aliasing.unused" }, { "AL06", "aliasing.length" }, { "AL07", "aliasing.forbid" },
	{ "AM01", "ambiguous.distinct" }, { "AM02", "ambiguous.union" }, { "AM03", "ambiguous.order_by" },
	{ "AM04", "ambiguous.column_count" }, { "AM05", "ambiguous.join" },
	{ "AM06", "ambiguous.column_references" }, { "AM07", "ambiguous.set_columns" },
	{ "RF01", "references.from" }, { "RF02", "references.qualification" }, { "RF03", "references.consistent" },
	{ "RF04", "references.keywords" }, { "RF05", "references.special_chars" }, { "RF06", "references.quoting" },
	{ "ST01", "structure.else_null" }, { "ST02", "structure.simple_case" }, { "ST03", "structure.unused_cte" },
	{ "ST04", "structure.nested_case" }, { "ST05", "structure.subquery" }, { "ST06", "structure.column_order" },
	{ "ST07", "structure.using" }, { "ST08", "structure.distinct" }, { "CV01", "convention.not_equal" },
	{ "CV02", "convention.coalesce" }, { "CV03", "convention.select_trailing_comma" },
	{ "CV04", "convention.count_rows" }, { "CV05", "convention.is_null" }, { "CV06", "convention.terminator" },
	{ "CV07", "convention.statement_brackets" }, { "CV08", "convention.left_join" },
	{ "CV09", "convention.blocked_words" }, { "CV10", "convention.quoted_literals" },
	{ "CV11", "convention.casting_style" }, { "JJ01", "jinja.padding" }, { "TQ01", "tsql.sp_prefix" },
};
#define NR_NAMED (sizeof(named) / sizeof(named[0]))

const char *fw_sqlfluff_new_code(const char *code)
{
	for (size_t i = 0; i < NR_RENAMED; i++)
		if (!strcasecmp(renamed[i].old, code))
			return renamed[i].new_code;
	return code;
}

/* the 2.x code a name ("capitalisation.keywords") or code stands for, or NULL */
static const char *code_of(const char *item)
{
	for (size_t i = 0; i < NR_NAMED; i++)
		if (!strcasecmp(named[i].name, item) || !strcasecmp(named[i].code, item))
			return named[i].code;
	return NULL;
}

static const char *name_of(const char *new_code)
{
	for (size_t i = 0; i < NR_NAMED; i++)
		if (!strcmp(named[i].code, new_code))
			return named[i].name;
	return NULL;
}

/* the 1.x codes of a 2.x code, a name or a group ("capitalisation"), comma-separated;
 * 0 when the item is none of those (an old code, "core", "all": kept) */
static int old_codes(const char *item, struct strbuf *out)
{
	const char *code = code_of(item);
	size_t glen = strlen(item);
	int n = 0;
	for (size_t i = 0; i < NR_RENAMED; i++) {
		const char *name = name_of(renamed[i].new_code);
		int hit = code ? !strcmp(renamed[i].new_code, code)
			       : name && !strncasecmp(name, item, glen) && name[glen] == '.';
		if (hit)
			strbuf_addf(out, "%s%s", n++ ? "," : "", renamed[i].old);
	}
	return n;
}

/* does a noqa item (a code of either spelling, a name, a glob) cover a violation's code */
static int noqa_covers(const char *item, const char *code)
{
	const char *new_code = fw_sqlfluff_new_code(code);
	const char *name = name_of(new_code);
	if (!strcasecmp(item, "all"))
		return 1;
	if (!fnmatch(item, code, FNM_CASEFOLD) || !fnmatch(item, new_code, FNM_CASEFOLD))
		return 1;
	if (name && (!strcasecmp(item, name) || (!strncasecmp(name, item, strlen(item)) && name[strlen(item)] == '.')))
		return 1;
	for (size_t i = 0; i < NR_RENAMED; i++)   /* an old code written for a new one */
		if (!strcmp(renamed[i].new_code, new_code) && !strcasecmp(item, renamed[i].old))
			return 1;
	return 0;
}

const char *fw_sqlfluff_dialect(const char *d)
{
	if (!d || !strcasecmp(d, "text"))
		return "ansi";
	if (!strcasecmp(d, "postgresql"))
		return "postgres";
	if (!strcasecmp(d, "mariadb"))
		return "mysql";   /* SQLFluff 1.x has no mariadb dialect; mysql reads it */
	return d;
}

char *fw_sqlfluff_find(void)
{
	const char *path = getenv("PATH");
	struct strvec dirs = STRVEC_INIT;
	char *found = NULL;
	strvec_split(&dirs, path && *path ? path : "/usr/local/bin:/usr/bin:/bin", ':');
	for (size_t i = 0; i < dirs.nr && !found; i++) {
		struct strbuf p = STRBUF_INIT;
		strbuf_addf(&p, "%s/sqlfluff", dirs.v[i]);
		if (!access(p.buf, X_OK))
			found = strbuf_detach(&p, NULL);
		else
			strbuf_release(&p);
	}
	strvec_clear(&dirs);
	return found;
}

/* ---- running it --------------------------------------------------------- */

struct child {
	struct strbuf out;     /* stdout */
	struct strbuf errtext; /* stderr */
	int status;
};

/* run argv with stdout in c->out and stderr in c->errtext (through a temporary
 * file, so a chatty stderr cannot block the child while we read stdout) */
static int run_child(char *const argv[], const char *workdir, struct child *c, struct fw_error *err)
{
	char errpath[] = "/tmp/fleetway-sqlfluff-XXXXXX";
	int out[2], efd = mkstemp(errpath), rc;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char buf[65536];
	ssize_t n;
	if (efd < 0)
		return fw_errorf(err, "ERROR", "unable to run sqlfluff: %s", strerror(errno));
	unlink(errpath);
	if (pipe(out) < 0) {
		close(efd);
		return fw_errorf(err, "ERROR", "unable to run sqlfluff: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, efd, 2);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	if (workdir)
		posix_spawn_file_actions_addchdir_np(&fa, workdir);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (rc) {
		close(out[0]);
		close(efd);
		return fw_errorf(err, "ERROR", "unable to run %s: %s", argv[0], strerror(rc));
	}
	while ((n = read(out[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			strbuf_add(&c->out, buf, (size_t)n);
	close(out[0]);
	while (waitpid(pid, &c->status, 0) < 0 && errno == EINTR)
		;
	if (lseek(efd, 0, SEEK_SET) == 0)
		while ((n = read(efd, buf, sizeof(buf))) > 0)
			strbuf_add(&c->errtext, buf, (size_t)n);
	close(efd);
	return 0;
}

static int sqlfluff_major(const char *program, struct fw_error *err)
{
	char *argv[] = { (char *)program, "--version", NULL };
	struct child c = { STRBUF_INIT, STRBUF_INIT, 0 };
	const char *v;
	int major = 0;
	if (run_child(argv, NULL, &c, err) < 0)
		return -1;
	v = strstr(c.out.buf ? c.out.buf : "", "version ");
	if (v)
		major = atoi(v + 8);
	strbuf_release(&c.out);
	strbuf_release(&c.errtext);
	return major;
}

/* ---- the configuration -------------------------------------------------- */

/* a comma-separated list, each 2.x item as its 1.x codes */
static void translate_list(const char *value, struct strbuf *out)
{
	struct strvec items = STRVEC_INIT;
	strvec_split(&items, value, ',');
	for (size_t i = 0; i < items.nr; i++) {
		if (i)
			strbuf_addch(out, ',');
		if (!old_codes(items.v[i], out))
			strbuf_addstr(out, items.v[i]);
	}
	strvec_clear(&items);
}

static int is_list_key(const char *key, size_t len)
{
	return (len == 5 && !strncmp(key, "rules", 5)) || (len == 13 && !strncmp(key, "exclude_rules", 13));
}

struct cfg_text {
	struct strbuf text;        /* what SQLFluff gets */
	struct strvec warnings;    /* [sqlfluff] warnings: reported as warnings by fleetway */
	int translated;            /* 2.x names were written as 1.x codes */
};

/* One line of the configuration (without its newline). The [sqlfluff]
 * warnings list is taken out (SQLFluff 1.x leaves warnings out of its JSON);
 * with old = 1, rules and exclude_rules lists and [sqlfluff:rules:NAME]
 * sections are written with 1.x codes. */
static void cfg_line(const char *line, int *in_main, int *in_warnings, int old, struct cfg_text *c)
{
	const char *p = line, *eq;
	struct strbuf s = STRBUF_INIT;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*in_warnings && p > line && *p && *p != '#' && *p != ';') {
		strvec_split(&c->warnings, p, ',');   /* a continuation line of the list */
		return;
	}
	*in_warnings = 0;
	if (*p == '[') {
		*in_main = !strncmp(p, "[sqlfluff]", 10);
		if (old && !strncmp(p, "[sqlfluff:rules:", 16) && strchr(p, ']')) {
			char *item = xstrndup(p + 16, (size_t)(strchr(p, ']') - p - 16));
			const char *code = code_of(item);
			if (code && old_codes(code, &s) && !strchr(s.buf, ',')) {
				strbuf_addf(&c->text, "[sqlfluff:rules:%s]\n", s.buf);
				c->translated = 1;
				free(item);
				strbuf_release(&s);
				return;
			}
			free(item);
			strbuf_reset(&s);
		}
		strbuf_addf(&c->text, "%s\n", line);
		strbuf_release(&s);
		return;
	}
	eq = strchr(p, '=');
	if (*in_main && eq) {
		size_t klen = (size_t)(eq - p);
		while (klen && (p[klen - 1] == ' ' || p[klen - 1] == '\t'))
			klen--;
		if (klen == 8 && !strncmp(p, "warnings", 8)) {
			strvec_split(&c->warnings, eq + 1, ',');
			*in_warnings = 1;
			return;
		}
		if (old && is_list_key(p, klen)) {
			translate_list(eq + 1, &s);
			strbuf_addf(&c->text, "%.*s = %s\n", (int)klen, p, s.buf);
			c->translated = 1;
			strbuf_release(&s);
			return;
		}
	}
	strbuf_addf(&c->text, "%s\n", line);
	strbuf_release(&s);
}

static void cfg_rewrite(const char *src, int old, struct cfg_text *c)
{
	int in_main = 0, in_warnings = 0;
	const char *p = src;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len && p[len - 1] == '\r' ? len - 1 : len);
		cfg_line(line, &in_main, &in_warnings, old, c);
		free(line);
		p += len + (nl ? 1 : 0);
	}
}

/* does the configuration name rules the 2.x way (then an old SQLFluff needs it translated) */
static int uses_new_names(const char *src)
{
	for (size_t i = 0; i < NR_NAMED; i++)
		if (strcasestr(src, named[i].code) || strstr(src, named[i].name))
			return 1;
	return 0;
}

/* the configuration SQLFluff gets, in a temporary file (*tmp, to remove) */
static int prepare_config(const struct fw_sqlfluff_opts *o, struct cfg_text *c, char **tmp, struct fw_error *err)
{
	struct strbuf src = STRBUF_INIT;
	char path[] = "/tmp/fleetway-sqlfluff-cfg-XXXXXX";
	int old = 0, fd;
	*tmp = NULL;
	if (strbuf_read_file(&src, o->config) < 0) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.rulesConfig: unable to read %s: %s", o->config,
			       strerror(errno));
		fw_error_hint(err, "point check.rulesConfig at your sqlfluff.cfg");
		strbuf_release(&src);
		return -1;
	}
	if (uses_new_names(src.buf)) {
		int major = sqlfluff_major(o->program, err);
		if (major < 0) {
			strbuf_release(&src);
			return -1;
		}
		old = major < 2;
	}
	cfg_rewrite(src.buf, old, c);
	strbuf_release(&src);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, c->text.buf, c->text.len) != (ssize_t)c->text.len) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return fw_errorf(err, "ERROR", "unable to write a temporary SQLFluff configuration: %s", strerror(errno));
	}
	close(fd);
	*tmp = xstrdup(path);
	return 0;
}

/* ---- its report --------------------------------------------------------- */

static int int_field(json_t *v, const char *a, const char *b)
{
	json_t *x = json_object_get(v, a);
	if (!json_is_integer(x) && b)
		x = json_object_get(v, b);
	return json_is_integer(x) ? (int)json_integer_value(x) : 0;
}

static int in_list(const struct strvec *list, const char *code)
{
	for (size_t i = 0; i < list->nr; i++)
		if (noqa_covers(list->v[i], code))
			return 1;
	return 0;
}

static void add_violation(json_t *v, const char *script, const struct strvec *warnings, struct fw_lint *l)
{
	const char *code = json_string_value(json_object_get(v, "code"));
	const char *desc = json_string_value(json_object_get(v, "description"));
	const char *shown, *name;
	struct strbuf help = STRBUF_INIT;
	struct fw_lint_finding *f;
	int warning = json_is_true(json_object_get(v, "warning"));
	if (!code)
		code = "?";
	shown = fw_sqlfluff_new_code(code);
	name = name_of(shown);
	warning |= in_list(warnings, code);
	strbuf_addf(&help, "SQLFluff rule %s", shown);
	if (name)
		strbuf_addf(&help, " (%s", name);
	if (strcmp(shown, code))
		strbuf_addf(&help, "%s%s %s", name ? ", " : " (", "SQLFluff 1.x:", code);
	if (name || strcmp(shown, code))
		strbuf_addch(&help, ')');
	strbuf_addstr(&help, "; fix it, list the rule in warnings or exclude_rules of check.rulesConfig, or add -- noqa");
	f = fw_lint_push(l, "sqlfluff", script, int_field(v, "start_line_no", "line_no"), shown, !warning,
			 desc ? desc : "", help.buf);
	f->col = int_field(v, "start_line_pos", "line_pos");
	f->end_line = int_field(v, "end_line_no", NULL);
	f->end_col = int_field(v, "end_line_pos", NULL);
	if (f->line < 1)
		f->line = 1;
	strbuf_release(&help);
}

static const char *script_for(const char *filepath, const struct strvec *paths, const struct strvec *scripts)
{
	for (size_t i = 0; i < paths->nr; i++)
		if (!strcmp(paths->v[i], filepath))
			return scripts->v[i];
	return filepath;
}

static int read_report(const struct child *c, const struct strvec *paths, const struct strvec *scripts,
		       const struct strvec *warnings, struct fw_lint *l, struct fw_error *err)
{
	json_error_t je;
	json_t *doc = json_loadb(c->out.buf ? c->out.buf : "", c->out.len, 0, &je);
	size_t i, j;
	json_t *file, *v;
	if (!json_is_array(doc)) {
		json_decref(doc);
		fw_errorf(err, "ERROR", "sqlfluff gave no JSON report (exit status %d)",
			  WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1);
		fw_error_detail(err, "%s", c->errtext.len ? c->errtext.buf : c->out.len ? c->out.buf : "(no output)");
		fw_error_hint(err, "run sqlfluff lint by hand on one of the files to see why");
		return -1;
	}
	json_array_foreach(doc, i, file) {
		const char *fp = json_string_value(json_object_get(file, "filepath"));
		const char *script = script_for(fp ? fp : "", paths, scripts);
		json_array_foreach(json_object_get(file, "violations"), j, v)
			add_violation(v, script, warnings, l);
	}
	json_decref(doc);
	return 0;
}

int fw_sqlfluff_lint(const struct fw_sqlfluff_opts *o, const struct strvec *paths, const struct strvec *scripts,
		     struct fw_lint *l, struct fw_error *err)
{
	struct cfg_text cfg = { STRBUF_INIT, STRVEC_INIT, 0 };
	struct child c = { STRBUF_INIT, STRBUF_INIT, 0 };
	struct strvec argv = STRVEC_INIT;
	char *tmp = NULL;
	int ret = -1;
	if (!paths->nr)
		return 0;
	if (o->config && prepare_config(o, &cfg, &tmp, err) < 0)
		goto out;
	strvec_push(&argv, o->program);
	strvec_push(&argv, "lint");
	strvec_push(&argv, "--format");
	strvec_push(&argv, "json");
	strvec_push(&argv, "--nocolor");
	strvec_push(&argv, "--disable-noqa");
	strvec_push(&argv, "--dialect");
	strvec_push(&argv, o->dialect);
	if (tmp) {
		strvec_push(&argv, "--config");
		strvec_push(&argv, tmp);
		strvec_push(&argv, "--ignore-local-config");
	}
	for (size_t i = 0; i < paths->nr; i++)
		strvec_push(&argv, paths->v[i]);
	if (run_child(argv.v, o->workdir, &c, err) < 0)
		goto out;
	/* 0: clean, 1: violations; anything else is SQLFluff failing */
	if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) > 1) {
		fw_errorf(err, "ERROR", "sqlfluff failed (%s %d)", WIFEXITED(c.status) ? "exit status" : "signal",
			  WIFEXITED(c.status) ? WEXITSTATUS(c.status) : WTERMSIG(c.status));
		strbuf_rtrim(&c.errtext);
		fw_error_detail(err, "%s", c.errtext.len ? c.errtext.buf : "(it said nothing on stderr)");
		fw_error_hint(err, "check check.rulesDialect and check.rulesConfig; or set check.sqlfluffEnabled=false");
		goto out;
	}
	ret = read_report(&c, paths, scripts, &cfg.warnings, l, err);
out:
	if (tmp)
		unlink(tmp);
	free(tmp);
	strvec_clear(&argv);
	strbuf_release(&cfg.text);
	strvec_clear(&cfg.warnings);
	strbuf_release(&c.out);
	strbuf_release(&c.errtext);
	return ret;
}

/* ---- -- noqa ------------------------------------------------------------ */

/* a noqa comment on one line: bare (every rule), a list of rules for this
 * line, or disable=/enable= from here on */
struct noqa {
	int line;
	int bare;
	int range;           /* 1 disable, -1 enable, 0 this line only */
	struct strvec items;
};

struct noqa_file {
	struct noqa *v;
	size_t nr, alloc;
};

/* "-- noqa", "-- noqa: L010,CP02", "-- noqa: disable=all" in the line's comment */
static int parse_noqa(const char *comment, struct noqa *q)
{
	const char *p = comment;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "noqa", 4))
		return 0;
	p += 4;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\r') {
		q->bare = 1;
		return 1;
	}
	if (*p != ':')
		return 0;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!strncasecmp(p, "disable", 7) || !strncasecmp(p, "enable", 6)) {
		const char *eq = strchr(p, '=');
		if (!eq)
			return 0;
		q->range = tolower((unsigned char)*p) == 'd' ? 1 : -1;
		p = eq + 1;
	}
	strvec_split(&q->items, p, ',');
	return q->items.nr > 0;
}

/* the comment of a line: after "--" outside quotes */
static const char *line_comment(const char *line)
{
	char quote = 0;
	for (const char *p = line; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"' || *p == '`') {
			quote = *p;
		} else if (p[0] == '-' && p[1] == '-') {
			return p + 2;
		}
	}
	return NULL;
}

static void read_noqa(const char *text, struct noqa_file *nf)
{
	int line = 1;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		char *l = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		const char *c = line_comment(l);
		struct noqa q = { line, 0, 0, STRVEC_INIT };
		if (c && parse_noqa(c, &q)) {
			ALLOC_GROW(nf->v, nf->nr + 1, nf->alloc);
			nf->v[nf->nr++] = q;
		} else {
			strvec_clear(&q.items);
		}
		free(l);
		if (!nl)
			break;
		p = nl + 1;
		line++;
	}
}

static int list_covers(const struct strvec *items, const char *code)
{
	for (size_t i = 0; i < items->nr; i++)
		if (noqa_covers(items->v[i], code))
			return 1;
	return 0;
}

/* is a finding of code at line suppressed by the file's noqa comments */
static int suppressed(const struct noqa_file *nf, int line, const char *code)
{
	int disabled = 0;
	for (size_t i = 0; i < nf->nr && nf->v[i].line <= line; i++) {
		const struct noqa *q = &nf->v[i];
		if (q->range && list_covers(&q->items, code))
			disabled = q->range > 0;
		else if (!q->range && q->line == line && (q->bare || list_covers(&q->items, code)))
			return 1;
	}
	return disabled;
}

static void noqa_release(struct noqa_file *nf)
{
	for (size_t i = 0; i < nf->nr; i++)
		strvec_clear(&nf->v[i].items);
	free(nf->v);
	memset(nf, 0, sizeof(*nf));
}

static void report_noqa(struct fw_lint *l, const char *script, const struct noqa_file *nf,
			enum fw_noqa_severity sev)
{
	for (size_t i = 0; sev != FW_NOQA_DISABLED && i < nf->nr; i++) {
		const struct noqa *q = &nf->v[i];
		struct strbuf msg = STRBUF_INIT;
		if (q->range < 0)
			continue;   /* enable= gives checking back */
		strbuf_addstr(&msg, "-- noqa suppresses ");
		if (q->bare) {
			strbuf_addstr(&msg, "every rule on this line");
		} else {
			for (size_t j = 0; j < q->items.nr; j++)
				strbuf_addf(&msg, "%s%s", j ? "," : "", q->items.v[j]);
			strbuf_addstr(&msg, q->range ? " from here on" : " on this line");
		}
		fw_lint_push(l, "noqa", script, q->line, "noqa", sev == FW_NOQA_ERROR, msg.buf,
			     "a policy override: make sure it was reviewed (check.code.noqaSeverity sets how it is reported)");
		strbuf_release(&msg);
	}
}

int fw_noqa_apply(struct fw_lint *l, const struct strvec *paths, const struct strvec *scripts,
		  enum fw_noqa_severity sev, struct fw_error *err)
{
	for (size_t s = 0; s < paths->nr; s++) {
		struct strbuf text = STRBUF_INIT;
		struct noqa_file nf = { NULL, 0, 0 };
		size_t k = 0;
		if (strbuf_read_file(&text, paths->v[s]) < 0) {
			strbuf_release(&text);
			return fw_errorf(err, "ERROR", "unable to read %s: %s", paths->v[s], strerror(errno));
		}
		read_noqa(text.buf ? text.buf : "", &nf);
		strbuf_release(&text);
		for (size_t i = 0; i < l->nr; i++) {
			struct fw_lint_finding *f = &l->v[i];
			int mine = !strcmp(f->script, scripts->v[s]) &&
				   (!strcmp(f->engine, "sqlfluff") || !strcmp(f->engine, "fleetway"));
			if (mine && suppressed(&nf, f->line, f->code)) {
				fw_lint_finding_release(f);
				continue;
			}
			l->v[k++] = *f;
		}
		l->nr = k;
		report_noqa(l, scripts->v[s], &nf, sev);
		noqa_release(&nf);
	}
	return 0;
}
