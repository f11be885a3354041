/* Comparing what the targets of a fleet reported (see run.h): the
 * pre-flight's pending sets among targets with the same locations
 * (fw_fleet_compare_pending) and the post-flight's verdict on each target
 * (fw_fleet_verify). The pool that read them is run.c. */
#include "fleet/run.h"
#include "sql/version.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

/* version text -> parsed (NULL or unparsable -> EMPTY) */
static void parse_version(const char *s, struct fw_version *v)
{
	struct fw_error err = FW_ERROR_INIT;
	*v = (struct fw_version)FW_VERSION_INIT;
	if (s && fw_version_parse(s, 0, v, &err) < 0)
		*v = (struct fw_version)FW_VERSION_INIT;
	fw_error_clear(&err);
}

static int has_version(const struct strvec *list, const struct fw_version *v)
{
	for (size_t i = 0; i < list->nr; i++) {
		struct fw_version x;
		int eq;
		parse_version(list->v[i], &x);
		eq = !fw_version_cmp(&x, v);
		fw_version_release(&x);
		if (eq)
			return 1;
	}
	return 0;
}

static int same_text(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* what decides which files a target has: its locations, as a sorted set */
static char *locations_key(const struct fw_config *c)
{
	struct strvec locs = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < c->locations.nr; i++) {
		const char *l = c->locations.v[i];
		struct strbuf one = STRBUF_INIT;
		if (!strncmp(l, "filesystem:", 11))
			l += 11;
		strbuf_addstr(&one, l);
		while (one.len > 1 && one.buf[one.len - 1] == '/')
			strbuf_setlen(&one, one.len - 1);
		if (!strvec_contains(&locs, one.buf))
			strvec_push(&locs, one.buf);
		strbuf_release(&one);
	}
	if (locs.nr)
		qsort(locs.v, locs.nr, sizeof(*locs.v), cmp_text);
	for (size_t i = 0; i < locs.nr; i++)
		strbuf_addf(&sb, "%s\n", locs.v[i]);
	strvec_clear(&locs);
	return strbuf_detach(&sb, NULL);
}

static void location_groups(const struct fw_fleet_run *r, size_t *group)
{
	struct strvec keys = STRVEC_INIT;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		char *k = r->cfg[i] ? locations_key(r->cfg[i]) : xstrdup("");
		size_t g = 0;
		while (g < keys.nr && strcmp(keys.v[g], k))
			g++;
		if (g == keys.nr)
			strvec_push(&keys, k);
		group[i] = g;
		free(k);
	}
	strvec_clear(&keys);
}

/* a target the comparison can use: it answered with a reading */
static int compared(const struct fw_fleet_result *res)
{
	return res->status == FW_TS_OK && res->known;
}

/* every version pending (or held back) on a target of group g, once */
static void group_versions(struct fw_fleet_run *r, const size_t *group, size_t g, struct strvec *out)
{
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const struct strvec *lists[2] = { &r->res[i].pending_versions, &r->res[i].above_target };
		if (group[i] != g || !compared(&r->res[i]))
			continue;
		for (int l = 0; l < 2; l++)
			for (size_t j = 0; j < lists[l]->nr; j++) {
				struct fw_version v;
				parse_version(lists[l]->v[j], &v);
				if (!has_version(out, &v))
					strvec_push(out, lists[l]->v[j]);
				fw_version_release(&v);
			}
	}
}

/* one version within group g: expected on every target below it when most
 * of those have it (pending or held back by their target setting) */
static void judge_version(struct fw_fleet_run *r, const size_t *group, size_t g, const char *text)
{
	struct fw_version v;
	size_t expecting = 0, having = 0;
	char *expects = xcalloc(r->fleet->nr + 1, 1), *has = xcalloc(r->fleet->nr + 1, 1);
	parse_version(text, &v);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_version cur;
		if (group[i] != g || !compared(&r->res[i]))
			continue;
		parse_version(r->res[i].version, &cur);
		has[i] = (char)(has_version(&r->res[i].pending_versions, &v) ||
				has_version(&r->res[i].above_target, &v));
		expects[i] = (char)(has[i] || fw_version_cmp(&cur, &v) < 0);
		fw_version_release(&cur);
		expecting += (size_t)expects[i];
		having += (size_t)has[i];
	}
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct strbuf msg = STRBUF_INIT;
		if (!expects[i])
			continue;
		if (having * 2 > expecting && !has[i])
			strbuf_addf(&msg, "%s is pending on %zu of the %zu targets with the same locations below it, but not here",
				    text, having, expecting);
		else if (having * 2 <= expecting && has[i] && expecting > 1)
			strbuf_addf(&msg, "%s is pending here but on only %zu of the %zu targets with the same locations below it",
				    text, having, expecting);
		if (msg.len)
			fw_finding_add(&r->res[i].findings, "pending set differs", msg.buf);
		strbuf_release(&msg);
	}
	fw_version_release(&v);
	free(expects);
	free(has);
}

