/* fleetway -fleet=NAME <command>: one command over every target of a fleet.
 *
 *   info      one row per target (version, pending, failed, state) and how
 *             many targets sit on each version
 *   check     pre-flight only: connection, validate, pending sets compared,
 *             dry-run scripts; every finding on every target (validate is
 *             the same pre-flight)
 *   migrate   pre-flight -> canary -> waves (parallel within a wave) -> halt
 *             on the first failure -> post-flight verification
 *   verify    the post-flight check alone
 *   plan      the waves as a CI matrix (-format=github|gitlab|json)
 *
 * Exit status: 0 success, 1 pre-flight findings (nothing changed), 2 bad
 * configuration, 4 some targets failed or differ, 130 interrupted. */
#include "cmd.h"
#include "core/fleet-run.h"
#include "core/fleet.h"
#include "core/report.h"
#include "util/redact.h"
#include "util/table.h"
#include "util/xalloc.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 100
#define MAX_RUNNING_SHOWN 8

struct fleet_cmd {
	const struct fw_settings *s;
	struct fw_config *base;
	struct fw_out *out;
	struct fw_fleet fleet;
	int live;                /* progress view on a terminal */
	int json;
	int drawn;               /* lines of the progress view on screen */
	int cancel_noted;
	char *report_base;
	json_t *docs;            /* -outputType=json: one document per command */
	const char *phase;       /* shown in the progress view */
	long phase_t0;
};

/* ---------------------------------------------------------------- Ctrl-C */

static volatile sig_atomic_t interrupted;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
	/* the first press stops the rollout cleanly; a second one is the old action */
	interrupted = 1;
	sigaction(sig, sig == SIGINT ? &old_int : &old_term, NULL);
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
}

static void release_signals(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

static long wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long)tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

/* ---------------------------------------------------------------- printing */

/* text to stdout and to -outputFile, redacted on both ways */
static void put(struct fleet_cmd *fc, const char *text)
{
	fw_out_raw(fc->out, text, strlen(text));
	if (fc->out->copy) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, text);
		redact_buf(&sb);
		fwrite(sb.buf, 1, sb.len, fc->out->copy);
		strbuf_release(&sb);
	}
}

static void print(struct fleet_cmd *fc, const char *text)
{
	if (fc->json || fc->out->quiet)
		return;
	put(fc, text);
}

/* A target's output line, on its worker's thread. Without a terminal it is
 * printed at once, prefixed with the target's name; on a terminal the
 * progress view stands for it and the line stays in the report's log.
 * fw_out has already redacted it and holds the output lock. */
static void on_line(void *ctx, struct fw_fleet_run *r, size_t idx, int is_err, const char *line,
		    size_t len)
{
	struct fleet_cmd *fc = ctx;
	FILE *f = is_err ? fc->out->err : fc->out->out;
	(void)r;
	(void)idx;
	if (fc->live)
		return; /* errors are summed up when the view ends */
	if (fc->json && !is_err)
		return; /* stdout carries the one JSON document */
	fwrite(line, 1, len, f);
	if (fc->out->copy && f != fc->out->copy)
		fwrite(line, 1, len, fc->out->copy);
	fflush(f);
}

static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

