#include "engine/plan.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *display, *internal;
} state_names[] = {
	[FW_ST_PENDING] = { "Pending", "PENDING" },
	[FW_ST_ABOVE_TARGET] = { "Above Target", "ABOVE_TARGET" },
	[FW_ST_BELOW_BASELINE] = { "Below Baseline", "BELOW_BASELINE" },
	[FW_ST_BASELINE_IGNORED] = { "Ignored (Baseline)", "BASELINE_IGNORED" },
	[FW_ST_BASELINE] = { "Baseline", "BASELINE" },
	[FW_ST_IGNORED] = { "Ignored", "IGNORED" },
	[FW_ST_MISSING_SUCCESS] = { "Missing", "MISSING_SUCCESS" },
	[FW_ST_MISSING_FAILED] = { "Failed (Missing)", "MISSING_FAILED" },
	[FW_ST_SUCCESS] = { "Success", "SUCCESS" },
	[FW_ST_UNDONE] = { "Undone", "UNDONE" },
	[FW_ST_AVAILABLE] = { "Available", "AVAILABLE" },
	[FW_ST_FAILED] = { "Failed", "FAILED" },
	[FW_ST_OUT_OF_ORDER] = { "Out of Order", "OUT_OF_ORDER" },
	[FW_ST_FUTURE_SUCCESS] = { "Future", "FUTURE_SUCCESS" },
	[FW_ST_FUTURE_FAILED] = { "Failed (Future)", "FUTURE_FAILED" },
	[FW_ST_OUTDATED] = { "Outdated", "OUTDATED" },
	[FW_ST_SUPERSEDED] = { "Superseded", "SUPERSEDED" },
	[FW_ST_DELETED] = { "Deleted", "DELETED" },
};
#define NR_STATES (sizeof(state_names) / sizeof(state_names[0]))

const char *fw_state_display(enum fw_state s) { return state_names[s].display; }
const char *fw_state_internal(enum fw_state s) { return state_names[s].internal; }

int fw_state_is_failed(enum fw_state s)
{
	return s == FW_ST_FAILED || s == FW_ST_MISSING_FAILED || s == FW_ST_FUTURE_FAILED;
}

int fw_state_is_applied(enum fw_state s)
{
	switch (s) {
	case FW_ST_PENDING: case FW_ST_ABOVE_TARGET: case FW_ST_BELOW_BASELINE:
	case FW_ST_BASELINE_IGNORED: case FW_ST_IGNORED: case FW_ST_AVAILABLE:
		return 0;
	default:
		return 1;
	}
}

int fw_target_parse(const char *s, struct fw_target_spec *out, struct fw_error *err)
{
	size_t n = s ? strlen(s) : 0;
	char *copy;
	int ret;
	memset(out, 0, sizeof(*out));
	if (!n || !strcasecmp(s, "latest")) {
		out->kind = FW_VERSION_LATEST;
		return 0;
	}
	copy = xstrdup(s);
	if (copy[n - 1] == '?') {
		out->optional = 1;
		copy[n - 1] = '\0';
	}
	ret = fw_version_parse(copy, 1, &out->version, err);
	if (!ret)
		out->kind = out->version.kind;
	free(copy);
	return ret;
}

void fw_target_release(struct fw_target_spec *t)
{
	fw_version_release(&t->version);
}

static int is_baseline_type(const char *t)
{
	return !strcmp(t, "BASELINE") || !strcmp(t, "SQL_BASELINE") || !strcmp(t, "JDBC_BASELINE") ||
	       !strcmp(t, "SCRIPT_BASELINE") || !strcmp(t, "SQL_STATE_SCRIPT") ||
	       !strcmp(t, "JDBC_STATE_SCRIPT");
}

static int is_undo_type(const char *t)
{
	return !strncmp(t, "UNDO_", 5);
}

static int is_synthetic_type(const char *t)
{
	return !strcmp(t, "SCHEMA") || !strcmp(t, "BASELINE") || !strcmp(t, "DELETE");
}

