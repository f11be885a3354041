#include "engine/script.h"
#include "engine/target.h"
#include "util/xalloc.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *interpreter_for(const char *filename)
{
	const char *dot = strrchr(filename, '.');
	if (!dot)
		return NULL; /* executed directly */
	if (!strcasecmp(dot, ".sh"))
		return "sh";
	if (!strcasecmp(dot, ".bash"))
		return "bash";
	if (!strcasecmp(dot, ".py"))
		return "python3";
	return NULL;
}

/* the child's environment: ours, plus FLYWAY_URL/USER/PASSWORD and FP__name__ */
static void build_env(struct fw_target *t, struct strvec *env)
{
	const struct fw_config *c = t->cfg;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "FLYWAY_URL=", 11) && strncmp(*e, "FLYWAY_USER=", 12) &&
		    strncmp(*e, "FLYWAY_PASSWORD=", 16))
			strvec_push(env, *e);
	strvec_pushf(env, "FLYWAY_URL=%s", c->url ? c->url : "");
	strvec_pushf(env, "FLYWAY_USER=%s", c->user ? c->user : "");
	strvec_pushf(env, "FLYWAY_PASSWORD=%s", c->password ? c->password : "");
	for (size_t i = 0; i < t->ph.nr; i++) {
		struct strbuf name = STRBUF_INIT;
		strbuf_addstr(&name, c->script_placeholder_prefix ? c->script_placeholder_prefix : "FP__");
		fw_placeholders_script_name(&t->ph, i, &name);
		strbuf_addstr(&name, c->script_placeholder_suffix ? c->script_placeholder_suffix : "__");
		strvec_pushf(env, "%s=%s", name.buf, t->ph.values[i]);
		strbuf_release(&name);
	}
}

int fw_run_script_process(struct fw_target *t, const struct fw_resolved *r, struct fw_error *err)
{
	struct strvec env = STRVEC_INIT;
	const char *interp = interpreter_for(r->filename);
	int pipefd[2], status = 0;
	pid_t pid;
	struct strbuf output = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	fw_placeholders_set_builtin(&t->ph, "filename", r->filename); /* FP__flyway_filename__ */
	build_env(t, &env);
	if (pipe(pipefd) < 0) {
		strvec_clear(&env);
		return fw_errorf(err, "ERROR", "unable to run %s: %s", r->script, strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		strvec_clear(&env);
		return fw_errorf(err, "ERROR", "unable to run %s: %s", r->script, strerror(errno));
	}
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		if (t->cfg->working_directory && chdir(t->cfg->working_directory) < 0)
			_exit(126);
		if (interp)
			execvpe(interp, (char *const[]){ (char *)interp, r->path, NULL }, env.v);
		else
			execve(r->path, (char *const[]){ r->path, NULL }, env.v);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
		strbuf_add(&output, buf, (size_t)n);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	strvec_clear(&env);
	strbuf_rtrim(&output);
	if (output.len)
		fw_emit_info(t->obs, "%s", output.buf);
	strbuf_release(&output);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fw_errorf(err, "ERROR", "script %s failed with %s %d", r->script,
		  WIFEXITED(status) ? "exit code" : "signal",
		  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	fw_error_detail(err, "Location   : %s (%s)", r->script, r->path);
	fw_error_hint(err, "run the script by hand to see why; it gets FLYWAY_URL, FLYWAY_USER, FLYWAY_PASSWORD and FP__<placeholder>__ variables");
	return -1;
}