static void frame_line(struct strbuf *frame, int width, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void frame_line(struct strbuf *frame, int width, const char *fmt, ...)
{
	struct strbuf line = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	/* a wrapped line would throw off the cursor-up count of the next frame */
	if (line.len > (size_t)width - 1)
		strbuf_setlen(&line, (size_t)width - 1);
	strbuf_addstr(frame, "\r\033[2K");
	strbuf_addbuf(frame, &line);
	strbuf_addch(frame, '\n');
	strbuf_release(&line);
}

static void count_line(struct strbuf *frame, int width, const char *label, const size_t c[FW_TS_NR])
{
	struct strbuf extra = STRBUF_INIT;
	static const enum fw_tstatus rare[] = { FW_TS_HALTED, FW_TS_INTERRUPTED, FW_TS_NOT_STARTED };
	for (size_t i = 0; i < sizeof(rare) / sizeof(rare[0]); i++)
		if (c[rare[i]])
			strbuf_addf(&extra, "  %s %zu", fw_tstatus_name(rare[i]), c[rare[i]]);
	frame_line(frame, width, "  %-16s done %zu  running %zu  failed %zu  waiting %zu%s", label, c[FW_TS_OK],
		   c[FW_TS_RUNNING], c[FW_TS_FAILED], c[FW_TS_WAITING], extra.buf);
	strbuf_release(&extra);
}

static void running_lines(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t start, size_t end,
			  struct strbuf *frame, int width)
{
	int shown = 0;
	size_t more = 0;
	pthread_mutex_lock(&r->lock);
	for (size_t i = start; i < end; i++) {
		if (r->res[i].status != FW_TS_RUNNING)
			continue;
		if (shown++ >= MAX_RUNNING_SHOWN) {
			more++;
			continue;
		}
		frame_line(frame, width, "      %-20s %s", fc->fleet.m[i].name,
			   r->res[i].current ? r->res[i].current : "...");
	}
	pthread_mutex_unlock(&r->lock);
	if (more)
		frame_line(frame, width, "      ... and %zu more", more);
}

/* Redraw the view: per wave done/running/failed/waiting, and what each
 * running target of the active batch is doing. */
static void draw(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t start, size_t end, int waves)
{
	struct strbuf frame = STRBUF_INIT;
	int width = term_width(), lines;
	size_t c[FW_TS_NR];
	long secs = (fw_now_ms() - fc->phase_t0) / 1000;
	if (fc->drawn)
		strbuf_addf(&frame, "\033[%dA", fc->drawn);
	frame_line(&frame, width, "fleet %s: %s  %02ld:%02ld%s", fc->fleet.name, fc->phase, secs / 60, secs % 60,
		   fw_fleet_flag(&r->cancel) ? "  (interrupted: stopping)" : fw_fleet_flag(&r->halt) ? "  (halted)" : "");
	if (waves) {
		for (size_t w = 0; w < fc->fleet.nr_waves; w++) {
			const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
			fw_fleet_count(r, wv->start, wv->end, c);
			count_line(&frame, width, wv->name, c);
			if (wv->start == start)
				running_lines(fc, r, start, end, &frame, width);
		}
	} else {
		fw_fleet_count(r, start, end, c);
		count_line(&frame, width, "targets", c);
		running_lines(fc, r, start, end, &frame, width);
	}
	lines = 0;
	for (size_t i = 0; i < frame.len; i++)
		lines += frame.buf[i] == '\n';
	/* a shorter frame than the last one: blank what is left below */
	for (int k = lines; k < fc->drawn; k++)
		strbuf_addstr(&frame, "\r\033[2K\n");
	if (lines < fc->drawn)
		strbuf_addf(&frame, "\033[%dA", fc->drawn - lines);
	fc->drawn = lines;
	fw_out_raw(fc->out, frame.buf, frame.len);
	strbuf_release(&frame);
}

/* ---------------------------------------------------------------- running batches */

static void note_interrupt(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	if (!interrupted || fc->cancel_noted)
		return;
	fc->cancel_noted = 1;
	fw_fleet_run_cancel(r);
	if (!fc->live)
		fw_warn(fc->out, "interrupted: no new target starts; running statements are being cancelled");
}

/* run op over members [start, end), drawing progress until every worker ended */
static void run_batch(struct fleet_cmd *fc, struct fw_fleet_run *r, enum fw_fleet_op op, size_t start,
		      size_t end, int waves)
{
	struct fw_fleet_batch *b = fw_fleet_batch_start(r, op, start, end, fc->fleet.parallel);
	while (!fw_fleet_batch_wait(b, TICK_MS)) {
		note_interrupt(fc, r);
		if (fc->live)
			draw(fc, r, start, end, waves);
	}
	note_interrupt(fc, r);
	if (fc->live)
		draw(fc, r, start, end, waves);
}

/* the pause between waves, cut short by Ctrl-C */
static void pause_between(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t next_wave)
{
	long until = fw_now_ms() + fc->fleet.pause_ms;
	const struct fw_fleet_wave *w = &fc->fleet.waves[next_wave];
	if (fc->fleet.pause_ms <= 0)
		return;
	if (!fc->live)
		fw_info(fc->out, "pausing %ld.%03lds before %s", fc->fleet.pause_ms / 1000, fc->fleet.pause_ms % 1000,
			w->name);
	while (fw_now_ms() < until && !interrupted) {
		struct timespec ts = { 0, TICK_MS * 1000000L };
		nanosleep(&ts, NULL);
		if (fc->live)
			draw(fc, r, w->start, w->start, 1);
	}
	note_interrupt(fc, r);
}

static void end_view(struct fleet_cmd *fc)
{
	fc->drawn = 0;
}

static void setup_run(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	char *slash;
	fw_fleet_run_init(r, fc->s, &fc->fleet);
	r->quiet = fc->out->quiet;
	r->debug = fc->out->debug;
	r->json = fc->json;
	r->on_line = on_line;
	r->ctx = fc;
	r->dryrun_dir = xstrdup(fc->report_base);
	slash = strrchr(r->dryrun_dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(r->dryrun_dir, ".");
}

static void begin_phase(struct fleet_cmd *fc, const char *phase)
{
	fc->phase = phase;
	fc->phase_t0 = fw_now_ms();
	fc->drawn = 0;
}

/* ---------------------------------------------------------------- shared pieces */

static const char *state_of(const struct fw_fleet_result *res)
{
	if (res->status == FW_TS_NOT_STARTED || res->status == FW_TS_WAITING)
		return "not checked";
	if (res->status != FW_TS_OK)
		return res->reachable ? "error" : "unreachable";
	if (res->failed)
		return "failed migration";
	if (res->pending)
		return "pending";
	return "up to date";
}

static const char *vtext(const char *v)
{
	return v ? v : "<< Empty Schema >>";
}

static size_t count_findings(struct fw_fleet_run *r, size_t *targets)
{
	size_t n = 0;
	*targets = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		n += r->res[i].findings.nr;
		*targets += r->res[i].findings.nr > 0;
	}
	return n;
}

static void print_findings(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	static const char *const hdr[] = { "Target", "Finding" };
	struct fw_table tab;
	struct strbuf out = STRBUF_INIT;
	fw_table_init(&tab, 2, hdr);
	for (size_t i = 0; i < r->fleet->nr; i++)
		for (size_t j = 0; j < r->res[i].findings.nr; j++) {
			const char *row[2] = { fc->fleet.m[i].name, r->res[i].findings.v[j] };
			fw_table_add_row(&tab, row);
		}
	if (fw_table_rows(&tab)) {
		fw_table_render(&tab, "", &out);
		print(fc, out.buf);
	}
	fw_table_release(&tab);
	strbuf_release(&out);
}

/* "3 targets on version 5, 1 target on version 4, 1 target not answering" */
static void version_summary(struct fw_fleet_run *r, struct strbuf *out)
{
	struct strvec seen = STRVEC_INIT;
	size_t down = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const char *v = vtext(r->res[i].version);
		size_t n = 0;
		if (r->res[i].status != FW_TS_OK) {
			down++;
			continue;
		}
		if (strvec_contains(&seen, v))
			continue;
		strvec_push(&seen, v);
		for (size_t j = 0; j < r->fleet->nr; j++)
			n += r->res[j].status == FW_TS_OK && !strcmp(vtext(r->res[j].version), v);
		strbuf_addf(out, "%s%zu target%s on version %s", seen.nr > 1 ? ", " : "", n, n == 1 ? "" : "s", v);
	}
	if (down)
		strbuf_addf(out, "%s%zu target%s not answering", seen.nr ? ", " : "", down, down == 1 ? "" : "s");
	strvec_clear(&seen);
}

