/* Fleet model: [fleets.NAME] parsing, target expansion, waves, per-target config. */
#include "fleet/fleet.h"
#include "util/duration.h"
#include "config/toml.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#define DEFAULT_PARALLEL 8

static const char *const known_keys[] = {
	"targets", "canary", "waves", "parallel", "parallelPerServer", "pause", "preflight", "inventory",
	"template", "url", "user", "password", "newDatabases", "description", "gate", "gateSql", "gateTimeout",
	"gateRetry", NULL,
};

/* ---------------------------------------------------------------- helpers */

int fw_fleet_is_glob(const char *pattern)
{
	return strpbrk(pattern, "*?[") != NULL;
}

int fw_fleet_glob_match(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, 0) == 0;
}

int fw_fleet_parse_duration(const char *s, long *ms, struct fw_error *err)
{
	return fw_parse_duration(s, ms, err);
}

/* one share of `waves`: a percentage (pct=1) or a count */
static int parse_share(const char *s, double *value, int *pct, struct fw_error *err)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	*value = strtod(s, &end);
	if (end == s)
		goto bad;
	*pct = *end == '%';
	if (*pct)
		end++;
	while (isspace((unsigned char)*end))
		end++;
	if (*end || *value <= 0 || (*pct && *value > 100) ||
	    (!*pct && *value != floor(*value)))
		goto bad;
	return 0;
bad:
	return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			      "invalid wave '%s': use a share of the remaining targets such as \"10%%\", or a count such as \"5\"",
			      s);
}

int fw_fleet_wave_ends(size_t n, const struct strvec *shares, size_t **ends, size_t *nr_ends,
		       struct strvec *labels, struct fw_error *err)
{
	double last_pct = 0, last_count = 0;
	size_t prev = 0, nr = 0;
	size_t *out = xcalloc(shares->nr + 2, sizeof(*out));
	for (size_t i = 0; i < shares->nr; i++) {
		double v = 0;
		int pct = 0;
		size_t end;
		if (parse_share(shares->v[i], &v, &pct, err) < 0)
			goto fail;
		/* shares are cumulative: each says how far the rollout has got */
		if ((pct && v <= last_pct) || (!pct && v <= last_count)) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				       "waves must be cumulative and increasing: '%s' does not go beyond the wave before it",
				       shares->v[i]);
			fw_error_hint(err, "waves = [\"10%%\", \"50%%\", \"100%%\"] means 10%%, then up to half, then all");
			goto fail;
		}
		if (pct) {
			last_pct = v;
			/* rounded up, so that a small share of a small fleet is still one target;
			 * the epsilon keeps 10% of 100 at 10 despite floating point */
			end = (size_t)ceil((double)n * v / 100.0 - 1e-9);
		} else {
			last_count = v;
			end = v > (double)n ? n : (size_t)v;
		}
		if (end > n)
			end = n;
		if (end <= prev)
			continue;
		out[nr++] = end;
		prev = end;
		if (labels)
			strvec_push(labels, shares->v[i]);
	}
	if (prev < n) {
		/* what the configured waves leave over forms the last wave */
		out[nr++] = n;
		if (labels)
			strvec_push(labels, "100%");
	}
	*ends = out;
	*nr_ends = nr;
	return 0;
fail:
	free(out);
	return -1;
}

/* ---------------------------------------------------------------- members */

static struct fw_fleet_member *add_member(struct fw_fleet *f, const char *name)
{
	struct fw_fleet_member *m;
	ALLOC_GROW(f->m, f->nr + 1, f->alloc);
	m = &f->m[f->nr++];
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	return m;
}

static void member_release(struct fw_fleet_member *m)
{
	free(m->name);
	free(m->environment);
	free(m->url);
	free(m->user);
	free(m->password);
	strvec_clear(&m->ph_names);
	strvec_clear(&m->ph_values);
}

static ssize_t find_member(const struct fw_fleet *f, const char *name)
{
	for (size_t i = 0; i < f->nr; i++)
		if (!strcmp(f->m[i].name, name))
			return (ssize_t)i;
	return -1;
}

