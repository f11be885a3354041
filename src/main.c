/* fleetway: the command table and the run loop over a chain of commands. */
#include "cmd/cmd.h"
#include "cmd/render.h"
#include "ops/op.h"
#include "fleet/provenance.h"
#include "util/json.h"
#include "util/xalloc.h"
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

extern char **environ;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fleetway [options] <command>... [options]\n"
		"\n"
		"A drop-in for the Flyway command line, in one small binary.\n"
		"\n"
		"Commands (several run in order: fleetway info validate migrate):\n");
	for (size_t i = 0; i < fw_nr_commands; i++)
		fprintf(f, "  %-10s %s\n", fw_commands[i].name, fw_commands[i].summary);
	fprintf(f,
		"\n"
		"Options are Flyway's: -key=value for any configuration key, e.g.\n"
		"  -url=jdbc:postgresql://host:5432/db  -user=app  -password=...\n"
		"  -locations=filesystem:sql            -environment=prod\n"
		"  -placeholders.name=value             -configFiles=a.toml,b.toml\n"
		"  -workingDirectory=DIR                -target=5  -outOfOrder=true\n"
		"  -fleet=NAME                          run the commands on every target of [fleets.NAME]\n"
		"  -fleets.NAME.KEY=VALUE               change a fleet setting for this run (pause, waves, ...)\n"
		"  -skipGates                           -fleet=NAME migrate without the fleet's gates (an emergency)\n"
		"\n"
		"Output:\n"
		"  -X                 debug output (secrets are never printed)\n"
		"  -q                 quiet: only warnings and errors\n"
		"  -outputType=json   print results as JSON (Flyway's field names)\n"
		"  -outputFile=FILE   also write the output (or the JSON) to FILE\n"
		"  -color=auto|always|never\n"
		"  -v, --version      print the version\n"
		"  -h, --help         print this help\n"
		"\n"
		"Configuration is read from flyway.toml (or legacy flyway.conf) in the install\n"
		"folder's conf/, your home folder, the current folder and -workingDirectory,\n"
		"then FLYWAY_* environment variables, then options; later wins.\n"
		"\n"
		"Exit status:\n"
		"  0    success (also: validate -outputType=json with failed validation, as Flyway)\n"
		"  1    a migration, validation or database error, or output that could not\n"
		"       be written (stdout, -outputFile); a closed pipe ends quietly (SIGPIPE)\n"
		"  2    bad command line or configuration\n"
		"  3    command not implemented yet in this version (nothing was changed)\n"
		"  4    fleet: one or more targets failed or differ\n"
		"  130  interrupted (Ctrl-C or SIGTERM: the running statement is cancelled\n"
		"       on the server and its migration rolled back)\n"
		"\n"
		"See fleetway(1) and docs/ for details.\n");
}

static char *install_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(buf);
}

static void json_error(const struct fw_error *e, json_t *partial, struct strbuf *out)
{
	json_t *doc = partial ? partial : json_object();
	json_t *eo = json_object();
	struct strbuf msg = STRBUF_INIT;
	strbuf_addbuf(&msg, &e->message);
	json_object_set_new(eo, "errorCode", json_string(e->code ? e->code : "ERROR"));
	json_object_set_new(eo, "message", json_string(msg.buf));
	if (e->detail.len)
		json_object_set_new(eo, "detail", json_string(e->detail.buf));
	if (e->hint.len)
		json_object_set_new(eo, "hint", json_string(e->hint.buf));
	if (e->sqlstate[0]) {
		json_object_set_new(eo, "sqlState", json_string(e->sqlstate));
		json_object_set_new(eo, "sqlErrorCode", json_integer(e->sql_errcode));
	}
	if (e->line)
		json_object_set_new(eo, "lineNumber", json_integer(e->line));
	if (e->path)
		json_object_set_new(eo, "path", json_string(e->path));
	json_object_set_new(eo, "cause", json_null());
	if (partial)
		json_object_set_new(doc, "success", json_false());
	json_object_set_new(doc, "error", eo);
	fw_json_dump(doc, out);
	json_decref(doc);
	strbuf_release(&msg);
}

struct run {
	struct fw_args args;
	struct fw_settings *settings;
	struct fw_config cfg;
	struct fw_out out;
	FILE *output_file;
	int have_cfg;
};