/* keep a command's document for -outputType=json (takes the reference) */
static void add_doc(struct fleet_cmd *fc, json_t *doc)
{
	json_array_append_new(fc->docs, doc);
}

static void write_report(struct fleet_cmd *fc, const json_t *doc)
{
	struct fw_error err = FW_ERROR_INIT;
	char *jp = NULL, *hp = NULL;
	if (fw_report_write(fc->report_base, doc, &jp, &hp, &err) < 0) {
		fw_warn(fc->out, "%s", err.message.buf);
		fw_error_clear(&err);
		return;
	}
	fw_info(fc->out, "Report: %s (and %s)", hp, jp);
	free(jp);
	free(hp);
}

static json_t *make_doc(struct fw_fleet_run *r, const char *command, const char *outcome, long started,
			const char *version, int verify)
{
	struct fw_report_info info;
	memset(&info, 0, sizeof(info));
	info.command = command;
	info.outcome = outcome;
	info.started_ms = started;
	info.finished_ms = wall_ms();
	info.fleet_version = version;
	info.verify = verify;
	return fw_report_json(r, &info);
}

static void print_errors(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	struct fw_out err_out = *fc->out;
	/* on a terminal the view stood in for the workers' lines: show what went wrong */
	if (!fc->live)
		return;
	err_out.out = fc->out->err;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		const char *p = r->res[i].error;
		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			strbuf_addf(&sb, "[%s] ", fc->fleet.m[i].name);
			strbuf_add(&sb, p, n);
			strbuf_addch(&sb, '\n');
			p += n + (nl ? 1 : 0);
		}
		if (sb.len)
			fw_out_raw(&err_out, sb.buf, sb.len);
		strbuf_release(&sb);
	}
}

/* ---------------------------------------------------------------- info */

static void info_table(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	static const char *const hdr[] = { "Target", "Wave", "Version", "Pending", "Failed", "State" };
	struct fw_table tab;
	struct strbuf out = STRBUF_INIT, sum = STRBUF_INIT;
	fw_table_init(&tab, 6, hdr);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const struct fw_fleet_result *res = &r->res[i];
		char pending[16], failed[16];
		const char *row[6];
		int answered = res->status == FW_TS_OK;
		snprintf(pending, sizeof(pending), "%d", res->pending);
		snprintf(failed, sizeof(failed), "%d", res->failed);
		row[0] = fc->fleet.m[i].name;
		row[1] = fc->fleet.waves[fc->fleet.m[i].wave].name;
		row[2] = answered ? vtext(res->version) : "";
		row[3] = answered ? pending : "";
		row[4] = answered ? failed : "";
		row[5] = state_of(res);
		fw_table_add_row(&tab, row);
	}
	strbuf_addf(&out, "Fleet %s: %zu target%s in %zu wave%s\n\n", fc->fleet.name, fc->fleet.nr,
		    fc->fleet.nr == 1 ? "" : "s", fc->fleet.nr_waves, fc->fleet.nr_waves == 1 ? "" : "s");
	fw_table_render(&tab, "No targets", &out);
	version_summary(r, &sum);
	strbuf_addf(&out, "Versions: %s\n", sum.buf);
	print(fc, out.buf);
	fw_table_release(&tab);
	strbuf_release(&out);
	strbuf_release(&sum);
}