void fw_fleet_release(struct fw_fleet *f)
{
	for (size_t i = 0; i < f->nr; i++)
		member_release(&f->m[i]);
	free(f->m);
	for (size_t i = 0; i < f->nr_waves; i++)
		free(f->waves[i].name);
	free(f->waves);
	strvec_clear(&f->shares);
	free(f->name);
	free(f->inventory);
	free(f->template_env);
	free(f->tmpl_url);
	free(f->tmpl_user);
	free(f->tmpl_password);
	strvec_clear(&f->gates);
	free(f->gate_sql);
	strvec_clear(&f->warnings);
	memset(f, 0, sizeof(*f));
}

/* ---------------------------------------------------------------- reading the table */

struct reader {
	const struct fw_settings *s;
	const char *fleet;
	struct fw_error *err;
};

static int type_error(struct reader *r, const char *key, const struct toml_value *v, const char *want)
{
	const char *where = fw_settings_source_of(r->s, v);
	fw_errorf_exit(r->err, FW_EXIT_USAGE, "CONFIGURATION", "fleets.%s.%s must be %s, not %s", r->fleet,
		       key, want, toml_type_name(v->type));
	if (where)
		fw_error_detail(r->err, "at %s", where);
	return -1;
}

/* a list of strings: a TOML array (integers allowed, as text) or comma-separated text */
static int read_list(struct reader *r, const struct toml_value *tab, const char *key,
		     struct strvec *out)
{
	const struct toml_value *v = toml_get(tab, key);
	if (!v)
		return 0;
	if (v->type == TOML_STRING) {
		strvec_split(out, v->u.str.s, ',');
		return 1;
	}
	if (v->type != TOML_ARRAY)
		return type_error(r, key, v, "a list of strings");
	for (size_t i = 0; i < v->u.arr.nr; i++) {
		const struct toml_value *it = v->u.arr.items[i];
		if (it->type == TOML_STRING)
			strvec_push(out, it->u.str.s);
		else if (it->type == TOML_INTEGER)
			strvec_pushf(out, "%lld", (long long)it->u.i);
		else
			return type_error(r, key, it, "a list of strings");
	}
	return 1;
}

static int read_string(struct reader *r, const struct toml_value *tab, const char *key, char **out)
{
	const struct toml_value *v = toml_get(tab, key);
	if (!v)
		return 0;
	if (v->type != TOML_STRING)
		return type_error(r, key, v, "a string");
	*out = xstrdup(v->u.str.s);
	return 1;
}

/* a whole number in [1, 10000] (a string of digits too: -fleets.X.KEY=N); *out keeps its default when absent */
static int read_count(struct reader *r, const struct toml_value *tab, const char *key, int *out)
{
	const struct toml_value *v = toml_get(tab, key);
	long long n;
	if (!v)
		return 0;
	if (v->type == TOML_INTEGER) {
		n = v->u.i;
	} else if (v->type == TOML_STRING) {
		char *end;
		n = strtoll(v->u.str.s, &end, 10);
		if (end == v->u.str.s || *end)
			return type_error(r, key, v, "a whole number");
	} else {
		return type_error(r, key, v, "a whole number");
	}
	if (n < 1 || n > 10000)
		return fw_errorf_exit(r->err, FW_EXIT_USAGE, "CONFIGURATION",
				      "fleets.%s.%s must be between 1 and 10000, not %lld", r->fleet, key, n);
	*out = (int)n;
	return 0;
}

static int read_bool(struct reader *r, const struct toml_value *tab, const char *key, int *out)
{
	const struct toml_value *v = toml_get(tab, key);
	if (!v)
		return 0;
	if (v->type == TOML_BOOL) {
		*out = v->u.b;
		return 0;
	}
	if (v->type == TOML_STRING && (!strcasecmp(v->u.str.s, "true") || !strcasecmp(v->u.str.s, "false"))) {
		*out = !strcasecmp(v->u.str.s, "true");
		return 0;
	}
	return type_error(r, key, v, "true or false");
}

static int read_pause(struct reader *r, const struct toml_value *tab, long *out)
{
	const struct toml_value *v = toml_get(tab, "pause");
	*out = 0;
	if (!v)
		return 0;
	if (v->type == TOML_INTEGER && v->u.i >= 0) {
		*out = (long)v->u.i * 1000;
		return 0;
	}
	if (v->type != TOML_STRING)
		return type_error(r, "pause", v, "a duration such as \"30s\"");
	if (fw_fleet_parse_duration(v->u.str.s, out, r->err) < 0) {
		fw_error_prefix(r->err, "fleets.%s.pause", r->fleet);
		return -1;
	}
	return 0;
}

