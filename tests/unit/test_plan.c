/* The state machine behind info, validate and migrate (reference 5.2, 5.3, 14.10-14.14): a table of
 * (files on disk, history rows, settings) -> the state of every entry, in info order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/plan.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define NOCK 0x100000000LL   /* no checksum (NULL in the history) */

struct file_spec {
	const char *name;      /* "V2__add_x", "B3__base", "R__view": a file name without .sql */
	long long checksum;    /* NOCK: none */
	long long raw;         /* repeatables: checksum before placeholders; 0 = the same */
	int skip;              /* shouldExecute evaluated to false */
};

struct row_spec {
	const char *version;   /* NULL: repeatable or marker */
	const char *description;
	const char *type;
	long long checksum;
	int success;
};

struct plan_case {
	const char *name;
	struct file_spec files[8];   /* in the scanner's order: by version (V before B), then R by description */
	struct row_spec rows[8];     /* by installed_rank */
	const char *target;          /* NULL: latest */
	int out_of_order;
	const char *expect;          /* "id=STATE ..." in info order; id: the version, else the description */
	const char *current;         /* schema version info reports; NULL: << Empty Schema >> */
	const char *error;           /* instead: fw_plan_build fails with a message starting so */
};

/* files: checksum; raw checksum of a repeatable; shouldExecute false */
#define F(name, ck) { name, ck, 0, 0 }
#define FRAW(name, ck, raw) { name, ck, raw, 0 }
#define FSKIP(name, ck) { name, ck, 0, 1 }
#define BL "<< Flyway Baseline >>"
#define SC "<< Flyway Schema Creation >>"
#define OK 1
#define FAIL 0

