/* Durations as people write them in configuration: "30s", "5m", "1m30s",
 * "500ms", "2h", or a bare number of seconds ("1.5"). Used by the fleet's
 * pause and by lockTimeout / statementTimeout. */
#ifndef FW_DURATION_H
#define FW_DURATION_H
#include "util/error.h"

/* *ms gets the duration in milliseconds; a bad one is a configuration error */
int fw_parse_duration(const char *s, long *ms, struct fw_error *err);

#endif