/* Flyway prints its error document when -outputType=json is on the command line,
 * even when the configuration could not be read; fleetway also honours the
 * configuration's outputType once it is read. */
static int wants_json(const struct run *r, int argc, char **argv)
{
	const struct toml_value *v;
	if (r->have_cfg)
		return r->cfg.output_json;
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "-outputType=", 12) && !strcasecmp(argv[i] + 12, "json"))
			return 1;
	v = r->settings ? toml_get_path(fw_settings_root(r->settings), "flyway.outputType") : NULL;
	return v && v->type == TOML_STRING && !strcasecmp(v->u.str.s, "json");
}

/* an error as ERROR:/DETAIL:/HINT: lines, or as Flyway's {"error": {...}}
 * document (into `partial`, a command's result so far, when there is one) */
static void print_error(struct run *r, const struct fw_error *err, json_t *partial)
{
	struct strbuf s = STRBUF_INIT;
	if (!r->out.json) {
		fw_out_error(&r->out, err);
		if (partial)
			json_decref(partial);
		return;
	}
	json_error(err, partial, &s);
	fw_out_raw(&r->out, s.buf, s.len);
	strbuf_release(&s);
}

/* what loading and resolving the configuration found, as Flyway logs it:
 * WARNING: lines, once, before any command runs. The resolved config's own
 * (default locations) only when a command uses it: a fleet resolves one per
 * target, and init makes the project the warning is about. */
static void print_config_warnings(struct run *r, int config_used)
{
	const struct strvec *w = fw_settings_warnings(r->settings);
	for (size_t i = 0; i < w->nr; i++)
		fw_warn(&r->out, "%s", w->v[i]);
	for (size_t i = 0; config_used && i < r->cfg.warnings.nr; i++)
		fw_warn(&r->out, "%s", r->cfg.warnings.v[i]);
}

static int setup(struct run *r, int argc, char **argv, struct fw_error *err)
{
	struct fw_settings_sources src;
	char cwd[PATH_MAX];
	char *inst;
	int ret;
	if (fw_args_parse(argc - 1, (const char *const *)argv + 1, &r->args, err) < 0)
		return -1;
	if (r->args.want_help || r->args.want_version)
		return 0;
	if (!getcwd(cwd, sizeof(cwd)))
		return fw_errorf(err, "ERROR", "unable to read the current directory: %s", strerror(errno));
	inst = install_dir();
	memset(&src, 0, sizeof(src));
	src.args = &r->args;
	src.environ = (const char *const *)environ;
	src.cwd = cwd;
	src.home = getenv("HOME");
	src.install_dir = inst;
	ret = fw_settings_load(&src, &r->settings, err);
	free(inst);
	if (ret < 0)
		return -1;
	if (fw_config_resolve(r->settings, NULL, &r->cfg, err) < 0)
		return -1;
	r->have_cfg = 1;
	r->out.quiet = r->cfg.quiet;
	r->out.debug = r->cfg.debug && !r->cfg.quiet;
	r->out.json = r->cfg.output_json;
	if (r->cfg.output_file) {
		r->output_file = fopen(r->cfg.output_file, "w");
		if (!r->output_file)
			return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "unable to write -outputFile %s: %s",
					      r->cfg.output_file, strerror(errno));
		r->out.copy = r->output_file;
	}
	if (r->out.debug) {
		struct strbuf dump = STRBUF_INIT;
		fw_config_dump(&r->cfg, &dump);
		fw_debug(&r->out, "effective configuration:\n%s", dump.buf);
		strbuf_release(&dump);
	}
	return 0;
}

static int check_commands(const struct strvec *cmds, int fleet, struct fw_error *err)
{
	for (size_t i = 0; i < cmds->nr; i++) {
		const struct fw_command *cmd = fw_command_find(cmds->v[i]);
		struct strbuf names = STRBUF_INIT;
		if (cmd && !(cmd->flags & (fleet ? FW_CMD_NO_FLEET : FW_CMD_FLEET_ONLY)))
			continue;
		if (cmd && !fleet) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "'%s' works on a fleet", cmds->v[i]);
			fw_error_hint(err, "add -fleet=NAME (a [fleets.NAME] table of flyway.toml)");
			return -1;
		}
		if (cmd) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "'%s' is not a fleet command", cmds->v[i]);
			fw_error_hint(err, "run it without -fleet");
			return -1;
		}
		fw_command_names(fleet ? FW_CMD_NO_FLEET : FW_CMD_FLEET_ONLY, &names);
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "Invalid argument: %s", cmds->v[i]);
		fw_error_hint(err, "commands are: %s (see fleetway --help)", names.buf);
		strbuf_release(&names);
		return -1;
	}
	return 0;
}

