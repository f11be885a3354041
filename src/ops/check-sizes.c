/* check -code on a database: how big is the table a finding would lock or
 * rewrite (see check.h). A warning about an ALTER reads the same for a
 * 10,000-row table and a 3-million-row one; with its size it does not, and
 * above check.largeTableRows it is an error, so check.code.failOnError (or a
 * fleet's code pre-flight) stops the rollout. */
#include "ops/check.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LARGE_TABLE_ROWS 1000000LL

long long fw_check_large_table_rows(const struct fw_config *cfg)
{
	const char *s = fw_config_setting(cfg, "check.largeTableRows");
	long long n = s ? atoll(s) : DEFAULT_LARGE_TABLE_ROWS;
	return n < 0 ? 0 : n;
}

/* 3000000 as 3,000,000 */
static void add_count(struct strbuf *out, long long n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%lld", n < 0 ? -n : n);
	if (n < 0)
		strbuf_addch(out, '-');
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			strbuf_addch(out, ',');
		strbuf_addch(out, digits[i]);
	}
}

static void add_bytes(struct strbuf *out, long long b)
{
	static const char *const units[] = { "bytes", "kB", "MB", "GB", "TB" };
	double v = (double)b;
	int u = 0;
	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	if (u)
		strbuf_addf(out, "%.1f %s", v, units[u]);
	else
		strbuf_addf(out, "%lld bytes", b);
}

/* the finding's message gets the size, and a table over the limit makes it an error */
static void note_size(struct fw_lint_finding *f, const struct db_table_size *sz, long long limit,
		      const char *shown)
{
	struct strbuf msg = STRBUF_INIT;
	int large = sz->rows > limit;
	strbuf_addf(&msg, "%s; table %s has ", f->message, shown);
	strbuf_addstr(&msg, sz->how == DB_ROWS_ESTIMATE ? "about " : sz->how == DB_ROWS_AT_LEAST ? "more than " : "");
	add_count(&msg, sz->how == DB_ROWS_AT_LEAST ? limit : sz->rows);
	strbuf_addf(&msg, " row%s", sz->rows == 1 ? "" : "s");
	if (sz->bytes >= 0) {
		strbuf_addstr(&msg, " (");
		add_bytes(&msg, sz->bytes);
		strbuf_addch(&msg, ')');
	}
	if (large) {
		strbuf_addstr(&msg, ", over check.largeTableRows=");
		add_count(&msg, limit);
	}
	free(f->message);
	f->message = strbuf_detach(&msg, NULL);
	f->rows = sz->rows;
	f->bytes = sz->bytes;
	f->rows_how = sz->how == DB_ROWS_ESTIMATE ? FW_ROWS_ESTIMATE
		      : sz->how == DB_ROWS_AT_LEAST ? FW_ROWS_AT_LEAST : FW_ROWS_EXACT;
	if (large)
		f->error = 1;
}

/* the sizes looked up so far: a table named by several findings is asked once */
struct seen {
	struct strvec keys;
	struct db_table_size *v;
	size_t alloc;
};

static int lookup(struct fw_target *t, struct seen *cache, const char *schema, const char *table, long long limit,
		  struct db_table_size **out, struct fw_error *err)
{
	struct strbuf key = STRBUF_INIT;
	size_t i;
	strbuf_addf(&key, "%s.%s", schema, table);
	for (i = 0; i < cache->keys.nr; i++)
		if (!strcmp(cache->keys.v[i], key.buf))
			break;
	if (i == cache->keys.nr) {
		ALLOC_GROW(cache->v, i + 1, cache->alloc);
		if (db_table_size(t->db, schema, table, limit, &cache->v[i], err) < 0) {
			strbuf_release(&key);
			return -1;
		}
		strvec_push(&cache->keys, key.buf);
	}
	strbuf_release(&key);
	*out = &cache->v[i];
	return 0;
}

int fw_check_table_sizes(struct fw_target *t, struct fw_lint *l, struct fw_error *err)
{
	long long limit = fw_check_large_table_rows(t->cfg);
	struct seen cache = { STRVEC_INIT, NULL, 0 };
	int ret = 0;
	for (size_t i = 0; i < l->nr && !ret; i++) {
		struct fw_lint_finding *f = &l->v[i];
		const char *schema = f->table_schema ? f->table_schema : t->schema;
		struct db_table_size *sz;
		struct strbuf shown = STRBUF_INIT;
		if (!f->table || strcmp(f->engine, "fleetway") || !fw_lint_rule_locks_table(f->code))
			continue;
		if (lookup(t, &cache, schema, f->table, limit, &sz, err) < 0) {
			ret = -1;
			break;
		}
		if (sz->found) {
			strbuf_addf(&shown, "%s.%s", fw_target_shown(t, schema), f->table);
			note_size(f, sz, limit, shown.buf);
		}
		strbuf_release(&shown);
	}
	strvec_clear(&cache.keys);
	free(cache.v);
	return ret;
}
