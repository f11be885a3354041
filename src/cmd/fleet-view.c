/* The fleet command's terminal side: Ctrl-C, printing, the live progress
 * view redrawn while a batch of targets runs, and the outcome table. */
#include "cmd/fleet-cmd.h"
#include "fleet/report.h"
#include "util/redact.h"
#include "util/table.h"
#include "util/xalloc.h"
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 100
#define MAX_RUNNING_SHOWN 8

/* ---------------------------------------------------------------- Ctrl-C */

static volatile sig_atomic_t interrupted;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
	/* the first press stops the rollout cleanly; a second one is the old action */
	interrupted = 1;
	sigaction(sig, sig == SIGINT ? &old_int : &old_term, NULL);
}

void fleet_catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
}

void fleet_release_signals(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

long fleet_wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long)tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

/* ---------------------------------------------------------------- printing */

/* text to stdout and to -outputFile, redacted */
void fleet_put(struct fleet_cmd *fc, const char *text)
{
	fw_out_raw(fc->out, text, strlen(text));
}

void fleet_print(struct fleet_cmd *fc, const char *text)
{
	if (fc->json || fc->out->quiet)
		return;
	fleet_put(fc, text);
}

/* A target's output line, on its worker's thread. Without a terminal it is
 * printed at once, prefixed with the target's name; on a terminal the
 * progress view stands for it and the line stays in the report's log.
 * The target's sink has already redacted it. */
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
	fw_out_write(f, line, len);
	if (fc->out->copy && f != fc->out->copy && !fc->json)
		fw_out_write(fc->out->copy, line, len);
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

static void add_elapsed(struct strbuf *sb, long ms)
{
	long secs = ms / 1000;
	if (secs >= 3600)
		strbuf_addf(sb, "%ldh%02ldm", secs / 3600, (secs / 60) % 60);
	else
		strbuf_addf(sb, "%ldm%02lds", secs / 60, secs % 60);
}

/* each running target of the batch: the migration it is in and for how long */
static void running_lines(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t start, size_t end,
			  struct strbuf *frame, int width)
{
	int shown = 0;
	size_t more = 0;
	long now = fw_now_ms();
	pthread_mutex_lock(&r->lock);
	for (size_t i = start; i < end; i++) {
		const struct fw_fleet_result *res = &r->res[i];
		struct strbuf what = STRBUF_INIT;
		if (res->status != FW_TS_RUNNING)
			continue;
		if (shown++ >= MAX_RUNNING_SHOWN) {
			more++;
			continue;
		}
		if (res->current) {
			strbuf_addf(&what, "%s  ", res->current);
			add_elapsed(&what, now - res->current_since);
		} else {
			strbuf_addstr(&what, "...");
		}
		if (res->done_migrations)
			strbuf_addf(&what, "  (%d done)", res->done_migrations);
		frame_line(frame, width, "      %-20s %s", fc->fleet.m[i].name, what.buf);
		strbuf_release(&what);
	}
	pthread_mutex_unlock(&r->lock);
	if (more)
		frame_line(frame, width, "      ... and %zu more", more);
}

/* Time left, from the targets done so far in this phase: their mean time,
 * times the targets still to run, over the parallelism. Nothing until one
 * target has finished. */