/* per applied row, computed while merging */
struct row_info {
	int deleted, undone, out_of_order;
	int latest_run;                   /* repeatables: highest rank for its description */
	const struct fw_resolved *res;
	int listed;
};

static int cmp_ver(const struct fw_version *a, const struct fw_version *b)
{
	return fw_version_cmp(a, b);
}

static const struct fw_version *max_ver(const struct fw_version *cur, const struct fw_version *v)
{
	return (!cur || cmp_ver(v, cur) > 0) ? v : cur;
}

static void add_entry(struct fw_plan *p, const struct fw_resolved *res, const struct fw_applied *app,
		      enum fw_state st, int ooo)
{
	struct fw_entry *e;
	ALLOC_GROW(p->entries, p->nr + 1, p->alloc);
	e = &p->entries[p->nr++];
	e->res = res;
	e->app = app;
	e->state = st;
	e->out_of_order = ooo;
}

/* a resolved file "belongs" with a row when version and kind agree: V files
 * pair with ordinary rows, B files with baseline-migration rows */
static int res_matches_row(const struct fw_resolved *r, const struct fw_applied *a)
{
	if (r->kind == FW_FILE_REPEATABLE)
		return a->version.kind == FW_VERSION_EMPTY && !strcmp(r->description, a->description);
	if (a->version.kind != FW_VERSION_NUMBER || cmp_ver(&r->version, &a->version))
		return 0;
	if (r->kind == FW_FILE_BASELINE)
		return is_baseline_type(a->type) && strcmp(a->type, "BASELINE");
	return !is_baseline_type(a->type);
}

static int checksum_matches(const struct fw_resolved *r, const struct fw_applied *a)
{
	if (!a->has_checksum || !r->has_checksum)
		return !a->has_checksum && !r->has_checksum;
	return a->checksum == r->checksum || a->checksum == r->raw_checksum;
}

static void mark_deleted_and_undone(const struct fw_history *h, struct row_info *ri)
{
	for (size_t i = 0; i < h->nr; i++) {
		const struct fw_applied *a = &h->rows[i];
		int del = !strcmp(a->type, "DELETE") && a->success;
		int undo = is_undo_type(a->type) && a->success;
		if (!del && !undo)
			continue;
		for (size_t j = i; j-- > 0;) {
			const struct fw_applied *b = &h->rows[j];
			int same = a->version.kind == FW_VERSION_NUMBER
					   ? (b->version.kind == FW_VERSION_NUMBER && !cmp_ver(&a->version, &b->version))
					   : (b->version.kind == FW_VERSION_EMPTY && !strcmp(a->description, b->description));
			if (!same || is_synthetic_type(b->type) || is_undo_type(b->type) || ri[j].deleted ||
			    ri[j].undone)
				continue;
			if (del)
				ri[j].deleted = 1;
			else
				ri[j].undone = 1;
			break;
		}
	}
}

static int counts_as_applied(const struct fw_applied *a, const struct row_info *ri)
{
	return !ri->deleted && !ri->undone && strcmp(a->type, "DELETE") && !is_undo_type(a->type);
}

static int target_check(const struct fw_scan *scan, const struct fw_history *h,
			const struct fw_target_spec *t, struct fw_error *err)
{
	if (t->kind != FW_VERSION_NUMBER || t->optional)
		return 0;
	for (size_t i = 0; i < scan->nr_migrations; i++)
		if (scan->migrations[i].kind != FW_FILE_REPEATABLE &&
		    !cmp_ver(&scan->migrations[i].version, &t->version))
			return 0;
	for (size_t i = 0; i < h->nr; i++)
		if (h->rows[i].version.kind == FW_VERSION_NUMBER && !cmp_ver(&h->rows[i].version, &t->version))
			return 0;
	fw_errorf(err, "ERROR",
		  "No migration with a target version %s could be found. Ensure target is specified correctly and the migration exists.",
		  fw_version_str(&t->version));
	fw_error_hint(err, "append '?' to the target (e.g. -target=%s?) to allow a version without a migration",
		      fw_version_str(&t->version));
	return -1;
}