/* a duration key ("30s", "5m", or seconds); *out keeps its default when absent */
static int read_duration(struct reader *r, const struct toml_value *tab, const char *key, long *out)
{
	const struct toml_value *v = toml_get(tab, key);
	if (!v)
		return 0;
	if (v->type == TOML_INTEGER && v->u.i >= 0) {
		*out = (long)v->u.i * 1000;
		return 0;
	}
	if (v->type != TOML_STRING)
		return type_error(r, key, v, "a duration such as \"30s\"");
	if (fw_fleet_parse_duration(v->u.str.s, out, r->err) < 0) {
		fw_error_prefix(r->err, "fleets.%s.%s", r->fleet, key);
		return -1;
	}
	return 0;
}

static int read_gates(struct reader *r, const struct toml_value *tab, struct fw_fleet *f)
{
	const struct toml_value *g = toml_get(tab, "gate");
	f->gate_timeout_ms = 10 * 60 * 1000L;
	/* one command may hold commas: a string is one gate, a list several */
	if (g && g->type == TOML_STRING)
		strvec_push(&f->gates, g->u.str.s);
	else if (read_list(r, tab, "gate", &f->gates) < 0)
		return -1;
	if (read_string(r, tab, "gateSql", &f->gate_sql) < 0 ||
	    read_duration(r, tab, "gateTimeout", &f->gate_timeout_ms) < 0 ||
	    read_duration(r, tab, "gateRetry", &f->gate_retry_ms) < 0)
		return -1;
	if (f->gate_timeout_ms <= 0)
		return fw_errorf_exit(r->err, FW_EXIT_USAGE, "CONFIGURATION",
				      "fleets.%s.gateTimeout must be more than 0", r->fleet);
	return 0;
}

static int read_preflight(struct reader *r, const struct toml_value *tab, unsigned *out)
{
	struct strvec items = STRVEC_INIT;
	int given = read_list(r, tab, "preflight", &items);
	int ret = 0;
	*out = given ? 0 : FW_PRE_ALL;
	if (given < 0)
		return -1;
	for (size_t i = 0; i < items.nr; i++) {
		const char *it = items.v[i];
		if (!strcasecmp(it, "validate"))
			*out |= FW_PRE_VALIDATE;
		else if (!strcasecmp(it, "pending"))
			*out |= FW_PRE_PENDING;
		else if (!strcasecmp(it, "dryrun") || !strcasecmp(it, "dry-run"))
			*out |= FW_PRE_DRYRUN;
		else if (!strcasecmp(it, "code"))
			*out |= FW_PRE_CODE;
		else if (!strcasecmp(it, "drift"))
			*out |= FW_PRE_DRIFT;
		else if (!strcasecmp(it, "rehearse"))
			*out |= FW_PRE_REHEARSE;
		else if (!strcasecmp(it, "connect") || !strcasecmp(it, "connection"))
			; /* always done; accepted so that lists can say so */
		else {
			ret = fw_errorf_exit(r->err, FW_EXIT_USAGE, "CONFIGURATION",
					     "fleets.%s.preflight: unknown check '%s'", r->fleet, it);
			fw_error_hint(r->err, "known checks: validate, pending, dryrun, code, drift, rehearse (connecting is always checked)");
			break;
		}
	}
	strvec_clear(&items);
	return ret;
}