/* versions the target setting of target i holds back that others of its group will apply */
static void judge_pinned(struct fw_fleet_run *r, const size_t *group, size_t i)
{
	struct strbuf held = STRBUF_INIT, msg = STRBUF_INIT;
	size_t n = 0;
	for (size_t k = 0; k < r->res[i].above_target.nr; k++) {
		struct fw_version v;
		int elsewhere = 0;
		parse_version(r->res[i].above_target.v[k], &v);
		for (size_t j = 0; j < r->fleet->nr && !elsewhere; j++)
			elsewhere = j != i && group[j] == group[i] && compared(&r->res[j]) &&
				    has_version(&r->res[j].pending_versions, &v);
		fw_version_release(&v);
		if (elsewhere)
			strbuf_addf(&held, "%s%s", n++ ? ", " : "", r->res[i].above_target.v[k]);
	}
	if (n) {
		strbuf_addf(&msg, "its target setting (%s) holds it behind the targets with the same locations: %s %s pending there, not here",
			    r->cfg[i]->target ? r->cfg[i]->target : "", held.buf, n == 1 ? "is" : "are");
		fw_finding_add(&r->res[i].findings, "pinned", msg.buf);
	}
	strbuf_release(&held);
	strbuf_release(&msg);
}

void fw_fleet_compare_pending(struct fw_fleet_run *r)
{
	size_t *group = xcalloc(r->fleet->nr + 1, sizeof(*group)), ngroups = 0;
	location_groups(r, group);
	for (size_t i = 0; i < r->fleet->nr; i++)
		if (group[i] + 1 > ngroups)
			ngroups = group[i] + 1;
	for (size_t i = 0; i < r->fleet->nr; i++)
		if (compared(&r->res[i]))
			judge_pinned(r, group, i);
	for (size_t g = 0; g < ngroups; g++) {
		struct strvec all = STRVEC_INIT;
		group_versions(r, group, g, &all);
		for (size_t k = 0; k < all.nr; k++)
			judge_version(r, group, g, all.v[k]);
		strvec_clear(&all);
	}
	free(group);
}

/* the version most targets among those answering are on (ties: the highest);
 * with `group`, only within group g. Counted per distinct version: a fleet
 * has thousands of targets but few versions. */
static char *common_version(struct fw_fleet_run *r, const size_t *group, size_t g)
{
	struct strvec seen = STRVEC_INIT;   /* "" stands for an empty schema */
	size_t *count = NULL, alloc = 0, best = 0;
	char *ret = NULL;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const char *v;
		size_t k = 0;
		if (!compared(&r->res[i]) || (group && group[i] != g))
			continue;
		v = r->res[i].version ? r->res[i].version : "";
		while (k < seen.nr && strcmp(seen.v[k], v))
			k++;
		if (k == seen.nr) {
			strvec_push(&seen, v);
			ALLOC_GROW(count, seen.nr, alloc);
			count[k] = 0;
		}
		count[k]++;
	}
	for (size_t k = 1; k < seen.nr; k++) {
		struct fw_version a, b;
		int higher;
		parse_version(*seen.v[k] ? seen.v[k] : NULL, &a);
		parse_version(*seen.v[best] ? seen.v[best] : NULL, &b);
		higher = fw_version_cmp(&a, &b) > 0;
		fw_version_release(&a);
		fw_version_release(&b);
		if (count[k] > count[best] || (count[k] == count[best] && higher))
			best = k;
	}
	if (seen.nr)
		ret = xstrdup(seen.v[best]);
	strvec_clear(&seen);
	free(count);
	return ret;
}

/* why target i differs, as a finding; its verdict */
static enum fw_verdict verdict_of(struct fw_fleet_run *r, size_t i, const char *group_version)
{
	struct fw_fleet_result *res = &r->res[i];
	struct strbuf msg = STRBUF_INIT;
	enum fw_verdict vd = FW_VD_OK;
	if (res->status != FW_TS_OK || !res->known) {
		if (!res->findings.nr)
			fw_finding_add(&res->findings, "verify", "the target did not answer");
		return FW_VD_DOWN;
	}
	if (res->failed) {
		strbuf_addf(&msg, "%d failed migration%s recorded", res->failed, res->failed == 1 ? "" : "s");
		vd = FW_VD_FAILED;
	} else if (res->findings.nr) {
		vd = FW_VD_INVALID;   /* validate said what (its findings) */
	} else if (res->pending) {
		strbuf_addf(&msg, "%d migration%s still pending", res->pending, res->pending == 1 ? "" : "s");
		vd = FW_VD_PENDING;
	} else if (group_version && !same_text(*group_version ? group_version : NULL, res->version)) {
		strbuf_addf(&msg, "on version %s, the other targets with the same locations are on %s",
			    res->version ? res->version : "<< Empty Schema >>",
			    *group_version ? group_version : "<< Empty Schema >>");
		vd = FW_VD_VERSION;
	}
	if (msg.len)
		fw_finding_add(&res->findings, "verify", msg.buf);
	strbuf_release(&msg);
	return vd;
}

size_t fw_fleet_verify(struct fw_fleet_run *r, char **version)
{
	size_t differ = 0, ngroups = 0, *group = xcalloc(r->fleet->nr + 1, sizeof(*group));
	char **group_version;   /* per group; "" = empty schema, NULL = none answered */
	location_groups(r, group);
	for (size_t i = 0; i < r->fleet->nr; i++)
		if (group[i] + 1 > ngroups)
			ngroups = group[i] + 1;
	group_version = xcalloc(ngroups + 1, sizeof(*group_version));
	for (size_t g = 0; g < ngroups; g++)
		group_version[g] = common_version(r, group, g);
	*version = common_version(r, NULL, 0);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		r->res[i].verdict = verdict_of(r, i, group_version[group[i]]);
		differ += r->res[i].verdict != FW_VD_OK;
	}
	for (size_t g = 0; g < ngroups; g++)
		free(group_version[g]);
	free(group_version);
	free(group);
	return differ;
}
