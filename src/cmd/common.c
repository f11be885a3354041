#include "cmd/cmd.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

struct fw_target *fw_cmd_target(struct fw_cmd_ctx *c)
{
	return c->session ? &c->session->target : NULL;
}

static json_t *local_timestamp(void)
{
	struct timeval tv;
	struct tm tm;
	char buf[64];
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%06ld", (long)tv.tv_usec);
	return json_string(buf);
}

json_t *fw_cmd_result_base(struct fw_cmd_ctx *c, const char *operation)
{
	json_t *o = json_object();
	json_object_set_new(o, "flywayVersion", json_string(FW_VERSION));
	json_object_set_new(o, "database", c->session && c->session->connected
						   ? fw_json_str(c->session->target.database) : json_null());
	json_object_set_new(o, "warnings", json_array());
	json_object_set_new(o, "operation", json_string(operation));
	json_object_set_new(o, "timestamp", local_timestamp());
	json_object_set_new(o, "exception", json_null());
	json_object_set_new(o, "licenseFailed", json_false());
	return o;
}

void fw_cmd_print(struct fw_cmd_ctx *c, const char *text)
{
	if (c->out->json || c->out->quiet)
		return;
	fw_out_raw(c->out, text, strlen(text));
}