static int check_keys(struct reader *r, const struct toml_value *tab)
{
	for (size_t i = 0; i < tab->u.tab.nr; i++) {
		const char *k = tab->u.tab.kv[i].key;
		int known = 0;
		for (size_t j = 0; known_keys[j]; j++)
			known |= !strcmp(known_keys[j], k);
		if (!known) {
			const char *where = fw_settings_source_of(r->s, tab->u.tab.kv[i].value);
			fw_errorf_exit(r->err, FW_EXIT_USAGE, "CONFIGURATION", "unknown key fleets.%s.%s",
				       r->fleet, k);
			if (where)
				fw_error_detail(r->err, "at %s", where);
			fw_error_hint(r->err, "fleet keys are: targets canary waves parallel parallelPerServer pause preflight inventory template url user password newDatabases gate gateSql gateTimeout gateRetry");
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- expanding targets */

static int add_environment_targets(struct reader *r, struct fw_fleet *f, const struct strvec *patterns)
{
	struct strvec envs = STRVEC_INIT;
	int ret = 0;
	fw_settings_environments(r->s, &envs);
	for (size_t i = 0; i < patterns->nr && !ret; i++) {
		const char *p = patterns->v[i];
		size_t matched = 0;
		for (size_t j = 0; j < envs.nr; j++) {
			const char *e = envs.v[j];
			int hit = fw_fleet_is_glob(p) ? fw_fleet_glob_match(p, e) : !strcmp(p, e);
			/* the inventory's template is a settings holder, not a database */
			if (!hit || (fw_fleet_is_glob(p) && f->template_env && !strcmp(e, f->template_env)))
				continue;
			matched++;
			if (find_member(f, e) < 0)
				add_member(f, e)->environment = xstrdup(e);
		}
		if (matched)
			continue;
		if (fw_fleet_is_glob(p)) {
			strvec_pushf(&f->warnings, "fleet '%s': target pattern '%s' matches no environment",
				     f->name, p);
			continue;
		}
		ret = fw_errorf_exit(r->err, FW_EXIT_USAGE, "CONFIGURATION",
				     "fleet '%s': target '%s' is not an environment", f->name, p);
		for (size_t j = 0; j < envs.nr; j++)
			if (!strcasecmp(envs.v[j], p))
				fw_error_hint(r->err, "did you mean '%s'?", envs.v[j]);
		if (!r->err->hint.len)
			fw_error_hint(r->err, "define [environments.%s] in flyway.toml, or list it in the fleet's inventory file", p);
	}
	strvec_clear(&envs);
	return ret;
}

static int load_inventory(struct fw_fleet *f, struct fw_error *err)
{
	struct strbuf text = STRBUF_INIT;
	size_t before = f->nr;
	int ret;
	if (strbuf_read_file(&text, f->inventory) < 0) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "fleet '%s': unable to read inventory %s",
			       f->name, f->inventory);
		fw_error_detail(err, "%s", strerror(errno));
		strbuf_release(&text);
		return -1;
	}
	ret = fw_fleet_inventory_parse(f, text.buf, text.len, f->inventory, err);
	strbuf_release(&text);
	if (ret < 0)
		return -1;
	for (size_t i = before; i < f->nr; i++) {
		struct fw_fleet_member *m = &f->m[i];
		if (!m->url && !f->tmpl_url)
			return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
					      "%s:%d: target '%s' has no url (and fleets.%s has no url template)",
					      f->inventory, m->line, m->name, f->name);
		if (f->template_env)
			m->environment = xstrdup(f->template_env);
	}
	if (f->nr == before)
		strvec_pushf(&f->warnings, "fleet '%s': inventory %s lists no targets", f->name, f->inventory);
	return 0;
}

/* reject a name given twice (an environment and an inventory row, or two rows) */
static int check_unique(const struct fw_fleet *f, struct fw_error *err)
{
	for (size_t i = 0; i < f->nr; i++)
		for (size_t j = i + 1; j < f->nr; j++)
			if (!strcmp(f->m[i].name, f->m[j].name)) {
				fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
					       "fleet '%s': target '%s' is listed twice", f->name, f->m[i].name);
				if (f->m[j].line)
					fw_error_detail(err, "again at %s:%d", f->inventory, f->m[j].line);
				return -1;
			}
	return 0;
}

static int mark_canaries(struct reader *r, struct fw_fleet *f, const struct strvec *patterns)
{
	for (size_t i = 0; i < patterns->nr; i++) {
		const char *p = patterns->v[i];
		size_t matched = 0;
		for (size_t j = 0; j < f->nr; j++)
			if (fw_fleet_is_glob(p) ? fw_fleet_glob_match(p, f->m[j].name) : !strcmp(p, f->m[j].name)) {
				f->m[j].canary = 1;
				matched++;
			}
		if (!matched)
			return fw_errorf_exit(r->err, FW_EXIT_USAGE, "CONFIGURATION",
					      "fleet '%s': canary '%s' is not one of the fleet's targets", f->name, p);
	}
	return 0;
}