static size_t count_down(struct fw_fleet_run *r)
{
	size_t down = 0;
	for (size_t i = 0; i < r->fleet->nr; i++)
		down += r->res[i].status != FW_TS_OK;
	return down;
}

static int fleet_info(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = wall_ms();
	size_t down;
	setup_run(fc, &r);
	fw_fleet_run_resolve(&r);
	begin_phase(fc, "info");
	run_batch(fc, &r, FW_FOP_PROBE, 0, fc->fleet.nr, 0);
	end_view(fc);
	print_errors(fc, &r);
	info_table(fc, &r);
	down = count_down(&r);
	add_doc(fc, make_doc(&r, "info", down ? "unreachable" : "success", started, NULL, -1));
	fw_fleet_run_release(&r);
	if (interrupted)
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
	if (down)
		return fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_PARTIAL",
				      "%zu of %zu targets did not answer", down, fc->fleet.nr);
	return 0;
}

/* ---------------------------------------------------------------- check (pre-flight) */

static const char *preflight_list(unsigned pre, struct strbuf *sb)
{
	strbuf_addstr(sb, "connection");
	if (pre & FW_PRE_VALIDATE)
		strbuf_addstr(sb, ", validate");
	if (pre & FW_PRE_PENDING)
		strbuf_addstr(sb, ", pending");
	if (pre & FW_PRE_DRYRUN)
		strbuf_addstr(sb, ", dryrun");
	return sb->buf;
}

/* every check on every target; returns the number of findings */
static size_t preflight(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	struct strbuf list = STRBUF_INIT;
	size_t targets, n;
	fw_info(fc->out, "Pre-flight of fleet %s on %zu target%s: %s", fc->fleet.name, fc->fleet.nr,
		fc->fleet.nr == 1 ? "" : "s", preflight_list(fc->fleet.preflight, &list));
	strbuf_release(&list);
	fw_fleet_run_resolve(r);
	begin_phase(fc, "pre-flight");
	run_batch(fc, r, FW_FOP_PREFLIGHT, 0, fc->fleet.nr, 0);
	end_view(fc);
	if ((fc->fleet.preflight & FW_PRE_PENDING) && !interrupted)
		fw_fleet_compare_pending(r);
	n = count_findings(r, &targets);
	if (n) {
		fw_info(fc->out, "Pre-flight found %zu problem%s on %zu target%s:", n, n == 1 ? "" : "s", targets,
			targets == 1 ? "" : "s");
		print_findings(fc, r);
	} else {
		fw_info(fc->out, "Pre-flight passed on all %zu target%s", fc->fleet.nr, fc->fleet.nr == 1 ? "" : "s");
	}
	if (fc->fleet.preflight & FW_PRE_DRYRUN && !n)
		fw_info(fc->out, "Dry-run scripts: %s/dryrun-<target>.sql", r->dryrun_dir);
	return n;
}

static int fleet_check(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = wall_ms();
	size_t n, targets;
	json_t *doc;
	setup_run(fc, &r);
	n = preflight(fc, &r);
	count_findings(&r, &targets);
	doc = make_doc(&r, "check", interrupted ? "interrupted" : n ? "findings" : "success", started, NULL, -1);
	write_report(fc, doc);
	add_doc(fc, doc);
	fw_fleet_run_release(&r);
	if (interrupted)
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
	if (n)
		return fw_errorf_exit(err, FW_EXIT_ERROR, "FLEET_PREFLIGHT",
				      "pre-flight found %zu problem%s on %zu target%s", n, n == 1 ? "" : "s", targets,
				      targets == 1 ? "" : "s");
	return 0;
}

/* ---------------------------------------------------------------- verify */

/* compare what every target reported; returns the number that differ */
static size_t judge(struct fleet_cmd *fc, struct fw_fleet_run *r, char **version)
{
	size_t differ = fw_fleet_verify(r, version);
	if (differ) {
		fw_info(fc->out, "Verification: %zu of %zu target%s differ%s:", differ, fc->fleet.nr,
			fc->fleet.nr == 1 ? "" : "s", differ == 1 ? "s" : "");
		print_findings(fc, r);
	} else {
		fw_info(fc->out, "Verification: all %zu target%s on version %s, nothing pending or failed",
			fc->fleet.nr, fc->fleet.nr == 1 ? "" : "s", vtext(*version));
	}
	return differ;
}

