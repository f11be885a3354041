/* Fleet audit report: the JSON document (the page is drawn from it in
 * report-html.c) and writing both files. */
#include "fleet/report.h"
#include "sql/version.h"
#include "fleet/provenance.h"
#include "util/json.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- JSON */

/* a JSON string even from bytes that are not UTF-8 (server messages can be
 * in any encoding): invalid bytes become '?' rather than losing the text */
static json_t *jstr(const char *s)
{
	json_t *v;
	char *copy;
	if (!s)
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	copy = xstrdup(s);
	for (unsigned char *p = (unsigned char *)copy; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

static json_t *iso_time(long ms)
{
	char buf[64], zone[8];
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03ld%.3s:%.2s", ms % 1000, zone, zone + 3);
	return json_string(buf);
}

/* a target whose run stopped at its pre-flight: what the pre-flight read */
static const char *preflight_status(const struct fw_fleet_result *res)
{
	switch (res->status) {
	case FW_TS_OK:
		if (res->findings.nr)
			return "findings";
		if (!res->known)
			return "error";
		return res->pending ? "pending" : "up to date";
	case FW_TS_FAILED: return res->reachable ? "error" : "unreachable";
	case FW_TS_RUNNING: return "running";
	default: return "not checked";
	}
}

const char *fw_report_status(const struct fw_fleet_result *res, const char *command, int preflight_only)
{
	if (preflight_only)
		return preflight_status(res);
	switch (res->status) {
	case FW_TS_OK:
		if (!strcmp(command, "migrate"))
			return res->nr_migs ? "migrated" : "up to date";
		return res->findings.nr ? "findings" : "ok";
	case FW_TS_FAILED: return res->reachable || !strcmp(command, "migrate") ? "failed" : "unreachable";
	case FW_TS_HALTED: return "halted";
	case FW_TS_INTERRUPTED: return "interrupted";
	case FW_TS_RUNNING: return "running";
	case FW_TS_WAITING: return "waiting";
	default: return "not started";
	}
}

void fw_report_status_text(const struct fw_fleet_result *res, const char *command, int preflight_only,
			   struct strbuf *out)
{
	const char *st = fw_report_status(res, command, preflight_only);
	strbuf_addstr(out, st);
	if (!strcmp(st, "pending"))
		strbuf_addf(out, " %d", res->pending);
	else if (!strcmp(st, "not started") && res->before_known)
		strbuf_addf(out, " at %s", res->version_before ? res->version_before : "<< Empty Schema >>");
}

static json_t *strvec_json(const struct strvec *sv)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sv->nr; i++)
		json_array_append_new(a, jstr(sv->v[i]));
	return a;
}

static json_t *log_json(const struct strbuf *log)
{
	json_t *a = json_array();
	const char *p = log->buf, *end = log->buf + log->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);
		json_array_append_new(a, jstr(line));
		free(line);
		p += n + 1;
	}
	return a;
}

static json_t *migs_json(const struct fw_fleet_result *res)
{
	json_t *a = json_array();
	for (size_t i = 0; i < res->nr_migs; i++) {
		const struct fw_fleet_mig *g = &res->migs[i];
		json_t *o = json_object();
		json_object_set_new(o, "version", jstr(g->version));
		json_object_set_new(o, "description", jstr(g->description));
		json_object_set_new(o, "script", jstr(g->script));
		json_object_set_new(o, "executionTime", json_integer(g->ms));
		json_object_set_new(o, "success", json_boolean(g->success));
		json_array_append_new(a, o);
	}
	return a;
}

/* a version read from the target, or null: not known (versionKnown says which null it is) */
static json_t *known_version(int known, const char *v)
{
	return known ? jstr(v) : json_null();
}