static void eta(struct fleet_cmd *fc, struct fw_fleet_run *r, struct strbuf *out)
{
	long total = 0;
	size_t done = 0, left = 0;
	int par = fc->fleet.parallel > 0 ? fc->fleet.parallel : 1;
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const struct fw_fleet_result *res = &r->res[i];
		if (res->status == FW_TS_OK || res->status == FW_TS_FAILED) {
			total += res->ms;
			done++;
		} else if (res->status == FW_TS_WAITING || res->status == FW_TS_RUNNING) {
			left++;
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (!done || !left || fw_fleet_flag(&r->halt))
		return;
	strbuf_addstr(out, "  about ");
	add_elapsed(out, (long)((double)total / (double)done * (double)left / (double)(left < (size_t)par ? left : (size_t)par)));
	strbuf_addstr(out, " left");
}

/* Redraw the view: per wave done/running/failed/waiting, and what each
 * running target of the active batch is doing. */
static void draw(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t start, size_t end, int waves)
{
	struct strbuf frame = STRBUF_INIT, left = STRBUF_INIT;
	int width = term_width(), lines;
	size_t c[FW_TS_NR];
	long secs = (fw_now_ms() - fc->phase_t0) / 1000;
	if (fc->drawn)
		strbuf_addf(&frame, "\033[%dA", fc->drawn);
	eta(fc, r, &left);
	frame_line(&frame, width, "fleet %s: %s  %02ld:%02ld%s%s", fc->fleet.name, fc->phase, secs / 60, secs % 60,
		   left.buf,
		   fw_fleet_flag(&r->cancel) ? "  (interrupted: stopping)" : fw_fleet_flag(&r->halt) ? "  (halted)" : "");
	strbuf_release(&left);
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
	{
		/* cursor movements mean nothing in -outputFile */
		struct fw_out screen = *fc->out;
		screen.copy = NULL;
		fw_out_raw(&screen, frame.buf, frame.len);
	}
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

/* run the job over members [start, end), drawing progress until every worker ended */
void fleet_run_batch(struct fleet_cmd *fc, struct fw_fleet_run *r, const struct fw_fleet_job *job, size_t start,
		     size_t end, int waves)
{
	struct fw_fleet_phase *ph = r->nr_phases < FW_FLEET_MAX_PHASES ? &r->phases[r->nr_phases++] : NULL;
	long t0 = fw_now_ms();
	struct fw_fleet_batch *b;
	if (ph) {
		const char *name = fc->phase;
		for (size_t w = 0; waves && w < fc->fleet.nr_waves; w++)
			if (fc->fleet.waves[w].start == start)
				name = fc->fleet.waves[w].name;
		snprintf(ph->name, sizeof(ph->name), "%s", name ? name : "");
		ph->started_ms = fleet_wall_ms();
	}
	b = fw_fleet_batch_start(r, job, start, end, fc->fleet.parallel);
	while (!fw_fleet_batch_wait(b, TICK_MS)) {
		note_interrupt(fc, r);
		if (fc->live)
			draw(fc, r, start, end, waves);
	}
	note_interrupt(fc, r);
	if (fc->live)
		draw(fc, r, start, end, waves);
	if (ph)
		ph->ms = fw_now_ms() - t0;
}

/* the pause between waves, cut short by Ctrl-C */
void fleet_pause_between(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t next_wave, long already_ms)
{
	long left = fc->fleet.pause_ms - already_ms, until = fw_now_ms() + left;
	const struct fw_fleet_wave *w = &fc->fleet.waves[next_wave];
	if (left <= 0)
		return;
	if (!fc->live)
		fw_info(fc->out, "pausing %ld.%03lds before %s", left / 1000, left % 1000, w->name);
	while (fw_now_ms() < until && !interrupted) {
		struct timespec ts = { 0, TICK_MS * 1000000L };
		nanosleep(&ts, NULL);
		if (fc->live)
			draw(fc, r, w->start, w->start, 1);
	}
	note_interrupt(fc, r);
}

void fleet_view_redraw(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	if (fc->live)
		draw(fc, r, 0, 0, 1);
}

void fleet_end_view(struct fleet_cmd *fc)
{
	fc->drawn = 0;
}

void fleet_view_setup(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	r->on_line = on_line;
	r->ctx = fc;
}

void fleet_begin_phase(struct fleet_cmd *fc, const char *phase)
{
	fc->phase = phase;
	fc->phase_t0 = fw_now_ms();
	fc->drawn = 0;
}

int fleet_interrupted(void)
{
	return interrupted;
}

/* fleets larger than this list only the targets that did not succeed */
#define FULL_TABLE_UP_TO 25

void fleet_outcome_table(struct fleet_cmd *fc, struct fw_fleet_run *r, const char *const *hdr, size_t ncols,
			 void (*row)(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t i, struct strvec *cells),
			 int (*succeeded)(const struct fw_fleet_result *res), const char *done_word)
{
	struct fw_table tab;
	struct strbuf out = STRBUF_INIT;
	int full = fc->fleet.nr <= FULL_TABLE_UP_TO;
	size_t ok = 0;
	fw_table_init(&tab, ncols, hdr);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct strvec cells = STRVEC_INIT;
		if (succeeded(&r->res[i])) {
			ok++;
			if (!full)
				continue;
		}
		row(fc, r, i, &cells);
		fw_table_add_row(&tab, (const char *const *)cells.v);
		strvec_clear(&cells);
	}
	if (fw_table_rows(&tab))
		fw_table_render(&tab, "", &out);
	if (!full)
		strbuf_addf(&out, "%s%zu of %zu target%s %s%s\n", fw_table_rows(&tab) ? "" : "",
			    ok, fc->fleet.nr, fc->fleet.nr == 1 ? "" : "s", done_word,
			    ok == fc->fleet.nr ? "" : "; the others are listed above");
	fleet_print(fc, out.buf);
	fw_table_release(&tab);
	strbuf_release(&out);
}
