/* Fleet inventories: many targets from one file instead of one TOML table each.
 *
 * The file is CSV (or TSV: a tab on a line makes that line tab-separated):
 *
 *   # tenants of the prod fleet
 *   name,url,user,password
 *   tenant-001,jdbc:postgresql://db1:5432/t001,app,${env.TENANT_DB_PASSWORD}
 *   tenant-002,"jdbc:postgresql://db2:5432/t002?sslmode=require&x=1",app,${env.T002_PW}
 *
 * Without a header the columns are name,url[,user[,password]]. A header (a
 * first row with a cell "name") may order the columns freely and add
 * placeholders.X columns. Cells are templates (fw_fleet_expand), resolved per
 * target only when that target's config is built, so one tenant's missing
 * secret fails that tenant alone, by name. */
#include "fleet/fleet.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum col { COL_NAME, COL_URL, COL_USER, COL_PASSWORD, COL_PLACEHOLDER };

struct layout {
	enum col *cols;
	struct strvec ph;        /* placeholder name per column (NULL-free: "" for others) */
	size_t n;
};

static void trim(struct strbuf *sb)
{
	strbuf_trim(sb);
}

/* split one line into cells; quotes as in RFC 4180 (no line breaks inside) */
static int split_cells(const char *line, size_t len, char sep, struct strvec *cells,
		       const char *file, int lineno, struct fw_error *err)
{
	struct strbuf cell = STRBUF_INIT;
	size_t i = 0;
	for (;;) {
		int quoted = 0;
		strbuf_reset(&cell);
		while (i < len && (line[i] == ' ' || (sep != '\t' && line[i] == '\t')))
			i++;
		if (i < len && line[i] == '"') {
			quoted = 1;
			for (i++;; i++) {
				if (i >= len) {
					strbuf_release(&cell);
					return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
							      "%s:%d: unterminated quoted cell", file, lineno);
				}
				if (line[i] == '"') {
					if (i + 1 < len && line[i + 1] == '"') {
						strbuf_addch(&cell, '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				strbuf_addch(&cell, line[i]);
			}
			while (i < len && line[i] != sep && isspace((unsigned char)line[i]))
				i++;
			if (i < len && line[i] != sep) {
				strbuf_release(&cell);
				return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
						      "%s:%d: text after a quoted cell", file, lineno);
			}
		} else {
			while (i < len && line[i] != sep)
				strbuf_addch(&cell, line[i++]);
		}
		if (!quoted)
			trim(&cell);
		strvec_push(cells, cell.buf);
		if (i >= len)
			break;
		i++; /* the separator */
	}
	strbuf_release(&cell);
	return 0;
}

static int header_layout(const struct strvec *cells, struct layout *lay, const char *file,
			 int lineno, struct fw_error *err)
{
	int have_name = 0, have_url = 0;
	lay->n = cells->nr;
	lay->cols = xcalloc(cells->nr + 1, sizeof(*lay->cols));
	for (size_t i = 0; i < cells->nr; i++) {
		const char *c = cells->v[i];
		strvec_push(&lay->ph, "");
		if (!strcasecmp(c, "name"))
			lay->cols[i] = COL_NAME, have_name = 1;
		else if (!strcasecmp(c, "url"))
			lay->cols[i] = COL_URL, have_url = 1;
		else if (!strcasecmp(c, "user"))
			lay->cols[i] = COL_USER;
		else if (!strcasecmp(c, "password"))
			lay->cols[i] = COL_PASSWORD;
		else if (!strncmp(c, "placeholders.", 13) && c[13]) {
			lay->cols[i] = COL_PLACEHOLDER;
			free(lay->ph.v[i]);
			lay->ph.v[i] = xstrdup(c + 13);
		} else {
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "%s:%d: unknown column '%s'", file,
				       lineno, c);
			fw_error_hint(err, "columns are: name, url, user, password, placeholders.<name>");
			return -1;
		}
	}
	if (!have_name || !have_url)
		return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				      "%s:%d: the header needs a name and a url column", file, lineno);
	return 0;
}

/* the first row is a header when one of its cells is "name" (no target is called that) */
static int is_header(const struct strvec *cells)
{
	for (size_t i = 0; i < cells->nr; i++)
		if (!strcasecmp(cells->v[i], "name"))
			return 1;
	return 0;
}

static void default_layout(struct layout *lay)
{
	static const enum col def[] = { COL_NAME, COL_URL, COL_USER, COL_PASSWORD };
	lay->n = 4;
	lay->cols = xcalloc(5, sizeof(*lay->cols));
	memcpy(lay->cols, def, sizeof(def));
	for (size_t i = 0; i < 4; i++)
		strvec_push(&lay->ph, "");
}