/* post-flight: read every target again; returns the number that differ */
static size_t postflight(struct fleet_cmd *fc, struct fw_fleet_run *r, char **version)
{
	begin_phase(fc, "verify");
	run_batch(fc, r, FW_FOP_PROBE, 0, fc->fleet.nr, 0);
	end_view(fc);
	return judge(fc, r, version);
}

static int fleet_verify(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = wall_ms();
	char *version = NULL;
	size_t differ;
	json_t *doc;
	setup_run(fc, &r);
	fw_fleet_run_resolve(&r);
	differ = postflight(fc, &r, &version);
	print_errors(fc, &r);
	doc = make_doc(&r, "verify", interrupted ? "interrupted" : differ ? "differs" : "success", started,
		       version, !differ);
	write_report(fc, doc);
	add_doc(fc, doc);
	free(version);
	fw_fleet_run_release(&r);
	if (interrupted)
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
	if (differ)
		return fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_DIFFERS", "%zu of %zu targets differ",
				      differ, fc->fleet.nr);
	return 0;
}

/* ---------------------------------------------------------------- migrate */

static void wave_header(struct fleet_cmd *fc, size_t w)
{
	const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
	struct strbuf names = STRBUF_INIT;
	for (size_t i = wv->start; i < wv->end && i < wv->start + 10; i++)
		strbuf_addf(&names, "%s%s", i > wv->start ? ", " : "", fc->fleet.m[i].name);
	if (wv->end - wv->start > 10)
		strbuf_addf(&names, " and %zu more", wv->end - wv->start - 10);
	fw_info(fc->out, "Fleet %s: %s (%zu of %zu): %s", fc->fleet.name, wv->name, w + 1, fc->fleet.nr_waves,
		names.buf);
	strbuf_release(&names);
}

static void migrate_table(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	static const char *const hdr[] = { "Target", "Wave", "Status", "Before", "After", "Applied", "Time" };
	struct fw_table tab;
	struct strbuf out = STRBUF_INIT;
	fw_table_init(&tab, 7, hdr);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const struct fw_fleet_result *res = &r->res[i];
		int ran = res->status == FW_TS_OK || res->status == FW_TS_FAILED || res->status == FW_TS_HALTED ||
			  res->status == FW_TS_INTERRUPTED;
		char applied[16];
		struct strbuf ms = STRBUF_INIT;
		const char *row[7];
		size_t ok = 0;
		for (size_t j = 0; j < res->nr_migs; j++)
			ok += (size_t)res->migs[j].success;
		snprintf(applied, sizeof(applied), "%zu", ok);
		if (ran)
			fw_format_duration(res->ms, &ms);
		row[0] = fc->fleet.m[i].name;
		row[1] = fc->fleet.waves[fc->fleet.m[i].wave].name;
		row[2] = fw_report_status(res, "migrate");
		/* a failure before migrate read the history leaves the version unknown */
		row[3] = ran && (res->status == FW_TS_OK || res->status == FW_TS_HALTED || res->nr_migs ||
				 res->version_before) ? vtext(res->version_before) : "";
		row[4] = ran && (res->status == FW_TS_OK || res->status == FW_TS_HALTED || res->nr_migs ||
				 res->version_after) ? vtext(res->version_after) : "";
		row[5] = ran ? applied : "";
		row[6] = ms.buf;
		fw_table_add_row(&tab, row);
		strbuf_release(&ms);
	}
	fw_table_render(&tab, "No targets", &out);
	print(fc, out.buf);
	fw_table_release(&tab);
	strbuf_release(&out);
}

/* canary, then waves; returns 0, or the exit status of the halt */
static int roll_out(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	begin_phase(fc, "migrate");
	for (size_t w = 0; w < fc->fleet.nr_waves; w++) {
		const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
		if (w)
			pause_between(fc, r, w);
		if (interrupted || fw_fleet_flag(&r->halt))
			break;
		if (!fc->live)
			wave_header(fc, w);
		run_batch(fc, r, FW_FOP_MIGRATE, wv->start, wv->end, 1);
		if (interrupted || fw_fleet_flag(&r->halt))
			break;
	}
	end_view(fc);
	/* what a halt or Ctrl-C kept from starting */
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < fc->fleet.nr; i++)
		if (r->res[i].status == FW_TS_WAITING)
			r->res[i].status = FW_TS_NOT_STARTED;
	pthread_mutex_unlock(&r->lock);
	if (interrupted)
		return FW_EXIT_INTERRUPTED;
	return fw_fleet_flag(&r->halt) ? FW_EXIT_FLEET_PARTIAL : 0;
}

static size_t count_status(struct fw_fleet_run *r, enum fw_tstatus st)
{
	size_t n = 0;
	for (size_t i = 0; i < r->fleet->nr; i++)
		n += r->res[i].status == st;
	return n;
}

