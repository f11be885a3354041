/* The libpq functions pg.c calls, forwarded to libpq.so.5 opened on first
 * use (see libload.h). pg.c calls fw_libpq_load() before anything else;
 * the forwarders assume it succeeded. Signatures are libpq-fe.h's own, so the
 * compiler checks every one against the header. */
#include <libpq-fe.h>
#include "libload.h"

/* R(return type, name, parameters, arguments); V(...) for void functions */
#define LIBPQ_FUNCTIONS(R, V) \
	R(int, PQcancel, (PGcancel *c, char *buf, int size), (c, buf, size)) \
	V(PQclear, (PGresult *r), (r)) \
	R(PQconninfoOption *, PQconndefaults, (void), ()) \
	R(PQconninfoOption *, PQconninfo, (PGconn *c), (c)) \
	R(PGconn *, PQconnectdbParams, (const char *const *k, const char *const *v, int x), (k, v, x)) \
	V(PQconninfoFree, (PQconninfoOption *o), (o)) \
	R(char *, PQdb, (const PGconn *c), (c)) \
	R(int, PQenterPipelineMode, (PGconn *c), (c)) \
	R(char *, PQerrorMessage, (const PGconn *c), (c)) \
	R(int, PQgssEncInUse, (PGconn *c), (c)) \
	R(PGresult *, PQexec, (PGconn *c, const char *q), (c, q)) \
	R(PGresult *, PQexecParams, (PGconn *c, const char *q, int n, const Oid *t, \
				     const char *const *v, const int *l, const int *f, int rf), \
	  (c, q, n, t, v, l, f, rf)) \
	R(int, PQexitPipelineMode, (PGconn *c), (c)) \
	V(PQfinish, (PGconn *c), (c)) \
	R(char *, PQfname, (const PGresult *r, int i), (r, i)) \
	V(PQfreeCancel, (PGcancel *c), (c)) \
	V(PQfreemem, (void *p), (p)) \
	R(PGcancel *, PQgetCancel, (PGconn *c), (c)) \
	R(int, PQgetCopyData, (PGconn *c, char **b, int a), (c, b, a)) \
	R(PGresult *, PQgetResult, (PGconn *c), (c)) \
	R(int, PQgetisnull, (const PGresult *r, int t, int f), (r, t, f)) \
	R(char *, PQgetvalue, (const PGresult *r, int t, int f), (r, t, f)) \
	R(int, PQnfields, (const PGresult *r), (r)) \
	R(int, PQntuples, (const PGresult *r), (r)) \
	R(const char *, PQparameterStatus, (const PGconn *c, const char *n), (c, n)) \
	R(int, PQpipelineSync, (PGconn *c), (c)) \
	R(PGpipelineStatus, PQpipelineStatus, (const PGconn *c), (c)) \
	R(int, PQputCopyData, (PGconn *c, const char *b, int n), (c, b, n)) \
	R(int, PQputCopyEnd, (PGconn *c, const char *m), (c, m)) \
	R(char *, PQresultErrorField, (const PGresult *r, int f), (r, f)) \
	R(char *, PQresultErrorMessage, (const PGresult *r), (r)) \
	R(ExecStatusType, PQresultStatus, (const PGresult *r), (r)) \
	R(int, PQsendQueryParams, (PGconn *c, const char *q, int n, const Oid *t, \
				   const char *const *v, const int *l, const int *f, int rf), \
	  (c, q, n, t, v, l, f, rf)) \
	R(int, PQserverVersion, (const PGconn *c), (c)) \
	R(int, PQsslInUse, (PGconn *c), (c)) \
	R(PQnoticeReceiver, PQsetNoticeReceiver, (PGconn *c, PQnoticeReceiver p, void *a), \
	  (c, p, a)) \
	R(ConnStatusType, PQstatus, (const PGconn *c), (c)) \
	R(PGTransactionStatusType, PQtransactionStatus, (const PGconn *c), (c))

FW_LIB_DEFINE(LIBPQ_FUNCTIONS, "libpq.so.5", "libpq5", fw_libpq_load)