static const struct plan_case cases[] = {
	{ "nothing applied: versions, then repeatables, all pending",
	  { F("V1__a", 11), F("V2__b", 12), F("R__r", 21) }, { { 0 } },
	  NULL, 0, "1=PENDING 2=PENDING r=PENDING", NULL, NULL },
	{ "an applied row and a pending file",
	  { F("V1__a", 11), F("V2__b", 12) }, { { "1", "a", "SQL", 11, OK } },
	  NULL, 0, "1=SUCCESS 2=PENDING", "1", NULL },
	{ "target: versions above it",
	  { F("V1__a", 11), F("V2__b", 12), F("V3__c", 13) }, { { 0 } },
	  "2", 0, "1=PENDING 2=PENDING 3=ABOVE_TARGET", NULL, NULL },
	{ "target with '?' needs no file of that version",
	  { F("V1__a", 11), F("V2__b", 12), F("V3__c", 13) }, { { 0 } },
	  "1.5?", 0, "1=PENDING 2=ABOVE_TARGET 3=ABOVE_TARGET", NULL, NULL },
	{ "target without '?' must exist",
	  { F("V1__a", 11) }, { { 0 } },
	  "7", 0, NULL, NULL, "No migration with a target version 7 could be found." },
	{ "target of an applied version whose file is gone exists",
	  { F("V1__a", 11) }, { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, OK } },
	  "2", 0, "1=SUCCESS 2=FUTURE_SUCCESS", "2", NULL },
	{ "target=current: newer versions are above it, repeatables still run",
	  { F("V1__a", 11), F("V2__b", 12), F("R__r", 21) }, { { "1", "a", "SQL", 11, OK } },
	  "current", 0, "1=SUCCESS 2=ABOVE_TARGET r=PENDING", "1", NULL },
	{ "target=current on an empty history: every version is above it",
	  { F("V1__a", 11), F("V2__b", 12), F("R__r", 21) }, { { 0 } },
	  "current", 0, "1=ABOVE_TARGET 2=ABOVE_TARGET r=PENDING", NULL, NULL },
	{ "target=next is no upper bound for info",
	  { F("V1__a", 11), F("V2__b", 12), F("V3__c", 13) }, { { "1", "a", "SQL", 11, OK } },
	  "next", 0, "1=SUCCESS 2=PENDING 3=PENDING", "1", NULL },
	{ "a file below the newest applied version is ignored",
	  { F("V1__a", 11), F("V2__b", 12), F("V3__c", 13) },
	  { { "1", "a", "SQL", 11, OK }, { "3", "c", "SQL", 13, OK } },
	  NULL, 0, "1=SUCCESS 3=SUCCESS 2=IGNORED", "3", NULL },
	{ "... and pending with outOfOrder",
	  { F("V1__a", 11), F("V2__b", 12), F("V3__c", 13) },
	  { { "1", "a", "SQL", 11, OK }, { "3", "c", "SQL", 13, OK } },
	  NULL, 1, "1=SUCCESS 3=SUCCESS 2=PENDING", "3", NULL },
	{ "a row applied after a higher version is out of order",
	  { F("V1__a", 11), F("V2__b", 12), F("V3__c", 13) },
	  { { "1", "a", "SQL", 11, OK }, { "3", "c", "SQL", 13, OK }, { "2", "b", "SQL", 12, OK } },
	  NULL, 0, "1=SUCCESS 3=SUCCESS 2=OUT_OF_ORDER", "3", NULL },
	{ "a baseline marker: files below it first, then the marker",
	  { F("V1__a", 11), F("V2__b", 12), F("V3__c", 13) }, { { "2", BL, "BASELINE", NOCK, OK } },
	  NULL, 0, "1=BELOW_BASELINE 2=BASELINE_IGNORED 2=BASELINE 3=PENDING", "2", NULL },
	{ "a B file on an empty history runs, the V files it covers do not",
	  { F("V1__a", 11), F("V2__b", 12), F("B2__base", 32), F("V3__c", 13) }, { { 0 } },
	  NULL, 0, "1=BELOW_BASELINE 2=BASELINE_IGNORED 2=PENDING 3=PENDING", NULL, NULL },
	{ "a B file once anything is applied is ignored",
	  { F("V1__a", 11), F("B2__base", 32), F("V3__c", 13) }, { { "1", "a", "SQL", 11, OK } },
	  NULL, 0, "1=SUCCESS 2=IGNORED 3=PENDING", "1", NULL },
	{ "an applied B migration is Baseline",
	  { F("V1__a", 11), F("V2__b", 12), F("B2__base", 32), F("V3__c", 13) },
	  { { "2", "base", "SQL_BASELINE", 32, OK } },
	  NULL, 0, "1=BELOW_BASELINE 2=BASELINE_IGNORED 2=BASELINE 3=PENDING", "2", NULL },
	{ "a failed B migration is Failed",
	  { F("B2__base", 32), F("V3__c", 13) }, { { "2", "base", "SQL_BASELINE", 32, FAIL } },
	  NULL, 0, "2=FAILED 3=PENDING", "2", NULL },
	{ "applied, file gone, below the newest file: Missing, Failed (Missing)",
	  { F("V1__a", 11), F("V4__d", 14) },
	  { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, OK }, { "3", "c", "SQL", 13, FAIL } },
	  NULL, 0, "1=SUCCESS 2=MISSING_SUCCESS 3=MISSING_FAILED 4=PENDING", "3", NULL },
	{ "applied, file gone, above the newest file: Future, Failed (Future)",
	  { F("V1__a", 11) },
	  { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, OK }, { "3", "c", "SQL", 13, FAIL } },
	  NULL, 0, "1=SUCCESS 2=FUTURE_SUCCESS 3=FUTURE_FAILED", "3", NULL },
	{ "nothing on disk: every applied version is Future",
	  { { 0 } }, { { "1", "a", "SQL", 11, OK } },
	  NULL, 0, "1=FUTURE_SUCCESS", "1", NULL },
	{ "a failed row whose file is there is Failed, and the schema's version",
	  { F("V1__a", 11), F("V2__b", 12) },
	  { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, FAIL } },
	  NULL, 0, "1=SUCCESS 2=FAILED", "2", NULL },
	{ "a DELETE row marks the row before it; its file is pending again",
	  { F("V1__a", 11), F("V2__b", 12) },
	  { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, OK }, { "2", "b", "DELETE", 12, OK } },
	  NULL, 0, "1=SUCCESS 2=DELETED 2=PENDING", "1", NULL },
	{ "a deleted row without its file",
	  { F("V1__a", 11) },
	  { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, OK }, { "2", "b", "DELETE", 12, OK } },
	  NULL, 0, "1=SUCCESS 2=DELETED", "1", NULL },
	{ "applied again after a DELETE: the new row is no out-of-order row",
	  { F("V1__a", 11), F("V2__b", 12) },
	  { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, OK }, { "2", "b", "DELETE", 12, OK },
	    { "2", "b", "SQL", 12, OK } },
	  NULL, 0, "1=SUCCESS 2=DELETED 2=SUCCESS", "2", NULL },
	{ "an undo row: Undone, and the version pending again",
	  { F("V1__a", 11), F("V2__b", 12) },
	  { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, OK }, { "2", "b", "UNDO_SQL", 42, OK } },
	  NULL, 0, "1=SUCCESS 2=UNDONE 2=PENDING", "1", NULL },
	{ "undone, then applied again",
	  { F("V1__a", 11), F("V2__b", 12) },
	  { { "1", "a", "SQL", 11, OK }, { "2", "b", "SQL", 12, OK }, { "2", "b", "UNDO_SQL", 42, OK },
	    { "2", "b", "SQL", 12, OK } },
	  NULL, 0, "1=SUCCESS 2=UNDONE 2=SUCCESS", "2", NULL },
	{ "repeatable runs: the latest matching is Success, older ones Superseded",
	  { F("R__r", 20) }, { { NULL, "r", "SQL", 10, OK }, { NULL, "r", "SQL", 20, OK } },
	  NULL, 0, "r=SUPERSEDED r=SUCCESS", NULL, NULL },
	{ "a changed repeatable: the latest run Outdated, the file pending",
	  { F("R__r", 30) }, { { NULL, "r", "SQL", 10, OK }, { NULL, "r", "SQL", 20, OK } },
	  NULL, 0, "r=SUPERSEDED r=OUTDATED r=PENDING", NULL, NULL },
	{ "a repeatable run recorded with the raw checksum is applied",
	  { FRAW("R__r", 30, 20) }, { { NULL, "r", "SQL", 20, OK } },
	  NULL, 0, "r=SUCCESS", NULL, NULL },
	{ "repeatable rows without a file: Missing, Failed (Missing)",
	  { F("V1__a", 11) },
	  { { "1", "a", "SQL", 11, OK }, { NULL, "x", "SQL", 51, OK }, { NULL, "y", "SQL", 52, FAIL } },
	  NULL, 0, "1=SUCCESS x=MISSING_SUCCESS y=MISSING_FAILED", "1", NULL },
	{ "a failed repeatable with its file is Failed, not pending",
	  { F("R__r", 20) }, { { NULL, "r", "SQL", 20, FAIL } },
	  NULL, 0, "r=FAILED", NULL, NULL },
	{ "a DELETE row of a repeatable makes its file pending",
	  { F("R__r", 20) }, { { NULL, "r", "SQL", 20, OK }, { NULL, "r", "DELETE", 20, OK } },
	  NULL, 0, "r=DELETED r=PENDING", NULL, NULL },
	{ "the SCHEMA marker is Success",
	  { F("V1__a", 11) }, { { NULL, SC, "SCHEMA", NOCK, OK }, { "1", "a", "SQL", 11, OK } },
	  NULL, 0, SC "=SUCCESS 1=SUCCESS", "1", NULL },
	{ "shouldExecute false: Ignored",
	  { F("V1__a", 11), FSKIP("V2__b", 12), FSKIP("R__r", 21) }, { { 0 } },
	  NULL, 0, "1=PENDING 2=IGNORED r=IGNORED", NULL, NULL },
	{ "versions compare numerically: 1.10 after 1.9, 1.0 is 1",
	  { F("V1__a", 11), F("V1.9__b", 12), F("V1.10__c", 13) },
	  { { "1.0", "a", "SQL", 11, OK }, { "1.10", "c", "SQL", 13, OK } },
	  NULL, 0, "1.0=SUCCESS 1.10=SUCCESS 1.9=IGNORED", "1.10", NULL },
};