/* does the chain run a command on the configured target (not only init) */
static int uses_config(const struct strvec *cmds)
{
	for (size_t i = 0; i < cmds->nr; i++)
		if (fw_command_find(cmds->v[i])->op)
			return 1;
	return 0;
}

/* the JSON document, to stdout and -outputFile (fw_out_raw redacts) */
static void emit_json(struct run *r, json_t *doc)
{
	struct strbuf s = STRBUF_INIT;
	fw_json_dump(doc, &s);
	fw_out_raw(&r->out, s.buf, s.len);
	strbuf_release(&s);
}

/* ---- Ctrl-C and SIGTERM of a single-target run ----
 *
 * Ending the process would leave the running statement to go on on the
 * server, with its locks. Instead the first signal wakes a watcher thread
 * (through a pipe: a handler may do little more than write(2)) that cancels
 * the statement on every open connection (db_cancel_all); the migration then
 * fails as interrupted, rolls back, releases the lock, and the run exits 130.
 * A second signal has the default effect. Fleet mode has its own handling
 * (src/cmd/fleet-view.c). */

static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t signalled;
static volatile int interrupt_flag;     /* the target's cancel flag: checked between statements */
static struct sigaction old_int, old_term;
static pthread_t watcher;
static int watching;

static void on_signal(int sig)
{
	int saved = errno;
	signalled = sig;
	sigaction(sig, sig == SIGINT ? &old_int : &old_term, NULL);
	if (write(signal_pipe[1], "x", 1) < 0) {
		/* nothing to do in a handler; the flag is set */
	}
	errno = saved;
}

