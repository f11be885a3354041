/* The PostgreSQL driver's connection settings: libpq's keywords and values
 * for a JDBC URL and the driver properties (pgjdbc's names translated, libpq's
 * own passed through), and the SSL answer of each server remembered.
 *
 * Why remember it: with sslmode "prefer", libpq's default and pgjdbc's, every
 * new connection first asks the server for SSL, one round trip before the
 * startup packet. A fleet of 1,000 tenants on one server far away pays that
 * round trip 1,000 times to hear the same "no" (issue 13). A server that said
 * no once in this process is not asked again: the connection is made the way
 * "prefer" ends up anyway, without SSL. Only refusals are remembered, so a
 * server that speaks SSL is always asked and always used; and only for
 * "prefer" as the effective mode over TCP, with nothing that could change the
 * mode behind our back (a service file, sslrootcert=system, direct SSL
 * negotiation, several hosts). */
#include "db/db-internal.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void ci_set(struct db_pg_conninfo *ci, const char *key, const char *value)
{
	for (size_t i = 0; i < ci->keys.nr; i++)
		if (!strcmp(ci->keys.v[i], key)) {
			free(ci->values.v[i]);
			ci->values.v[i] = xstrdup(value);
			return;
		}
	strvec_push(&ci->keys, key);
	strvec_push(&ci->values, value);
}

static const char *ci_get(const struct db_pg_conninfo *ci, const char *key)
{
	for (size_t i = 0; i < ci->keys.nr; i++)
		if (!strcmp(ci->keys.v[i], key))
			return ci->values.v[i];
	return NULL;
}

/* a value for libpq's "options": spaces and backslashes escaped */
static void add_option(struct strbuf *opts, const char *name, const char *value)
{
	if (opts->len)
		strbuf_addch(opts, ' ');
	strbuf_addf(opts, "-c %s=", name);
	for (const char *c = value; *c; c++) {
		if (*c == ' ' || *c == '\\')
			strbuf_addch(opts, '\\');
		strbuf_addch(opts, *c);
	}
}

static int is_true(const char *v)
{
	return !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes");
}

/* one driver property (URL parameter or jdbcProperties entry): pgjdbc names
 * are translated, libpq keywords pass through, the rest means nothing here */
static void add_property(struct db_pg_conninfo *ci, struct strbuf *opts, const PQconninfoOption *known,
			 const char *k, const char *v)
{
	if (!strcmp(k, "currentSchema")) {
		add_option(opts, "search_path", v);
	} else if (!strcmp(k, "ApplicationName") || !strcmp(k, "applicationName")) {
		ci_set(ci, "application_name", v);
	} else if (!strcmp(k, "ssl")) {
		if (is_true(v) && !ci_get(ci, "sslmode"))
			ci_set(ci, "sslmode", "require");
	} else if (!strcmp(k, "connectTimeout") || !strcmp(k, "loginTimeout")) {
		ci_set(ci, "connect_timeout", v);
	} else if (!strcmp(k, "tcpKeepAlive")) {
		ci_set(ci, "keepalives", is_true(v) ? "1" : "0");
	} else if (!strcmp(k, "gssEncMode")) {
		ci_set(ci, "gssencmode", v);
	} else if (!strcmp(k, "options")) {
		if (opts->len)
			strbuf_addch(opts, ' ');
		strbuf_addstr(opts, v);
	} else if (!strcmp(k, "password") || !strcmp(k, "sslpassword")) {
		redact_register(v);
		ci_set(ci, k, v);
	} else {
		for (const PQconninfoOption *o = known; o && o->keyword; o++)
			if (!strcmp(o->keyword, k) && strcmp(k, "dbname")) {
				ci_set(ci, k, v);
				break;
			}
	}
}

static void build_conninfo(const struct db_url *u, const struct db_params *prm,
			   const PQconninfoOption *known, struct db_pg_conninfo *ci)
{
	struct strbuf opts = STRBUF_INIT, port = STRBUF_INIT;

	ci_set(ci, "application_name", "fleetway");
	ci_set(ci, "connect_timeout", "10");
	for (size_t i = 0; i < prm->nprops; i++)
		add_property(ci, &opts, known, prm->prop_keys[i], prm->prop_values[i]);
	for (size_t i = 0; i < u->param_keys.nr; i++)   /* URL parameters win, as in pgjdbc */
		add_property(ci, &opts, known, u->param_keys.v[i], u->param_values.v[i]);
	if (u->host)
		ci_set(ci, "host", u->host);
	if (u->port) {
		strbuf_addf(&port, "%d", u->port);
		ci_set(ci, "port", port.buf);
	}
	if (u->database)
		ci_set(ci, "dbname", u->database);
	if (u->user)
		ci_set(ci, "user", u->user);
	if (u->password)
		ci_set(ci, "password", u->password);
	ci_set(ci, "options", opts.buf);
	strbuf_release(&opts);
	strbuf_release(&port);
}

