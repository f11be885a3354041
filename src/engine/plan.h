/* Merge of resolved migrations (files) and applied ones (history rows) into
 * Flyway's states (reference section 5.2), in info order (5.3 / 14.14). */
#ifndef FW_PLAN_H
#define FW_PLAN_H
#include "engine/history.h"
#include "engine/scan.h"

enum fw_state {
	FW_ST_PENDING, FW_ST_ABOVE_TARGET, FW_ST_BELOW_BASELINE, FW_ST_BASELINE_IGNORED,
	FW_ST_BASELINE, FW_ST_IGNORED, FW_ST_MISSING_SUCCESS, FW_ST_MISSING_FAILED, FW_ST_SUCCESS,
	FW_ST_UNDONE, FW_ST_AVAILABLE, FW_ST_FAILED, FW_ST_OUT_OF_ORDER, FW_ST_FUTURE_SUCCESS,
	FW_ST_FUTURE_FAILED, FW_ST_OUTDATED, FW_ST_SUPERSEDED, FW_ST_DELETED,
};
const char *fw_state_display(enum fw_state s);  /* "Pending", "Out of Order", ... */
const char *fw_state_internal(enum fw_state s); /* "PENDING", "OUT_OF_ORDER", ... */
int fw_state_is_failed(enum fw_state s);
int fw_state_is_applied(enum fw_state s);

struct fw_entry {
	const struct fw_resolved *res;   /* the file, or NULL */
	const struct fw_applied *app;    /* the history row, or NULL */
	enum fw_state state;
	int out_of_order;                /* applied after a higher version */
};

struct fw_target_spec {
	enum fw_version_kind kind;       /* LATEST, CURRENT, NEXT or NUMBER */
	struct fw_version version;
	int optional;                    /* written with a trailing '?' */
};
int fw_target_parse(const char *s, struct fw_target_spec *out, struct fw_error *err);
void fw_target_release(struct fw_target_spec *t);

struct fw_plan_opts {
	const struct fw_target_spec *target;
	int out_of_order;
};

struct fw_plan {
	struct fw_entry *entries;        /* info order */
	size_t nr, alloc;
	const struct fw_version *last_applied;   /* NULL = empty */
	const struct fw_version *last_resolved;  /* NULL = none */
	const struct fw_version *current;        /* schema version for info */
	const struct fw_applied *current_row;    /* row of the current version */
	const struct fw_version *applied_baseline;
	const struct fw_version *pending_baseline;
	struct fw_version effective_target;      /* NUMBER or LATEST after resolving current */
	int target_is_next;
};

int fw_plan_build(const struct fw_scan *scan, const struct fw_history *hist,
		  const struct fw_plan_opts *o, struct fw_plan *out, struct fw_error *err);
void fw_plan_release(struct fw_plan *p);

/* is the entry a versioned one (has a version) */
int fw_entry_is_versioned(const struct fw_entry *e);
/* description / version / type of an entry, whichever side has it */
const char *fw_entry_description(const struct fw_entry *e);
const char *fw_entry_version(const struct fw_entry *e);
const char *fw_entry_type(const struct fw_entry *e);
/* "Versioned", "Repeatable", "Baseline", "" for synthetic rows */
const char *fw_entry_category(const struct fw_entry *e);

/* ignoreMigrationPatterns: "type:state" */
struct fw_ignore {
	int type;   /* 0 any, 1 versioned, 2 repeatable */
	int state;  /* 0 any, else an enum fw_state + 1 */
};
struct fw_ignores {
	struct fw_ignore *v;
	size_t nr;
};
int fw_ignores_parse(const struct strvec *patterns, struct fw_ignores *out, struct fw_error *err);
void fw_ignores_release(struct fw_ignores *ig);
void fw_ignores_add(struct fw_ignores *ig, int type, enum fw_state state);
int fw_ignores_match(const struct fw_ignores *ig, const struct fw_entry *e);
int fw_ignores_matches_state(const struct fw_ignores *ig, int versioned, enum fw_state st);

#endif