static void *watch_signals(void *arg)
{
	char c;
	(void)arg;
	while (read(signal_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	if (signalled) {
		__atomic_store_n(&interrupt_flag, 1, __ATOMIC_SEQ_CST);
		db_cancel_all();
	}
	return NULL;
}

static void catch_signals(void)
{
	struct sigaction sa;
	sigset_t all, old;
	if (pipe(signal_pipe) < 0)
		return;   /* no watcher: a signal then ends the process as before */
	/* the watcher itself takes no signal: the handler runs on another thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	watching = pthread_create(&watcher, NULL, watch_signals, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!watching) {
		close(signal_pipe[0]);
		close(signal_pipe[1]);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
}

/* stop the watcher; returns whether a signal arrived */
static int release_signals(void)
{
	if (!watching)
		return 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (write(signal_pipe[1], "", 1) < 0) {
		/* the pipe is ours and empty: cannot fail */
	}
	pthread_join(watcher, NULL);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	watching = 0;
	return signalled != 0;
}

/* run the chain; returns the exit status */

/* `info validate migrate`: with the lock taken at connect, migrate trusts the
 * history info read instead of reading it again under its own lock */
static int chain_locks_at_connect(struct run *r)
{
	for (size_t i = 1; i < r->args.commands.nr; i++) {
		const struct fw_command *cmd = fw_command_find(r->args.commands.v[i]);
		if (cmd->op && cmd->op(&r->cfg) == &fw_op_migrate)
			return 1;
	}
	return 0;
}

/* Run the chain, on the one target or on every target of the fleet; returns
 * the exit status. The one dispatcher: each command is looked up in the
 * table, and runs through fw_cmd_run (its operation on the target, then its
 * renderer) or fw_fleet_cmd_run (the same on each target of the fleet). */
static int run_chain(struct run *r, struct fw_error *err)
{
	struct fw_cmd_ctx c;
	struct fw_session session;
	struct fw_observer obs = fw_render_observer(&r->out);
	struct fleet_cmd *fleet = NULL;
	json_t *results = json_array();
	int status = 0;
	memset(&c, 0, sizeof(c));
	fw_session_init(&session, &r->cfg, &obs, r->cfg.environment);
	session.lock_for_chain = chain_locks_at_connect(r);
	c.settings = r->settings;
	c.cfg = &r->cfg;
	c.out = &r->out;
	session.cancel = &interrupt_flag;
	c.session = &session;
	if (r->cfg.fleet && *r->cfg.fleet && !(fleet = fw_fleet_open(r->settings, &r->cfg, &r->out, err))) {
		status = err->exit_code ? err->exit_code : FW_EXIT_USAGE;
		print_error(r, err, NULL);
	}
	for (size_t i = 0; i < r->args.commands.nr && !status; i++) {
		const struct fw_command *cmd = fw_command_find(r->args.commands.v[i]);
		int rc = fleet ? fw_fleet_cmd_run(fleet, cmd, &c.result, err) : fw_cmd_run(&c, cmd, err);
		if (rc < 0) {
			status = err->exit_code ? err->exit_code : FW_EXIT_ERROR;
			print_error(r, err, c.result);
			c.result = NULL;
			break;
		}
		if (c.result)
			json_array_append_new(results, c.result);
	}
	if (r->out.json && !status) {
		if (json_array_size(results) == 1) {
			emit_json(r, json_array_get(results, 0));
		} else if (json_array_size(results) > 1) {
			json_t *doc = json_object();
			json_object_set(doc, "individualResults", results);
			emit_json(r, doc);
			json_decref(doc);
		}
	}
	json_decref(results);
	fw_session_close(&session);
	fw_fleet_close(fleet);
	return status;
}

/* Output that could not be written is an error (git's rule), reported after
 * the command's own; a reader that went away (fleetway info | head) ends the
 * run quietly, as SIGPIPE would have (ignored here: the work is not cut short).
 * Returns the exit status; *sigpipe asks the caller to die of SIGPIPE. */
static int finish_output(struct run *r, int status, int *sigpipe)
{
	struct fw_error err = FW_ERROR_INIT;
	int rc = fw_out_finish(r->output_file, r->output_file ? r->cfg.output_file : NULL, &err);
	r->output_file = r->out.copy = NULL;
	*sigpipe = rc > 0 && !status;
	if (rc < 0) {
		if (!status)
			fw_error_hint(&err, "the command itself succeeded; only its output is incomplete");
		fw_out_error(&r->out, &err);
		if (!status)
			status = FW_EXIT_ERROR;
	}
	fw_error_clear(&err);
	return status;
}

int main(int argc, char **argv)
{
	struct run r;
	struct fw_error err = FW_ERROR_INIT;
	int status, sigpipe, fleet;
	memset(&r, 0, sizeof(r));
	fw_out_init(&r.out);
	signal(SIGPIPE, SIG_IGN);
	if (setup(&r, argc, argv, &err) < 0) {
		r.out.json = wants_json(&r, argc, argv);
		print_error(&r, &err, NULL);
		status = err.exit_code ? err.exit_code : FW_EXIT_USAGE;
		goto out;
	}
	if (r.args.want_version) {
		printf("fleetway %s (Flyway-compatible command line)\n", FW_VERSION);
		status = 0;
		goto out;
	}
	if (r.args.want_help || !r.args.commands.nr) {
		usage(stdout);
		status = 0;
		goto out;
	}
	if (check_commands(&r.args.commands, r.cfg.fleet && *r.cfg.fleet, &err) < 0) {
		print_error(&r, &err, NULL);
		status = err.exit_code;
		goto out;
	}
	print_config_warnings(&r, !(r.cfg.fleet && *r.cfg.fleet) && uses_config(&r.args.commands));
	fleet = r.cfg.fleet && *r.cfg.fleet;
	if (fleet)
		/* the fleet's report says who ran it, how, and from which commit */
		fw_provenance_init(argc, (const char *const *)argv, r.cfg.working_directory);
	else
		catch_signals();   /* a fleet catches its own (cmd/fleet-view.c) */
	status = run_chain(&r, &err);
	if (!fleet && release_signals() && status != FW_EXIT_INTERRUPTED) {
		/* interrupted where no statement was running, or the cancellation
		 * surfaced as another error: the run still ends as interrupted */
		if (!status) {
			fw_errorf_exit(&err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
			fw_out_error(&r.out, &err);
		}
		status = FW_EXIT_INTERRUPTED;
	}
out:
	status = finish_output(&r, status, &sigpipe);
	fw_error_clear(&err);
	if (r.have_cfg)
		fw_config_release(&r.cfg);
	if (r.settings)
		fw_settings_free(r.settings);
	fw_args_release(&r.args);
	if (sigpipe) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	return status;
}
