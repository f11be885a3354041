/* One scan of the locations for many targets (see scan-cache.h). */
#include "engine/scan-cache.h"
#include "util/xalloc.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* beyond this many kept scans, a target that matches none scans for itself
 * alone: scans that differ per target (a tenant's own placeholder in a
 * repeatable) are not worth keeping */
#define MAX_ENTRIES 64

struct entry {
	char *settings;             /* what of the configuration decides the scan */
	struct strvec dep_names;    /* placeholders the scan looked up ... */
	struct strvec dep_values;   /* ... and their values then (NULL-free: "" when unset) */
	struct strvec warnings;     /* what the scan warned about */
	struct fw_scan scan;
	int ready;                  /* 0 while its first target is still scanning */
	struct entry *next;
};

struct fw_scan_cache {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry *entries;
	size_t nr, scans, copies;
};

struct fw_scan_cache *fw_scan_cache_new(void)
{
	struct fw_scan_cache *c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	return c;
}

static void entry_free(struct entry *e)
{
	free(e->settings);
	strvec_clear(&e->dep_names);
	strvec_clear(&e->dep_values);
	strvec_clear(&e->warnings);
	fw_scan_release(&e->scan);
	free(e);
}

void fw_scan_cache_free(struct fw_scan_cache *c)
{
	if (!c)
		return;
	while (c->entries) {
		struct entry *e = c->entries;
		c->entries = e->next;
		entry_free(e);
	}
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

void fw_scan_cache_counts(struct fw_scan_cache *c, size_t *scans, size_t *copies)
{
	pthread_mutex_lock(&c->mu);
	*scans = c->scans;
	*copies = c->copies;
	pthread_mutex_unlock(&c->mu);
}

static void add_list(struct strbuf *sb, const char *what, const struct strvec *v)
{
	strbuf_addf(sb, "%s=%zu", what, v->nr);
	for (size_t i = 0; i < v->nr; i++)
		strbuf_addf(sb, "|%zu:%s", strlen(v->v[i]), v->v[i]);
	strbuf_addch(sb, '\n');
}

static void add_value(struct strbuf *sb, const char *what, const char *v)
{
	strbuf_addf(sb, "%s=%s\n", what, v ? v : "\x01");
}

/* every setting fw_scan_run() reads, written out unambiguously */
static char *settings_key(const struct fw_scan_opts *o)
{
	const struct fw_config *c = o->cfg;
	const struct fw_placeholders *ph = o->placeholders;
	struct strbuf sb = STRBUF_INIT;
	add_list(&sb, "locations", &c->locations);
	add_list(&sb, "callbackLocations", &c->callback_locations);
	add_list(&sb, "suffixes", &c->sql_migration_suffixes);
	add_value(&sb, "V", c->sql_migration_prefix);
	add_value(&sb, "R", c->repeatable_sql_migration_prefix);
	add_value(&sb, "B", c->baseline_migration_prefix);
	add_value(&sb, "U", c->undo_sql_migration_prefix);
	add_value(&sb, "separator", c->sql_migration_separator);
	add_value(&sb, "encoding", c->encoding);
	strbuf_addf(&sb, "flags=%d,%d,%d,%d\n", c->placeholder_replacement, c->fail_on_missing_locations,
		    c->skip_default_callbacks, ph != NULL);
	if (ph) {
		add_value(&sb, "prefix", ph->prefix);
		add_value(&sb, "suffix", ph->suffix);
		add_value(&sb, "phSeparator", ph->separator);
	}
	return strbuf_detach(&sb, NULL);
}

static const char *ph_value(const struct fw_scan_opts *o, const char *name)
{
	const char *v = o->placeholders ? fw_placeholders_get(o->placeholders, name) : NULL;
	return v ? v : "";
}

/* the placeholders the entry's scan looked up have the values o has */
static int deps_match(const struct entry *e, const struct fw_scan_opts *o)
{
	for (size_t i = 0; i < e->dep_names.nr; i++)
		if (strcmp(ph_value(o, e->dep_names.v[i]), e->dep_values.v[i]))
			return 0;
	return 1;
}

/* a scan for o among the entries: a ready one that serves (*found), or one
 * with the same settings still being made (wait for it); NULL: none */
static struct entry *find(struct fw_scan_cache *c, const char *settings, const struct fw_scan_opts *o,
			  int *pending)
{
	*pending = 0;
	for (struct entry *e = c->entries; e; e = e->next) {
		if (strcmp(e->settings, settings))
			continue;
		if (!e->ready)
			*pending = 1;
		else if (deps_match(e, o))
			return e;
	}
	return NULL;
}

static void give_copy(const struct entry *e, const struct fw_scan_opts *o, struct fw_scan *out)
{
	fw_scan_copy(out, &e->scan);
	for (size_t i = 0; i < e->warnings.nr; i++)
		fw_emit_warn(o->obs, "%s", e->warnings.v[i]);
}

/* the scanning target's own observer, and a record of its warnings */
struct recorder {
	const struct fw_observer *inner;
	struct strvec *warnings;
};

static void record(void *ctx, const struct fw_event *ev)
{
	struct recorder *r = ctx;
	if (ev->kind == FW_EV_WARNING && ev->text)
		strvec_push(r->warnings, ev->text);
	fw_emit(r->inner, ev);
}

/* scan for o into the new entry e (the lock is not held) */
static int scan_into(struct entry *e, const struct fw_scan_opts *o, struct fw_error *err)
{
	struct recorder rec = { o->obs, &e->warnings };
	struct fw_observer obs = { record, &rec, o->obs ? o->obs->debug : 0 };
	struct fw_placeholders ph;
	struct fw_scan_opts mine = *o;
	int ret;
	mine.obs = &obs;
	if (o->placeholders) {
		fw_placeholders_copy(&ph, o->placeholders);
		ph.used = &e->dep_names;
		mine.placeholders = &ph;
	}
	ret = fw_scan_run(&mine, &e->scan, err);
	if (o->placeholders)
		fw_placeholders_release(&ph);
	for (size_t i = 0; i < e->dep_names.nr; i++)
		strvec_push(&e->dep_values, ph_value(o, e->dep_names.v[i]));
	return ret;
}

static void unlink_entry(struct fw_scan_cache *c, struct entry *e)
{
	for (struct entry **p = &c->entries; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			c->nr--;
			return;
		}
}

int fw_scan_cached(struct fw_scan_cache *c, const struct fw_scan_opts *o, struct fw_scan *out,
		   struct fw_error *err)
{
	char *settings = settings_key(o);
	struct entry *e;
	int pending, ret;
	pthread_mutex_lock(&c->mu);
	while (!(e = find(c, settings, o, &pending)) && pending)
		pthread_cond_wait(&c->cv, &c->mu);
	if (e) {
		c->copies++;
		pthread_mutex_unlock(&c->mu);
		free(settings);
		give_copy(e, o, out);
		return 0;
	}
	c->scans++;
	if (c->nr >= MAX_ENTRIES) {
		pthread_mutex_unlock(&c->mu);
		free(settings);
		return fw_scan_run(o, out, err);
	}
	e = xcalloc(1, sizeof(*e));
	e->settings = settings;
	e->next = c->entries;
	c->entries = e;
	c->nr++;
	pthread_mutex_unlock(&c->mu);

	ret = scan_into(e, o, err);

	pthread_mutex_lock(&c->mu);
	if (ret < 0) {
		/* each target then finds out for itself (the error names its files) */
		unlink_entry(c, e);
		entry_free(e);
	} else {
		e->ready = 1;
	}
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (ret == 0)
		fw_scan_copy(out, &e->scan);
	return ret;
}
