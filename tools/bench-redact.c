/* bench-redact: what redacting one output line costs as the number of
 * registered secrets grows (a fleet registers each target's password).
 *
 *   bench-redact [LINES]
 *
 * For 1, 10, 100, 1,000, 5,000 and 10,000 secrets it prints the cost per line
 * of a target's own set (fw_secrets_apply), of the process-wide net
 * (redact_buf), and of scanning a list of the secrets one by one (memmem per
 * secret, how fleetway redacted before), on a typical 90-byte log line with
 * no secret in it and on one with a secret. The first two stay flat; the
 * list grows with the fleet. */
#include "util/redact.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct list {
	char **v;
	size_t nr;
};

static void list_apply(const struct list *l, struct strbuf *sb)
{
	for (size_t i = 0; i < l->nr; i++) {
		size_t n = strlen(l->v[i]);
		char *hit;
		while ((hit = memmem(sb->buf, sb->len, l->v[i], n))) {
			size_t at = (size_t)(hit - sb->buf);
			struct strbuf out = STRBUF_INIT;
			strbuf_add(&out, sb->buf, at);
			strbuf_addstr(&out, "***");
			strbuf_add(&out, hit + n, sb->len - at - n);
			strbuf_release(sb);
			*sb = out;
		}
	}
}

enum how { SET, NET, LIST };

static double per_line(enum how how, struct fw_secrets *set, const struct list *l, const char *line,
		       long lines)
{
	struct strbuf sb = STRBUF_INIT;
	double t0 = now_ns();
	for (long i = 0; i < lines; i++) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, line);
		if (how == SET)
			fw_secrets_apply(set, &sb);
		else if (how == NET)
			redact_buf(&sb);
		else
			list_apply(l, &sb);
	}
	strbuf_release(&sb);
	return (now_ns() - t0) / (double)lines;
}

int main(int argc, char **argv)
{
	static const int counts[] = { 1, 10, 100, 1000, 5000, 10000 };
	const char *plain = "[tenant-0042] Migrating schema \"public\" to version \"7 - add invoices index\" (12 ms)";
	long lines = argc > 1 ? atol(argv[1]) : 20000;
	printf("%8s  %22s  %22s  %22s\n", "secrets", "own set ns/line", "process net ns/line",
	       "list scan ns/line");
	printf("%8s  %10s %11s  %10s %11s  %10s %11s\n", "", "clean", "w/ secret", "clean", "w/ secret", "clean",
	       "w/ secret");
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct fw_secrets set = FW_SECRETS_INIT;
		struct list l = { calloc((size_t)counts[c], sizeof(char *)), 0 };
		char secret_line[256], pw[64];
		redact_reset();
		for (int i = 0; i < counts[c]; i++) {
			snprintf(pw, sizeof(pw), "Pw-%08d-%x", i, i * 2654435761u);
			redact_register(pw);
			fw_secrets_add(&set, pw);
			l.v[l.nr++] = strdup(pw);
		}
		snprintf(secret_line, sizeof(secret_line), "%s password=%s", plain, l.v[l.nr / 2]);
		/* the list scan is slow by design: fewer rounds keep the run short */
		long list_lines = counts[c] >= 1000 ? lines / 20 : lines;
		printf("%8d  %10.0f %11.0f  %10.0f %11.0f  %10.0f %11.0f\n", counts[c],
		       per_line(SET, &set, &l, plain, lines), per_line(SET, &set, &l, secret_line, lines),
		       per_line(NET, &set, &l, plain, lines), per_line(NET, &set, &l, secret_line, lines),
		       per_line(LIST, &set, &l, plain, list_lines), per_line(LIST, &set, &l, secret_line, list_lines));
		for (size_t i = 0; i < l.nr; i++)
			free(l.v[i]);
		free(l.v);
		fw_secrets_release(&set);
	}
	return 0;
}
