/* What an operation tells the world while it runs: events, not sentences.
 *
 * The engine and the operations report what happens (connected, a migration
 * started or finished, a callback ran, a result set came back, a warning)
 * through an observer. The command layer's renderer turns each event into
 * Flyway's exact wording for a person; the fleet's observer also records
 * progress (which migration each target is in, since when) from the same
 * events. Nothing parses log text.
 *
 * Strings in an event are borrowed for the duration of the call. */
#ifndef FW_EVENTS_H
#define FW_EVENTS_H
#include <stddef.h>

struct db_result;

enum fw_event_kind {
	FW_EV_CONNECTED,          /* text = display url (no password), name = product */
	FW_EV_SCHEMA_CREATING,    /* schema */
	FW_EV_HISTORY_CREATING,   /* table (qualified); flag = with a baseline row */
	FW_EV_BASELINED,          /* version */
	FW_EV_CURRENT_VERSION,    /* schema, version (NULL = empty schema) */
	FW_EV_MIGRATION_STARTED,  /* the migration members below */
	FW_EV_MIGRATION_FINISHED, /* the same, with ms and success */
	FW_EV_CALLBACK,           /* name = callback event, description */
	FW_EV_ROWS,               /* rows: a result set of a migration (outputQueryResults) */
	FW_EV_DB_WARNING,         /* a statement's warning from the server: text, name = SQL state,
	                             count = vendor error code */
	FW_EV_GROUP_ROLLED_BACK,  /* count: migrations of the group, nothing of it applied */
	FW_EV_INFO,               /* text: any other message, in Flyway's words where Flyway has them */
	FW_EV_WARNING,            /* text */
	FW_EV_DEBUG,              /* text (-X) */
};

struct fw_event {
	enum fw_event_kind kind;
	const char *text;
	const char *name;
	const char *schema;         /* as Flyway shows it: quoted the database's way */
	const char *table;
	/* a migration */
	const char *version;        /* NULL for repeatables */
	const char *description;
	const char *script;
	int repeatable, transactional, out_of_order;
	int undo;                   /* an undo script (U) runs for this version */
	long ms;
	int success;
	int flag;
	size_t count;
	const struct db_result *rows;
};

struct fw_observer {
	void (*event)(void *ctx, const struct fw_event *ev);
	void *ctx;
	int debug;                  /* debug events wanted (else not even formatted) */
};

/* deliver ev (nothing when o or its function is NULL) */
void fw_emit(const struct fw_observer *o, const struct fw_event *ev);
/* the message kinds, formatted */
void fw_emit_info(const struct fw_observer *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fw_emit_warn(const struct fw_observer *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fw_emit_debug(const struct fw_observer *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
