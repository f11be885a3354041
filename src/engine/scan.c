#include "engine/scan.h"
#include "util/duration.h"
#include "engine/checksum.h"
#include "engine/script-text.h"
#include "sql/condition.h"
#include "util/xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct found_file {
	char *rel;   /* relative to the location root */
	char *abs;
};

struct file_list {
	struct found_file *v;
	size_t nr, alloc;
};

static int has_wildcard(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

static void add_file(struct file_list *fl, const char *rel, const char *abs)
{
	ALLOC_GROW(fl->v, fl->nr + 1, fl->alloc);
	fl->v[fl->nr].rel = xstrdup(rel);
	fl->v[fl->nr].abs = xstrdup(abs);
	fl->nr++;
}

/* An entry the walk cannot follow is said, not dropped in silence: a broken
 * link named like a migration would otherwise make a later one run in its
 * place. Hidden names are exempt (editors keep lock files as broken links). */
static void unreadable_entry(const struct fw_scan_opts *o, const char *path, const char *name, int errnum)
{
	struct stat st;
	if (name[0] == '.')
		return;
	if (errnum == ENOENT && !lstat(path, &st) && S_ISLNK(st.st_mode))
		fw_emit_warn(o->obs, "Skipping %s: broken symbolic link (its target does not exist)", path);
	else
		fw_emit_warn(o->obs, "Skipping %s: %s", path, strerror(errnum));
}

/* recursive walk; hidden directories are skipped as Flyway does. Returns -1
 * (errno set) when the folder itself cannot be read. */
static int walk(const struct fw_scan_opts *o, const char *root, const char *rel, struct file_list *fl)
{
	struct strbuf dirpath = STRBUF_INIT;
	DIR *d;
	struct dirent *de;
	strbuf_addstr(&dirpath, root);
	if (*rel)
		strbuf_addf(&dirpath, "/%s", rel);
	d = opendir(dirpath.buf);
	if (!d) {
		int errnum = errno;
		if (*rel)
			fw_emit_warn(o->obs, "Skipping folder %s: %s", dirpath.buf, strerror(errnum));
		strbuf_release(&dirpath);
		errno = errnum;
		return -1;
	}
	while ((de = readdir(d))) {
		struct strbuf abs = STRBUF_INIT, r = STRBUF_INIT;
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&abs, "%s/%s", dirpath.buf, de->d_name);
		if (*rel)
			strbuf_addf(&r, "%s/", rel);
		strbuf_addstr(&r, de->d_name);
		/* the directory entry's type spares a stat per file; links and
		 * file systems that do not fill it in get one */
		if (de->d_type == DT_REG) {
			add_file(fl, r.buf, abs.buf);
		} else if (de->d_type == DT_DIR) {
			if (de->d_name[0] != '.')
				walk(o, root, r.buf, fl);
		} else if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN) {
			if (stat(abs.buf, &st) != 0) {
				unreadable_entry(o, abs.buf, de->d_name, errno);
			} else if (S_ISDIR(st.st_mode)) {
				if (de->d_name[0] != '.')
					walk(o, root, r.buf, fl);
			} else if (S_ISREG(st.st_mode)) {
				add_file(fl, r.buf, abs.buf);
			}
		}
		strbuf_release(&abs);
		strbuf_release(&r);
	}
	closedir(d);
	strbuf_release(&dirpath);
	return 0;
}

/* Match a relative path against a wildcard pattern where "**" spans folders,
 * "*" and "?" stay within one path segment. */
static int wild_match(const char *pat, const char *s)
{
	if (!strncmp(pat, "**", 2)) {
		const char *rest = pat + 2;
		if (*rest == '/')
			rest++;
		for (const char *p = s;; p++) {
			if (wild_match(rest, p))
				return 1;
			if (!*p)
				return 0;
		}
	}
	if (!*pat)
		return !*s;
	if (*pat == '*') {
		for (const char *p = s;; p++) {
			if (wild_match(pat + 1, p))
				return 1;
			if (!*p || *p == '/')
				return 0;
		}
	}
	if (!*s)
		return 0;
	if (*pat == '?')
		return *s != '/' && wild_match(pat + 1, s + 1);
	return *pat == *s && wild_match(pat + 1, s + 1);
}

