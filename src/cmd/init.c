/* fleetway init: scaffold a project that `fleetway migrate` can run at once
 * on an embedded SQLite database. Never overwrites an existing file. */
#include "cmd.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char toml_template[] =
	"# fleetway / Flyway project configuration (TOML)\n"
	"# Docs: `man fleetway`, docs/configuration.md\n"
	"\n"
	"[environments.default]\n"
	"url = \"jdbc:sqlite:%s.db\"\n"
	"# user = \"app\"\n"
	"# password = \"${env.APP_DB_PASSWORD}\"   # resolved at run time, never printed\n"
	"\n"
	"[flyway]\n"
	"environment = \"default\"\n"
	"locations = [\"filesystem:migrations\"]\n"
	"\n"
	"# A deploy: fleetway '-ignoreMigrationPatterns=*:future,*:pending' info validate migrate\n"
	"# validate fails while migrations are pending (as in Flyway), so a deploy that validates\n"
	"# before migrating ignores them there; migrate still validates the rest before it runs.\n"
	"\n"
	"# [flyway.placeholders]\n"
	"# owner = \"app\"\n";

static const char first_migration[] =
	"-- Your first migration. Files are applied in version order:\n"
	"--   V<version>__<description>.sql  (versioned, once)\n"
	"--   R__<description>.sql           (repeatable, whenever it changes)\n"
	"CREATE TABLE greeting (\n"
	"    id INTEGER PRIMARY KEY,\n"
	"    message VARCHAR(200) NOT NULL\n"
	");\n"
	"INSERT INTO greeting (id, message) VALUES (1, 'hello from fleetway');\n";

static int write_new(const char *path, const char *text, struct fw_out *out, struct fw_error *err)
{
	FILE *f;
	struct stat st;
	if (stat(path, &st) == 0) {
		fw_info(out, "Keeping existing %s", path);
		return 0;
	}
	f = fopen(path, "wx");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fw_errorf(err, "ERROR", "unable to write %s: %s", path, strerror(errno));
		fw_error_hint(err, "run init in a folder you can write to, or pass -workingDirectory=DIR");
		return -1;
	}
	fw_info(out, "Created %s", path);
	return 0;
}

static int make_dir(const char *path, struct fw_error *err)
{
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		return fw_errorf(err, "ERROR", "unable to create folder %s: %s", path, strerror(errno));
	return 0;
}

static const char *project_name(const char *dir)
{
	const char *slash = strrchr(dir, '/');
	const char *name = slash && slash[1] ? slash + 1 : "app";
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return "app";
	return name;
}

int cmd_init(struct fw_cmd_ctx *c, struct fw_error *err)
{
	const char *dir = c->cfg->working_directory ? c->cfg->working_directory : ".";
	struct strbuf p = STRBUF_INIT, toml = STRBUF_INIT;
	int ret = -1;
	strbuf_addf(&toml, toml_template, project_name(dir));
	strbuf_addf(&p, "%s/flyway.toml", dir);
	if (write_new(p.buf, toml.buf, c->out, err) < 0)
		goto out;
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/migrations", dir);
	if (make_dir(p.buf, err) < 0)
		goto out;
	strbuf_addstr(&p, "/V1__create_greeting.sql");
	if (write_new(p.buf, first_migration, c->out, err) < 0)
		goto out;
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/schema-model", dir);
	if (make_dir(p.buf, err) < 0)
		goto out;
	fw_info(c->out, "Project initialised. Next: fleetway migrate && fleetway info");
	c->result = fw_cmd_result_base(c, "init");
	ret = 0;
out:
	strbuf_release(&p);
	strbuf_release(&toml);
	return ret;
}