/* ---- building the inputs ---- */

static void add_file(struct fw_scan *scan, const struct file_spec *f)
{
	struct fw_resolved *r = &scan->migrations[scan->nr_migrations++];
	struct fw_error err = FW_ERROR_INIT;
	const char *sep = strstr(f->name, "__");
	struct strbuf sb = STRBUF_INIT;
	assert_non_null(sep);
	memset(r, 0, sizeof(*r));
	r->kind = f->name[0] == 'R' ? FW_FILE_REPEATABLE
		  : f->name[0] == 'B' ? FW_FILE_BASELINE : FW_FILE_VERSIONED;
	r->type = r->kind == FW_FILE_BASELINE ? "SQL_BASELINE" : "SQL";
	if (r->kind != FW_FILE_REPEATABLE) {
		char *v = xstrndup(f->name + 1, (size_t)(sep - f->name - 1));
		assert_int_equal(fw_version_parse(v, 0, &r->version, &err), 0);
		free(v);
	}
	r->description = xstrdup(sep + 2);
	for (char *p = r->description; *p; p++)
		if (*p == '_')
			*p = ' ';
	strbuf_addf(&sb, "%s.sql", f->name);
	r->filename = xstrdup(sb.buf);
	r->script = xstrdup(sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "/m/%s.sql", f->name);
	r->path = strbuf_detach(&sb, NULL);
	r->has_checksum = f->checksum != NOCK;
	r->checksum = (int32_t)f->checksum;
	r->raw_checksum = (int32_t)(f->raw ? f->raw : f->checksum);
	r->conf.execute_in_transaction = r->conf.placeholder_replacement = -1;
	r->should_execute = !f->skip;
}