/* ---- the servers that refused SSL in this process ---- */

static pthread_mutex_t refused_lock = PTHREAD_MUTEX_INITIALIZER;
static struct strvec refused_ssl = STRVEC_INIT;

static int ssl_refused(const char *server)
{
	int found;
	pthread_mutex_lock(&refused_lock);
	found = strvec_contains(&refused_ssl, server);
	pthread_mutex_unlock(&refused_lock);
	return found;
}

static void remember_ssl_refused(const char *server)
{
	pthread_mutex_lock(&refused_lock);
	if (!strvec_contains(&refused_ssl, server))
		strvec_push(&refused_ssl, server);
	pthread_mutex_unlock(&refused_lock);
}

/* the value a connection will use: its own, else libpq's default (which
 * includes the PG* environment variables) */
static const char *effective(const struct db_pg_conninfo *ci, const PQconninfoOption *known,
			     const char *key)
{
	const char *v = ci_get(ci, key);
	if (v)
		return v;
	for (const PQconninfoOption *o = known; o && o->keyword; o++)
		if (!strcmp(o->keyword, key))
			return o->val;
	return NULL;
}

/* "host\nhostaddr\nport\nssl...=..." when this connection asks a single TCP
 * server for SSL as "prefer" does, else NULL: the cases the memory may stand
 * in for */
static char *prefer_ssl_server(const struct db_pg_conninfo *ci, const PQconninfoOption *known)
{
	const char *mode = effective(ci, known, "sslmode");
	const char *host = effective(ci, known, "host");
	const char *hostaddr = effective(ci, known, "hostaddr");
	const char *port = effective(ci, known, "port");
	const char *rootcert = effective(ci, known, "sslrootcert");
	const char *negotiation = effective(ci, known, "sslnegotiation");
	struct strbuf key = STRBUF_INIT;

	if (!mode || strcmp(mode, "prefer") || effective(ci, known, "service"))
		return NULL;
	if ((rootcert && !strcmp(rootcert, "system")) || (negotiation && strcmp(negotiation, "postgres")))
		return NULL;
	if (!host || !*host || *host == '/' || *host == '@' || strchr(host, ','))
		return NULL;   /* a Unix socket never asks for SSL; several hosts may differ */
	if (hostaddr && strchr(hostaddr, ','))
		return NULL;
	strbuf_addf(&key, "%s\n%s\n%s", host, hostaddr ? hostaddr : "", port ? port : "");
	/* With "prefer" a failed handshake also ends without SSL. That can be the
	 * client's doing (its certificate or key), so the client's SSL settings
	 * are part of what is remembered: another connection is told what this
	 * one learned only when it would have met the same answer. */
	for (size_t i = 0; i < ci->keys.nr; i++)
		if (!strncmp(ci->keys.v[i], "ssl", 3) && strcmp(ci->keys.v[i], "sslmode"))
			strbuf_addf(&key, "\n%s=%s", ci->keys.v[i], ci->values.v[i]);
	return strbuf_detach(&key, NULL);
}

static void ask_ssl_once(struct db_pg_conninfo *ci, const PQconninfoOption *known)
{
	char *server = prefer_ssl_server(ci, known);
	if (server && ssl_refused(server)) {
		ci_set(ci, "sslmode", "disable");
		free(server);
		server = NULL;
	}
	ci->ssl_asked_of = server;
}

void db_pg_conninfo_build(const struct db_url *u, const struct db_params *prm,
			  struct db_pg_conninfo *ci)
{
	PQconninfoOption *known = PQconndefaults();
	build_conninfo(u, prm, known, ci);
	ask_ssl_once(ci, known);
	PQconninfoFree(known);
}

/* GSS encryption, when it happens, comes before SSL: such a connection never
 * asked for SSL and teaches nothing */
void db_pg_conninfo_connected(const struct db_pg_conninfo *ci, PGconn *conn)
{
	if (ci->ssl_asked_of && !PQsslInUse(conn) && !PQgssEncInUse(conn))
		remember_ssl_refused(ci->ssl_asked_of);
}

void db_pg_conninfo_release(struct db_pg_conninfo *ci)
{
	strvec_clear(&ci->keys);
	strvec_clear(&ci->values);
	free(ci->ssl_asked_of);
	ci->ssl_asked_of = NULL;
}
