/* Database URLs: the JDBC forms Flyway configurations use, plus plain libpq
 * URIs (reference 8.8). Parsing only; the drivers decide what the parameters
 * mean. Every message shows the URL through redact_url(), and a password
 * found here is registered as a secret the moment it is decoded. */
#include "db/db.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct scheme {
	const char *prefix;     /* matched case-insensitively */
	enum db_kind kind;
	int mariadb;
	int jdbc;               /* JDBC form: host defaults to localhost */
};

static const struct scheme schemes[] = {
	{ "jdbc:sqlite:", DB_SQLITE, 0, 1 },
	{ "sqlite:", DB_SQLITE, 0, 0 },
	{ "jdbc:postgresql:", DB_POSTGRES, 0, 1 },
	{ "postgresql://", DB_POSTGRES, 0, 0 },
	{ "postgres://", DB_POSTGRES, 0, 0 },
	{ "jdbc:mysql:", DB_MYSQL, 0, 1 },
	{ "jdbc:mariadb:", DB_MYSQL, 1, 1 },
	{ "mysql://", DB_MYSQL, 0, 0 },
	{ "mariadb://", DB_MYSQL, 1, 0 },
};

static void url_error(struct fw_error *err, const char *url, const char *what)
{
	struct strbuf shown = STRBUF_INIT;
	redact_url(url, &shown);
	fw_errorf(err, "CONFIGURATION", "%s in database URL '%s'", what, shown.buf);
	strbuf_release(&shown);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* %XX-decode [s, s+n) into a new string; NULL on a malformed escape.
 * '+' stays '+': passwords hold it far more often than spaces. */
static char *pct_decode(const char *s, size_t n)
{
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			strbuf_addch(&out, s[i]);
			continue;
		}
		if (i + 2 >= n) {
			strbuf_release(&out);
			return NULL;
		}
		int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			strbuf_release(&out);
			return NULL;
		}
		strbuf_addch(&out, hi * 16 + lo);
		i += 2;
	}
	return strbuf_detach(&out, NULL);
}

static void set_password(struct db_url *u, char *pw)
{
	free(u->password);
	u->password = pw;
	redact_register(pw);
}

/* k=v&k=v... (also ';' as separator, which some JDBC drivers accept) */
static int parse_query(const char *q, size_t n, struct db_url *u, const char *url,
		       struct fw_error *err)
{
	const char *end = q + n;
	while (q < end) {
		const char *amp = q;
		while (amp < end && *amp != '&' && *amp != ';')
			amp++;
		if (amp > q) {
			const char *eq = memchr(q, '=', (size_t)(amp - q));
			const char *kend = eq ? eq : amp;
			char *key = pct_decode(q, (size_t)(kend - q));
			char *val = eq ? pct_decode(eq + 1, (size_t)(amp - eq - 1)) : xstrdup("");
			if (!key || !val) {
				free(key);
				free(val);
				url_error(err, url, "invalid percent-encoding in a parameter");
				return -1;
			}
			if (!strcasecmp(key, "user")) {
				free(u->user);
				u->user = val;
			} else if (!strcasecmp(key, "password")) {
				set_password(u, val);
			} else {
				strvec_push(&u->param_keys, key);
				strvec_push_nodup(&u->param_values, val);
			}
			free(key);
		}
		q = amp + 1;
	}
	return 0;
}

/* user[:password]@ in front of the host */
static int parse_userinfo(const char *s, size_t n, struct db_url *u, const char *url,
			  struct fw_error *err)
{
	const char *colon = memchr(s, ':', n);
	size_t ulen = colon ? (size_t)(colon - s) : n;
	char *user = pct_decode(s, ulen);
	char *pw = colon ? pct_decode(colon + 1, n - ulen - 1) : NULL;
	if (!user || (colon && !pw)) {
		/* the password may be the malformed part: still keep it secret */
		if (colon) {
			char *raw = xstrndup(colon + 1, n - ulen - 1);
			redact_register(raw);
			free(raw);
		}
		free(user);
		free(pw);
		url_error(err, url, "invalid percent-encoding in the user name or password");
		return -1;
	}
	if (*user)
		u->user = user;
	else
		free(user);
	if (pw)
		set_password(u, pw);
	return 0;
}