static json_t *target_json(struct fw_fleet_run *r, size_t i, const struct fw_report_info *info)
{
	const struct fw_fleet_member *m = &r->fleet->m[i];
	struct fw_fleet_result *res = &r->res[i];
	const char *command = info->command;
	int migrate = !strcmp(command, "migrate");
	struct strbuf text = STRBUF_INIT;
	json_t *o = json_object();
	fw_report_status_text(res, command, info->preflight_only, &text);
	json_object_set_new(o, "name", jstr(m->name));
	json_object_set_new(o, "wave", jstr(r->fleet->waves[m->wave].name));
	json_object_set_new(o, "source", json_string(m->from_inventory ? "inventory" : "environment"));
	json_object_set_new(o, "status", json_string(fw_report_status(res, command, info->preflight_only)));
	json_object_set_new(o, "statusText", jstr(text.buf));
	strbuf_release(&text);
	if (migrate) {
		json_object_set_new(o, "versionBefore", known_version(res->before_known, res->version_before));
		json_object_set_new(o, "versionAfter", known_version(res->after_known, res->version_after));
		json_object_set_new(o, "versionKnown", json_boolean(res->before_known));
		json_object_set_new(o, "pending", res->pre.known ? json_integer(res->pre.pending) : json_null());
		json_object_set_new(o, "migrations", migs_json(res));
		json_object_set_new(o, "migrationsExecuted", json_integer((json_int_t)res->nr_migs));
	} else {
		json_object_set_new(o, "version", known_version(res->known, res->version));
		json_object_set_new(o, "versionKnown", json_boolean(res->known));
		json_object_set_new(o, "pending", json_integer(res->pending));
		json_object_set_new(o, "failed", json_integer(res->failed));
		json_object_set_new(o, "pendingVersions", strvec_json(&res->pending_versions));
	}
	/* where its bar goes on the timeline: when its op began, from the run's start */
	json_object_set_new(o, "startedAt", res->started_ms ? iso_time(res->started_ms) : json_null());
	json_object_set_new(o, "startOffsetMs",
			    res->started_ms ? json_integer(res->started_ms - info->started_ms) : json_null());
	json_object_set_new(o, "durationMs", json_integer(res->ms));
	json_object_set_new(o, "findings", strvec_json(&res->findings));
	if (res->changes.nr)
		json_object_set_new(o, "changes", strvec_json(&res->changes));
	json_object_set_new(o, "error", jstr(res->error));
	if (res->dryrun_file)
		json_object_set_new(o, "dryrunFile", jstr(res->dryrun_file));
	/* the command's own JSON on this target, as it prints alone */
	if (res->summary)
		json_object_set_new(o, "summary", jstr(res->summary));
	if (res->result)
		json_object_set(o, "result", res->result);
	json_object_set_new(o, "log", log_json(&res->log));
	return o;
}

/* each step of the run (pre-flight, canary, waves) with its start and duration */
static json_t *phases_json(const struct fw_fleet_run *r, long run_started_ms)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->nr_phases; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", jstr(r->phases[i].name));
		json_object_set_new(o, "startedAt", iso_time(r->phases[i].started_ms));
		json_object_set_new(o, "offsetMs", json_integer(r->phases[i].started_ms - run_started_ms));
		json_object_set_new(o, "durationMs", json_integer(r->phases[i].ms));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* ---- how many targets sit on each version */

/* one version of the distribution; text NULL = empty schema */
struct vcount {
	const char *text;
	int unknown;                /* the target did not answer or was not reached */
	struct fw_version v;
	size_t n[2];                /* before and after migrate; [0] for the other commands */
};

struct vdist {
	struct vcount *c;
	size_t nr, alloc;
};

static void vdist_add(struct vdist *d, const char *text, int unknown, int side)
{
	struct fw_error err = FW_ERROR_INIT;
	struct vcount *c;
	for (size_t i = 0; i < d->nr; i++)
		if (d->c[i].unknown == unknown &&
		    (unknown || (!text ? !d->c[i].text : d->c[i].text && !strcmp(d->c[i].text, text)))) {
			d->c[i].n[side]++;
			return;
		}
	ALLOC_GROW(d->c, d->nr, d->alloc);
	c = &d->c[d->nr++];
	memset(c, 0, sizeof(*c));
	c->text = text;
	c->unknown = unknown;
	/* a version the history holds always parses; anything else sorts as empty */
	if (text && fw_version_parse(text, 0, &c->v, &err) < 0)
		fw_error_clear(&err);
	c->n[side] = 1;
}

/* empty schema first, then versions in order, targets not known last */
static int vcount_cmp(const void *a, const void *b)
{
	const struct vcount *x = a, *y = b;
	if (x->unknown != y->unknown)
		return x->unknown - y->unknown;
	return fw_version_cmp(&x->v, &y->v);
}

/* migrate: [{"label", "version", "before", "after"}]; the other commands:
 * [{"label", "version", "targets"}]; version is null for an empty schema and
 * for targets whose version is not known (label "unknown") */