/* the scanner's order, which fw_plan_build relies on */
static void check_sorted(const struct fw_scan *scan)
{
	for (size_t i = 1; i < scan->nr_migrations; i++) {
		const struct fw_resolved *a = &scan->migrations[i - 1], *b = &scan->migrations[i];
		int ar = a->kind == FW_FILE_REPEATABLE, br = b->kind == FW_FILE_REPEATABLE;
		int c = ar ? strcmp(a->description, b->description) : fw_version_cmp(&a->version, &b->version);
		assert_true(ar <= br);
		if (ar == br)
			assert_true(c < 0 || (c == 0 && a->kind == FW_FILE_VERSIONED && b->kind == FW_FILE_BASELINE));
	}
}

static void build_scan(const struct plan_case *pc, struct fw_scan *scan)
{
	memset(scan, 0, sizeof(*scan));
	scan->migrations = xcalloc(8, sizeof(*scan->migrations));
	for (size_t i = 0; i < 8 && pc->files[i].name; i++)
		add_file(scan, &pc->files[i]);
	check_sorted(scan);
}

static void build_history(const struct plan_case *pc, struct fw_history *h)
{
	memset(h, 0, sizeof(*h));
	h->rows = xcalloc(8, sizeof(*h->rows));
	h->exists = 1;
	for (size_t i = 0; i < 8 && pc->rows[i].type; i++) {
		const struct row_spec *s = &pc->rows[i];
		struct fw_applied *a = &h->rows[h->nr++];
		struct fw_error err = FW_ERROR_INIT;
		a->rank = (int)i + 1;
		if (s->version) {
			assert_int_equal(fw_version_parse(s->version, 0, &a->version, &err), 0);
			a->version_text = xstrdup(s->version);
		}
		a->description = xstrdup(s->description);
		a->type = xstrdup(s->type);
		a->script = xstrdup(s->description);
		a->has_checksum = s->checksum != NOCK;
		a->checksum = (int32_t)s->checksum;
		a->installed_by = xstrdup("");
		a->installed_on = xstrdup("2026-01-01 00:00:00");
		a->success = s->success;
	}
}

/* "id=STATE ..." of a plan */
static void describe(const struct fw_plan *p, struct strbuf *out)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct fw_entry *e = &p->entries[i];
		const char *v = fw_entry_version(e);
		strbuf_addf(out, "%s%s=%s", i ? " " : "", *v ? v : fw_entry_description(e),
			    fw_state_internal(e->state));
	}
}

struct built {
	struct fw_scan scan;
	struct fw_history hist;
	struct fw_target_spec target;
	struct fw_plan plan;
};

/* 0, or -1 with err set by fw_plan_build */
static int build_plan(const struct plan_case *pc, struct built *b, struct fw_error *err)
{
	struct fw_plan_opts o = { NULL, pc->out_of_order };
	build_scan(pc, &b->scan);
	build_history(pc, &b->hist);
	assert_int_equal(fw_target_parse(pc->target, &b->target, err), 0);
	o.target = &b->target;
	return fw_plan_build(&b->scan, &b->hist, &o, &b->plan, err);
}

static void release_built(struct built *b)
{
	fw_plan_release(&b->plan);
	fw_target_release(&b->target);
	fw_history_release(&b->hist);
	fw_scan_release(&b->scan);
}

/* ---- the table ---- */