static int parse_port(const char *s, size_t n, struct db_url *u, const char *url,
		      struct fw_error *err)
{
	long port = 0;
	if (!n || n > 5) {
		url_error(err, url, "invalid port");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i])) {
			url_error(err, url, "invalid port");
			return -1;
		}
		port = port * 10 + (s[i] - '0');
	}
	if (port < 1 || port > 65535) {
		url_error(err, url, "invalid port");
		return -1;
	}
	u->port = (int)port;
	return 0;
}

/* host, [v6-host] or host:port */
static int parse_hostport(const char *s, size_t n, struct db_url *u, const char *url,
			  struct fw_error *err)
{
	const char *end = s + n, *port = NULL;
	if (memchr(s, ',', n)) {
		url_error(err, url, "several hosts are not supported");
		return -1;
	}
	if (n && *s == '[') {
		const char *close = memchr(s, ']', n);
		if (!close || close == s + 1) {
			url_error(err, url, "invalid IPv6 host");
			return -1;
		}
		u->host = xstrndup(s + 1, (size_t)(close - s - 1));
		if (close + 1 < end) {
			if (close[1] != ':') {
				url_error(err, url, "invalid IPv6 host");
				return -1;
			}
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);
		size_t hlen = colon ? (size_t)(colon - s) : n;
		if (hlen) {
			u->host = pct_decode(s, hlen);
			if (!u->host) {
				url_error(err, url, "invalid percent-encoding in the host");
				return -1;
			}
		}
		if (colon)
			port = colon + 1;
	}
	if (port && parse_port(port, (size_t)(end - port), u, url, err) < 0)
		return -1;
	return 0;
}

/* //[user[:pass]@]host[:port][/database][?k=v&...] or, for JDBC PostgreSQL,
 * the short forms "database" and "/database" (localhost) */
static int parse_network(const char *rest, const struct scheme *sc, struct db_url *u,
			 const char *url, struct fw_error *err)
{
	const char *p = rest, *q;
	if (!strncmp(p, "//", 2)) {
		const char *auth = p + 2, *aend = auth + strcspn(auth, "/?#"), *at = NULL;
		for (const char *c = auth; c < aend; c++)
			if (*c == '@')
				at = c;
		if (at) {
			if (parse_userinfo(auth, (size_t)(at - auth), u, url, err) < 0)
				return -1;
			auth = at + 1;
		}
		if (parse_hostport(auth, (size_t)(aend - auth), u, url, err) < 0)
			return -1;
		p = aend;
	} else if (!(sc->jdbc && sc->kind == DB_POSTGRES)) {
		url_error(err, url, "missing '//' after the scheme");
		return -1;
	}
	if (*p == '/')
		p++;
	q = p + strcspn(p, "?#");
	if (q > p) {
		u->database = pct_decode(p, (size_t)(q - p));
		if (!u->database) {
			url_error(err, url, "invalid percent-encoding in the database name");
			return -1;
		}
	}
	if (*q == '?' && parse_query(q + 1, strcspn(q + 1, "#"), u, url, err) < 0)
		return -1;
	if (!u->host && sc->jdbc)
		u->host = xstrdup("localhost");
	return 0;
}

/* jdbc:sqlite:PATH[?k=v...]; "file:" URIs go to SQLite untouched */
static int parse_sqlite(const char *rest, struct db_url *u, const char *url,
			struct fw_error *err)
{
	size_t plen;
	if (!strncasecmp(rest, "file:", 5)) {
		u->path = xstrdup(rest);
		return 0;
	}
	plen = strcspn(rest, "?");
	u->path = plen ? xstrndup(rest, plen) : xstrdup(":memory:");
	if (rest[plen] == '?')
		return parse_query(rest + plen + 1, strlen(rest + plen + 1), u, url, err);
	return 0;
}

static void unsupported(struct fw_error *err, const char *url)
{
	struct strbuf shown = STRBUF_INIT;
	redact_url(url, &shown);
	fw_errorf(err, "CONFIGURATION", "unsupported database URL '%s'", shown.buf);
	fw_error_hint(err, "supported forms: jdbc:sqlite:<path>, "
		      "jdbc:postgresql://host[:port]/database[?key=value&...], "
		      "postgresql://user@host[:port]/database, "
		      "jdbc:mysql://host[:port]/database, jdbc:mariadb://host[:port]/database");
	strbuf_release(&shown);
}

