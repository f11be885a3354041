/* schema-snapshot: read schemas of a database into a snapshot, for
 * bench/snapshot.sh and for looking at what the catalog readers see (the
 * `fleetway snapshot` command comes with the operation layer).
 *
 *   schema-snapshot [-t] [-g] [-u USER] URL [SCHEMA...]
 *
 * Prints the snapshot JSON on stdout (-t: only the time the reads took, in
 * milliseconds, and the number of objects); -g includes privileges. With no
 * SCHEMA, the connection's current one. Exit status 0, 1 on a database
 * error (message on stderr), 2 on bad usage. */
#include "db/db.h"
#include "schema/snapshot.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail(struct fw_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	fw_error_format(err, &sb);
	fputs(sb.buf, stderr);
	strbuf_release(&sb);
	return 1;
}

int main(int argc, char **argv)
{
	struct fw_schema_opts opts = { 0 };
	struct db_params p = { 0 };
	struct fw_error err = FW_ERROR_INIT;
	struct fw_model m;
	struct db *db;
	struct strbuf out = STRBUF_INIT;
	int timing = 0, c;
	size_t nobjects = 0;
	double t0, t1;

	while ((c = getopt(argc, argv, "tgu:")) != -1) {
		if (c == 't')
			timing = 1;
		else if (c == 'g')
			opts.grants = 1;
		else if (c == 'u')
			p.user = optarg;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-t] [-g] [-u USER] URL [SCHEMA...]\n", argv[0]);
		return 2;
	}
	p.url = argv[optind++];
	if (db_open(&p, &db, &err) < 0)
		return fail(&err);
	fw_model_init(&m, db_dialect(db), db_product(db));
	t0 = now_ms();
	do {
		const char *schema = optind < argc ? argv[optind] : NULL;
		struct fw_schema s;
		if (db_read_schema(db, schema, &opts, &s, &err) < 0) {
			db_close(db);
			fw_model_release(&m);
			return fail(&err);
		}
		nobjects += s.nobjects;
		fw_model_adopt_schema(&m, &s);
	} while (++optind < argc);
	t1 = now_ms();
	if (timing) {
		printf("%.1f ms, %zu objects\n", t1 - t0, nobjects);
	} else {
		fw_snapshot_write(&m, &out);
		fputs(out.buf, stdout);
	}
	strbuf_release(&out);
	fw_model_release(&m);
	db_close(db);
	return 0;
}