static int halt_error(struct fleet_cmd *fc, struct fw_fleet_run *r, int status, struct fw_error *err)
{
	size_t failed = count_status(r, FW_TS_FAILED), halted = count_status(r, FW_TS_HALTED);
	size_t waiting = count_status(r, FW_TS_NOT_STARTED);
	size_t stopped = count_status(r, FW_TS_INTERRUPTED);
	if (status == FW_EXIT_INTERRUPTED) {
		fw_errorf_exit(err, status, "ERROR", "interrupted: %zu target%s stopped, %zu not started", stopped,
			       stopped == 1 ? "" : "s", waiting);
		fw_error_detail(err, "each stopped target kept the migrations it completed; the one running was rolled back where the database can");
		fw_error_hint(err, "run the same command again to continue: migrated targets are no-ops");
		return -1;
	}
	fw_errorf_exit(err, status, "FLEET_HALTED", "fleet %s halted: %zu target%s failed, %zu not started",
		       fc->fleet.name, failed, failed == 1 ? "" : "s", waiting);
	if (halted)
		fw_error_detail(err, "%zu target%s stopped between two migrations", halted, halted == 1 ? "" : "s");
	fw_error_hint(err, "fix the cause and run the same command again: migrated targets are no-ops");
	return -1;
}

static int fleet_migrate(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = wall_ms();
	size_t n, targets, differ = 0;
	char *version = NULL;
	int status, verified = -1;
	const char *outcome;
	json_t *doc;
	setup_run(fc, &r);
	r.keep_limit = fc->fleet.parallel;
	n = preflight(fc, &r);
	if (n || interrupted) {
		count_findings(&r, &targets);
		doc = make_doc(&r, "migrate", interrupted ? "interrupted" : "preflight failed", started, NULL, -1);
		write_report(fc, doc);
		add_doc(fc, doc);
		fw_fleet_run_release(&r);
		if (interrupted)
			return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted during pre-flight; nothing was changed");
		fw_errorf_exit(err, FW_EXIT_ERROR, "FLEET_PREFLIGHT",
			       "pre-flight found %zu problem%s on %zu target%s; nothing was changed", n, n == 1 ? "" : "s",
			       targets, targets == 1 ? "" : "s");
		return -1;
	}
	fw_fleet_run_reset(&r);
	status = roll_out(fc, &r);
	print_errors(fc, &r);
	migrate_table(fc, &r);
	if (!status) {
		/* each worker read its target back right after migrating it */
		differ = judge(fc, &r, &version);
		verified = !differ;
	}
	outcome = status == FW_EXIT_INTERRUPTED ? "interrupted" : status ? "halted" : differ ? "differs" : "success";
	doc = make_doc(&r, "migrate", outcome, started, version, verified);
	write_report(fc, doc);
	add_doc(fc, doc);
	if (status)
		halt_error(fc, &r, status, err);
	else if (differ)
		fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_DIFFERS",
			       "migrated, but %zu of %zu targets differ after the rollout", differ, fc->fleet.nr);
	free(version);
	fw_fleet_run_release(&r);
	return status || differ ? -1 : 0;
}

/* ---------------------------------------------------------------- plan */

static int plain_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/=,", *s))
			return 0;
	return 1;
}

static void shell_quote(struct strbuf *out, const char *s)
{
	if (plain_word(s)) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '\'');
	for (; *s; s++)
		if (*s == '\'')
			strbuf_addstr(out, "'\\''");
		else
			strbuf_addch(out, *s);
	strbuf_addch(out, '\'');
}

/* -ignoreMigrationPatterns=<configured>,*:pending: validate before migrate
 * fails on pending migrations otherwise (Flyway does the same) */
static void ignore_pending_flag(struct fleet_cmd *fc, struct strbuf *out)
{
	const struct strvec *pats = &fc->base->ignore_migration_patterns;
	strbuf_addstr(out, "-ignoreMigrationPatterns=");
	for (size_t i = 0; i < pats->nr; i++)
		strbuf_addf(out, "%s,", pats->v[i]);
	if (!strvec_contains(pats, "*:pending"))
		strbuf_addstr(out, "*:pending");
	else if (out->buf[out->len - 1] == ',')
		strbuf_setlen(out, out->len - 1);
}

/* the command one CI job runs for a target: an environment migrates alone
 * with -environment=X as always; an inventory row is no environment, so its
 * job selects it from the fleet (which validates in its pre-flight) */
static void job_command(struct fleet_cmd *fc, const struct fw_fleet_member *m, struct strbuf *out)
{
	struct strbuf arg = STRBUF_INIT;
	strbuf_addstr(out, "fleetway ");
	if (m->from_inventory) {
		strbuf_addf(&arg, "-fleet=%s:%s", fc->fleet.name, m->name);
		shell_quote(out, arg.buf);
		strbuf_addstr(out, " migrate");
	} else {
		strbuf_addf(&arg, "-environment=%s", m->name);
		shell_quote(out, arg.buf);
		strbuf_reset(&arg);
		ignore_pending_flag(fc, &arg);
		strbuf_addch(out, ' ');
		shell_quote(out, arg.buf);
		strbuf_addstr(out, " info validate migrate");
	}
	strbuf_release(&arg);
}

