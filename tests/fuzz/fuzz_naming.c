/* libFuzzer target for migration file names and versions.
 *
 * Input: either a bare file name (parsed with the default naming and with a
 * fixed custom one), or, when it starts with '#', six '\n'-separated lines
 * giving the V/R/B/U prefixes, the separator and comma-separated suffixes,
 * followed by the file name. Besides memory errors it checks what the API
 * promises: a failure leaves nothing behind and carries one of Flyway's
 * messages naming the file; a success is self-consistent (suffix at the end,
 * description without '_', a version that re-parses to an equal one). The
 * same bytes are also parsed as a version and compared. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/naming.h"
#include "sql/version.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_naming: broken invariant: %s\n", what);
		abort();
	}
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void check_normalised_parts(const struct fw_version *v)
{
	int i;
	check(v->nparts >= 1 && v->parts, "a number has parts");
	for (i = 0; i < v->nparts; i++) {
		const char *p = v->parts[i];
		if (*p == '-')
			p++;
		check(*p != '\0', "part has digits");
		check(!(p[0] == '0' && p[1]), "no leading zeros");
		check(strspn(p, "0123456789") == strlen(p), "part is digits");
		check(strcmp(v->parts[i], "-0") != 0, "no negative zero");
	}
	check(v->nparts == 1 || strcmp(v->parts[v->nparts - 1], "0"), "no trailing zero part");
}

static void check_version_roundtrip(const struct fw_version *v)
{
	struct fw_version again, copy;
	struct fw_error err = FW_ERROR_INIT;

	check(v->kind == FW_VERSION_NUMBER, "versioned kinds have a number");
	check_normalised_parts(v);
	check(fw_version_parse(fw_version_str(v), 0, &again, &err) == 0, "display text re-parses");
	check(fw_version_cmp(v, &again) == 0, "re-parsed version is equal");
	fw_version_copy(&copy, v);
	check(fw_version_cmp(v, &copy) == 0 && !strcmp(fw_version_str(&copy), fw_version_str(v)),
	      "copy is equal");
	fw_version_release(&again);
	fw_version_release(&copy);
}

static void check_failure(const char *file, const struct fw_parsed_name *p,
			  const struct fw_error *err)
{
	const char *m = err->message.buf;

	check(fw_error_is_set(err), "error set on failure");
	check(p->kind == FW_FILE_NONE && !p->description && !p->suffix && !p->callback_event &&
	      p->version.kind == FW_VERSION_EMPTY && !p->version.text, "nothing left on failure");
	check(starts_with(m, "Unrecognised migration name format: ") ||
	      starts_with(m, "Invalid versioned migration name format: ") ||
	      starts_with(m, "Invalid repeatable migration / callback name format: "),
	      "failure uses one of Flyway's messages");
	check(strstr(m, file) != NULL, "failure names the file");
}

static void check_success(const char *file, const struct fw_parsed_name *p)
{
	size_t n = strlen(file), m;

	if (p->kind == FW_FILE_NONE) {
		check(!p->description && !p->suffix && !p->callback_event, "NONE has no fields");
		return;
	}
	check(p->description && p->suffix, "description and suffix set");
	check(!strchr(p->description, '_'), "description has no '_'");
	m = strlen(p->suffix);
	check(m <= n && !strcmp(file + n - m, p->suffix), "suffix as written ends the name");
	switch (p->kind) {
	case FW_FILE_VERSIONED:
	case FW_FILE_BASELINE:
	case FW_FILE_UNDO:
		check_version_roundtrip(&p->version);
		check(!p->callback_event, "no event on a migration");
		break;
	case FW_FILE_CALLBACK:
		check(p->callback_event && fw_is_callback_event(p->callback_event), "known event");
		check(starts_with(file, p->callback_event), "name starts with its event");
		check(p->version.kind == FW_VERSION_EMPTY, "callbacks have no version");
		break;
	default:
		check(p->version.kind == FW_VERSION_EMPTY, "repeatables have no version");
		check(!p->callback_event, "no event on a migration");
	}
	if (p->is_script)
		check(p->kind == FW_FILE_VERSIONED || p->kind == FW_FILE_REPEATABLE ||
		      p->kind == FW_FILE_CALLBACK, "scripts are V, R or callbacks");
}

static void parse_one(const char *file, const struct fw_naming *nm)
{
	struct fw_parsed_name p;
	struct fw_error err = FW_ERROR_INIT;
	int rc = fw_parse_name(file, nm, &p, &err);

	check(rc == 0 || rc == -1, "rc is 0 or -1");
	if (rc < 0) {
		check_failure(file, &p, &err);
	} else {
		check(!fw_error_is_set(&err), "no error on success");
		check_success(file, &p);
	}
	fw_parsed_name_release(&p);
	fw_error_clear(&err);
}

/* the bytes as a version: parse, normalise, compare against a few fixed ones */
static void version_one(const char *s)
{
	static const char *const others[] = { "1", "1.0", "1.10", "002", "-1", "99999999999999999999" };
	struct fw_version v, o;
	struct fw_error err = FW_ERROR_INIT;
	size_t i;
	int special;

	for (special = 0; special <= 1; special++) {
		if (fw_version_parse(s, special, &v, &err) < 0) {
			check(fw_error_is_set(&err) && starts_with(err.message.buf,
			      "Version may only contain 0..9 and . (dot). Invalid version: "),
			      "version error text");
			check(v.kind == FW_VERSION_EMPTY && !v.text && !v.parts, "nothing left");
			fw_error_clear(&err);
			continue;
		}
		if (v.kind == FW_VERSION_NUMBER)
			check_version_roundtrip(&v);
		check(fw_version_cmp(&v, &v) == 0, "reflexive");
		for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
			int a, b;
			check(fw_version_parse(others[i], 0, &o, &err) == 0, "fixed versions parse");
			a = fw_version_cmp(&v, &o);
			b = fw_version_cmp(&o, &v);
			check((a > 0) == (b < 0) && (a == 0) == (b == 0), "antisymmetric");
			fw_version_release(&o);
		}
		fw_version_release(&v);
	}
}

/* "#V\nR\nB\nU\nSEP\nSUF,SUF\nfile": a naming from the input */
static void custom_from_input(char *text)
{
	char *line[7];
	struct strvec suffixes = STRVEC_INIT;
	struct fw_naming nm;
	int i;

	for (i = 0; i < 7; i++) {
		line[i] = text;
		text = strchr(text, '\n');
		if (!text) {
			if (i < 6)
				return;
			break;
		}
		*text++ = '\0';
	}
	strvec_split(&suffixes, line[5], ',');
	nm.versioned_prefix = line[0];
	nm.repeatable_prefix = line[1];
	nm.baseline_prefix = line[2];
	nm.undo_prefix = line[3];
	nm.separator = line[4];
	nm.sql_suffixes = &suffixes;
	parse_one(line[6], &nm);
	strvec_clear(&suffixes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec suffixes = STRVEC_INIT;
	struct fw_naming custom = { "M", "RM", "BL", "UN", "-", NULL };
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';  /* a file name ends at the first NUL */
	if (text[0] == '#') {
		custom_from_input(text + 1);
		free(text);
		return 0;
	}
	parse_one(text, NULL);
	strvec_push(&suffixes, ".psql");
	strvec_push(&suffixes, ".sql");
	custom.sql_suffixes = &suffixes;
	parse_one(text, &custom);
	strvec_clear(&suffixes);
	version_one(text);
	free(text);
	return 0;
}
