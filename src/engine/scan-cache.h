/* One scan of the locations for many targets.
 *
 * A fleet of 1,000 tenants with the same locations would read and checksum
 * the same files 1,000 times. The cache keeps a scan per distinct set of what
 * decides its result: the settings that choose which files count and how
 * they are read (locations, naming, encoding, placeholder syntax), and the
 * values of the placeholders the scan itself looked up (repeatable
 * checksums, shouldExecute); a target whose scan matches gets a copy, and
 * the warnings the scan gave (a missing location) in its own output. The
 * files are read once per cache: a file changed while a run goes on is seen
 * by none of its targets, rather than by some.
 *
 * Thread-safe: targets of a fleet scan on their own threads; a target that
 * needs a scan another thread is making waits for it. */
#ifndef FW_SCAN_CACHE_H
#define FW_SCAN_CACHE_H
#include "engine/scan.h"

struct fw_scan_cache;

struct fw_scan_cache *fw_scan_cache_new(void);
void fw_scan_cache_free(struct fw_scan_cache *c);

/* fw_scan_run() through the cache: o->placeholders' values decide, with the
 * settings of o->cfg, whether a cached scan serves */
int fw_scan_cached(struct fw_scan_cache *c, const struct fw_scan_opts *o, struct fw_scan *out,
		   struct fw_error *err);

/* how many scans were made, and how many targets a copy served (tests, -X) */
void fw_scan_cache_counts(struct fw_scan_cache *c, size_t *scans, size_t *copies);

#endif
