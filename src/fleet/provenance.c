/* Who ran it, where, with what command line, from which commit. */
#include "fleet/provenance.h"
#include "util/redact.h"
#include "util/strvec.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static struct strvec saved_argv = STRVEC_INIT;
static char *saved_workdir;

void fw_provenance_init(int argc, const char *const *argv, const char *workdir)
{
	strvec_clear(&saved_argv);
	for (int i = 0; i < argc; i++)
		strvec_push(&saved_argv, argv[i]);
	free(saved_workdir);
	saved_workdir = workdir ? xstrdup(workdir) : NULL;
}

/* ---------------------------------------------------------------- command line */

/* -password=, -environments.x.password=, -vault.token=, -licenseKey=... */
static int secret_flag(const char *key, size_t n)
{
	static const char *const words[] = { "password", "token", "secret", "licensekey", NULL };
	const char *last = key;
	for (size_t i = 0; i < n; i++)
		if (key[i] == '.')
			last = key + i + 1;
	n -= (size_t)(last - key);
	for (size_t w = 0; words[w]; w++)
		for (size_t i = 0; i + strlen(words[w]) <= n; i++)
			if (!strncasecmp(last + i, words[w], strlen(words[w])))
				return 1;
	return 0;
}

static void masked_word(const char *arg, struct strbuf *out)
{
	const char *eq = arg[0] == '-' ? strchr(arg, '=') : NULL;
	if (!eq) {
		strbuf_addstr(out, arg);
		return;
	}
	strbuf_add(out, arg, (size_t)(eq + 1 - arg));
	if (secret_flag(arg + 1, (size_t)(eq - arg - 1)))
		strbuf_addstr(out, "***");
	else
		redact_url(eq + 1, out);
}

/* the command line as one shell line: every word quoted where the shell
 * needs it, the value of a password, token or secret flag and the password
 * of a URL shown as ***, and every registered secret redacted */
static void command_line(int argc, const char *const *argv, struct strbuf *out)
{
	struct strbuf word = STRBUF_INIT;
	for (int i = 0; i < argc; i++) {
		strbuf_reset(&word);
		if (i == 0) {
			/* the program as it was called, without the folder it lives in */
			const char *slash = strrchr(argv[0], '/');
			strbuf_addstr(&word, slash ? slash + 1 : argv[0]);
		} else {
			masked_word(argv[i], &word);
		}
		redact_buf(&word);
		if (i)
			strbuf_addch(out, ' ');
		strbuf_add_shell_quoted(out, word.buf);
	}
	strbuf_release(&word);
}

/* ---------------------------------------------------------------- git */

/* the first line of a small file, without its line end */
static int read_line(const char *path, struct strbuf *out)
{
	strbuf_reset(out);
	if (strbuf_read_file(out, path) < 0)
		return -1;
	strbuf_setlen(out, strcspn(out->buf, "\r\n"));
	return 0;
}

static int is_object_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return (n == 40 || n == 64) && !s[n];
}

/* path relative to base, unless absolute */
static void join(const char *base, const char *path, struct strbuf *out)
{
	strbuf_reset(out);
	if (path[0] != '/')
		strbuf_addf(out, "%s/", base);
	strbuf_addstr(out, path);
}

/* the git directory of the work tree holding dir: .git itself, or where a
 * .git file (linked work tree, submodule) points */
static int find_git_dir(const char *dir, struct strbuf *gitdir)
{
	struct strbuf d = STRBUF_INIT, p = STRBUF_INIT, line = STRBUF_INIT;
	struct stat st;
	int ret = -1;
	strbuf_addstr(&d, dir);
	for (;;) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/.git", d.len ? d.buf : "");
		if (stat(p.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
			strbuf_reset(gitdir);
			strbuf_addbuf(gitdir, &p);
			ret = 0;
			break;
		}
		if (stat(p.buf, &st) == 0 && S_ISREG(st.st_mode) && read_line(p.buf, &line) == 0 &&
		    !strncmp(line.buf, "gitdir: ", 8)) {
			join(d.len ? d.buf : "/", line.buf + 8, gitdir);
			ret = 0;
			break;
		}
		/* up one folder; stop after the root */
		while (d.len && d.buf[d.len - 1] != '/')
			d.len--;
		if (!d.len)
			break;
		strbuf_setlen(&d, d.len - 1);
	}
	strbuf_release(&d);
	strbuf_release(&p);
	strbuf_release(&line);
	return ret;
}

