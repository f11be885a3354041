/* Reading Flyway's regex rule files (see check-rules.h) */
#include "ops/check-rules.h"
#include "config/toml.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const known_keys[] = { "code", "dialects", "rules", "description", "severity",
					  "passOnRegexMatch", NULL };

static int bad(struct fw_error *err, const char *path, const struct toml_value *v, const char *what)
{
	fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "%s:%d:%d: %s", path, v ? v->line : 1, v ? v->col : 1,
		       what);
	fw_error_hint(err, "a rule file has code, dialects, rules, description and severity (error, warning, disabled)");
	return -1;
}

/* a string, or a list of strings (a single string is taken as a list of one) */
static int read_strings(const char *path, const struct toml_value *v, const char *key, struct strvec *out,
			struct fw_error *err)
{
	struct strbuf what = STRBUF_INIT;
	int ret = 0;
	if (v->type == TOML_STRING) {
		strvec_push(out, v->u.str.s);
		return 0;
	}
	if (v->type == TOML_ARRAY) {
		for (size_t i = 0; i < v->u.arr.nr; i++) {
			const struct toml_value *it = v->u.arr.items[i];
			if (it->type != TOML_STRING || strlen(it->u.str.s) != it->u.str.len) {
				strbuf_addf(&what, "%s: expected strings, found %s", key,
					    it->type == TOML_STRING ? "a string with a NUL byte" : toml_type_name(it->type));
				ret = bad(err, path, it, what.buf);
				break;
			}
			strvec_push(out, it->u.str.s);
		}
		strbuf_release(&what);
		return ret;
	}
	strbuf_addf(&what, "%s: expected a list of strings, found %s", key, toml_type_name(v->type));
	ret = bad(err, path, v, what.buf);
	strbuf_release(&what);
	return ret;
}

static int read_string(const char *path, const struct toml_value *v, const char *key, char **out,
		       struct fw_error *err)
{
	struct strbuf what = STRBUF_INIT;
	if (v->type == TOML_STRING && strlen(v->u.str.s) == v->u.str.len) {
		free(*out);
		*out = xstrdup(v->u.str.s);
		return 0;
	}
	strbuf_addf(&what, "%s: expected a string, found %s", key,
		    v->type == TOML_STRING ? "a string with a NUL byte" : toml_type_name(v->type));
	bad(err, path, v, what.buf);
	strbuf_release(&what);
	return -1;
}

static int read_severity(const char *path, const struct toml_value *v, struct fw_regex_rule *r,
			 struct fw_error *err)
{
	char *s = NULL;
	int ret = 0;
	if (read_string(path, v, "severity", &s, err) < 0)
		return -1;
	if (!strcasecmp(s, "error"))
		r->severity = FW_RX_ERROR;
	else if (!strcasecmp(s, "warning"))
		r->severity = FW_RX_WARNING;
	else if (!strcasecmp(s, "disabled"))
		r->severity = FW_RX_DISABLED;
	else
		ret = bad(err, path, v, "severity: expected \"error\", \"warning\" or \"disabled\"");
	free(s);
	return ret;
}

static int read_pass_on_match(const char *path, const struct toml_value *v, struct fw_regex_rule *r,
			      struct fw_error *err)
{
	if (v->type == TOML_BOOL) {
		r->pass_on_match = v->u.b;
		return 0;
	}
	if (v->type == TOML_STRING && (!strcasecmp(v->u.str.s, "true") || !strcasecmp(v->u.str.s, "false"))) {
		r->pass_on_match = !strcasecmp(v->u.str.s, "true");
		return 0;
	}
	return bad(err, path, v, "passOnRegexMatch: expected true or false");
}

static int read_key(const char *path, const char *key, const struct toml_value *v, struct fw_regex_rule *r,
		    struct fw_error *err)
{
	if (!strcmp(key, "code"))
		return read_string(path, v, key, &r->code, err);
	if (!strcmp(key, "description"))
		return read_string(path, v, key, &r->description, err);
	if (!strcmp(key, "dialects"))
		return read_strings(path, v, key, &r->dialects, err);
	if (!strcmp(key, "rules"))
		return read_strings(path, v, key, &r->patterns, err);
	if (!strcmp(key, "severity"))
		return read_severity(path, v, r, err);
	return read_pass_on_match(path, v, r, err);
}