static void verify_command(struct fleet_cmd *fc, struct strbuf *out)
{
	struct strbuf arg = STRBUF_INIT;
	strbuf_addf(&arg, "-fleet=%s", fc->fleet.name);
	strbuf_addstr(out, "fleetway ");
	shell_quote(out, arg.buf);
	strbuf_addstr(out, " verify");
	strbuf_release(&arg);
}

static json_t *plan_json(struct fleet_cmd *fc, int github)
{
	json_t *doc = json_object(), *waves = json_array();
	struct strbuf cmd = STRBUF_INIT;
	json_object_set_new(doc, "fleet", json_string(fc->fleet.name));
	json_object_set_new(doc, github ? "max-parallel" : "parallel", json_integer(fc->fleet.parallel));
	json_object_set_new(doc, "pauseSeconds", json_real((double)fc->fleet.pause_ms / 1000.0));
	for (size_t w = 0; w < fc->fleet.nr_waves; w++) {
		const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
		json_t *o = json_object(), *jobs = json_array();
		for (size_t i = wv->start; i < wv->end; i++) {
			json_t *job = json_object();
			strbuf_reset(&cmd);
			job_command(fc, &fc->fleet.m[i], &cmd);
			json_object_set_new(job, "target", json_string(fc->fleet.m[i].name));
			json_object_set_new(job, "command", json_string(cmd.buf));
			json_array_append_new(jobs, job);
		}
		json_object_set_new(o, "name", json_string(wv->name));
		if (github) {
			/* usable as strategy.matrix: fromJSON(...).waves[N].matrix */
			json_t *matrix = json_object();
			json_object_set_new(matrix, "include", jobs);
			json_object_set_new(o, "matrix", matrix);
		} else {
			json_object_set_new(o, "jobs", jobs);
		}
		json_array_append_new(waves, o);
	}
	json_object_set_new(doc, "waves", waves);
	strbuf_reset(&cmd);
	verify_command(fc, &cmd);
	json_object_set_new(doc, "verify", json_pack("{s:s}", "command", cmd.buf));
	strbuf_release(&cmd);
	return doc;
}

/* a YAML single-quoted scalar: safe for any text */
static void yaml_quote(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '\'');
	strbuf_add_doubled(out, s, '\'');
	strbuf_addch(out, '\'');
}

static void plan_gitlab(struct fleet_cmd *fc, struct strbuf *out)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(out, "# fleetway plan for fleet %s: one job per target, one stage per wave, verify last\n",
		    fc->fleet.name);
	strbuf_addf(out, "# (at most %d targets at once: set runner concurrency or a resource_group)\n",
		    fc->fleet.parallel);
	strbuf_addstr(out, "stages:\n");
	for (size_t w = 0; w < fc->fleet.nr_waves; w++)
		strbuf_addf(out, "  - fleet-wave-%zu\n", w);
	strbuf_addstr(out, "  - fleet-verify\n");
	for (size_t w = 0; w < fc->fleet.nr_waves; w++) {
		const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
		strbuf_addch(out, '\n');
		strbuf_addstr(out, "# ");
		strbuf_addstr(out, wv->name);
		strbuf_addch(out, '\n');
		for (size_t i = wv->start; i < wv->end; i++) {
			struct strbuf name = STRBUF_INIT;
			strbuf_addf(&name, "migrate %s", fc->fleet.m[i].name);
			yaml_quote(out, name.buf);
			strbuf_addf(out, ":\n  stage: fleet-wave-%zu\n", w);
			if (w && fc->fleet.pause_ms > 0)
				strbuf_addf(out, "  when: delayed\n  start_in: %ld seconds\n",
					    (fc->fleet.pause_ms + 999) / 1000);
			strbuf_addstr(out, "  script:\n    - ");
			strbuf_reset(&cmd);
			job_command(fc, &fc->fleet.m[i], &cmd);
			yaml_quote(out, cmd.buf);
			strbuf_addch(out, '\n');
			strbuf_release(&name);
		}
	}
	strbuf_reset(&cmd);
	verify_command(fc, &cmd);
	strbuf_addstr(out, "\nfleet-verify:\n  stage: fleet-verify\n  script:\n    - ");
	yaml_quote(out, cmd.buf);
	strbuf_addch(out, '\n');
	strbuf_release(&cmd);
}

