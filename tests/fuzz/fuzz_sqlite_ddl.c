/* libFuzzer target for the SQLite CREATE statement reader (schema/sqlite-ddl.c).
 *
 * The first byte picks the object type (table, index, other); the rest is the
 * statement. Beyond the sanitizers' memory checks it verifies what the
 * canonical form promises: it is a fixpoint (reading the canonical text of a
 * parsed table or index gives the same text and the same columns again), the
 * token normalisation is idempotent, every definition ends in ';', and
 * structured fields are set only for a parse that succeeded. A broken
 * promise aborts, which libFuzzer reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/sqlite-ddl.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_sqlite_ddl: broken invariant: %s\n", what);
		abort();
	}
}

static void check_object(const struct fw_object *o, int ret)
{
	size_t n = strlen(o->definition);
	check(n > 0 && o->definition[n - 1] == ';', "definition ends in ';'");
	if (ret < 0)
		check(!o->ncolumns && !o->nconstraints && !o->index, "no structure after a failed parse");
	for (size_t i = 0; i < o->ncolumns; i++)
		check(o->columns[i].name && o->columns[i].type, "column has name and type");
	for (size_t i = 0; i < o->nconstraints; i++)
		check(o->constraints[i].definition && o->constraints[i].kind < FW_CON_NKINDS,
		      "constraint has a definition and a kind");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum fw_obj_type types[] = { FW_OBJ_TABLE, FW_OBJ_INDEX, FW_OBJ_VIEW };
	struct fw_schema s;
	struct strbuf n1 = STRBUF_INIT, n2 = STRBUF_INIT;
	struct fw_object *o, *again;
	enum fw_obj_type type;
	char *def;
	int ret, ret2;

	if (size < 1)
		return 0;
	type = types[data[0] % 3];
	data++;
	size--;
	fw_schema_init(&s, "main");
	o = fw_schema_add(&s, type, "x", NULL);
	/* libFuzzer's buffer is exactly `size` bytes: ASan catches reads past it */
	ret = fw_sqlite_ddl_parse((const char *)data, size, o);
	check_object(o, ret);

	fw_sqlite_ddl_normalize((const char *)data, size, &n1);
	fw_sqlite_ddl_normalize(n1.buf, n1.len, &n2);
	check(n1.len == n2.len && !memcmp(n1.buf, n2.buf, n1.len), "normalisation is idempotent");

	def = strdup(s.objects[0].definition);
	again = fw_schema_add(&s, type, "y", NULL);
	o = &s.objects[0];
	ret2 = fw_sqlite_ddl_parse(def, strlen(def), again);
	check_object(again, ret2);
	if (ret == 0 && type != FW_OBJ_VIEW && o->ncolumns + (o->index != NULL) > 0) {
		check(ret2 == 0, "canonical text parses");
		check(!strcmp(def, again->definition), "canonical text is a fixpoint");
		check(o->ncolumns == again->ncolumns, "same columns");
		check(o->nconstraints == again->nconstraints, "same constraints");
		for (size_t i = 0; i < o->ncolumns; i++)
			check(!strcmp(o->columns[i].name, again->columns[i].name) &&
			      !strcmp(o->columns[i].type, again->columns[i].type),
			      "same column names and types");
	}
	free(def);
	strbuf_release(&n1);
	strbuf_release(&n2);
	fw_schema_release(&s);
	return 0;
}