/* names end up in file names, report ids and command lines: keep them plain */
static int valid_name(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

static int add_row(struct fw_fleet *f, const struct layout *lay, const struct strvec *cells,
		   const char *file, int lineno, struct fw_error *err)
{
	struct fw_fleet_member *m;
	const char *name = NULL;
	if (cells->nr > lay->n)
		return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				      "%s:%d: %zu cells, but only %zu columns (name,url,user,password)", file,
				      lineno, cells->nr, lay->n);
	for (size_t i = 0; i < cells->nr; i++)
		if (lay->cols[i] == COL_NAME)
			name = cells->v[i];
	if (!name || !*name)
		return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "%s:%d: the row has no name", file,
				      lineno);
	if (!valid_name(name))
		return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				      "%s:%d: invalid target name '%s': use letters, digits, '.', '_' and '-'",
				      file, lineno, name);
	ALLOC_GROW(f->m, f->nr + 1, f->alloc);
	m = &f->m[f->nr++];
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	m->from_inventory = 1;
	m->line = lineno;
	for (size_t i = 0; i < cells->nr; i++) {
		const char *v = cells->v[i];
		if (!*v && lay->cols[i] != COL_PLACEHOLDER)
			continue; /* an empty cell means "not given": the fleet's template applies */
		switch (lay->cols[i]) {
		case COL_NAME: break;
		case COL_URL: m->url = xstrdup(v); break;
		case COL_USER: m->user = xstrdup(v); break;
		case COL_PASSWORD: m->password = xstrdup(v); break;
		case COL_PLACEHOLDER:
			strvec_push(&m->ph_names, lay->ph.v[i]);
			strvec_push(&m->ph_values, v);
			break;
		}
	}
	return 0;
}

int fw_fleet_inventory_parse(struct fw_fleet *f, const char *text, size_t len,
			     const char *filename, struct fw_error *err)
{
	struct layout lay = { NULL, STRVEC_INIT, 0 };
	size_t pos = 0;
	int lineno = 0, ret = 0;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		pos = 3;
	while (pos < len && !ret) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		struct strvec cells = STRVEC_INIT;
		size_t skip = 0;
		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		while (skip < n && isspace((unsigned char)line[skip]))
			skip++;
		if (skip == n || line[skip] == '#')
			continue;
		ret = split_cells(line, n, memchr(line, '\t', n) ? '\t' : ',', &cells, filename, lineno, err);
		if (!ret && !lay.cols) {
			if (is_header(&cells)) {
				ret = header_layout(&cells, &lay, filename, lineno, err);
			} else {
				default_layout(&lay);
				ret = add_row(f, &lay, &cells, filename, lineno, err);
			}
		} else if (!ret) {
			ret = add_row(f, &lay, &cells, filename, lineno, err);
		}
		strvec_clear(&cells);
	}
	free(lay.cols);
	strvec_clear(&lay.ph);
	return ret;
}

/* ---------------------------------------------------------------- templates */

static int env_name_ok(const char *s, size_t n)
{
	if (!n || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int fw_fleet_expand(const char *tmpl, const char *target, const char *what, struct strbuf *out,
		    struct fw_error *err)
{
	const char *p = tmpl;
	while (*p) {
		const char *close;
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			strbuf_addstr(out, "${");
			p += 3;
			continue;
		}
		if (p[0] != '$' || p[1] != '{' || !(close = strchr(p + 2, '}'))) {
			strbuf_addch(out, *p++);
			continue;
		}
		{
			const char *ref = p + 2;
			size_t n = (size_t)(close - ref);
			if (n == 6 && !strncmp(ref, "target", 6)) {
				strbuf_addstr(out, target);
			} else if (n > 4 && !strncasecmp(ref, "env.", 4) && env_name_ok(ref + 4, n - 4)) {
				char *name = xstrndup(ref + 4, n - 4);
				const char *v = getenv(name);
				if (!v) {
					/* the name of the variable is no secret; its value would be */
					fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
						       "target '%s': unable to resolve environment variable '%s' (%s)",
						       target, name, what);
					fw_error_hint(err, "export %s for this target, or fix the template in the inventory",
						      name);
					free(name);
					return -1;
				}
				strbuf_addstr(out, v);
				free(name);
			} else {
				/* a password cell is not echoed: it may be a literal secret */
				int show = strcmp(what, "password") != 0;
				return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
						      "target '%s': unknown template %s%.*s%sin %s: use ${env.NAME} or ${target} ($${ for a literal ${)",
						      target, show ? "'" : "", show ? (int)(close - p + 1) : 0, p,
						      show ? "' " : "", what);
			}
			p = close + 1;
		}
	}
	return 0;
}