static json_t *versions_json(const struct fw_fleet_run *r, const char *command)
{
	int migrate = !strcmp(command, "migrate");
	struct vdist d = { NULL, 0, 0 };
	json_t *a = json_array();
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const struct fw_fleet_result *res = &r->res[i];
		/* not reached, or never answered: what it is on is not known */
		if (migrate) {
			vdist_add(&d, res->version_before, !res->before_known, 0);
			vdist_add(&d, res->version_after, !res->after_known, 1);
		} else {
			vdist_add(&d, res->version, !res->known || res->status != FW_TS_OK, 0);
		}
	}
	if (d.nr > 1)
		qsort(d.c, d.nr, sizeof(*d.c), vcount_cmp);
	for (size_t i = 0; i < d.nr; i++) {
		const struct vcount *c = &d.c[i];
		json_t *o = json_pack("{s:s, s:o}", "label",
				      c->unknown ? "unknown" : c->text ? c->text : "<< Empty Schema >>", "version",
				      c->unknown ? json_null() : jstr(c->text));
		if (migrate) {
			json_object_set_new(o, "before", json_integer((json_int_t)c->n[0]));
			json_object_set_new(o, "after", json_integer((json_int_t)c->n[1]));
		} else {
			json_object_set_new(o, "targets", json_integer((json_int_t)c->n[0]));
		}
		json_array_append_new(a, o);
		fw_version_release(&d.c[i].v);
	}
	free(d.c);
	return a;
}

json_t *fw_report_json(struct fw_fleet_run *r, const struct fw_report_info *info)
{
	const struct fw_fleet *f = r->fleet;
	json_t *doc = json_object(), *waves = json_array(), *targets = json_array();
	json_t *counts = json_object();
	size_t findings = 0;
	json_object_set_new(doc, "fleet", jstr(f->name));
	json_object_set_new(doc, "command", json_string(info->command));
	json_object_set_new(doc, "outcome", json_string(info->outcome));
	json_object_set_new(doc, "flywayVersion", json_string(FW_VERSION));
	json_object_set_new(doc, "invocation", fw_provenance_json());
	json_object_set_new(doc, "startedAt", iso_time(info->started_ms));
	json_object_set_new(doc, "finishedAt", iso_time(info->finished_ms));
	json_object_set_new(doc, "durationMs", json_integer(info->finished_ms - info->started_ms));
	json_object_set_new(doc, "parallel", json_integer(f->parallel));
	json_object_set_new(doc, "pauseMs", json_integer(f->pause_ms));
	for (size_t w = 0; w < f->nr_waves; w++) {
		json_t *o = json_object(), *names = json_array();
		for (size_t i = f->waves[w].start; i < f->waves[w].end; i++)
			json_array_append_new(names, jstr(f->m[i].name));
		json_object_set_new(o, "name", jstr(f->waves[w].name));
		json_object_set_new(o, "targets", names);
		json_array_append_new(waves, o);
	}
	for (size_t i = 0; i < f->nr; i++) {
		const char *st = fw_report_status(&r->res[i], info->command, info->preflight_only);
		json_object_set_new(counts, st, json_integer(json_integer_value(json_object_get(counts, st)) + 1));
		findings += r->res[i].findings.nr;
		json_array_append_new(targets, target_json(r, i, info));
	}
	json_object_set_new(doc, "waves", waves);
	json_object_set_new(doc, "phases", phases_json(r, info->started_ms));
	json_object_set_new(doc, "versions", versions_json(r, info->command));
	json_object_set_new(doc, "summary", counts);
	json_object_set_new(doc, "findings", json_integer((json_int_t)findings));
	if (info->verify >= 0) {
		json_t *v = json_object();
		json_object_set_new(v, "ok", json_boolean(info->verify));
		json_object_set_new(v, "version", jstr(info->fleet_version));
		json_object_set_new(v, "summary", jstr(info->verify_summary));
		json_object_set_new(doc, "verify", v);
	}
	json_object_set_new(doc, "targets", targets);
	return doc;
}

/* ---------------------------------------------------------------- files */

int fw_report_write(const char *base, const json_t *doc, char **json_path, char **html_path,
		    struct fw_error *err)
{
	return fw_report_write_with(base, doc, fw_report_html, json_path, html_path, err);
}