/* code and description from CODE__description.toml */
static void defaults_from_name(const char *path, struct fw_regex_rule *r)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *sep = strstr(base, "__");
	size_t len = strlen(base);
	if (len > 5 && !strcasecmp(base + len - 5, ".toml"))
		len -= 5;
	if (!r->code)
		r->code = sep ? xstrndup(base, (size_t)(sep - base)) : xstrndup(base, len);
	if (!r->description && sep && (size_t)(sep + 2 - base) <= len) {
		r->description = xstrndup(sep + 2, len - (size_t)(sep + 2 - base));
		for (char *p = r->description; *p; p++)
			if (*p == '_')
				*p = ' ';
	}
}

static int check_rule(const char *path, const struct toml_value *root, struct fw_regex_rule *r,
		      struct fw_error *err)
{
	if (!r->patterns.nr)
		return bad(err, path, toml_get(root, "rules"), "rules: no regular expression given");
	if (!*r->code)
		return bad(err, path, toml_get(root, "code"), "code: empty (name the file CODE__description.toml, or set code)");
	if (!r->dialects.nr)
		strvec_push(&r->dialects, "text");
	for (size_t i = 0; i < r->dialects.nr; i++)
		for (char *p = r->dialects.v[i]; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	return 0;
}

int fw_regex_rule_parse(const char *path, const char *text, size_t len, struct fw_regex_rule *out,
			struct fw_error *err)
{
	struct toml_value *root = NULL;
	int ret = 0;
	memset(out, 0, sizeof(*out));
	out->file = xstrdup(path);
	out->severity = FW_RX_ERROR;
	if (toml_parse(text, len, path, &root, err) < 0) {
		err->exit_code = FW_EXIT_USAGE;
		fw_error_hint(err, "a regex rule is a TOML file: code = \"RX001\", rules = [\"...\"], severity = \"error\"");
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < root->u.tab.nr && !ret; i++) {
		const char *key = root->u.tab.kv[i].key;
		int known = 0;
		for (int k = 0; known_keys[k]; k++)
			known |= !strcmp(known_keys[k], key) && strlen(key) == toml_key_len(root, i);
		if (!known) {
			struct strbuf what = STRBUF_INIT;
			strbuf_addf(&what, "unknown key '%s' in a regex rule file", key);
			ret = bad(err, path, root->u.tab.kv[i].value, what.buf);
			strbuf_release(&what);
			break;
		}
		ret = read_key(path, key, root->u.tab.kv[i].value, out, err);
	}
	if (!ret) {
		defaults_from_name(path, out);
		ret = check_rule(path, root, out, err);
	}
	if (!ret && out->severity != FW_RX_DISABLED)
		ret = fw_regex_rule_compile(out, err);
out:
	toml_free(root);
	if (ret)
		fw_regex_rule_release(out);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int toml_files(const char *dir, struct strvec *out, struct fw_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.rulesLocation: unable to read %s: %s", dir,
			       strerror(errno));
		fw_error_hint(err, "point check.rulesLocation at the folder of your CODE__description.toml rule files");
		return -1;
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct strbuf path = STRBUF_INIT;
		struct stat st;
		if (n <= 5 || strcasecmp(e->d_name + n - 5, ".toml"))
			continue;
		strbuf_addf(&path, "%s/%s", dir, e->d_name);
		if (stat(path.buf, &st) == 0 && S_ISREG(st.st_mode))
			strvec_push_nodup(out, strbuf_detach(&path, NULL));
		else
			strbuf_release(&path);
	}
	closedir(d);
	if (out->nr)
		qsort(out->v, out->nr, sizeof(*out->v), by_name);
	return 0;
}

int fw_regex_rules_load(const char *dir, struct fw_regex_rules *out, struct fw_error *err)
{
	struct strvec files = STRVEC_INIT;
	int ret = 0;
	memset(out, 0, sizeof(*out));
	if (toml_files(dir, &files, err) < 0)
		return -1;
	for (size_t i = 0; i < files.nr && !ret; i++) {
		struct strbuf text = STRBUF_INIT;
		if (strbuf_read_file(&text, files.v[i]) < 0) {
			ret = fw_errorf(err, "CONFIGURATION", "unable to read %s: %s", files.v[i], strerror(errno));
		} else {
			ALLOC_GROW(out->v, out->nr + 1, out->alloc);
			if (fw_regex_rule_parse(files.v[i], text.buf, text.len, &out->v[out->nr], err) < 0)
				ret = -1;
			else
				out->nr++;
		}
		strbuf_release(&text);
	}
	strvec_clear(&files);
	if (ret)
		fw_regex_rules_release(out);
	return ret;
}

void fw_regex_rules_release(struct fw_regex_rules *rules)
{
	for (size_t i = 0; i < rules->nr; i++)
		fw_regex_rule_release(&rules->v[i]);
	free(rules->v);
	memset(rules, 0, sizeof(*rules));
}
