#include "cmd/render.h"
#include "db/db.h"
#include "util/table.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

/* outputQueryResults: a migration's result set as a table */
static void render_rows(struct fw_out *out, const struct db_result *r)
{
	struct fw_table tab;
	struct strbuf text = STRBUF_INIT;
	if (out->quiet || out->json)
		return;
	fw_table_init(&tab, (size_t)r->ncols, (const char *const *)r->colnames);
	for (int i = 0; i < r->nrows; i++) {
		const char **cells = xcalloc((size_t)r->ncols + 1, sizeof(*cells));
		for (int j = 0; j < r->ncols; j++)
			cells[j] = db_value(r, i, j) ? db_value(r, i, j) : "null";
		fw_table_add_row(&tab, cells);
		free(cells);
	}
	fw_table_render(&tab, "No rows returned", &text);
	fw_out_raw(out, text.buf, text.len);
	strbuf_release(&text);
	fw_table_release(&tab);
}

void fw_render_migration_phrase(struct strbuf *out, const char *schema, const char *version,
				const char *description, int tx, int out_of_order)
{
	strbuf_addf(out, "schema %s ", schema);
	if (!version)
		strbuf_addf(out, "with repeatable migration \"%s\"", description);
	else
		strbuf_addf(out, "to version \"%s%s%s\"%s", version, *description ? " - " : "", description,
			    out_of_order ? " [out of order]" : "");
	if (!tx)
		strbuf_addstr(out, " [non-transactional]");
}

static void render_migration_start(struct fw_out *out, const struct fw_event *ev)
{
	struct strbuf what = STRBUF_INIT;
	if (ev->undo) {
		fw_info(out, "Undoing migration of schema %s to version \"%s%s%s\"", ev->schema, ev->version,
			*ev->description ? " - " : "", ev->description);
		return;
	}
	fw_render_migration_phrase(&what, ev->schema, ev->repeatable ? NULL : ev->version, ev->description,
				   ev->transactional, ev->out_of_order);
	fw_info(out, "Migrating %s", what.buf);
	strbuf_release(&what);
}

void fw_render_event(struct fw_out *out, const struct fw_event *ev)
{
	switch (ev->kind) {
	case FW_EV_CONNECTED:
		fw_info(out, "Database: %s (%s)", ev->text, ev->name);
		break;
	case FW_EV_SCHEMA_CREATING:
		fw_info(out, "Creating schema %s ...", ev->schema);
		break;
	case FW_EV_HISTORY_CREATING:
		fw_info(out, "Creating Schema History table %s%s ...", ev->table, ev->flag ? " with baseline" : "");
		break;
	case FW_EV_BASELINED:
		fw_info(out, "Successfully baselined schema with version: %s", ev->version);
		break;
	case FW_EV_CURRENT_VERSION:
		fw_info(out, "Current version of schema %s: %s", ev->schema,
			ev->version ? ev->version : "<< Empty Schema >>");
		break;
	case FW_EV_MIGRATION_STARTED:
		render_migration_start(out, ev);
		break;
	case FW_EV_MIGRATION_FINISHED:
		break; /* Flyway says nothing per migration; the summary follows */
	case FW_EV_CALLBACK:
		fw_info(out, "Executing SQL callback: %s - %s", ev->name, ev->description);
		break;
	case FW_EV_ROWS:
		render_rows(out, ev->rows);
		break;
	case FW_EV_DB_WARNING:
		/* as Flyway: a plain notice is information, anything else a warning */
		if (!strcmp(ev->name, "00000"))
			fw_info(out, "DB: %s", ev->text);
		else
			fw_warn(out, "DB: %s (SQL State: %s - Error Code: %zu)", ev->text, ev->name, ev->count);
		break;
	case FW_EV_GROUP_ROLLED_BACK:
		fw_info(out, "Migration group of %zu migration(s) rolled back: nothing of it was applied", ev->count);
		break;
	case FW_EV_INFO:
		fw_info(out, "%s", ev->text);
		break;
	case FW_EV_WARNING:
		fw_warn(out, "%s", ev->text);
		break;
	case FW_EV_DEBUG:
		fw_debug(out, "%s", ev->text);
		break;
	}
}

static void observe(void *ctx, const struct fw_event *ev)
{
	fw_render_event(ctx, ev);
}

struct fw_observer fw_render_observer(struct fw_out *out)
{
	struct fw_observer o = { observe, out, out->debug && !out->quiet };
	return o;
}