int fw_git_packed_ref(const char *text, const char *refname, struct strbuf *commit)
{
	size_t rlen = strlen(refname);
	/* "<id> <refname>" lines; '#' starts the header, '^' a peeled tag */
	for (const char *line = text; *line; ) {
		size_t n = strcspn(line, "\n");
		const char *sp = memchr(line, ' ', n);
		if (line[0] != '#' && line[0] != '^' && sp && (size_t)(line + n - sp - 1) == rlen &&
		    !memcmp(sp + 1, refname, rlen)) {
			char *id = xstrndup(line, (size_t)(sp - line));
			int ok = is_object_id(id);
			if (ok)
				strbuf_addstr(commit, id);
			free(id);
			return ok ? 0 : -1;
		}
		line += n + (line[n] == '\n');
	}
	return -1;
}

/* refname's commit: its loose file (in the work tree's git dir, then the
 * common one), else its line in packed-refs */
static int resolve_ref(const char *gitdir, const char *common, const char *refname, struct strbuf *commit)
{
	struct strbuf p = STRBUF_INIT, text = STRBUF_INIT;
	const char *dirs[] = { gitdir, common };
	int ret = -1;
	for (int i = 0; i < 2 && ret < 0; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dirs[i], refname);
		if (read_line(p.buf, &text) == 0 && is_object_id(text.buf)) {
			strbuf_addbuf(commit, &text);
			ret = 0;
		}
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/packed-refs", common);
	strbuf_reset(&text);
	if (ret < 0 && strbuf_read_file(&text, p.buf) == 0)
		ret = fw_git_packed_ref(text.buf, refname, commit);
	strbuf_release(&p);
	strbuf_release(&text);
	return ret;
}

int fw_git_head(const char *dir, struct strbuf *commit, struct strbuf *branch)
{
	struct strbuf gitdir = STRBUF_INIT, common = STRBUF_INIT, p = STRBUF_INIT, head = STRBUF_INIT;
	int ret = -1;
	if (find_git_dir(dir, &gitdir) < 0)
		goto out;
	/* a linked work tree keeps its HEAD here and its branches in the common dir */
	strbuf_addf(&p, "%s/commondir", gitdir.buf);
	if (read_line(p.buf, &head) == 0 && head.len)
		join(gitdir.buf, head.buf, &common);
	else
		strbuf_addbuf(&common, &gitdir);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/HEAD", gitdir.buf);
	if (read_line(p.buf, &head) < 0)
		goto out;
	if (is_object_id(head.buf)) {
		strbuf_addbuf(commit, &head);
		ret = 0;
	} else if (!strncmp(head.buf, "ref: ", 5)) {
		const char *ref = head.buf + 5;
		if (resolve_ref(gitdir.buf, common.buf, ref, commit) == 0) {
			strbuf_addstr(branch, !strncmp(ref, "refs/heads/", 11) ? ref + 11 : ref);
			ret = 0;
		}
	}
out:
	strbuf_release(&gitdir);
	strbuf_release(&common);
	strbuf_release(&p);
	strbuf_release(&head);
	return ret;
}

/* ---------------------------------------------------------------- who, where */

static void user_name(struct strbuf *out)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	const char *env = getenv("USER");
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name[0])
		strbuf_addstr(out, res->pw_name);
	else if (env && *env)
		strbuf_addstr(out, env);
	else
		strbuf_addf(out, "uid %ld", (long)geteuid());
}

static void set_string(json_t *o, const char *key, const char *value)
{
	/* text that is not UTF-8 (a host or folder name) is left out rather than mangled */
	json_t *v = json_string(value);
	if (v)
		json_object_set_new(o, key, v);
}

json_t *fw_provenance_json(void)
{
	json_t *o = json_object();
	struct strbuf sb = STRBUF_INIT, branch = STRBUF_INIT;
	char host[HOST_NAME_MAX + 1], cwd[PATH_MAX];
	const char *dir = saved_workdir;
	user_name(&sb);
	set_string(o, "user", sb.buf);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		set_string(o, "host", host);
	}
	if (saved_argv.nr) {
		strbuf_reset(&sb);
		command_line((int)saved_argv.nr, (const char *const *)saved_argv.v, &sb);
		set_string(o, "commandLine", sb.buf);
	}
	if (!dir && getcwd(cwd, sizeof(cwd)))
		dir = cwd;
	if (dir) {
		set_string(o, "workingDirectory", dir);
		strbuf_reset(&sb);
		if (fw_git_head(dir, &sb, &branch) == 0) {
			set_string(o, "gitCommit", sb.buf);
			if (branch.len)
				set_string(o, "gitBranch", branch.buf);
		}
	}
	strbuf_release(&sb);
	strbuf_release(&branch);
	return o;
}