/* why a location root cannot be scanned, in Flyway's words where it has them */
static const char *root_problem(int errnum)
{
	switch (errnum) {
	case ENOENT: return "NOT_FOUND";
	case EACCES: return "NOT_READABLE";
	case ENOTDIR: return "NOT_A_DIRECTORY";
	default: return strerror(errnum);
	}
}

/* Files of one location. A wildcard location's root is its longest
 * wildcard-free leading path; the relative path of a match is what follows
 * the last non-wildcard folder. Returns 0, or -1 when the location cannot be
 * read (*why says why). */
static int list_location(const struct fw_scan_opts *o, const char *path, struct file_list *fl,
			 const char **why)
{
	struct stat st;
	if (has_wildcard(path)) {
		char *root = xstrdup(path);
		char *star = strpbrk(root, "*?");
		char *slash;
		struct file_list all = { 0 };
		int ret = 0;
		*star = '\0';
		slash = strrchr(root, '/');
		if (slash)
			*slash = '\0';
		const char *pattern = path + strlen(root) + 1;
		if (walk(o, root, "", &all) < 0) {
			*why = root_problem(errno);
			ret = -1;
		}
		for (size_t i = 0; i < all.nr; i++) {
			char *dir = xstrdup(all.v[i].rel), *ds = strrchr(dir, '/');
			const char *base = strrchr(all.v[i].rel, '/');
			if (ds)
				*ds = '\0';
			else
				dir[0] = '\0';
			/* the pattern names folders; files directly inside a matching folder belong */
			if (wild_match(pattern, dir) || wild_match(pattern, all.v[i].rel))
				add_file(fl, base ? base + 1 : all.v[i].rel, all.v[i].abs);
			free(dir);
			free(all.v[i].rel);
			free(all.v[i].abs);
		}
		free(all.v);
		free(root);
		return ret;
	}
	if (stat(path, &st) != 0) {
		*why = root_problem(errno);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*why = "NOT_A_DIRECTORY";
		return -1;
	}
	if (walk(o, path, "", fl) < 0) {
		*why = errno == EACCES ? "UNABLE_TO_ACCESS_FOLDER" : root_problem(errno);
		return -1;
	}
	return 0;
}

static int cmp_found(const void *a, const void *b)
{
	return strcmp(((const struct found_file *)a)->rel, ((const struct found_file *)b)->rel);
}

void fw_script_conf_release(struct fw_script_conf *c)
{
	xfree(&c->encoding);
	xfree(&c->should_execute);
}

static int parse_conf_bool(const char *key, const char *v, const char *path, int *out,
			   struct fw_error *err)
{
	if (!strcasecmp(v, "true"))
		*out = 1;
	else if (!strcasecmp(v, "false"))
		*out = 0;
	else {
		fw_errorf(err, "CONFIGURATION",
			  "Invalid value for %s (should be either true or false): %s", key, v);
		fw_error_detail(err, "in %s", path);
		return -1;
	}
	return 0;
}

