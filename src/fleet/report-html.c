/* The fleet report as one HTML page, drawn from the report's JSON document
 * alone (so page and document always agree). Pictures are inline SVG, the
 * style is inline, there is no script and nothing from the network.
 *
 * Top to bottom: a summary card (outcome, how many targets on which version,
 * who ran it where, the command line, the commit), the version distribution
 * before and after, a timeline with one bar per target grouped by wave and
 * coloured by outcome, then each wave's targets (those that need attention
 * in full, the successful ones folded away in groups) and the logs. A
 * 1,000-target report stays a few hundred KB: successful targets are listed
 * compactly and their logs only while a budget lasts (the JSON has all). */
#include "fleet/report.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* successful targets of one group listed as table rows up to this many, compactly beyond */
#define GROUP_ROWS_MAX 20
/* a wave's targets each get a timeline row of their own up to this many; beyond, they share rows */
#define TIMELINE_OWN_ROWS_MAX 24
/* bytes of successful targets' logs on the page; the JSON report holds every line */
#define OK_LOG_BUDGET (40 * 1024)
/* lines of one log on the page */
#define LOG_LINES_MAX 200

static const char *sget(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long iget(const json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

static void duration(struct strbuf *out, long ms)
{
	if (ms < 1000)
		strbuf_addf(out, "%ld ms", ms);
	else if (ms < 60000)
		strbuf_addf(out, "%.1f s", (double)ms / 1000.0);
	else
		strbuf_addf(out, "%ld min %ld s", ms / 60000, (ms / 1000) % 60);
}

/* a status word as a CSS class: "not started" -> "not-started" */
static void status_class(struct strbuf *out, const char *st)
{
	for (const char *p = st ? st : "unknown"; *p; p++)
		strbuf_addch(out, *p == ' ' ? '-' : *p);
}

/* the statuses of a target that went as planned (or, where a pre-flight
 * stopped the run, had nothing found: it waits with its migrations pending) */
static int succeeded(const char *st)
{
	return st && (!strcmp(st, "migrated") || !strcmp(st, "up to date") || !strcmp(st, "ok") ||
		      !strcmp(st, "pending"));
}

/* what a target's status says to a person: "pending 3", "not started at 8" */
static const char *status_text(const json_t *t)
{
	return sget(t, "statusText") ? sget(t, "statusText") : sget(t, "status");
}

/* a target the run never reached: nothing to tell but its name */
static int not_reached(const char *st)
{
	return st && (!strcmp(st, "not started") || !strcmp(st, "waiting"));
}

static const char *version_text(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "<< Empty Schema >>";
}

/* a target's version `key`: null is an empty schema only where it was read */
static const char *target_version(const json_t *t, const char *key)
{
	if (json_is_false(json_object_get(t, "versionKnown")))
		return "not known";
	return version_text(json_object_get(t, key));
}

/* one colour per outcome: SVG bars (fill) and the swatches beside words (background) */
static const struct {
	const char *cls, *color;
} outcome_colors[] = {
	{ "migrated", "#2e7d32" }, { "ok", "#2e7d32" }, { "up-to-date", "#8bc34a" },
	{ "findings", "#ef6c00" }, { "failed", "#c62828" }, { "halted", "#f9a825" },
	{ "interrupted", "#6a1b9a" }, { "running", "#1e88e5" }, { "waiting", "#9e9e9e" },
	{ "not-started", "#bdbdbd" },
};

static void style(struct strbuf *out)
{
	strbuf_addstr(out,
		"<style>"
		"body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1.5em;color:#222}"
		"h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .5em}"
		"table{border-collapse:collapse;width:100%}"
		"th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
		"th{background:#f3f3f3}code,pre{font:12px/1.3 ui-monospace,monospace}"
		"pre{white-space:pre-wrap;margin:0}ul{margin:0;padding-left:1.2em}"
		".card{border:1px solid #ccc;border-left:10px solid #c62828;border-radius:6px;padding:1em 1.4em;"
		"background:#fafafa}.card.success{border-left-color:#2e7d32}"
		".headline{font-size:1.25em;margin:.2em 0 .6em}"
		"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em;margin:.8em 0 0}"
		"dl.facts dt{color:#666}dl.facts dd{margin:0}code.cmd{word-break:break-all}"
		".outcome-success{color:#2e7d32}.outcome-other{color:#c62828}"
		"ul.counts{list-style:none;padding:0;margin:0}ul.counts li{display:inline-block;margin-right:1.4em}"
		".sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em;"
		"vertical-align:-.05em}"
		"svg{width:100%;height:auto;display:block}svg text{font:11px system-ui,sans-serif;fill:#222}"
		"svg .grid{stroke:#ddd}svg .phase{fill:#f4f4f4}svg .phase.odd{fill:#fbfbfb}"
		"svg .wave-label{font-weight:bold}svg .small{font-size:10px;fill:#555}"
		"svg rect.before{fill:#b0bec5}svg rect.after,svg rect.now{fill:#1565c0}"
		"tr.failed td.status,tr.halted td.status,tr.interrupted td.status,tr.findings td.status"
		"{color:#c62828;font-weight:bold}tr.migrated td.status,tr.ok td.status{color:#2e7d32}"
		".gate-fail{color:#c62828}.gate-pass{color:#2e7d32}tr.gate-fail td.status{font-weight:bold}"
		"tr.not-started td{color:#777}"
		"details.group{margin:.4em 0}details.group>summary{cursor:pointer}"
		".names{margin:.4em 0 .4em 1.2em}.names .t{display:inline-block;min-width:12em}"
		".names small{color:#777}");
	for (size_t i = 0; i < sizeof(outcome_colors) / sizeof(outcome_colors[0]); i++)
		strbuf_addf(out, ".s-%s{fill:%s;background:%s}", outcome_colors[i].cls, outcome_colors[i].color,
			    outcome_colors[i].color);
	strbuf_addstr(out, "</style>\n");
}

static void swatch(struct strbuf *out, const char *status)
{
	strbuf_addstr(out, "<span class=\"sw s-");
	status_class(out, status);
	strbuf_addstr(out, "\"></span>");
}

/* ---------------------------------------------------------------- summary card */

/* "997 of 1000 targets on version 42; 3 on version 41." (most first) */
static void headline(struct strbuf *out, const json_t *doc, int migrate)
{
	const json_t *versions = json_object_get(doc, "versions");
	const char *key = migrate ? "after" : "targets";
	size_t total = json_array_size(json_object_get(doc, "targets")), shown = 0, n = json_array_size(versions);
	int *done = xcalloc(n ? n : 1, sizeof(*done));
	for (size_t k = 0; k < n && shown < 4; k++) {
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (!done[i] && iget(json_array_get(versions, i), key) > 0 &&
			    (best == n || iget(json_array_get(versions, i), key) >
						  iget(json_array_get(versions, best), key)))
				best = i;
		if (best == n)
			break;
		done[best] = 1;
		{
			const json_t *v = json_array_get(versions, best);
			long c = iget(v, key);
			const char *label = sget(v, "label");
			if (!shown && (size_t)c == total)
				strbuf_addf(out, "%s %zu target%s ", total == 1 ? "The" : total == 2 ? "Both" : "All",
					    total, total == 1 ? "" : "s");
			else if (!shown)
				strbuf_addf(out, "%ld of %zu target%s ", c, total, total == 1 ? "" : "s");
			else
				strbuf_addf(out, "; %ld ", c);
			if (json_is_string(json_object_get(v, "version"))) {
				strbuf_addstr(out, "on version <b>");
				fw_html_escape(out, label);
				strbuf_addstr(out, "</b>");
			} else {
				strbuf_addstr(out, !strcmp(label, "unknown") ? "not known" : "with an empty schema");
			}
		}
		shown++;
	}
	strbuf_addstr(out, shown == 4 && n > 4 ? "; &hellip;" : ".");
	free(done);
}

/* every target on one version (after the run) */
static int on_one_version(const json_t *doc, int migrate)
{
	const json_t *versions = json_object_get(doc, "versions");
	size_t total = json_array_size(json_object_get(doc, "targets"));
	for (size_t i = 0; i < json_array_size(versions); i++)
		if ((size_t)iget(json_array_get(versions, i), migrate ? "after" : "targets") == total)
			return 1;
	return 0;
}

static void fact(struct strbuf *out, const char *term, const char *id)
{
	strbuf_addf(out, "<dt>%s</dt><dd id=\"%s\">", term, id);
}

/* a fact that is code (a command line, a folder), left out when not known */
static void code_fact(struct strbuf *out, const char *term, const char *id, const char *text)
{
	if (!text)
		return;
	fact(out, term, id);
	strbuf_addstr(out, "<code class=\"cmd\">");
	fw_html_escape(out, text);
	strbuf_addstr(out, "</code></dd>");
}

static void summary_card(struct strbuf *out, const json_t *doc, int migrate)
{
	const char *outcome = sget(doc, "outcome");
	const json_t *inv = json_object_get(doc, "invocation");
	const json_t *verify = json_object_get(doc, "verify");
	const char *key, *commit = sget(inv, "gitCommit");
	json_t *v;
	int ok = outcome && !strcmp(outcome, "success");
	strbuf_addf(out, "<header class=\"card%s\" id=\"summary\">\n<h1>Fleet <code>", ok ? " success" : "");
	fw_html_escape(out, sget(doc, "fleet"));
	strbuf_addstr(out, "</code>: ");
	fw_html_escape(out, sget(doc, "command"));
	strbuf_addf(out, " &mdash; <span id=\"outcome\" class=\"%s\">", ok ? "outcome-success" : "outcome-other");
	fw_html_escape(out, outcome);
	strbuf_addstr(out, "</span></h1>\n<p class=\"headline\" id=\"headline\">");
	headline(out, doc, migrate);
	strbuf_addstr(out, "</p>\n<ul class=\"counts\">");
	json_object_foreach((json_t *)json_object_get(doc, "summary"), key, v) {
		strbuf_addstr(out, "<li>");
		swatch(out, key);
		strbuf_addf(out, "%ld ", (long)json_integer_value(v));
		fw_html_escape(out, key);
		strbuf_addstr(out, "</li>");
	}
	strbuf_addstr(out, "</ul>\n<dl class=\"facts\">");
	fact(out, "Ran by", "ran-by");
	fw_html_escape(out, sget(inv, "user") ? sget(inv, "user") : "(unknown)");
	strbuf_addstr(out, " on <span id=\"host\">");
	fw_html_escape(out, sget(inv, "host") ? sget(inv, "host") : "(unknown host)");
	strbuf_addstr(out, "</span></dd>");
	code_fact(out, "Command", "command-line", sget(inv, "commandLine"));
	if (commit) {
		fact(out, "Commit", "git-commit");
		strbuf_addstr(out, "<code title=\"");
		fw_html_escape(out, commit);
		strbuf_addf(out, "\">%.12s</code>", commit);
		if (sget(inv, "gitBranch")) {
			strbuf_addstr(out, " on branch <code>");
			fw_html_escape(out, sget(inv, "gitBranch"));
			strbuf_addstr(out, "</code>");
		}
		strbuf_addstr(out, "</dd>");
	}
	code_fact(out, "Folder", "workdir", sget(inv, "workingDirectory"));
	fact(out, "When", "when");
	strbuf_addstr(out, "started ");
	fw_html_escape(out, sget(doc, "startedAt"));
	strbuf_addstr(out, ", finished ");
	fw_html_escape(out, sget(doc, "finishedAt"));
	strbuf_addstr(out, " (");
	duration(out, iget(doc, "durationMs"));
	strbuf_addstr(out, ")</dd>");
	fact(out, "Fleet", "shape");
	strbuf_addf(out, "%zu targets in %zu waves, up to %ld at once</dd>",
		    json_array_size(json_object_get(doc, "targets")), json_array_size(json_object_get(doc, "waves")),
		    iget(doc, "parallel"));
	if (verify) {
		fact(out, "Verification", "verify");
		strbuf_addstr(out, "Post-flight verification: ");
		if (json_is_true(json_object_get(verify, "ok")) && on_one_version(doc, migrate)) {
			strbuf_addstr(out, "every target is on version ");
			fw_html_escape(out, version_text(json_object_get(verify, "version")));
		} else {
			/* what the run said: regional variants on their own versions, or
			 * what the targets that differ have ("6 targets have 2 pending") */
			fw_html_escape(out, sget(verify, "summary") ? sget(verify, "summary") : "targets differ");
		}
		strbuf_addstr(out, ".</dd>");
	}
	strbuf_addstr(out, "</dl>\n</header>\n");
}

/* ---------------------------------------------------------------- versions chart */

#define CHART_W 1000
#define LABEL_W 170         /* left column: names */
#define PLOT_X 176
#define PLOT_W 760

static void versions_chart(struct strbuf *out, const json_t *doc, int migrate)
{
	const json_t *versions = json_object_get(doc, "versions");
	size_t n = json_array_size(versions), i;
	long most = 1;
	int row_h = migrate ? 30 : 18, top = migrate ? 22 : 4;
	json_t *v;
	if (!n)
		return;
	json_array_foreach(versions, i, v) {
		long a = migrate ? iget(v, "before") : iget(v, "targets"), b = migrate ? iget(v, "after") : 0;
		most = a > most ? a : most;
		most = b > most ? b : most;
	}
	strbuf_addf(out, "<section class=\"versions\"><h2>Versions</h2>\n<svg id=\"versions\" viewBox=\"0 0 %d %d\" "
			 "role=\"img\" aria-label=\"targets per version\">\n",
		    CHART_W, top + (int)n * row_h + 4);
	if (migrate)
		strbuf_addf(out, "<rect class=\"before\" x=\"%d\" y=\"4\" width=\"10\" height=\"10\"/>"
				 "<text x=\"%d\" y=\"13\">before</text>"
				 "<rect class=\"after\" x=\"%d\" y=\"4\" width=\"10\" height=\"10\"/>"
				 "<text x=\"%d\" y=\"13\">after</text>\n",
			    PLOT_X, PLOT_X + 14, PLOT_X + 70, PLOT_X + 84);
	json_array_foreach(versions, i, v) {
		int y = top + (int)i * row_h;
		const char *label = sget(v, "label");
		strbuf_addstr(out, "<g class=\"dist\" data-version=\"");
		fw_html_escape(out, label);
		strbuf_addf(out, "\"><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W, y + (migrate ? 18 : 12));
		if (json_is_string(json_object_get(v, "version")))
			strbuf_addstr(out, "version ");
		fw_html_escape(out, !strcmp(label, "unknown") ? "not known" : label);
		strbuf_addstr(out, "</text>");
		for (int side = 0; side < (migrate ? 2 : 1); side++) {
			const char *cls = migrate ? (side ? "after" : "before") : "now";
			long c = iget(v, migrate ? cls : "targets");
			double w = (double)c * PLOT_W / (double)most;
			int by = y + side * 12;
			strbuf_addf(out, "<rect class=\"%s\" data-count=\"%ld\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"11\">"
					 "<title>%ld target%s %s</title></rect>",
				    cls, c, PLOT_X, by, w, c, c == 1 ? "" : "s", migrate ? cls : "now");
			if (c)
				strbuf_addf(out, "<text class=\"small\" x=\"%.1f\" y=\"%d\">%ld</text>", PLOT_X + w + 4,
					    by + 9, c);
		}
		strbuf_addstr(out, "</g>\n");
	}
	strbuf_addstr(out, "</svg></section>\n");
}

/* ---------------------------------------------------------------- timeline */

struct bar {
	const json_t *t;
	long start, ms;
	int lane;
};

struct timeline {
	long total;             /* ms the x axis spans */
	int y;                  /* next free row */
};

static double tx(const struct timeline *tl, long ms)
{
	return PLOT_X + (double)ms * PLOT_W / (double)tl->total;
}

static int bar_cmp(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Targets in a wave share rows the way the workers did: each bar goes on the
 * first row free by its start, so a wave is as tall as it was parallel.
 * Small waves get a row per target, with its name. Returns the rows used. */
static int assign_lanes(struct bar *bars, size_t n)
{
	long *ends;
	int lanes = 0;
	if (n <= TIMELINE_OWN_ROWS_MAX) {
		for (size_t i = 0; i < n; i++)
			bars[i].lane = (int)i;
		return (int)n;
	}
	if (n > 1)
		qsort(bars, n, sizeof(*bars), bar_cmp);
	ends = xcalloc(n, sizeof(*ends));
	for (size_t i = 0; i < n; i++) {
		int l = 0;
		while (l < lanes && ends[l] > bars[i].start + 1) /* 1 ms: start and duration are rounded apart */
			l++;
		if (l == lanes)
			lanes++;
		ends[l] = bars[i].start + (bars[i].ms > 0 ? bars[i].ms : 1);
		bars[i].lane = l;
	}
	free(ends);
	return lanes;
}

/* the page is generated with the text a name gets in the left column cut to fit */
static void short_name(struct strbuf *out, const char *name)
{
	size_t n = strlen(name);
	if (n <= 28) {
		fw_html_escape(out, name);
		return;
	}
	{
		char *cut = xstrndup(name, 27);
		fw_html_escape(out, cut);
		strbuf_addstr(out, "&hellip;");
		free(cut);
	}
}

static void wave_bars(struct strbuf *out, struct timeline *tl, const json_t *doc, const json_t *wave)
{
	const char *name = sget(wave, "name");
	const json_t *targets = json_object_get(doc, "targets");
	size_t n = 0, waiting = 0, i;
	struct bar *bars = xcalloc(json_array_size(targets) + 1, sizeof(*bars));
	int lanes, own, lane_h;
	json_t *t;
	json_array_foreach(targets, i, t) {
		if (strcmp(sget(t, "wave"), name))
			continue;
		if (!json_is_integer(json_object_get(t, "startOffsetMs"))) {
			waiting++;
			continue;
		}
		bars[n].t = t;
		bars[n].start = iget(t, "startOffsetMs");
		bars[n].ms = iget(t, "durationMs");
		n++;
	}
	lanes = assign_lanes(bars, n);
	own = n <= TIMELINE_OWN_ROWS_MAX;
	lane_h = own ? 12 : 6;
	strbuf_addf(out, "<g class=\"wave\" data-wave=\"");
	fw_html_escape(out, name);
	strbuf_addf(out, "\"><text class=\"wave-label\" x=\"0\" y=\"%d\">", tl->y + 11);
	short_name(out, name);
	strbuf_addf(out, "<tspan class=\"small\"> &middot; %zu target%s", n + waiting, n + waiting == 1 ? "" : "s");
	if (!own)
		strbuf_addf(out, " on %d rows", lanes);
	if (waiting)
		strbuf_addf(out, ", %zu not started", waiting);
	strbuf_addstr(out, "</tspan></text>\n");
	tl->y += 15;
	for (i = 0; i < n; i++) {
		const char *tname = sget(bars[i].t, "name"), *st = sget(bars[i].t, "status");
		double x = tx(tl, bars[i].start), w = (double)bars[i].ms * PLOT_W / (double)tl->total;
		int y = tl->y + bars[i].lane * lane_h;
		if (own) {
			strbuf_addf(out, "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W, y + 9);
			short_name(out, tname);
			strbuf_addstr(out, "</text>");
		}
		strbuf_addstr(out, "<rect class=\"s-");
		status_class(out, st);
		strbuf_addf(out, "\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>", x, y, w < 1 ? 1.0 : w,
			    lane_h - (own ? 3 : 2));
		fw_html_escape(out, tname);
		strbuf_addstr(out, ": ");
		fw_html_escape(out, status_text(bars[i].t));
		strbuf_addstr(out, ", ");
		duration(out, bars[i].ms);
		strbuf_addstr(out, "</title></rect>\n");
	}
	tl->y += lanes * lane_h + 8;
	strbuf_addstr(out, "</g>\n");
	free(bars);
}

/* round steps for the time axis: 1, 2, 5 times a power of ten, about six of them */
static long tick_step(long total)
{
	long step = 1;
	while (step * 6 < total) {
		if (step * 2 * 6 >= total)
			return step * 2;
		if (step * 5 * 6 >= total)
			return step * 5;
		step *= 10;
	}
	return step;
}

/* the steps of the run as bands behind the bars, with the time axis over them */
static void timeline_background(struct strbuf *out, struct timeline *tl, const json_t *doc, int height)
{
	const json_t *phases = json_object_get(doc, "phases");
	long step = tick_step(tl->total);
	size_t i;
	json_t *p;
	json_array_foreach(phases, i, p) {
		double x = tx(tl, iget(p, "offsetMs")), w = (double)iget(p, "durationMs") * PLOT_W / (double)tl->total;
		const char *name = sget(p, "name");
		strbuf_addf(out, "<rect class=\"phase%s\" x=\"%.1f\" y=\"16\" width=\"%.1f\" height=\"%d\"/>",
			    i % 2 ? " odd" : "", x, w, height - 16);
		/* a name only where it fits */
		if (name && w >= 6.5 * (double)strlen(name)) {
			strbuf_addf(out, "<text class=\"small\" x=\"%.1f\" y=\"28\">", x + 3);
			fw_html_escape(out, name);
			strbuf_addstr(out, "</text>");
		}
		strbuf_addch(out, '\n');
	}
	for (long ms = 0; ms <= tl->total; ms += step) {
		double x = tx(tl, ms);
		strbuf_addf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"16\" x2=\"%.1f\" y2=\"%d\"/>"
				 "<text class=\"small\" x=\"%.1f\" y=\"12\" text-anchor=\"middle\">",
			    x, x, height, x);
		duration(out, ms);
		strbuf_addstr(out, "</text>");
	}
	strbuf_addch(out, '\n');
}

/* the rows the waves take, to size the picture before drawing it */
static int timeline_height(const json_t *doc)
{
	int h = 36;
	size_t i, j;
	json_t *wave, *t;
	json_array_foreach(json_object_get(doc, "waves"), i, wave) {
		size_t n = 0;
		struct bar *bars = xcalloc(json_array_size(json_object_get(doc, "targets")) + 1, sizeof(*bars));
		json_array_foreach(json_object_get(doc, "targets"), j, t)
			if (!strcmp(sget(t, "wave"), sget(wave, "name")) &&
			    json_is_integer(json_object_get(t, "startOffsetMs"))) {
				bars[n].start = iget(t, "startOffsetMs");
				bars[n].ms = iget(t, "durationMs");
				n++;
			}
		h += 15 + assign_lanes(bars, n) * (n <= TIMELINE_OWN_ROWS_MAX ? 12 : 6) + 8;
		free(bars);
	}
	return h;
}

static void timeline_legend(struct strbuf *out, const json_t *doc)
{
	const char *key;
	json_t *v;
	strbuf_addstr(out, "<ul class=\"counts legend\">");
	json_object_foreach((json_t *)json_object_get(doc, "summary"), key, v) {
		strbuf_addstr(out, "<li>");
		swatch(out, key);
		fw_html_escape(out, key);
		strbuf_addstr(out, "</li>");
	}
	strbuf_addstr(out, "</ul>\n");
}

static void phases_table(struct strbuf *out, const json_t *doc)
{
	const json_t *phases = json_object_get(doc, "phases");
	size_t i;
	json_t *p;
	if (!json_array_size(phases))
		return;
	strbuf_addstr(out, "<table class=\"phases\"><thead><tr><th>Step</th><th>Started</th><th>Duration</th></tr>"
			   "</thead><tbody>\n");
	json_array_foreach(phases, i, p) {
		long long ms = json_integer_value(json_object_get(p, "durationMs"));
		strbuf_addstr(out, "<tr><td>");
		fw_html_escape(out, sget(p, "name"));
		strbuf_addstr(out, "</td><td>");
		fw_html_escape(out, sget(p, "startedAt"));
		strbuf_addf(out, "</td><td>%lld.%03llds</td></tr>\n", ms / 1000, ms % 1000);
	}
	strbuf_addstr(out, "</tbody></table>\n");
}

/* what one gate check said */
static void gate_check(struct strbuf *out, const json_t *c)
{
	const char *kind = sget(c, "kind");
	int pass = json_is_true(json_object_get(c, "pass"));
	strbuf_addf(out, "<li class=\"%s\">", pass ? "gate-pass" : "gate-fail");
	if (kind && !strcmp(kind, "sql")) {
		json_t *t;
		size_t i;
		strbuf_addstr(out, "SQL <code>");
		fw_html_escape(out, sget(c, "sql"));
		strbuf_addstr(out, "</code><ul>");
		json_array_foreach(json_object_get(c, "targets"), i, t) {
			strbuf_addf(out, "<li class=\"%s\">", json_is_true(json_object_get(t, "pass")) ? "gate-pass" : "gate-fail");
			fw_html_escape(out, sget(t, "name"));
			strbuf_addstr(out, ": ");
			fw_html_escape(out, sget(t, "error") ? sget(t, "error") : sget(t, "value") ? sget(t, "value") : "NULL");
			strbuf_addstr(out, "</li>");
		}
		strbuf_addstr(out, "</ul>");
	} else {
		strbuf_addstr(out, "<code>");
		fw_html_escape(out, sget(c, "command"));
		strbuf_addstr(out, "</code>");
		if (json_is_true(json_object_get(c, "timedOut")))
			strbuf_addstr(out, " ran out of time");
		else if (json_is_integer(json_object_get(c, "exitStatus")))
			strbuf_addf(out, " exited with %d", (int)json_integer_value(json_object_get(c, "exitStatus")));
		if (sget(c, "output") && *sget(c, "output")) {
			strbuf_addstr(out, "<pre>");
			fw_html_escape(out, sget(c, "output"));
			strbuf_addstr(out, "</pre>");
		}
	}
	strbuf_addstr(out, "</li>\n");
}

/* the gates after the canary and the waves, each with its last attempt's checks */
static void gates_section(struct strbuf *out, const json_t *doc)
{
	const json_t *gates = json_object_get(doc, "gates");
	json_t *g, *c;
	size_t i, j;
	if (json_is_true(json_object_get(doc, "gatesSkipped")))
		strbuf_addstr(out, "<h2>Gates</h2>\n<p class=\"gate-fail\" id=\"gates-skipped\"><strong>Gates were skipped "
				   "(-skipGates)</strong>: nothing checked a wave before the next one started.</p>\n");
	if (!json_array_size(gates))
		return;
	if (!json_is_true(json_object_get(doc, "gatesSkipped")))
		strbuf_addstr(out, "<h2>Gates</h2>\n");
	strbuf_addstr(out, "<table class=\"gates\"><thead><tr><th>After</th><th>Outcome</th><th>Attempts</th>"
			   "<th>Duration</th><th>Checks (last attempt)</th></tr></thead><tbody>\n");
	json_array_foreach(gates, i, g) {
		long long ms = json_integer_value(json_object_get(g, "durationMs"));
		const char *outcome = sget(g, "outcome");
		strbuf_addf(out, "<tr class=\"gate %s\"><td>", outcome && !strcmp(outcome, "passed") ? "gate-pass" : "gate-fail");
		fw_html_escape(out, sget(g, "after"));
		strbuf_addstr(out, "</td><td class=\"status\">");
		fw_html_escape(out, outcome);
		strbuf_addf(out, "</td><td>%lld</td><td>%lld.%03llds</td><td><ul>",
			    (long long)json_integer_value(json_object_get(g, "attempts")), ms / 1000, ms % 1000);
		json_array_foreach(json_object_get(g, "checks"), j, c)
			gate_check(out, c);
		strbuf_addstr(out, "</ul></td></tr>\n");
	}
	strbuf_addstr(out, "</tbody></table>\n");
}

/* the run from start to end: the steps, and a bar per target in its wave's rows */
static void timeline_section(struct strbuf *out, const json_t *doc)
{
	struct timeline tl = { 1, 36 };
	size_t i;
	json_t *t, *wave;
	int height = timeline_height(doc);
	tl.total = iget(doc, "durationMs");
	json_array_foreach(json_object_get(doc, "targets"), i, t)
		if (json_is_integer(json_object_get(t, "startOffsetMs")) &&
		    iget(t, "startOffsetMs") + iget(t, "durationMs") > tl.total)
			tl.total = iget(t, "startOffsetMs") + iget(t, "durationMs");
	if (tl.total < 1)
		tl.total = 1;
	strbuf_addf(out, "<section class=\"timeline\"><h2>Timeline</h2>\n<svg id=\"timeline\" viewBox=\"0 0 %d %d\" "
			 "role=\"img\" aria-label=\"one bar per target, by wave, coloured by outcome\">\n",
		    CHART_W, height);
	timeline_background(out, &tl, doc, height);
	json_array_foreach(json_object_get(doc, "waves"), i, wave)
		wave_bars(out, &tl, doc, wave);
	strbuf_addstr(out, "</svg>\n");
	timeline_legend(out, doc);
	phases_table(out, doc);
	strbuf_addstr(out, "</section>\n");
}

/* ---------------------------------------------------------------- waves */

static void cell_migrations(struct strbuf *out, const json_t *t)
{
	const json_t *migs = json_object_get(t, "migrations");
	size_t i;
	json_t *g;
	if (!json_array_size(migs)) {
		strbuf_addstr(out, "<td class=\"migrations\">none</td>");
		return;
	}
	strbuf_addstr(out, "<td class=\"migrations\"><ul>");
	json_array_foreach(migs, i, g) {
		const char *v = sget(g, "version");
		strbuf_addstr(out, "<li>");
		fw_html_escape(out, v && *v ? v : "R");
		strbuf_addstr(out, " - ");
		fw_html_escape(out, sget(g, "description"));
		strbuf_addstr(out, " (");
		duration(out, iget(g, "executionTime"));
		strbuf_addstr(out, json_is_true(json_object_get(g, "success")) ? ")" : ", FAILED)");
		strbuf_addstr(out, "</li>");
	}
	strbuf_addstr(out, "</ul></td>");
}

static void cell_problems(struct strbuf *out, const json_t *t)
{
	const json_t *findings = json_object_get(t, "findings");
	const char *error = sget(t, "error");
	size_t i;
	json_t *f;
	strbuf_addstr(out, "<td class=\"problems\">");
	if (json_array_size(findings)) {
		strbuf_addstr(out, "<ul class=\"findings\">");
		json_array_foreach(findings, i, f) {
			strbuf_addstr(out, "<li>");
			fw_html_escape(out, json_string_value(f));
			strbuf_addstr(out, "</li>");
		}
		strbuf_addstr(out, "</ul>");
	}
	if (error) {
		strbuf_addstr(out, "<pre class=\"error\">");
		fw_html_escape(out, error);
		strbuf_addstr(out, "</pre>");
	}
	strbuf_addstr(out, "</td>");
}

static void version_cell(struct strbuf *out, const char *cls, const json_t *t, const char *key)
{
	strbuf_addf(out, "<td class=\"%s\">", cls);
	fw_html_escape(out, target_version(t, key));
	strbuf_addstr(out, "</td>");
}

static void table_head(struct strbuf *out, int migrate)
{
	strbuf_addstr(out, "<table class=\"targets\"><thead><tr><th>Target</th><th>Status</th>");
	if (migrate)
		strbuf_addstr(out, "<th>Version before</th><th>Version after</th><th>Migrations applied</th>");
	else
		strbuf_addstr(out, "<th>Version</th><th>Pending</th><th>Failed</th>");
	strbuf_addstr(out, "<th>Duration</th><th>Errors and findings</th></tr></thead><tbody>\n");
}

static void target_row(struct strbuf *out, const json_t *t, int migrate)
{
	const char *st = sget(t, "status");
	strbuf_addstr(out, "<tr class=\"");
	status_class(out, st);
	strbuf_addstr(out, "\" data-target=\"");
	fw_html_escape(out, sget(t, "name"));
	strbuf_addstr(out, "\"><td class=\"name\">");
	fw_html_escape(out, sget(t, "name"));
	strbuf_addstr(out, "</td><td class=\"status\">");
	fw_html_escape(out, status_text(t));
	strbuf_addstr(out, "</td>");
	if (migrate) {
		version_cell(out, "before", t, "versionBefore");
		version_cell(out, "after", t, "versionAfter");
		cell_migrations(out, t);
	} else {
		version_cell(out, "version", t, "version");
		strbuf_addf(out, "<td class=\"pending\">%ld</td><td class=\"failed\">%ld</td>", iget(t, "pending"),
			    iget(t, "failed"));
	}
	strbuf_addstr(out, "<td class=\"duration\">");
	duration(out, iget(t, "durationMs"));
	strbuf_addstr(out, "</td>");
	cell_problems(out, t);
	strbuf_addstr(out, "</tr>\n");
}

/* successful targets that tell the same story: same status and versions */
static int same_group(const json_t *a, const json_t *b, int migrate)
{
	const char *const keys[] = { "status", "statusText", migrate ? "versionBefore" : "version",
				     migrate ? "versionAfter" : NULL };
	for (size_t k = 0; k < 4 && keys[k]; k++) {
		const json_t *x = json_object_get(a, keys[k]), *y = json_object_get(b, keys[k]);
		if (json_is_string(x) != json_is_string(y) ||
		    (json_is_string(x) && strcmp(json_string_value(x), json_string_value(y))))
			return 0;
	}
	return 1;
}

/* "1 - base, 2 - region (on 3 of 4)": the migrations a group applied, in order */
static void group_migrations(struct strbuf *out, const json_t **members, size_t n)
{
	struct strvec seen = STRVEC_INIT;
	size_t *count = NULL, alloc = 0;
	for (size_t m = 0; m < n; m++) {
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(members[m], "migrations"), i, g) {
			struct strbuf key = STRBUF_INIT;
			const char *v = sget(g, "version");
			size_t k = 0;
			strbuf_addf(&key, "%s - %s", v && *v ? v : "R", sget(g, "description") ? sget(g, "description") : "");
			while (k < seen.nr && strcmp(seen.v[k], key.buf))
				k++;
			if (k == seen.nr) {
				strvec_push(&seen, key.buf);
				ALLOC_GROW(count, k, alloc);
				count[k] = 0;
			}
			count[k]++;
			strbuf_release(&key);
		}
	}
	if (seen.nr)
		strbuf_addf(out, " &middot; %zu migration%s: ", seen.nr, seen.nr == 1 ? "" : "s");
	for (size_t k = 0; k < seen.nr; k++) {
		if (k)
			strbuf_addstr(out, ", ");
		fw_html_escape(out, seen.v[k]);
		if (count[k] != n)
			strbuf_addf(out, " (on %zu)", count[k]);
	}
	strvec_clear(&seen);
	free(count);
}

/* one folded group: "412 migrated: 1 → 3 · 2 migrations: ..." then the
 * targets: as table rows when few, else names and durations */
static void success_group(struct strbuf *out, const json_t **members, size_t n, int migrate, int open)
{
	const json_t *t0 = members[0];
	int reached = !not_reached(sget(t0, "status"));
	strbuf_addf(out, "<details class=\"group\"%s><summary>", open ? " open" : "");
	swatch(out, sget(t0, "status"));
	strbuf_addf(out, "%zu ", n);
	fw_html_escape(out, status_text(t0));
	if (!reached) {
		/* the run did not reach them: what the pre-flight read is in the status */
	} else if (migrate && strcmp(target_version(t0, "versionBefore"), target_version(t0, "versionAfter"))) {
		strbuf_addstr(out, ": ");
		fw_html_escape(out, target_version(t0, "versionBefore"));
		strbuf_addstr(out, " &rarr; ");
		fw_html_escape(out, target_version(t0, "versionAfter"));
		group_migrations(out, members, n);
	} else {
		strbuf_addstr(out, " on version ");
		fw_html_escape(out, target_version(t0, migrate ? "versionAfter" : "version"));
	}
	strbuf_addstr(out, "</summary>\n");
	if (reached && n <= GROUP_ROWS_MAX) {
		table_head(out, migrate);
		for (size_t i = 0; i < n; i++)
			target_row(out, members[i], migrate);
		strbuf_addstr(out, "</tbody></table>\n");
	} else {
		/* many alike: names and durations (the JSON report has the rest) */
		strbuf_addstr(out, "<p class=\"names\">");
		for (size_t i = 0; i < n; i++) {
			strbuf_addstr(out, "<span class=\"t\">");
			fw_html_escape(out, sget(members[i], "name"));
			if (reached) {
				strbuf_addstr(out, " <small>");
				duration(out, iget(members[i], "durationMs"));
				strbuf_addstr(out, "</small>");
			}
			strbuf_addstr(out, "</span>\n");
		}
		strbuf_addstr(out, "</p>\n");
	}
	strbuf_addstr(out, "</details>\n");
}

static void wave_section(struct strbuf *out, const json_t *doc, const json_t *wave, int migrate)
{
	const char *name = sget(wave, "name");
	const json_t *targets = json_object_get(doc, "targets");
	size_t nt = json_array_size(json_object_get(wave, "targets")), i, n = 0, problems = 0;
	const json_t **ok = xcalloc(json_array_size(targets) + 1, sizeof(*ok));
	int *done;
	json_t *t;
	strbuf_addstr(out, "<section class=\"wave\"><h2>");
	fw_html_escape(out, name);
	strbuf_addf(out, " &middot; %zu target%s</h2>\n", nt, nt == 1 ? "" : "s");
	/* the targets that need attention first, in full */
	json_array_foreach(targets, i, t) {
		if (strcmp(sget(t, "wave"), name))
			continue;
		if (succeeded(sget(t, "status")) || not_reached(sget(t, "status"))) {
			ok[n++] = t;
			continue;
		}
		if (!problems++)
			table_head(out, migrate);
		target_row(out, t, migrate);
	}
	if (problems)
		strbuf_addstr(out, "</tbody></table>\n");
	/* the others folded, in groups that tell the same story (those not
	 * reached too: a halt in the first wave leaves most of a fleet so) */
	done = xcalloc(n + 1, sizeof(*done));
	for (size_t a = 0; a < n; a++) {
		const json_t **members;
		size_t m = 0;
		if (done[a])
			continue;
		members = xcalloc(n, sizeof(*members));
		for (size_t b = a; b < n; b++)
			if (!done[b] && same_group(ok[a], ok[b], migrate)) {
				done[b] = 1;
				members[m++] = ok[b];
			}
		success_group(out, members, m, migrate, n <= GROUP_ROWS_MAX);
		free(members);
	}
	strbuf_addstr(out, "</section>\n");
	free(done);
	free(ok);
}

/* ---------------------------------------------------------------- logs */

static void one_log(struct strbuf *out, const json_t *t)
{
	const json_t *log = json_object_get(t, "log");
	size_t i;
	json_t *line;
	strbuf_addstr(out, "<details><summary>");
	fw_html_escape(out, sget(t, "name"));
	strbuf_addstr(out, " &middot; ");
	fw_html_escape(out, status_text(t));
	strbuf_addstr(out, "</summary><pre>");
	json_array_foreach(log, i, line) {
		if (i == LOG_LINES_MAX) {
			strbuf_addf(out, "&hellip; %zu more lines in the JSON report\n", json_array_size(log) - i);
			break;
		}
		fw_html_escape(out, json_string_value(line));
		strbuf_addch(out, '\n');
	}
	strbuf_addstr(out, "</pre></details>\n");
}

/* every log of a target that needs attention; the others while the budget lasts */
static void logs_section(struct strbuf *out, const json_t *doc)
{
	const json_t *targets = json_object_get(doc, "targets");
	struct strbuf one = STRBUF_INIT;
	size_t i, used = 0, left_out = 0;
	json_t *t;
	strbuf_addstr(out, "<section class=\"logs\"><h2>Logs</h2>\n");
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(targets, i, t) {
			int ok = succeeded(sget(t, "status"));
			if (!json_array_size(json_object_get(t, "log")) || ok != pass)
				continue;
			strbuf_reset(&one);
			one_log(&one, t);
			if (ok && (left_out || used + one.len > OK_LOG_BUDGET)) {
				left_out++;
				continue;
			}
			used += ok ? one.len : 0;
			strbuf_addbuf(out, &one);
		}
	if (left_out)
		strbuf_addf(out, "<p id=\"logs-left-out\">The logs of %zu more successful target%s are in the JSON report.</p>\n",
			    left_out, left_out == 1 ? "" : "s");
	strbuf_addstr(out, "</section>\n");
	strbuf_release(&one);
}

/* ---------------------------------------------------------------- page */

void fw_report_html(const json_t *doc, struct strbuf *out)
{
	int migrate = !strcmp(sget(doc, "command"), "migrate");
	json_t *wave;
	size_t i;
	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>fleetway ");
	fw_html_escape(out, sget(doc, "command"));
	strbuf_addstr(out, " report: fleet ");
	fw_html_escape(out, sget(doc, "fleet"));
	strbuf_addstr(out, "</title>\n");
	style(out);
	strbuf_addstr(out, "</head><body>\n");
	summary_card(out, doc, migrate);
	versions_chart(out, doc, migrate);
	timeline_section(out, doc);
	gates_section(out, doc);
	json_array_foreach(json_object_get(doc, "waves"), i, wave)
		wave_section(out, doc, wave, migrate);
	logs_section(out, doc);
	strbuf_addstr(out, "<p><small>Written by fleetway ");
	fw_html_escape(out, sget(doc, "flywayVersion"));
	strbuf_addstr(out, ".</small></p>\n</body></html>\n");
}
