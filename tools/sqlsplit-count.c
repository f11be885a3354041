/* sqlsplit-count: split a SQL script with the streaming splitter and print
 * the number of statements (and with -v, each statement's line and simplified
 * form).  Used by bench/sqlsplit-mem.sh to check that memory stays bounded on
 * huge scripts, and handy for seeing how a script will be split.
 *
 *   sqlsplit-count [-v] [sqlite|postgres|mysql] FILE|-
 *
 * Exit status 0 on success, 1 on a parse or read error (message on stderr),
 * 2 on bad usage. */
#include "sql/sqlsplit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static long fd_read(void *ctx, char *buf, size_t n)
{
	int fd = *(int *)ctx;
	for (;;) {
		ssize_t r = read(fd, buf, n);
		if (r >= 0 || errno != EINTR)
			return (long)r;
	}
}

static int parse_dialect(const char *s, enum sql_dialect *d)
{
	if (!strcmp(s, "sqlite"))
		*d = SQL_DIALECT_SQLITE;
	else if (!strcmp(s, "postgres") || !strcmp(s, "postgresql"))
		*d = SQL_DIALECT_POSTGRES;
	else if (!strcmp(s, "mysql") || !strcmp(s, "mariadb"))
		*d = SQL_DIALECT_MYSQL;
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	enum sql_dialect d = SQL_DIALECT_POSTGRES;
	struct sql_stmt st = SQL_STMT_INIT;
	struct fw_error err = FW_ERROR_INIT;
	struct sqlsplit *s;
	const char *path;
	int i = 1, verbose = 0, fd, rc;
	long count = 0;

	if (i < argc && !strcmp(argv[i], "-v")) {
		verbose = 1;
		i++;
	}
	if (argc - i == 2 && parse_dialect(argv[i], &d) == 0)
		i++;
	if (argc - i != 1) {
		fprintf(stderr, "usage: sqlsplit-count [-v] [sqlite|postgres|mysql] FILE|-\n");
		return 2;
	}
	path = argv[i];
	fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
	if (fd < 0) {
		fprintf(stderr, "error: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	s = sqlsplit_new(d, fd_read, &fd, path);
	while ((rc = sqlsplit_next(s, &st, &err)) == 1) {
		count++;
		if (verbose)
			printf("%d:%d %s%s\n", st.line, st.col, st.simplified,
			       st.flags & SQL_STMT_NONTX ? " [non-transactional]" : "");
	}
	if (rc < 0) {
		struct strbuf msg = STRBUF_INIT;
		fw_error_format(&err, &msg);
		fprintf(stderr, "%s", msg.buf);
		strbuf_release(&msg);
	} else {
		printf("%ld\n", count);
	}
	sql_stmt_release(&st);
	fw_error_clear(&err);
	sqlsplit_free(s);
	if (fd > 0)
		close(fd);
	return rc < 0 || fflush(stdout) ? 1 : 0;
}