/* state of an applied row (reference 5.2, "State of an applied row") */
static enum fw_state applied_state(const struct fw_plan *p, const struct fw_applied *a,
				   const struct row_info *ri)
{
	int repeatable = a->version.kind != FW_VERSION_NUMBER;
	if (ri->undone)
		return FW_ST_UNDONE;
	if (ri->deleted)
		return FW_ST_DELETED;
	if (!strcmp(a->type, "DELETE"))
		return FW_ST_SUCCESS;
	if (is_baseline_type(a->type)) {
		if (!a->success)
			return FW_ST_FAILED;
		if (!strcmp(a->type, "BASELINE") || ri->res)
			return FW_ST_BASELINE;
	}
	if (!ri->res && (!repeatable || ri->latest_run)) {
		if (!strcmp(a->type, "SCHEMA"))
			return FW_ST_SUCCESS;
		if (repeatable || (p->last_resolved && cmp_ver(&a->version, p->last_resolved) < 0))
			return a->success ? FW_ST_MISSING_SUCCESS : FW_ST_MISSING_FAILED;
		return a->success ? FW_ST_FUTURE_SUCCESS : FW_ST_FUTURE_FAILED;
	}
	if (!a->success)
		return FW_ST_FAILED;
	if (!strcmp(a->type, "SCHEMA"))
		return FW_ST_SUCCESS;
	if (repeatable) {
		if (!ri->latest_run)
			return FW_ST_SUPERSEDED;
		return checksum_matches(ri->res, a) ? FW_ST_SUCCESS : FW_ST_OUTDATED;
	}
	if (ri->out_of_order)
		return FW_ST_OUT_OF_ORDER;
	return FW_ST_SUCCESS;
}

/* Flyway compares with the target it resolved: target=current on an empty
 * history is the empty version, below every version (reference 5.2, step 6) */
static int above_target(const struct fw_plan *p, const struct fw_version *v)
{
	const struct fw_version *t = &p->effective_target;
	return (t->kind == FW_VERSION_NUMBER || t->kind == FW_VERSION_EMPTY) && cmp_ver(v, t) > 0;
}

/* state of a file with no (live) row (reference 5.2, "State of a resolved-only migration") */
static enum fw_state resolved_state(const struct fw_plan *p, const struct fw_resolved *r,
				    const struct fw_plan_opts *o, int anything_applied)
{
	const struct fw_version *B;
	if (!r->should_execute)
		return FW_ST_IGNORED;
	if (r->kind == FW_FILE_REPEATABLE)
		return FW_ST_PENDING;
	if (r->kind == FW_FILE_BASELINE) {
		if (anything_applied || p->applied_baseline || !p->pending_baseline ||
		    cmp_ver(&r->version, p->pending_baseline))
			return FW_ST_IGNORED;
		if (above_target(p, &r->version))
			return FW_ST_ABOVE_TARGET;
		return FW_ST_PENDING;
	}
	B = p->last_applied ? p->applied_baseline : p->pending_baseline;
	if (B && cmp_ver(&r->version, B) < 0)
		return FW_ST_BELOW_BASELINE;
	if (B && !cmp_ver(&r->version, B))
		return FW_ST_BASELINE_IGNORED;
	if (above_target(p, &r->version))
		return FW_ST_ABOVE_TARGET;
	if (p->last_applied && cmp_ver(&r->version, p->last_applied) < 0 && !o->out_of_order)
		return FW_ST_IGNORED;
	return FW_ST_PENDING;
}

static int cmp_res_row(const struct fw_resolved *r, const struct fw_applied *a, int versioned)
{
	return versioned ? cmp_ver(&r->version, &a->version) : strcmp(r->description, a->description);
}

/* first index in [lo, hi) whose file does not sort before the row (files are
 * sorted: versioned/baseline by version, then repeatables by description) */