static void test_states(void **state)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct plan_case *pc = &cases[i];
		struct fw_error err = FW_ERROR_INIT;
		struct strbuf got = STRBUF_INIT;
		struct built b;
		int rc = build_plan(pc, &b, &err);
		if (pc->error) {
			if (rc == 0 || strncmp(err.message.buf, pc->error, strlen(pc->error))) {
				print_error("case \"%s\": expected error \"%s\", got %s\n", pc->name, pc->error,
					    rc ? err.message.buf : "success");
				failures++;
			}
		} else if (rc < 0) {
			print_error("case \"%s\": %s\n", pc->name, err.message.buf);
			failures++;
		} else {
			const char *cur = b.plan.current ? fw_version_str(b.plan.current) : NULL;
			describe(&b.plan, &got);
			if (strcmp(got.buf, pc->expect)) {
				print_error("case \"%s\":\n  expected %s\n  got      %s\n", pc->name, pc->expect,
					    got.buf);
				failures++;
			}
			if ((cur == NULL) != (pc->current == NULL) || (cur && strcmp(cur, pc->current))) {
				print_error("case \"%s\": current version %s, expected %s\n", pc->name,
					    cur ? cur : "(empty)", pc->current ? pc->current : "(empty)");
				failures++;
			}
		}
		strbuf_release(&got);
		fw_error_clear(&err);
		release_built(&b);
	}
	assert_int_equal(failures, 0);
}

/* every state of Flyway's MigrationState that fleetway derives shows up in the table
 * (Available is Teams' undo state, never listed by info) */
static void test_table_covers_every_state(void **state)
{
	static const enum fw_state all[] = {
		FW_ST_PENDING, FW_ST_ABOVE_TARGET, FW_ST_BELOW_BASELINE, FW_ST_BASELINE_IGNORED,
		FW_ST_BASELINE, FW_ST_IGNORED, FW_ST_MISSING_SUCCESS, FW_ST_MISSING_FAILED,
		FW_ST_SUCCESS, FW_ST_UNDONE, FW_ST_FAILED, FW_ST_OUT_OF_ORDER, FW_ST_FUTURE_SUCCESS,
		FW_ST_FUTURE_FAILED, FW_ST_OUTDATED, FW_ST_SUPERSEDED, FW_ST_DELETED,
	};
	for (size_t s = 0; s < sizeof(all) / sizeof(all[0]); s++) {
		struct strbuf needle = STRBUF_INIT;
		int found = 0;
		strbuf_addf(&needle, "=%s", fw_state_internal(all[s]));
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) && !found; i++) {
			const char *p = cases[i].expect;
			size_t n = needle.len;
			while (p && (p = strstr(p, needle.buf)) && p[n] && p[n] != ' ')
				p += n;
			found = p != NULL;
		}
		if (!found)
			print_error("no case ends in state %s\n", needle.buf + 1);
		assert_true(found);
		strbuf_release(&needle);
	}
}

static void test_display_names(void **state)
{
	assert_string_equal(fw_state_display(FW_ST_BASELINE_IGNORED), "Ignored (Baseline)");
	assert_string_equal(fw_state_display(FW_ST_MISSING_FAILED), "Failed (Missing)");
	assert_string_equal(fw_state_display(FW_ST_FUTURE_SUCCESS), "Future");
	assert_string_equal(fw_state_display(FW_ST_OUT_OF_ORDER), "Out of Order");
	assert_string_equal(fw_state_display(FW_ST_ABOVE_TARGET), "Above Target");
	assert_true(fw_state_is_failed(FW_ST_FUTURE_FAILED));
	assert_false(fw_state_is_failed(FW_ST_OUTDATED));
	assert_true(fw_state_is_applied(FW_ST_DELETED));
	assert_false(fw_state_is_applied(FW_ST_BELOW_BASELINE));
}

/* ---- ignoreMigrationPatterns against the states of one plan ---- */

/* one plan holding a versioned and a repeatable entry of each state a pattern can name
 * (outOfOrder on, so that 5 is pending below the failed future 7) */
