/* Helpers shared by the schema model tests (test_schema*.c): reading a
 * schema, diffing two, and checking that a diff names exactly the object a
 * change touched. Included by each test file (static functions). */
#ifndef FW_TEST_SCHEMA_H
#define FW_TEST_SCHEMA_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/db.h"
#include "schema/diff.h"
#include "schema/snapshot.h"
#include "util/json.h"
#include "util/xalloc.h"

/* the diff as JSON text, for failure messages (caller frees) */
static __attribute__((unused)) char *diff_text(const struct fw_diff *d)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j = fw_diff_to_json(d);
	fw_json_dump(j, &sb);
	json_decref(j);
	return strbuf_detach(&sb, NULL);
}

static __attribute__((unused)) void read_ok(struct db *db, const char *schema, const struct fw_schema_opts *opts,
		    struct fw_schema *out)
{
	struct fw_error err = FW_ERROR_INIT;
	if (db_read_schema(db, schema, opts, out, &err) < 0)
		fail_msg("read %s: %s / %s", schema ? schema : "(current)", err.message.buf,
			 err.detail.buf);
}

static __attribute__((unused)) void exec_sql(struct db *db, const char *sql)
{
	struct fw_error err = FW_ERROR_INIT;
	if (db_exec(db, sql, &err) < 0)
		fail_msg("%s: %s / %s", sql, err.message.buf, err.detail.buf);
}

/* the two schemas compare equal: no entry, same fingerprint */
static __attribute__((unused)) void expect_same(const struct fw_schema *a, const struct fw_schema *b)
{
	struct fw_diff d = FW_DIFF_INIT;
	fw_diff_schemas(a, b, &d);
	if (!fw_diff_is_empty(&d))
		fail_msg("expected no difference, got:\n%s", diff_text(&d));
	assert_string_equal(a->fingerprint, b->fingerprint);
	fw_diff_release(&d);
}

static __attribute__((unused)) int has_detail(const struct fw_diff_entry *e, const char *text)
{
	for (size_t i = 0; i < e->details.nr; i++)
		if (strstr(e->details.v[i], text))
			return 1;
	return 0;
}

/* The diff of a and b has exactly one entry, in the list that kind names
 * ('d' differences, 's' only in source, 't' only in target), of that type
 * and name; with detail set, one of its details contains it. */
static __attribute__((unused)) void expect_one(const struct fw_schema *a, const struct fw_schema *b, char kind,
		       enum fw_obj_type type, const char *name, const char *detail)
{
	struct fw_diff d = FW_DIFF_INIT;
	const struct fw_diff_list *l;
	const struct fw_diff_entry *e;
	size_t total;
	fw_diff_schemas(a, b, &d);
	total = d.differences.nr + d.only_in_source.nr + d.only_in_target.nr;
	l = kind == 'd' ? &d.differences : kind == 's' ? &d.only_in_source : &d.only_in_target;
	if (total != 1 || l->nr != 1)
		fail_msg("expected one %c entry %s %s, got:\n%s", kind, fw_obj_type_name(type), name,
			 diff_text(&d));
	e = &l->v[0];
	if (e->type != type || strcmp(e->name, name))
		fail_msg("expected %s %s, got:\n%s", fw_obj_type_name(type), name, diff_text(&d));
	if (detail && !has_detail(e, detail))
		fail_msg("expected a detail with '%s', got:\n%s", detail, diff_text(&d));
	if (kind == 'd')
		assert_true(e->before && e->after && strcmp(e->before, e->after));
	assert_int_equal(strlen(e->id), 16);
	fw_diff_release(&d);
}

/* One hand-made change of a table-driven test: apply `change` to the
 * database behind schema b, read it again and expect one entry; then
 * `revert` must make the schemas compare equal again. */
struct hand_change {
	const char *what;
	const char *change;
	const char *revert;        /* NULL: not revertible, the test ends there */
	char kind;                 /* 'd', 's', 't' as expect_one */
	enum fw_obj_type type;
	const char *name;
	const char *detail;        /* NULL: none checked */
};

static __attribute__((unused)) void run_hand_changes(struct db *db, const char *schema_b, const struct fw_schema *a,
			     const struct fw_schema_opts *opts, const struct hand_change *c,
			     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fw_schema b;
		print_message("change: %s\n", c[i].what);
		exec_sql(db, c[i].change);
		read_ok(db, schema_b, opts, &b);
		expect_one(a, &b, c[i].kind, c[i].type, c[i].name, c[i].detail);
		fw_schema_release(&b);
		if (!c[i].revert)
			continue;
		exec_sql(db, c[i].revert);
		read_ok(db, schema_b, opts, &b);
		expect_same(a, &b);
		fw_schema_release(&b);
	}
}

/* a snapshot of the schema written, read back and written again gives the
 * same bytes and the same fingerprints */
static __attribute__((unused)) void expect_round_trip(const char *dialect, const struct fw_schema *s)
{
	/* a model that borrows s: written, never released */
	struct fw_model view = { .dialect = (char *)dialect, .schemas = (struct fw_schema *)s,
				 .nschemas = 1 };
	struct fw_model back;
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	fw_snapshot_write(&view, &one);
	if (fw_snapshot_read(one.buf, one.len, "one", &back, &err) < 0)
		fail_msg("read back: %s", err.message.buf);
	fw_snapshot_write(&back, &two);
	assert_string_equal(one.buf, two.buf);
	assert_int_equal(back.nschemas, 1);
	assert_string_equal(back.schemas[0].fingerprint, s->fingerprint);
	expect_same(s, &back.schemas[0]);
	fw_model_release(&back);
	strbuf_release(&one);
	strbuf_release(&two);
}

#endif
