/* The MariaDB Connector/C functions mysql.c calls, forwarded to
 * libmariadb.so.3 opened on first use (see libload.h). mysql.c calls
 * fw_libmariadb_load() before anything else; the forwarders assume it
 * succeeded. Signatures are mysql.h's own, checked by the compiler. The
 * variadic mysql_optionsv cannot be forwarded: use mysql_options4. */
#include <mysql.h>
#include "libload.h"

/* R(return type, name, parameters, arguments); V(...) for void functions */
#define LIBMARIADB_FUNCTIONS(R, V) \
	V(mysql_close, (MYSQL *m), (m)) \
	R(unsigned int, mysql_errno, (MYSQL *m), (m)) \
	R(const char *, mysql_error, (MYSQL *m), (m)) \
	R(MYSQL_FIELD *, mysql_fetch_fields, (MYSQL_RES *r), (r)) \
	R(unsigned long *, mysql_fetch_lengths, (MYSQL_RES *r), (r)) \
	R(MYSQL_ROW, mysql_fetch_row, (MYSQL_RES *r), (r)) \
	R(unsigned int, mysql_field_count, (MYSQL *m), (m)) \
	V(mysql_free_result, (MYSQL_RES *r), (r)) \
	R(char *, mysql_get_server_info, (MYSQL *m), (m)) \
	R(const char *, mysql_get_ssl_cipher, (MYSQL *m), (m)) \
	R(MYSQL *, mysql_init, (MYSQL *m), (m)) \
	R(int, mysql_next_result, (MYSQL *m), (m)) \
	R(unsigned int, mysql_num_fields, (MYSQL_RES *r), (r)) \
	R(int, mysql_options, (MYSQL *m, enum mysql_option o, const void *a), (m, o, a)) \
	R(int, mysql_options4, (MYSQL *m, enum mysql_option o, const void *a, const void *b), \
	  (m, o, a, b)) \
	R(MYSQL *, mysql_real_connect, (MYSQL *m, const char *host, const char *user, \
					const char *pw, const char *db, unsigned int port, \
					const char *sock, unsigned long flags), \
	  (m, host, user, pw, db, port, sock, flags)) \
	R(unsigned long, mysql_real_escape_string, (MYSQL *m, char *to, const char *from, \
						    unsigned long n), (m, to, from, n)) \
	R(int, mysql_real_query, (MYSQL *m, const char *q, unsigned long n), (m, q, n)) \
	R(int, mysql_select_db, (MYSQL *m, const char *db), (m, db)) \
	R(int, mysql_server_init, (int argc, char **argv, char **groups), (argc, argv, groups)) \
	R(const char *, mysql_sqlstate, (MYSQL *m), (m)) \
	R(MYSQL_RES *, mysql_store_result, (MYSQL *m), (m)) \
	V(mysql_thread_end, (void), ()) \
	R(unsigned long, mysql_thread_id, (MYSQL *m), (m)) \
	R(my_bool, mysql_thread_init, (void), ()) \
	R(MYSQL_RES *, mysql_use_result, (MYSQL *m), (m)) \

FW_LIB_DEFINE(LIBMARIADB_FUNCTIONS, "libmariadb.so.3", "libmariadb3", fw_libmariadb_load)