static const struct plan_case pattern_plan = {
	"patterns",
	{ F("V1__a", 11), FSKIP("V2__b", 12), F("V3__c", 13), F("V5__e", 15), F("R__p", 21),
	  FSKIP("R__q", 22) },
	{ { "1", "a", "SQL", 11, OK }, { "3", "c", "SQL", 13, OK }, { "4", "d", "SQL", 14, OK },
	  { "4.5", "f", "SQL", 16, FAIL }, { "6", "g", "SQL", 17, OK }, { "7", "h", "SQL", 18, FAIL },
	  { NULL, "m", "SQL", 51, OK } },
	NULL, 1, "1=SUCCESS 3=SUCCESS 4=MISSING_SUCCESS 4.5=MISSING_FAILED 6=FUTURE_SUCCESS "
	"7=FUTURE_FAILED m=MISSING_SUCCESS 2=IGNORED 5=PENDING p=PENDING q=IGNORED", "7", NULL,
};

static const struct {
	const char *patterns;   /* comma-separated */
	const char *matched;    /* ids of the entries matched, in info order */
} pattern_cases[] = {
	{ "*:future", "6" },              /* the default: not Failed (Future) */
	{ "*:missing", "4 m" },           /* the display state: not Failed (Missing) */
	{ "versioned:missing", "4" },
	{ "repeatable:missing", "m" },
	{ "*:pending", "5 p" },
	{ "Repeatable:PENDING", "p" },   /* case-insensitive */
	{ "*:ignored", "2 q" },
	{ "versioned:*", "4 6 2 5" },    /* only the four states a pattern can name */
	{ "*:*", "4 6 m 2 5 p q" },
	{ "*:missing,*:future", "4 6 m" },
	{ "", "" },                       /* an empty value clears the list */
};

static void test_ignore_patterns(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf got = STRBUF_INIT, desc = STRBUF_INIT;
	struct built b;
	assert_int_equal(build_plan(&pattern_plan, &b, &err), 0);
	describe(&b.plan, &desc);
	assert_string_equal(desc.buf, pattern_plan.expect);
	for (size_t i = 0; i < sizeof(pattern_cases) / sizeof(pattern_cases[0]); i++) {
		struct strvec pats = STRVEC_INIT;
		struct fw_ignores ig;
		strvec_split(&pats, pattern_cases[i].patterns, ',');
		if (!pats.nr)
			strvec_push(&pats, "");
		assert_int_equal(fw_ignores_parse(&pats, &ig, &err), 0);
		strbuf_reset(&got);
		for (size_t k = 0; k < b.plan.nr; k++) {
			const struct fw_entry *e = &b.plan.entries[k];
			const char *v = fw_entry_version(e);
			if (fw_ignores_match(&ig, e))
				strbuf_addf(&got, "%s%s", got.len ? " " : "", *v ? v : fw_entry_description(e));
		}
		if (strcmp(got.buf, pattern_cases[i].matched))
			print_error("patterns \"%s\": matched \"%s\", expected \"%s\"\n",
				    pattern_cases[i].patterns, got.buf, pattern_cases[i].matched);
		assert_string_equal(got.buf, pattern_cases[i].matched);
		fw_ignores_release(&ig);
		strvec_clear(&pats);
	}
	strbuf_release(&got);
	strbuf_release(&desc);
	release_built(&b);
}

static void expect_pattern_error(const char *pattern, const char *message)
{
	struct strvec pats = STRVEC_INIT;
	struct fw_ignores ig;
	struct fw_error err = FW_ERROR_INIT;
	strvec_push(&pats, pattern);
	assert_int_equal(fw_ignores_parse(&pats, &ig, &err), -1);
	if (strncmp(err.message.buf, message, strlen(message)))
		print_error("pattern \"%s\": %s\n", pattern, err.message.buf);
	assert_int_equal(strncmp(err.message.buf, message, strlen(message)), 0);
	assert_int_equal(err.exit_code, 2);
	fw_error_clear(&err);
	strvec_clear(&pats);
}

static void test_ignore_pattern_errors(void **state)
{
	expect_pattern_error("missing", "Invalid pattern 'missing'. Pattern must be of the form <migration_type>:<migration_state>");
	expect_pattern_error("a:b:c", "Invalid pattern 'a:b:c'.");
	expect_pattern_error("sql:missing", "Invalid migration type 'sql'. Valid types are: *, repeatable, versioned");
	expect_pattern_error("*:failed", "Invalid migration state 'failed'. Valid states are: *, missing, pending, ignored, future");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_table_covers_every_state),
		cmocka_unit_test(test_display_names),
		cmocka_unit_test(test_ignore_patterns),
		cmocka_unit_test(test_ignore_pattern_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