static size_t lower_bound(const struct fw_scan *scan, size_t lo, size_t hi, const struct fw_applied *a)
{
	int versioned = a->version.kind == FW_VERSION_NUMBER;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_res_row(&scan->migrations[mid], a, versioned) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* lower_bound, trying `hint` first: history rows usually come in the files'
 * order, so the file after the previous row's is the answer two compares away */
static size_t lower_bound_hinted(const struct fw_scan *scan, size_t lo, size_t hi, size_t hint,
				 const struct fw_applied *a, int versioned)
{
	if (hint >= lo && hint < hi && !cmp_res_row(&scan->migrations[hint], a, versioned) &&
	    (hint == lo || cmp_res_row(&scan->migrations[hint - 1], a, versioned) < 0))
		return hint;
	return lower_bound(scan, lo, hi, a);
}

/* link rows to files: versioned by (version, kind), repeatables by the latest
 * run's description; a 1000-migration no-op run stays cheap (see lower_bound_hinted) */
static void link_rows(const struct fw_scan *scan, const struct fw_history *h, struct row_info *ri,
		      char *res_applied)
{
	size_t nver = 0, hint = 0;
	while (nver < scan->nr_migrations && scan->migrations[nver].kind != FW_FILE_REPEATABLE)
		nver++;
	for (size_t i = 0; i < h->nr; i++) {
		const struct fw_applied *a = &h->rows[i];
		int versioned = a->version.kind == FW_VERSION_NUMBER;
		size_t lo = versioned ? 0 : nver, hi = versioned ? nver : scan->nr_migrations;
		if (!counts_as_applied(a, &ri[i]) || is_synthetic_type(a->type))
			continue;
		if (!versioned && !ri[i].latest_run)
			continue;
		for (size_t j = lower_bound_hinted(scan, lo, hi, hint, a, versioned); j < hi; j++) {
			const struct fw_resolved *r = &scan->migrations[j];
			if (cmp_res_row(r, a, versioned) != 0)
				break;
			if (!res_matches_row(r, a))
				continue;
			ri[i].res = r;
			hint = j + 1;
			/* a repeatable is applied only while its latest run matches the file */
			if (r->kind != FW_FILE_REPEATABLE || checksum_matches(r, a))
				res_applied[j] = 1;
			break;
		}
	}
}

static void mark_latest_runs(const struct fw_history *h, struct row_info *ri)
{
	for (size_t i = 0; i < h->nr; i++) {
		const struct fw_applied *a = &h->rows[i];
		int latest = 1;
		if (a->version.kind == FW_VERSION_NUMBER || !strcmp(a->type, "SCHEMA"))
			continue;
		for (size_t j = i + 1; j < h->nr && latest; j++)
			if (h->rows[j].version.kind != FW_VERSION_NUMBER &&
			    !strcmp(h->rows[j].description, a->description))
				latest = 0;
		ri[i].latest_run = latest && strcmp(a->type, "DELETE") && !ri[i].deleted;
	}
}

static void walk_versions(struct fw_plan *p, const struct fw_history *h, struct row_info *ri)
{
	for (size_t i = 0; i < h->nr; i++) {
		const struct fw_applied *a = &h->rows[i];
		if (a->version.kind != FW_VERSION_NUMBER || !counts_as_applied(a, &ri[i]))
			continue;
		if (is_baseline_type(a->type))
			p->applied_baseline = max_ver(p->applied_baseline, &a->version);
		if (!p->last_applied || cmp_ver(&a->version, p->last_applied) > 0)
			p->last_applied = &a->version;
		else
			ri[i].out_of_order = 1;
		if (!p->current || cmp_ver(&a->version, p->current) >= 0) {
			p->current = &a->version;
			p->current_row = a;
		}
	}
}

static void resolve_target(struct fw_plan *p, const struct fw_plan_opts *o)
{
	const struct fw_target_spec *t = o->target;
	p->effective_target.kind = FW_VERSION_LATEST;
	if (!t)
		return;
	if (t->kind == FW_VERSION_CURRENT) {
		if (p->last_applied)
			fw_version_copy(&p->effective_target, p->last_applied);
		else
			p->effective_target.kind = FW_VERSION_EMPTY;
	} else if (t->kind == FW_VERSION_NUMBER) {
		fw_version_copy(&p->effective_target, &t->version);
	} else if (t->kind == FW_VERSION_NEXT) {
		p->target_is_next = 1;
	}
}

static int is_below_baseline(enum fw_state s)
{
	return s == FW_ST_BELOW_BASELINE || s == FW_ST_BASELINE_IGNORED;
}

int fw_plan_build(const struct fw_scan *scan, const struct fw_history *h,
		  const struct fw_plan_opts *o, struct fw_plan *p, struct fw_error *err)
{
	struct row_info *ri = xcalloc(h->nr + 1, sizeof(*ri));
	char *res_applied = xcalloc(scan->nr_migrations + 1, 1);
	enum fw_state *rstate = xcalloc(scan->nr_migrations + 1, sizeof(*rstate));
	int anything_applied = 0;
	memset(p, 0, sizeof(*p));
	if (o->target && target_check(scan, h, o->target, err) < 0) {
		free(ri);
		free(res_applied);
		free(rstate);
		return -1;
	}
	mark_deleted_and_undone(h, ri);
	mark_latest_runs(h, ri);
	walk_versions(p, h, ri);
	for (size_t j = 0; j < scan->nr_migrations; j++)
		if (scan->migrations[j].kind != FW_FILE_REPEATABLE)
			p->last_resolved = max_ver(p->last_resolved, &scan->migrations[j].version);
	link_rows(scan, h, ri, res_applied);
	for (size_t i = 0; i < h->nr; i++)
		if (h->rows[i].version.kind == FW_VERSION_NUMBER && counts_as_applied(&h->rows[i], &ri[i]))
			anything_applied = 1;
	for (size_t j = 0; j < scan->nr_migrations; j++)
		if (scan->migrations[j].kind == FW_FILE_BASELINE && !res_applied[j])
			p->pending_baseline = max_ver(p->pending_baseline, &scan->migrations[j].version);
	resolve_target(p, o);
	for (size_t j = 0; j < scan->nr_migrations; j++)
		if (!res_applied[j])
			rstate[j] = resolved_state(p, &scan->migrations[j], o, anything_applied);
	/* info order: below-baseline first, applied rows by rank, then the rest */
	for (size_t j = 0; j < scan->nr_migrations; j++)
		if (!res_applied[j] && is_below_baseline(rstate[j]))
			add_entry(p, &scan->migrations[j], NULL, rstate[j], 0);
	for (size_t i = 0; i < h->nr; i++) {
		const struct fw_applied *a = &h->rows[i];
		if (!strcmp(a->type, "DELETE") || is_undo_type(a->type))
			continue;
		add_entry(p, ri[i].res, a, applied_state(p, a, &ri[i]), ri[i].out_of_order);
	}
	for (size_t j = 0; j < scan->nr_migrations; j++)
		if (!res_applied[j] && !is_below_baseline(rstate[j]))
			add_entry(p, &scan->migrations[j], NULL, rstate[j], 0);
	free(ri);
	free(res_applied);
	free(rstate);
	return 0;
}

void fw_plan_release(struct fw_plan *p)
{
	free(p->entries);
	fw_version_release(&p->effective_target);
	memset(p, 0, sizeof(*p));
}

int fw_entry_is_versioned(const struct fw_entry *e)
{
	if (e->app)
		return e->app->version.kind == FW_VERSION_NUMBER;
	return e->res->kind != FW_FILE_REPEATABLE;
}

const char *fw_entry_description(const struct fw_entry *e)
{
	return e->app ? e->app->description : e->res->description;
}

const char *fw_entry_version(const struct fw_entry *e)
{
	if (e->app)
		return e->app->version_text ? e->app->version_text : "";
	return e->res->kind == FW_FILE_REPEATABLE ? "" : fw_version_str(&e->res->version);
}

const char *fw_entry_type(const struct fw_entry *e)
{
	return e->app ? e->app->type : e->res->type;
}

const char *fw_entry_category(const struct fw_entry *e)
{
	const char *t = fw_entry_type(e);
	if (is_synthetic_type(t))
		return "";
	if (is_undo_type(t))
		return "Undo";
	if (is_baseline_type(t))
		return "Baseline";
	return fw_entry_is_versioned(e) ? "Versioned" : "Repeatable";
}

/* ---- ignoreMigrationPatterns ---- */

static int state_from_pattern(const char *s, int *out)
{
	static const struct { const char *name; enum fw_state st; } map[] = {
		{ "missing", FW_ST_MISSING_SUCCESS }, { "pending", FW_ST_PENDING },
		{ "ignored", FW_ST_IGNORED }, { "future", FW_ST_FUTURE_SUCCESS },
	};
	if (!strcmp(s, "*")) {
		*out = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(s, map[i].name)) {
			*out = (int)map[i].st + 1;
			return 0;
		}
	return -1;
}

void fw_ignores_add(struct fw_ignores *ig, int type, enum fw_state state)
{
	ig->v = xrealloc(ig->v, (ig->nr + 1) * sizeof(*ig->v));
	ig->v[ig->nr].type = type;
	ig->v[ig->nr].state = (int)state + 1;
	ig->nr++;
}

int fw_ignores_parse(const struct strvec *patterns, struct fw_ignores *out, struct fw_error *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < patterns->nr; i++) {
		const char *pat = patterns->v[i];
		const char *colon = strchr(pat, ':');
		char *type;
		int t, st;
		if (!*pat)
			continue; /* an empty value clears the list */
		if (!colon || strchr(colon + 1, ':')) {
			fw_ignores_release(out);
			return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				"Invalid pattern '%s'. Pattern must be of the form <migration_type>:<migration_state> See https://documentation.red-gate.com/fd/ignore-migration-patterns-224919709.html for full details", pat);
		}
		type = xstrndup(pat, (size_t)(colon - pat));
		if (!strcmp(type, "*"))
			t = 0;
		else if (!strcasecmp(type, "versioned"))
			t = 1;
		else if (!strcasecmp(type, "repeatable"))
			t = 2;
		else {
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				       "Invalid migration type '%s'. Valid types are: *, repeatable, versioned", type);
			free(type);
			fw_ignores_release(out);
			return -1;
		}
		free(type);
		if (state_from_pattern(colon + 1, &st) < 0) {
			fw_ignores_release(out);
			return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				"Invalid migration state '%s'. Valid states are: *, missing, pending, ignored, future", colon + 1);
		}
		out->v = xrealloc(out->v, (out->nr + 1) * sizeof(*out->v));
		out->v[out->nr].type = t;
		out->v[out->nr].state = st;
		out->nr++;
	}
	return 0;
}

void fw_ignores_release(struct fw_ignores *ig)
{
	free(ig->v);
	ig->v = NULL;
	ig->nr = 0;
}

int fw_ignores_matches_state(const struct fw_ignores *ig, int versioned, enum fw_state st)
{
	static const enum fw_state patternable[] = { FW_ST_MISSING_SUCCESS, FW_ST_PENDING,
		FW_ST_IGNORED, FW_ST_FUTURE_SUCCESS };
	int known = 0;
	for (size_t k = 0; k < sizeof(patternable) / sizeof(patternable[0]); k++)
		if (patternable[k] == st)
			known = 1;
	if (!known)
		return 0;
	for (size_t i = 0; i < ig->nr; i++) {
		const struct fw_ignore *p = &ig->v[i];
		if (p->type == 1 && !versioned)
			continue;
		if (p->type == 2 && versioned)
			continue;
		if (p->state == 0 || p->state == (int)st + 1)
			return 1;
	}
	return 0;
}

int fw_ignores_match(const struct fw_ignores *ig, const struct fw_entry *e)
{
	return fw_ignores_matches_state(ig, fw_entry_is_versioned(e), e->state);
}
