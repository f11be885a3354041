/* bench/connect-floor.c: the physical floor of a no-op fleet run on PostgreSQL.
 *
 *   connect-floor PARALLEL CONNINFO_TEMPLATE SQL < targets
 *
 * One new connection to each target's own database (CONNINFO_TEMPLATE with %s
 * replaced by the target's name, one name per line on stdin), PARALLEL at a
 * time, one statement each (SQL: "SELECT 1", or the read of the history table
 * that any migration tool must make), then the connection is closed. pgbench -C
 * cannot do this: it reconnects to one database, whose catalogs stay warm in
 * every new backend, where a fleet's targets are as many databases. Prints the
 * seconds taken; exit 1 at the first failure. Built by bench/fleet-noop.sh. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char **names;
static size_t nnames, next_name;
static const char *template, *sql;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static const char *take_name(void)
{
	const char *name = NULL;
	pthread_mutex_lock(&lock);
	if (next_name < nnames)
		name = names[next_name++];
	pthread_mutex_unlock(&lock);
	return name;
}

static void fail(PGconn *conn, const char *name)
{
	fprintf(stderr, "connect-floor: %s: %s", name, PQerrorMessage(conn));
	exit(1);
}

static void *worker(void *arg)
{
	const char *name;
	(void)arg;
	while ((name = take_name())) {
		char conninfo[2048];
		PGconn *conn;
		PGresult *res;
		snprintf(conninfo, sizeof(conninfo), template, name);
		conn = PQconnectdb(conninfo);
		if (PQstatus(conn) != CONNECTION_OK)
			fail(conn, name);
		res = PQexec(conn, sql);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			fail(conn, name);
		PQclear(res);
		PQfinish(conn);
	}
	return NULL;
}

static void read_names(void)
{
	char line[512];
	size_t alloc = 0;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		if (nnames == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			names = realloc(names, alloc * sizeof(*names));
			if (!names)
				exit(1);
		}
		names[nnames++] = strdup(line);
	}
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	pthread_t threads[256];
	int parallel, started = 0;
	if (argc != 4 || (parallel = atoi(argv[1])) < 1 || parallel > 256 || !strstr(argv[2], "%s")) {
		fprintf(stderr, "usage: connect-floor PARALLEL CONNINFO_TEMPLATE(with %%s) SQL < targets\n");
		return 2;
	}
	template = argv[2];
	sql = argv[3];
	read_names();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < parallel; i++)
		if (pthread_create(&threads[i], NULL, worker, NULL) == 0)
			started++;
	if (!started)
		worker(NULL);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.2f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
