/* Convergence of a fleet's schemas (see converge.h) */
#include "fleet/converge.h"
#include "engine/target.h"
#include "fleet/run.h"
#include "ops/drift.h"
#include "ops/preflight.h"
#include "util/xalloc.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	int read;
	char variant[65];       /* the key of its expected state; "" when nothing is applied */
	char fp[65];            /* its schemas' fingerprint */
	size_t model;           /* its model: c->models[model] */
	char *error;            /* its schema could not be read */
};

/* one model per distinct fingerprint: a fleet that converged keeps one */
struct distinct {
	char fp[65];
	struct fw_model model;
};

struct fw_converge {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t nr;
	struct distinct *models;
	size_t nmodels, alloc;
	struct fw_expected_cache *cache;
};

/* the words of a comparison with the other targets of a variant */
static const struct fw_diff_words peer_words = { "missing (the other targets have it)", "only on this target",
						 "differs from the other targets", 0 };

struct fw_converge *fw_converge_new(size_t nr_targets)
{
	struct fw_converge *c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->slots = xcalloc(nr_targets + 1, sizeof(*c->slots));
	c->nr = nr_targets;
	c->cache = fw_expected_cache_new();
	return c;
}

void fw_converge_free(struct fw_converge *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr; i++)
		free(c->slots[i].error);
	for (size_t i = 0; i < c->nmodels; i++)
		fw_model_release(&c->models[i].model);
	free(c->models);
	free(c->slots);
	fw_expected_cache_free(c->cache);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* keep the model when its fingerprint is new (takes it either way) */
static size_t keep_model(struct fw_converge *c, const char *fp, struct fw_model *m)
{
	size_t i;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nmodels; i++)
		if (!strcmp(c->models[i].fp, fp))
			break;
	if (i == c->nmodels) {
		ALLOC_GROW(c->models, c->nmodels + 1, c->alloc);
		memcpy(c->models[i].fp, fp, sizeof(c->models[i].fp));
		c->models[i].model = *m;
		c->nmodels++;
	} else {
		fw_model_release(m);
	}
	pthread_mutex_unlock(&c->lock);
	return i;
}

void fw_converge_read(struct fw_converge *c, size_t idx, struct fw_target *t)
{
	struct slot *s = &c->slots[idx];
	struct fw_error err = FW_ERROR_INIT;
	struct fw_model live;
	if (idx >= c->nr || !t->db)
		return;
	if (fw_live_model(t, &live, &err) < 0) {
		s->error = xstrdup(err.message.buf);
		fw_error_clear(&err);
		return;
	}
	fw_state_fingerprint(&live, s->fp);
	/* the first target of a variant builds its expected state; the others go on */
	fw_expected_prepare(t, c->cache, s->variant);
	s->model = keep_model(c, s->fp, &live);
	s->read = 1;
}

/* one finding per object of the comparison of from (the norm) with target idx */
static size_t add_findings(struct fw_converge *c, struct fw_fleet_run *r, size_t idx, const struct fw_model *from,
			   const struct fw_diff_words *w)
{
	struct fw_diff d = FW_DIFF_INIT;
	struct strvec lines = STRVEC_INIT;
	size_t n;
	fw_state_diff(from, &c->models[c->slots[idx].model].model, &d);
	fw_diff_lines(&d, w, &lines);
	for (size_t i = 0; i < lines.nr; i++)
		fw_finding_add(&r->res[idx].findings, "schema", lines.v[i]);
	n = lines.nr;
	strvec_clear(&lines);
	fw_diff_release(&d);
	return n;
}

/* the fingerprint most targets of the variant have (the first one on a tie) */
static const char *majority(struct fw_converge *c, const size_t *members, size_t n, size_t *count)
{
	const char *best = NULL;
	*count = 0;
	for (size_t i = 0; i < n; i++) {
		const char *fp = c->slots[members[i]].fp;
		size_t k = 0;
		for (size_t j = 0; j < n; j++)
			k += !strcmp(c->slots[members[j]].fp, fp);
		if (k > *count) {
			*count = k;
			best = fp;
		}
	}
	return best;
}

/* the targets of one variant: against their expected state, else each other */
static size_t judge_variant(struct fw_converge *c, struct fw_fleet_run *r, const size_t *members, size_t n,
			    struct strvec *warnings)
{
	const struct fw_expected *exp = NULL;
	struct fw_error err = FW_ERROR_INIT;
	const struct slot *first = &c->slots[members[0]];
	size_t differ = 0, agree, norm_model = first->model;
	const char *norm;
	if (*first->variant && fw_expected_lookup(c->cache, first->variant, &exp, &err) < 0)
		strvec_pushf(warnings, "the expected state of %s%s could not be built (%s): compared with the other targets of its variant only",
			     r->fleet->m[members[0]].name, n > 1 ? " and the targets that share its history" : "",
			     err.message.buf);
	fw_error_clear(&err);
	if (exp) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(c->slots[members[i]].fp, exp->fingerprint))
				differ += add_findings(c, r, members[i], &exp->model, &fw_drift_words) > 0;
		return differ;
	}
	norm = majority(c, members, n, &agree);
	if (agree == n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c->slots[members[i]].fp, norm))
			norm_model = c->slots[members[i]].model;
	for (size_t i = 0; i < n; i++)
		if (strcmp(c->slots[members[i]].fp, norm))
			differ += add_findings(c, r, members[i], &c->models[norm_model].model, &peer_words) > 0;
	return differ;
}

size_t fw_converge_judge(struct fw_converge *c, struct fw_fleet_run *r, struct strvec *warnings)
{
	size_t *members = xcalloc(c->nr + 1, sizeof(*members));
	char *done = xcalloc(c->nr + 1, 1);
	size_t differ = 0;
	for (size_t i = 0; i < c->nr; i++) {
		size_t n = 0;
		if (c->slots[i].error) {
			fw_finding_add(&r->res[i].findings, "schema", c->slots[i].error);
			differ++;
		}
		if (done[i] || !c->slots[i].read)
			continue;
		for (size_t j = i; j < c->nr; j++)
			if (c->slots[j].read && !done[j] && !strcmp(c->slots[j].variant, c->slots[i].variant)) {
				members[n++] = j;
				done[j] = 1;
			}
		differ += judge_variant(c, r, members, n, warnings);
	}
	free(members);
	free(done);
	return differ;
}