int db_url_parse(const char *url, struct db_url *out, struct fw_error *err)
{
	const struct scheme *sc = NULL;
	const char *rest;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!url || !*url)
		return fw_errorf(err, "CONFIGURATION",
				 "Unable to connect to the database. Configure the url, user and password!");
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strncasecmp(url, schemes[i].prefix, strlen(schemes[i].prefix))) {
			sc = &schemes[i];
			break;
		}
	if (!sc) {
		unsupported(err, url);
		return -1;
	}
	out->kind = sc->kind;
	out->mariadb = sc->mariadb;
	rest = url + strlen(sc->prefix);
	/* the "scheme://" prefixes end in "//"; give it back for parse_network */
	if (sc->prefix[strlen(sc->prefix) - 1] == '/')
		rest -= 2;
	if (sc->kind == DB_SQLITE)
		ret = parse_sqlite(rest, out, url, err);
	else
		ret = parse_network(rest, sc, out, url, err);
	if (ret < 0)
		db_url_release(out);
	return ret;
}

void db_url_release(struct db_url *u)
{
	free(u->host);
	free(u->database);
	free(u->path);
	free(u->user);
	free(u->password);
	strvec_clear(&u->param_keys);
	strvec_clear(&u->param_values);
	memset(u, 0, sizeof(*u));
}

/* ---------------------------------------------------------------- where a URL leads */

static int default_port(enum db_kind kind)
{
	return kind == DB_POSTGRES ? 5432 : kind == DB_MYSQL ? 3306 : 0;
}

/* a SQLite path as one name for the file: absolute, links resolved where it exists */
static void sqlite_file(const char *path, struct db_where *out)
{
	char resolved[PATH_MAX];
	struct strbuf sb = STRBUF_INIT, abs = STRBUF_INIT;
	if (!strncasecmp(path, "file:", 5)) {
		path += 5;
		if (!strncmp(path, "//", 2))
			path += 2;
	}
	strbuf_add(&sb, path, strcspn(path, "?#"));
	if (!sb.len || !strcmp(sb.buf, ":memory:") || strstr(path, "mode=memory")) {
		strbuf_release(&sb);
		out->exists = 1;
		return;
	}
	if (realpath(sb.buf, resolved)) {
		out->database = xstrdup(resolved);
		out->exists = 1;
	} else {
		/* not there (yet): its folder resolved, so that two spellings still meet */
		char *slash = strrchr(sb.buf, '/');
		out->exists = access(sb.buf, F_OK) == 0;
		if (slash && slash != sb.buf) {
			*slash = '\0';
			if (realpath(sb.buf, resolved))
				strbuf_addf(&abs, "%s/%s", resolved, slash + 1);
			*slash = '/';
		}
		if (!abs.len) {
			if (sb.buf[0] != '/' && getcwd(resolved, sizeof(resolved)))
				strbuf_addf(&abs, "%s/", resolved);
			strbuf_addbuf(&abs, &sb);
		}
		out->database = strbuf_detach(&abs, NULL);
	}
	strbuf_release(&sb);
}

int db_url_where(const char *url, const char *user, struct db_where *out, struct fw_error *err)
{
	struct db_url u;
	struct strbuf server = STRBUF_INIT;
	memset(out, 0, sizeof(*out));
	if (db_url_parse(url, &u, err) < 0)
		return -1;
	if (u.kind == DB_SQLITE) {
		sqlite_file(u.path ? u.path : ":memory:", out);
		out->server = xstrdup("");
	} else {
		const char *db = u.database ? u.database : user && *user ? user : u.user;
		for (const char *p = u.host ? u.host : "localhost"; *p; p++)
			strbuf_addch(&server, (char)tolower((unsigned char)*p));
		strbuf_addf(&server, ":%d", u.port ? u.port : default_port(u.kind));
		out->server = strbuf_detach(&server, NULL);
		out->database = db ? xstrdup(db) : NULL;
		out->exists = 1;
	}
	db_url_release(&u);
	return 0;
}

void db_where_release(struct db_where *w)
{
	free(w->server);
	free(w->database);
	memset(w, 0, sizeof(*w));
}
