#include "util/proc.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* keep the last max bytes: the end of a long output says how it ended */
static void keep_tail(struct strbuf *out, size_t max)
{
	if (out->len <= max)
		return;
	memmove(out->buf, out->buf + out->len - max, max);
	strbuf_setlen(out, max);
}

static void child(const char *command, const char *dir, const struct strvec *env, int fd)
{
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	setpgid(0, 0);   /* its own group: the deadline ends what it started too */
	if (dir && chdir(dir) < 0)
		_exit(126);
	execve("/bin/sh", (char *const[]){ "sh", "-c", (char *)command, NULL }, env->v);
	_exit(127);
}

int fw_proc_run(const char *command, const char *dir, const struct strvec *env, long timeout_ms,
		size_t max_output, void (*tick)(void *ctx), void *ctx, struct strbuf *output,
		struct fw_proc_result *res, struct fw_error *err)
{
	int fds[2], wstatus = 0, killed = 0;
	long t0 = now_ms(), deadline = t0 + timeout_ms;
	char buf[4096];
	pid_t pid;
	memset(res, 0, sizeof(*res));
	if (pipe(fds) < 0)
		return fw_errorf(err, "ERROR", "unable to run %s: %s", command, strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return fw_errorf(err, "ERROR", "unable to run %s: %s", command, strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		child(command, dir, env, fds[1]);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		int r = poll(&p, 1, 100);
		if (r > 0) {
			ssize_t n = read(fds[0], buf, sizeof(buf));
			if (n > 0) {
				strbuf_add(output, buf, (size_t)n);
				keep_tail(output, max_output);
				continue;
			}
			if (n == 0 || errno != EINTR)
				break;   /* closed: the command (and what it left behind) is done writing */
		}
		if (tick)
			tick(ctx);
		if (!killed && now_ms() >= deadline) {
			kill(-pid, SIGTERM);
			killed = 1;
			deadline = now_ms() + 2000;   /* a grace period, then KILL */
		} else if (killed == 1 && now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			killed = 2;
		}
	}
	close(fds[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	res->ms = now_ms() - t0;
	res->timed_out = killed != 0;
	if (WIFEXITED(wstatus)) {
		res->exited = 1;
		res->status = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus)) {
		res->signal = WTERMSIG(wstatus);
	}
	return 0;
}