int fw_script_conf_read(const char *path, struct fw_script_conf *out, struct fw_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char *line, *save = NULL;
	const char *nul;
	int lineno = 0, ret = 0;
	out->execute_in_transaction = -1;
	out->placeholder_replacement = -1;
	out->encoding = NULL;
	out->should_execute = NULL;
	out->lock_timeout_ms = -1;
	out->statement_timeout_ms = -1;
	if (strbuf_read_file(&sb, path) < 0) {
		fw_errorf(err, "CONFIGURATION", "unable to read script config %s: %s", path,
			  strerror(errno));
		return -1;
	}
	nul = memchr(sb.buf, '\0', sb.len);
	if (nul) {
		/* strtok would stop there and drop the settings after it unseen */
		for (const char *p = sb.buf; p < nul; p++)
			lineno += *p == '\n';
		fw_errorf(err, "CONFIGURATION", "%s:%d: the file contains a NUL byte", path, lineno + 1);
		fw_error_hint(err, "remove the NUL (zero) byte");
		strbuf_release(&sb);
		return -1;
	}
	for (line = strtok_r(sb.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq, *k, *v, *e;
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#' || *line == '!' || *line == '\r')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			fw_errorf(err, "CONFIGURATION", "%s:%d: expected key=value", path, lineno);
			ret = -1;
			break;
		}
		*eq = '\0';
		k = line;
		v = eq + 1;
		for (e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
			e[-1] = '\0';
		if (!strcmp(k, "executeInTransaction")) {
			ret = parse_conf_bool(k, v, path, &out->execute_in_transaction, err);
		} else if (!strcmp(k, "placeholderReplacement")) {
			ret = parse_conf_bool(k, v, path, &out->placeholder_replacement, err);
		} else if (!strcmp(k, "encoding")) {
			free(out->encoding);
			out->encoding = xstrdup(v);
		} else if (!strcmp(k, "shouldExecute")) {
			free(out->should_execute);
			out->should_execute = xstrdup(v);
		} else if (!strcmp(k, "lockTimeout") || !strcmp(k, "statementTimeout")) {
			if ((ret = fw_parse_duration(v, k[0] == 'l' ? &out->lock_timeout_ms : &out->statement_timeout_ms,
						     err)) < 0)
				fw_error_detail(err, "%s:%d: %s", path, lineno, k);
		} else {
			fw_errorf(err, "CONFIGURATION",
				  "Unknown configuration property: %s. Please check your script config files", k);
			fw_error_detail(err, "%s:%d", path, lineno);
			fw_error_hint(err, "known keys: executeInTransaction, encoding, placeholderReplacement, shouldExecute, lockTimeout, statementTimeout");
			ret = -1;
		}
		if (ret)
			break;
	}
	strbuf_release(&sb);
	if (ret)
		fw_script_conf_release(out);
	return ret;
}

static const char *type_for(const struct fw_parsed_name *pn)
{
	switch (pn->kind) {
	case FW_FILE_BASELINE: return pn->is_script ? "SCRIPT_BASELINE" : "SQL_BASELINE";
	case FW_FILE_UNDO: return pn->is_script ? "UNDO_SCRIPT" : "UNDO_SQL";
	default: return pn->is_script ? "SCRIPT" : "SQL";
	}
}

static int placeholders_apply(const struct fw_scan_opts *o, const struct fw_resolved *r)
{
	if (r->conf.placeholder_replacement >= 0)
		return r->conf.placeholder_replacement;
	return o->cfg->placeholder_replacement;
}

/* Checksums: versioned/baseline/undo over the raw file; repeatables over the
 * text after placeholder replacement, with the raw value kept as the
 * "equivalent" checksum older Flyway versions stored (reference 3.3). */
static int compute_checksums(const struct fw_scan_opts *o, struct fw_resolved *r,
			     struct fw_error *err)
{
	const char *enc = r->conf.encoding ? r->conf.encoding : o->cfg->encoding;
	struct fw_placeholders ph;
	struct fw_script_text text;
	struct fw_checksum sum;
	char buf[65536];
	long got;
	int ret;
	/* streamed: a 1 GiB script is checksummed in pieces */
	if (fw_checksum_file(r->path, enc, &r->checksum, err) < 0)
		return -1;
	r->raw_checksum = r->checksum;
	r->has_checksum = 1;
	if (r->kind != FW_FILE_REPEATABLE || r->is_script || !placeholders_apply(o, r) || !o->placeholders)
		return 0;
	/* a repeatable's text as it would run, through the one script reader;
	 * ${flyway:filename} is its own name while it is checksummed */
	fw_placeholders_copy(&ph, o->placeholders);
	fw_placeholders_set_builtin(&ph, "filename", r->filename);
	ret = fw_script_text_open(&text, r->path, enc, &ph, r->script, err);
	if (!ret && (ret = fw_checksum_init(&sum, "UTF-8", err)) == 0) {
		while ((got = fw_script_text_read(&text, buf, sizeof(buf))) > 0)
			fw_checksum_update(&sum, buf, (size_t)got);
		if (got < 0) {
			fw_script_text_error(&text, err);
			fw_checksum_release(&sum);
			ret = -1;
		} else {
			ret = fw_checksum_final(&sum, r->path, &r->checksum, err);
		}
	}
	fw_script_text_close(&text);   /* safe after a failed open too */
	fw_placeholders_release(&ph);
	return ret;
}

static void resolved_release(struct fw_resolved *r)
{
	fw_version_release(&r->version);
	free(r->description);
	free(r->event);
	free(r->script);
	free(r->path);
	free(r->filename);
	fw_script_conf_release(&r->conf);
}

struct scan_acc {
	struct fw_scan *s;
	size_t alloc_m, alloc_u, alloc_c;
};

static void push(struct fw_resolved **arr, size_t *nr, size_t *alloc, struct fw_resolved *r)
{
	ALLOC_GROW(*arr, *nr + 1, *alloc);
	(*arr)[(*nr)++] = *r;
}

static const char *base_name(const char *rel)
{
	const char *s = strrchr(rel, '/');
	return s ? s + 1 : rel;
}

static int is_sidecar_of(const char *rel, const struct file_list *fl, size_t i)
{
	size_t n = strlen(rel);
	return i + 1 < fl->nr && !strncmp(fl->v[i + 1].rel, rel, n) &&
	       !strcmp(fl->v[i + 1].rel + n, ".conf");
}

/* one file of a location: parse its name, read its sidecar, checksum it */
static int scan_file(const struct fw_scan_opts *o, const struct fw_naming *nm,
		     const struct file_list *fl, size_t i, int want_callbacks,
		     struct scan_acc *acc, struct fw_error *err)
{
	const struct found_file *f = &fl->v[i];
	struct fw_parsed_name pn = FW_PARSED_NAME_INIT;
	struct fw_resolved r;
	struct fw_error nerr = FW_ERROR_INIT;
	if (fw_parse_name(base_name(f->rel), nm, &pn, &nerr) < 0) {
		strvec_pushf(&acc->s->invalid_names, "%s: %s", f->rel, nerr.message.buf);
		fw_error_clear(&nerr);
		return 0;
	}
	if (pn.kind == FW_FILE_NONE || (pn.kind == FW_FILE_CALLBACK && !want_callbacks)) {
		fw_parsed_name_release(&pn);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.kind = pn.kind;
	r.is_script = pn.is_script;
	r.version = pn.version;
	pn.version = (struct fw_version)FW_VERSION_INIT;
	r.description = pn.description ? xstrdup(pn.description) : xstrdup("");
	r.event = pn.callback_event ? xstrdup(pn.callback_event) : NULL;
	r.script = xstrdup(f->rel);
	r.path = xstrdup(f->abs);
	r.filename = xstrdup(base_name(f->rel));
	r.type = type_for(&pn);
	r.should_execute = 1;
	r.conf.execute_in_transaction = r.conf.placeholder_replacement = -1;
	r.conf.lock_timeout_ms = r.conf.statement_timeout_ms = -1;
	fw_parsed_name_release(&pn);
	if (is_sidecar_of(f->rel, fl, i) &&
	    fw_script_conf_read(fl->v[i + 1].abs, &r.conf, err) < 0)
		goto fail;
	if (r.kind != FW_FILE_CALLBACK && compute_checksums(o, &r, err) < 0)
		goto fail;
	if (r.conf.should_execute &&
	    fw_condition_eval(r.conf.should_execute, o->placeholders, r.script, &r.should_execute,
			      err) < 0)
		goto fail;
	if (r.kind == FW_FILE_UNDO)
		push(&acc->s->undos, &acc->s->nr_undos, &acc->alloc_u, &r);
	else if (r.kind == FW_FILE_CALLBACK)
		push(&acc->s->callbacks, &acc->s->nr_callbacks, &acc->alloc_c, &r);
	else
		push(&acc->s->migrations, &acc->s->nr_migrations, &acc->alloc_m, &r);
	return 0;
fail:
	resolved_release(&r);
	return -1;
}

static int scan_location(const struct fw_scan_opts *o, const struct fw_naming *nm,
			 const char *loc, int want_migrations, int want_callbacks,
			 struct scan_acc *acc, struct fw_error *err)
{
	struct file_list fl = { 0 };
	const char *why = NULL;
	const char *path = loc;
	int ret = 0;
	if (!strncmp(loc, "filesystem:", 11)) {
		path = loc + 11;
	} else if (!strncmp(loc, "classpath:", 10)) {
		fw_emit_warn(o->obs, "Skipping location %s: classpath locations need Java; use filesystem:", loc);
		return 0;
	}
	if (list_location(o, path, &fl, &why) < 0) {
		if (o->cfg->fail_on_missing_locations) {
			fw_errorf(err, "ERROR", "Failed to find filesystem location: %s (%s)", path, why);
			fw_error_hint(err, "create the folder, fix `locations`, or set failOnMissingLocations=false");
			return -1;
		}
		fw_emit_warn(o->obs, "Skipping filesystem location: %s (%s)", path, why);
		return 0;
	}
	if (fl.nr)
		qsort(fl.v, fl.nr, sizeof(*fl.v), cmp_found);
	for (size_t i = 0; i < fl.nr && !ret; i++) {
		size_t before_m = acc->s->nr_migrations, before_u = acc->s->nr_undos;
		ret = scan_file(o, nm, &fl, i, want_callbacks, acc, err);
		if (!want_migrations) {
			/* a callback-only location contributes nothing else */
			while (acc->s->nr_migrations > before_m)
				resolved_release(&acc->s->migrations[--acc->s->nr_migrations]);
			while (acc->s->nr_undos > before_u)
				resolved_release(&acc->s->undos[--acc->s->nr_undos]);
		}
	}
	for (size_t i = 0; i < fl.nr; i++) {
		free(fl.v[i].rel);
		free(fl.v[i].abs);
	}
	free(fl.v);
	return ret;
}

static int is_versioned_kind(enum fw_file_kind k)
{
	return k == FW_FILE_VERSIONED || k == FW_FILE_BASELINE;
}

/* versioned/baseline by version (V before B at equal version), then repeatables by description */
static int cmp_migration(const void *pa, const void *pb)
{
	const struct fw_resolved *a = pa, *b = pb;
	int av = is_versioned_kind(a->kind), bv = is_versioned_kind(b->kind);
	if (av != bv)
		return av ? -1 : 1;
	if (av) {
		int c = fw_version_cmp(&a->version, &b->version);
		if (c)
			return c;
		if (a->kind != b->kind)
			return a->kind == FW_FILE_VERSIONED ? -1 : 1;
		return strcmp(a->script, b->script);
	}
	{
		int c = strcmp(a->description, b->description);
		return c ? c : strcmp(a->script, b->script);
	}
}

static int cmp_callback(const void *pa, const void *pb)
{
	const struct fw_resolved *a = pa, *b = pb;
	int c = strcmp(a->event, b->event);
	return c ? c : strcmp(a->description, b->description);
}

/* identical file (same relative path and checksum) found in two locations: one migration (reference 14.5) */
static int same_file(const struct fw_resolved *a, const struct fw_resolved *b)
{
	return !strcmp(a->script, b->script) && a->raw_checksum == b->raw_checksum;
}

static int check_duplicates(struct fw_scan *s, struct fw_error *err)
{
	size_t w = 0;
	for (size_t i = 0; i < s->nr_migrations; i++) {
		struct fw_resolved *cur = &s->migrations[i];
		if (w > 0) {
			struct fw_resolved *prev = &s->migrations[w - 1];
			int dup;
			if (is_versioned_kind(cur->kind) && is_versioned_kind(prev->kind))
				dup = cur->kind == prev->kind && !fw_version_cmp(&cur->version, &prev->version);
			else
				dup = cur->kind == FW_FILE_REPEATABLE && prev->kind == FW_FILE_REPEATABLE &&
				      !strcmp(cur->description, prev->description);
			if (dup && same_file(cur, prev)) {
				resolved_release(cur);
				continue;
			}
			if (dup) {
				if (cur->kind == FW_FILE_REPEATABLE)
					fw_errorf(err, "DUPLICATE_REPEATABLE_MIGRATION",
						  "Found more than one repeatable migration with description %s",
						  cur->description);
				else
					fw_errorf(err, "DUPLICATE_VERSIONED_MIGRATION",
						  "Found more than one migration with version %s",
						  fw_version_str(&cur->version));
				fw_error_detail(err, "Offenders:\n-> %s\n-> %s", prev->path, cur->path);
				fw_error_hint(err, "rename or remove one of the files");
				/* keep the array consistent for release */
				s->migrations[w++] = *cur;
				for (size_t j = i + 1; j < s->nr_migrations; j++)
					s->migrations[w++] = s->migrations[j];
				s->nr_migrations = w;
				return -1;
			}
		}
		s->migrations[w++] = *cur;
	}
	s->nr_migrations = w;
	for (size_t i = 1; i < s->nr_callbacks; i++) {
		if (!strcmp(s->callbacks[i].event, s->callbacks[i - 1].event) &&
		    !strcmp(s->callbacks[i].description, s->callbacks[i - 1].description) &&
		    !strcmp(s->callbacks[i].filename, s->callbacks[i - 1].filename)) {
			fw_errorf(err, "ERROR", "Found more than 1 SQL callback script called %s!",
				  s->callbacks[i].filename);
			fw_error_detail(err, "-> %s\n-> %s", s->callbacks[i - 1].path, s->callbacks[i].path);
			return -1;
		}
	}
	return 0;
}

int fw_scan_run(const struct fw_scan_opts *o, struct fw_scan *out, struct fw_error *err)
{
	const struct fw_config *c = o->cfg;
	struct fw_naming nm = {
		c->sql_migration_prefix, c->repeatable_sql_migration_prefix,
		c->baseline_migration_prefix, c->undo_sql_migration_prefix,
		c->sql_migration_separator, &c->sql_migration_suffixes,
	};
	struct scan_acc acc = { out, 0, 0, 0 };
	int separate_callbacks = c->callback_locations.nr > 0;
	int want_callbacks = !c->skip_default_callbacks;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < c->locations.nr; i++)
		if (scan_location(o, &nm, c->locations.v[i], 1,
				  want_callbacks && !separate_callbacks, &acc, err) < 0)
			goto fail;
	for (size_t i = 0; separate_callbacks && want_callbacks && i < c->callback_locations.nr; i++)
		if (scan_location(o, &nm, c->callback_locations.v[i], 0, 1, &acc, err) < 0)
			goto fail;
	/* qsort's base may not be NULL, even for zero elements */
	if (out->nr_migrations)
		qsort(out->migrations, out->nr_migrations, sizeof(*out->migrations), cmp_migration);
	if (out->nr_callbacks)
		qsort(out->callbacks, out->nr_callbacks, sizeof(*out->callbacks), cmp_callback);
	if (out->nr_undos)
		qsort(out->undos, out->nr_undos, sizeof(*out->undos), cmp_migration);
	if (check_duplicates(out, err) < 0)
		goto fail;
	return 0;
fail:
	fw_scan_release(out);
	return -1;
}

void fw_scan_release(struct fw_scan *s)
{
	for (size_t i = 0; i < s->nr_migrations; i++)
		resolved_release(&s->migrations[i]);
	for (size_t i = 0; i < s->nr_undos; i++)
		resolved_release(&s->undos[i]);
	for (size_t i = 0; i < s->nr_callbacks; i++)
		resolved_release(&s->callbacks[i]);
	free(s->migrations);
	free(s->undos);
	free(s->callbacks);
	strvec_clear(&s->invalid_names);
	memset(s, 0, sizeof(*s));
}

const struct fw_resolved *fw_scan_find_undo(const struct fw_scan *s, const struct fw_version *v)
{
	for (size_t i = 0; i < s->nr_undos; i++)
		if (!fw_version_cmp(&s->undos[i].version, v))
			return &s->undos[i];
	return NULL;
}

/* ---------------------------------------------------------------- copies */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void resolved_copy(struct fw_resolved *dst, const struct fw_resolved *src)
{
	*dst = *src;
	fw_version_copy(&dst->version, &src->version);
	dst->description = dup_or_null(src->description);
	dst->event = dup_or_null(src->event);
	dst->script = dup_or_null(src->script);
	dst->path = dup_or_null(src->path);
	dst->filename = dup_or_null(src->filename);
	dst->conf.encoding = dup_or_null(src->conf.encoding);
	dst->conf.should_execute = dup_or_null(src->conf.should_execute);
}

static struct fw_resolved *resolved_copies(const struct fw_resolved *src, size_t n)
{
	struct fw_resolved *v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		resolved_copy(&v[i], &src[i]);
	return v;
}

void fw_scan_copy(struct fw_scan *dst, const struct fw_scan *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->migrations = resolved_copies(src->migrations, src->nr_migrations);
	dst->nr_migrations = src->nr_migrations;
	dst->undos = resolved_copies(src->undos, src->nr_undos);
	dst->nr_undos = src->nr_undos;
	dst->callbacks = resolved_copies(src->callbacks, src->nr_callbacks);
	dst->nr_callbacks = src->nr_callbacks;
	for (size_t i = 0; i < src->invalid_names.nr; i++)
		strvec_push(&dst->invalid_names, src->invalid_names.v[i]);
}
