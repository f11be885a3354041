/* libFuzzer target for reading a commit id out of a packed-refs file (the
 * fleet report's git commit).
 *
 * Input: the ref name, a '\n', then the file's text (both up to the first NUL).
 * Besides memory errors it checks the answer against a plain reference that
 * cuts the text into lines with strtok_r: the first line "<id> <refname>"
 * (not a '#' header nor a '^' peeled line) decides; it succeeds iff its id is
 * 40 or 64 lower-case hex digits, and then the commit is that id. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/provenance.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_gitref: broken invariant: %s\n", what);
		abort();
	}
}

static int hex_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return (n == 40 || n == 64) && !s[n];
}

/* the reference: 0 and the id, or -1 */
static int reference(char *text, const char *refname, const char **id)
{
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (line[0] == '#' || line[0] == '^' || !sp || strcmp(sp + 1, refname))
			continue;
		*sp = '\0';
		*id = line;
		return hex_id(line) ? 0 : -1;
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = strndup((const char *)data, size), *nl = strchr(in, '\n'), *copy;
	struct strbuf commit = STRBUF_INIT;
	const char *id = NULL;
	int got, want;
	if (!nl || nl == in) {
		free(in);
		return 0;
	}
	*nl = '\0';
	copy = strdup(nl + 1);
	got = fw_git_packed_ref(nl + 1, in, &commit);
	want = reference(copy, in, &id);
	check(got == want, "found iff the reference finds it");
	check(got < 0 ? commit.len == 0 : hex_id(commit.buf) && !strcmp(commit.buf, id), "the commit is the line's id");
	strbuf_release(&commit);
	free(copy);
	free(in);
	return 0;
}
