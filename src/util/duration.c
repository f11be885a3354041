#include "util/duration.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int fw_parse_duration(const char *s, long *ms, struct fw_error *err)
{
	const char *p = s;
	long total = 0;
	while (*p == ' ')
		p++;
	if (!*p)
		goto bad;
	while (*p) {
		char *end;
		double v;
		long unit;
		if (!(*p >= '0' && *p <= '9') && *p != '.')
			goto bad;   /* no sign, no "inf", no hex: strtod would take them */
		v = strtod(p, &end);
		if (end == p || !isfinite(v) || v < 0 || v > 1e9)
			goto bad;
		p = end;
		if (!strncmp(p, "ms", 2)) {
			unit = 1;
			p += 2;
		} else if (*p == 's' || !*p || *p == ' ') {
			unit = 1000;
			p += *p == 's';
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else {
			goto bad;
		}
		total += (long)(v * (double)unit + 0.5);
		while (*p == ' ')
			p++;
	}
	*ms = total;
	return 0;
bad:
	return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			      "invalid duration '%s': use e.g. 30s, 5m, 1m30s or 500ms", s);
}