static int fleet_plan(struct fleet_cmd *fc, struct fw_error *err)
{
	const char *format = fc->base->plan_format && *fc->base->plan_format ? fc->base->plan_format : "json";
	struct strbuf out = STRBUF_INIT;
	if (!strcasecmp(format, "gitlab")) {
		plan_gitlab(fc, &out);
	} else if (!strcasecmp(format, "github") || !strcasecmp(format, "json")) {
		json_t *doc = plan_json(fc, !strcasecmp(format, "github"));
		fw_json_dump(doc, &out);
		json_decref(doc);
	} else {
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "unknown plan format '%s'", format);
		fw_error_hint(err, "use -format=github, -format=gitlab or -format=json");
		return -1;
	}
	/* the plan is the output, in text and JSON mode alike */
	put(fc, out.buf);
	strbuf_release(&out);
	return 0;
}

/* ---------------------------------------------------------------- entry */

static int report_base(struct fleet_cmd *fc)
{
	const struct toml_value *root = fw_settings_root(fc->s);
	const char *wd = fc->base->working_directory ? fc->base->working_directory : ".";
	struct strbuf sb = STRBUF_INIT;
	/* Flyway's default "report" belongs to check; a fleet's audit has its own name */
	if (root && toml_get_path(root, "flyway.reportFilename") && fc->base->report_filename)
		strbuf_addstr(&sb, fc->base->report_filename);
	else
		strbuf_addf(&sb, "%s/fleet-report", wd);
	fc->report_base = strbuf_detach(&sb, NULL);
	/* its folder, so that reports and dry-run scripts have somewhere to go */
	{
		char *dir = xstrdup(fc->report_base), *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			for (char *p = dir + 1; *p; p++)
				if (*p == '/') {
					*p = '\0';
					mkdir(dir, 0777);
					*p = '/';
				}
			mkdir(dir, 0777);
		}
		free(dir);
	}
	return 0;
}

static int load(struct fleet_cmd *fc, struct fw_error *err)
{
	char *name = xstrdup(fc->base->fleet), *colon = strchr(name, ':');
	int ret;
	if (colon)
		*colon = '\0';
	ret = fw_fleet_load(fc->s, name, fc->base->working_directory, &fc->fleet, err);
	if (!ret && colon && colon[1])
		ret = fw_fleet_select(&fc->fleet, colon + 1, err);
	free(name);
	if (ret < 0)
		return -1;
	for (size_t i = 0; i < fc->fleet.warnings.nr; i++)
		fw_warn(fc->out, "%s", fc->fleet.warnings.v[i]);
	return 0;
}

static int known_command(const char *c)
{
	static const char *const names[] = { "info", "check", "validate", "migrate", "verify", "plan", NULL };
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(names[i], c))
			return 1;
	return 0;
}

static int run_command(struct fleet_cmd *fc, const char *c, struct fw_error *err)
{
	if (!strcmp(c, "info"))
		return fleet_info(fc, err);
	if (!strcmp(c, "check") || !strcmp(c, "validate"))
		return fleet_check(fc, err);
	if (!strcmp(c, "migrate"))
		return fleet_migrate(fc, err);
	if (!strcmp(c, "verify"))
		return fleet_verify(fc, err);
	return fleet_plan(fc, err);
}

static void emit_docs(struct fleet_cmd *fc)
{
	struct strbuf s = STRBUF_INIT;
	json_t *doc;
	if (!fc->json || !json_array_size(fc->docs))
		return;
	if (json_array_size(fc->docs) == 1) {
		doc = json_incref(json_array_get(fc->docs, 0));
	} else {
		doc = json_object();
		json_object_set(doc, "individualResults", fc->docs);
	}
	fw_json_dump(doc, &s);
	fw_out_raw(fc->out, s.buf, s.len);
	json_decref(doc);
	strbuf_release(&s);
}

int cmd_fleet(const struct fw_settings *s, struct fw_config *base, const struct strvec *commands,
	      struct fw_out *out, struct fw_error *err)
{
	struct fleet_cmd fc;
	int ret = 0;
	memset(&fc, 0, sizeof(fc));
	fc.s = s;
	fc.base = base;
	fc.out = out;
	fc.json = base->output_json;
	for (size_t i = 0; i < commands->nr; i++)
		if (!known_command(commands->v[i])) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "'%s' is not a fleet command", commands->v[i]);
			fw_error_hint(err, "fleet commands are: info check migrate verify plan; run other commands per target with -environment=NAME");
			return -1;
		}
	if (load(&fc, err) < 0)
		return -1;
	fc.live = !fc.json && !out->quiet && isatty(fileno(out->out)) &&
		  !(base->color && !strcasecmp(base->color, "never"));
	report_base(&fc);
	fc.docs = json_array();
	catch_signals();
	for (size_t i = 0; i < commands->nr && !ret; i++)
		ret = run_command(&fc, commands->v[i], err);
	release_signals();
	emit_docs(&fc);
	json_decref(fc.docs);
	free(fc.report_base);
	fw_fleet_release(&fc.fleet);
	return ret;
}