/* Order members canaries first (stable) and cut the rest into waves. */
static int place_waves(struct fw_fleet *f, struct fw_error *err)
{
	struct fw_fleet_member *sorted = xcalloc(f->nr + 1, sizeof(*sorted));
	struct strvec labels = STRVEC_INIT;
	size_t k = 0, ncanary, *ends = NULL, nends = 0;
	for (int pass = 1; pass >= 0; pass--)
		for (size_t i = 0; i < f->nr; i++)
			if (f->m[i].canary == pass)
				sorted[k++] = f->m[i];
	free(f->m);
	f->m = sorted;
	f->alloc = f->nr + 1;
	for (ncanary = 0; ncanary < f->nr && f->m[ncanary].canary; ncanary++)
		;
	for (size_t i = 0; i < f->nr_waves; i++)
		free(f->waves[i].name);
	free(f->waves);
	f->waves = NULL;
	f->nr_waves = 0;
	if (fw_fleet_wave_ends(f->nr - ncanary, &f->shares, &ends, &nends, &labels, err) < 0) {
		fw_error_prefix(err, "fleets.%s.waves", f->name);
		strvec_clear(&labels);
		return -1;
	}
	f->waves = xcalloc(nends + 2, sizeof(*f->waves));
	if (ncanary) {
		f->waves[0].name = xstrdup("canary");
		f->waves[0].start = 0;
		f->waves[0].end = ncanary;
		f->nr_waves = 1;
	}
	for (size_t i = 0; i < nends; i++) {
		struct fw_fleet_wave *w = &f->waves[f->nr_waves];
		struct strbuf name = STRBUF_INIT;
		strbuf_addf(&name, "wave %zu (%s)", i + 1, labels.v[i]);
		w->name = strbuf_detach(&name, NULL);
		w->start = i ? f->waves[f->nr_waves - 1].end : ncanary;
		w->end = ncanary + ends[i];
		f->nr_waves++;
	}
	for (size_t w = 0; w < f->nr_waves; w++)
		for (size_t i = f->waves[w].start; i < f->waves[w].end; i++)
			f->m[i].wave = w;
	free(ends);
	strvec_clear(&labels);
	return 0;
}

static int read_table(struct reader *r, const struct toml_value *tab, const char *workdir,
		      struct fw_fleet *f)
{
	struct strvec targets = STRVEC_INIT, canary = STRVEC_INIT;
	char *inventory = NULL;
	int ret = -1;
	f->parallel = DEFAULT_PARALLEL;
	if (check_keys(r, tab) < 0 || read_list(r, tab, "targets", &targets) < 0 ||
	    read_list(r, tab, "canary", &canary) < 0 || read_list(r, tab, "waves", &f->shares) < 0 ||
	    read_count(r, tab, "parallel", &f->parallel) < 0 ||
	    read_count(r, tab, "parallelPerServer", &f->parallel_per_server) < 0 ||
	    read_bool(r, tab, "newDatabases", &f->new_databases) < 0 || read_pause(r, tab, &f->pause_ms) < 0 ||
	    read_preflight(r, tab, &f->preflight) < 0 || read_string(r, tab, "inventory", &inventory) < 0 ||
	    read_string(r, tab, "template", &f->template_env) < 0 ||
	    read_string(r, tab, "url", &f->tmpl_url) < 0 || read_string(r, tab, "user", &f->tmpl_user) < 0 ||
	    read_string(r, tab, "password", &f->tmpl_password) < 0 || read_gates(r, tab, f) < 0)
		goto out;
	if (!targets.nr && !inventory) {
		fw_errorf_exit(r->err, FW_EXIT_USAGE, "CONFIGURATION", "fleet '%s' has no targets", f->name);
		fw_error_hint(r->err, "set targets = [\"env-a\", \"env-b\", \"tenant-*\"] or inventory = \"tenants.csv\" in [fleets.%s]",
			      f->name);
		goto out;
	}
	if (inventory) {
		if (inventory[0] == '/' || !workdir)
			f->inventory = xstrdup(inventory);
		else {
			struct strbuf p = STRBUF_INIT;
			strbuf_addf(&p, "%s/%s", workdir, inventory);
			f->inventory = strbuf_detach(&p, NULL);
		}
	}
	if (add_environment_targets(r, f, &targets) < 0)
		goto out;
	if (f->inventory && load_inventory(f, r->err) < 0)
		goto out;
	if (check_unique(f, r->err) < 0 || mark_canaries(r, f, &canary) < 0 || place_waves(f, r->err) < 0)
		goto out;
	ret = 0;
out:
	free(inventory);
	strvec_clear(&targets);
	strvec_clear(&canary);
	return ret;
}

