/* Who ran a fleet command, where, and from which commit: the facts at the
 * top of the audit report (its "invocation"). The command line is the
 * process's own, kept by main() before anything runs; secrets in it are
 * masked when the report is made. */
#ifndef FW_PROVENANCE_H
#define FW_PROVENANCE_H
#include <jansson.h>
#include "util/strbuf.h"

/* remember argv and the working directory (-workingDirectory, or the
 * process's) for the report; called once by main(), before any thread */
void fw_provenance_init(int argc, const char *const *argv, const char *workdir);

/* {"user", "host", "commandLine", "workingDirectory", "gitCommit", "gitBranch"}:
 * keys whose value is unknown are left out. The command line is one shell
 * line; the values of password, token and secret flags, the password of a
 * URL and every registered secret in it show as *** */
json_t *fw_provenance_json(void);

/* The commit checked out in the git work tree that holds dir (or a folder
 * above it), read from .git without running git: a branch (its loose ref or
 * packed-refs), a detached HEAD, a linked work tree (.git file). Returns 0
 * with the commit's hex id (and the branch name, "" when detached), -1 when
 * dir is in no work tree or HEAD names no commit yet. */
int fw_git_head(const char *dir, struct strbuf *commit, struct strbuf *branch);

/* the commit of refname in the text of a packed-refs file (0), or -1 when
 * it is not there or its line holds no object id */
int fw_git_packed_ref(const char *text, const char *refname, struct strbuf *commit);

#endif