int fw_fleet_load(const struct fw_settings *s, const char *name, const char *workdir,
		  struct fw_fleet *out, struct fw_error *err)
{
	const struct toml_value *root = fw_settings_root(s);
	const struct toml_value *fleets = root ? toml_get(root, "fleets") : NULL;
	const struct toml_value *tab = fleets ? toml_get(fleets, name) : NULL;
	struct reader r = { s, name, err };
	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	if (!tab || tab->type != TOML_TABLE) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "fleet '%s' not found", name);
		if (fleets && fleets->type == TOML_TABLE && fleets->u.tab.nr) {
			struct strbuf names = STRBUF_INIT;
			for (size_t i = 0; i < fleets->u.tab.nr; i++)
				strbuf_addf(&names, "%s%s", i ? ", " : "", fleets->u.tab.kv[i].key);
			fw_error_detail(err, "fleets defined: %s", names.buf);
			strbuf_release(&names);
		}
		fw_error_hint(err, "define [fleets.%s] with targets = [...] in flyway.toml (see docs/fleet.md)", name);
		fw_fleet_release(out);
		return -1;
	}
	if (read_table(&r, tab, workdir, out) < 0) {
		fw_fleet_release(out);
		return -1;
	}
	return 0;
}

int fw_fleet_select(struct fw_fleet *f, const char *globs, struct fw_error *err)
{
	struct strvec pats = STRVEC_INIT;
	size_t k = 0;
	strvec_split(&pats, globs, ',');
	for (size_t i = 0; i < f->nr; i++) {
		int keep = 0;
		for (size_t j = 0; j < pats.nr && !keep; j++)
			keep = fw_fleet_glob_match(pats.v[j], f->m[i].name);
		if (keep)
			f->m[k++] = f->m[i];
		else
			member_release(&f->m[i]);
	}
	f->nr = k;
	strvec_clear(&pats);
	if (!k)
		return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				      "fleet '%s': no target matches '%s'", f->name, globs);
	return place_waves(f, err);
}

/* ---------------------------------------------------------------- per-target config */

static int expand_into(const char *tmpl, const struct fw_fleet_member *m, const char *what,
		       char **field, struct fw_error *err)
{
	struct strbuf v = STRBUF_INIT;
	if (!tmpl)
		return 0;
	if (fw_fleet_expand(tmpl, m->name, what, &v, err) < 0) {
		strbuf_release(&v);
		return -1;
	}
	free(*field);
	*field = strbuf_detach(&v, NULL);
	return 0;
}

static int apply_inventory(const struct fw_fleet *f, const struct fw_fleet_member *m,
			   struct fw_config *c, struct fw_error *err)
{
	if (expand_into(m->url ? m->url : f->tmpl_url, m, "url", &c->url, err) < 0 ||
	    expand_into(m->user ? m->user : f->tmpl_user, m, "user", &c->user, err) < 0 ||
	    expand_into(m->password ? m->password : f->tmpl_password, m, "password", &c->password, err) < 0)
		return -1;
	redact_register(c->password);
	for (size_t i = 0; i < m->ph_names.nr; i++) {
		struct strbuf v = STRBUF_INIT;
		if (fw_fleet_expand(m->ph_values.v[i], m->name, m->ph_names.v[i], &v, err) < 0) {
			strbuf_release(&v);
			return -1;
		}
		fw_kv_set(&c->placeholders, m->ph_names.v[i], v.buf);
		strbuf_release(&v);
	}
	free(c->environment);
	c->environment = xstrdup(m->name);
	return 0;
}

int fw_fleet_member_config(const struct fw_settings *s, const struct fw_fleet *f,
			   const struct fw_fleet_member *m, struct fw_config *out,
			   struct fw_error *err)
{
	memset(out, 0, sizeof(*out));
	if (fw_config_resolve_member(s, m->environment, out, err) < 0) {
		fw_error_prefix(err, "target '%s'", m->name);
		return -1;
	}
	redact_register(out->password);
	if (m->from_inventory && apply_inventory(f, m, out, err) < 0) {
		fw_config_release(out);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
