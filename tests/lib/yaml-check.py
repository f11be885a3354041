#!/usr/bin/env python3
"""Parse YAML with a real parser (PyYAML) and check what fleetway wrote.

  yaml-check.py docs FILE.md...            every ```yaml block of the files parses
  yaml-check.py excerpt FILE.md N OUTPUT   the Nth ```yaml block of FILE.md is an excerpt of OUTPUT:
                                           its lines (but comments) appear there, in order
  yaml-check.py github PLAN PARALLEL       a `plan -format=github` workflow: structure, limits
  yaml-check.py gitlab PLAN                a `plan -format=gitlab` pipeline: structure, limits
  yaml-check.py json PLAN                  a `plan -format=json` document: structure

The plan checks fail (exit 1, with the reason) on anything a CI system would reject or run in
the wrong order, and print one line per stage for the test to compare:
  <stage> <jobs> [<targets per job>] ...
"""
import re
import sys

import yaml

GITHUB_MATRIX_MAX = 256
GITLAB_MATRIX_MAX = 200
TARGET_CMD = '"-fleet=$FLEET_NAME:$FLEET_TARGET"'


def fail(msg):
    print("yaml-check: " + msg, file=sys.stderr)
    sys.exit(1)


def yaml_blocks(path):
    """(line, text) of each ```yaml block, its indentation removed"""
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r"^([ \t]*)```ya?ml[ \t]*\n(.*?)^\1```", text, re.S | re.M):
        indent = m.group(1)
        body = "".join(line[len(indent):] if line.startswith(indent) else line
                       for line in m.group(2).splitlines(True))
        yield text.count("\n", 0, m.start()) + 2, body


def check_docs(paths):
    for path in paths:
        blocks = 0
        for line, body in yaml_blocks(path):
            try:
                yaml.safe_load(body)
            except yaml.YAMLError as e:
                fail("%s:%d: a yaml block does not parse: %s" % (path, line, e))
            blocks += 1
        print("%s: %d yaml block%s" % (path, blocks, "" if blocks == 1 else "s"))


def check_excerpt(path, n, output):
    line, body = list(yaml_blocks(path))[n - 1]
    have = open(output, encoding="utf-8").read().splitlines()
    pos = 0
    for i, want in enumerate(body.splitlines()):
        if not want.strip() or want.lstrip().startswith("#"):
            continue
        while pos < len(have) and have[pos] != want:
            pos += 1
        if pos == len(have):
            fail("%s:%d: %r is not in the output (in this order)" % (path, line + i, want))
        pos += 1
    print("%s: yaml block %d is an excerpt of %s" % (path, n, output))


def stage_of(job_id):
    return re.sub(r"-part-\d+$", "", job_id)


def closure(jobs, name, seen=None):
    """every job `name` waits for, directly or not (fails on unknown names and cycles)"""
    seen = set() if seen is None else seen
    needs = jobs[name].get("needs", [])
    if isinstance(needs, str):
        needs = [needs]
    out = set()
    for n in needs:
        if n not in jobs:
            fail("job %s needs unknown job %s" % (name, n))
        if n in seen:
            fail("needs cycle through %s" % n)
        out |= {n} | closure(jobs, n, seen | {name})
    return out


def stages_in_order(job_ids):
    order = []
    for j in job_ids:
        s = stage_of(j)
        if s.startswith("pause-before-"):
            continue
        if s not in order:
            order.append(s)
    return order


def check_rollout(stage_targets, order):
    """pre-flight covers every target once; the waves cover them again, each target once"""
    if order[0] != "preflight" or order[-1] != "verify":
        fail("stages are %s: pre-flight must come first and verify last" % order)
    every = stage_targets["preflight"]
    if len(set(every)) != len(every):
        fail("pre-flight names a target twice")
    waves = [t for s in order[1:-1] for t in stage_targets[s]]
    if waves != every:
        fail("the waves do not migrate each pre-flighted target once, in order")
    for t in every:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", t):
            fail("target %r is no plain name" % t)


def check_github(path, parallel):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    if "on" not in doc or "workflow_dispatch" not in doc["on"]:
        fail("no `on: workflow_dispatch` (a quoted \"on\" key)")
    if doc.get("env", {}).get("FLEET_NAME") is None:
        fail("no FLEET_NAME in the workflow's env")
    jobs = doc["jobs"]
    for name in jobs:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
            fail("job id %r is not valid for GitHub" % name)
    order = stages_in_order(jobs)
    targets, lines = {}, []
    for stage in order[:-1]:
        parts = [j for j in jobs if stage_of(j) == stage]
        sizes, shares = [], []
        for j in parts:
            job = jobs[j]
            matrix = job["strategy"]["matrix"]["target"]
            if not 0 < len(matrix) <= GITHUB_MATRIX_MAX:
                fail("job %s has a matrix of %d jobs (GitHub's limit is %d)" % (j, len(matrix), GITHUB_MATRIX_MAX))
            env = job["environment"]
            if stage == "preflight":
                if env != {"name": "${{ matrix.target }}", "deployment": False}:
                    fail("pre-flight job %s: environment %r" % (j, env))
            elif env != "${{ matrix.target }}":
                fail("job %s: environment %r is not the target" % (j, env))
            if job["env"]["FLEET_TARGET"] != "${{ matrix.target }}":
                fail("job %s does not pass its target" % j)
            run = job["steps"][-1]["run"]
            want = "fleetway %s %s" % (TARGET_CMD, "check" if stage == "preflight" else "migrate")
            if run != want:
                fail("job %s runs %r" % (j, run))
            if job["strategy"]["fail-fast"] != (stage != "preflight"):
                fail("job %s: fail-fast %r" % (j, job["strategy"]["fail-fast"]))
            targets.setdefault(stage, []).extend(str(t) for t in matrix)
            sizes.append(len(matrix))
            shares.append(job["strategy"]["max-parallel"])
        # parts side by side share the fleet's parallel; chained parts each may use it all
        chained = len(parts) > 1 and all(parts[i] in closure(jobs, parts[i + 1]) for i in range(len(parts) - 1))
        if not chained and sum(shares) > parallel:
            fail("stage %s runs up to %d targets at once, the fleet allows %d" % (stage, sum(shares), parallel))
        if chained and max(shares) > parallel:
            fail("stage %s: max-parallel above %d" % (stage, parallel))
        lines.append("%s %d [%s] %s%s" % (stage, len(parts), "+".join(map(str, sizes)),
                                          "+".join(map(str, shares)), " chained" if chained else ""))
    check_rollout(targets, order)
    # each stage waits for every job of the stage before it (so for the whole pre-flight)
    for prev, stage in zip(order, order[1:]):
        before = {j for j in jobs if stage_of(j) == prev}
        for j in (j for j in jobs if stage_of(j) == stage):
            if not before <= closure(jobs, j):
                fail("job %s does not wait for all of %s" % (j, prev))
    for j in jobs:
        if j.startswith("pause-before-"):
            lines.append("%s: %s" % (j, jobs[j]["steps"][-1]["run"]))
    lines.append("verify: %s" % jobs["verify"]["steps"][-1]["run"])
    print("\n".join(lines))


def check_gitlab(path):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    order = doc["stages"]
    if doc.get("variables", {}).get("FLEET_NAME") is None:
        fail("no FLEET_NAME in the pipeline's variables")
    jobs = {k: v for k, v in doc.items() if k not in ("stages", "variables")}
    targets, lines = {}, []
    for stage in order[:-1]:
        parts = [j for j in jobs if jobs[j]["stage"] == stage]
        if not parts:
            fail("stage %s has no job" % stage)
        sizes = []
        for j in parts:
            job = jobs[j]
            if "parallel" in job:
                matrix = job["parallel"]["matrix"]
                if len(matrix) != 1 or list(matrix[0]) != ["FLEET_TARGET"]:
                    fail("job %s: matrix %r" % (j, matrix))
                names = matrix[0]["FLEET_TARGET"]
                if not 1 < len(names) <= GITLAB_MATRIX_MAX:
                    fail("job %s has %d permutations (GitLab's limit is %d)" % (j, len(names), GITLAB_MATRIX_MAX))
            else:
                names = [job["variables"]["FLEET_TARGET"]]
            env = job["environment"]
            want_env = {"name": "$FLEET_TARGET", "action": "access"} if stage == "preflight" else {"name": "$FLEET_TARGET"}
            if env != want_env:
                fail("job %s: environment %r" % (j, env))
            want = "fleetway %s %s" % (TARGET_CMD, "check" if stage == "preflight" else "migrate")
            if job["script"] != [want]:
                fail("job %s runs %r" % (j, job["script"]))
            targets.setdefault(stage, []).extend(str(t) for t in names)
            sizes.append(len(names))
        delayed = {jobs[j].get("when") == "delayed" and jobs[j].get("start_in") for j in parts}
        if len(delayed) != 1:
            fail("stage %s: some jobs delayed, some not" % stage)
        d = delayed.pop()
        lines.append("%s %d [%s]%s" % (stage, len(parts), "+".join(map(str, sizes)), " delayed " + d if d else ""))
    check_rollout(targets, order)
    verify = [j for j in jobs if jobs[j]["stage"] == "verify"]
    if verify != ["verify"]:
        fail("verify stage holds %r" % verify)
    lines.append("verify: %s" % jobs["verify"]["script"][0])
    print("\n".join(lines))


def check_json(path):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    stages = [doc["preflight"]] + doc["waves"]
    order = [s["id"] for s in stages] + [doc["verify"]["id"]]
    targets, lines = {}, []
    for prev, s in zip([None] + order, stages + [doc["verify"]]):
        if s["needs"] != ([prev] if prev else []):
            fail("stage %s needs %r" % (s["id"], s["needs"]))
    for s in stages:
        for job in s["jobs"]:
            if job["environment"] != job["target"]:
                fail("job of %s: environment %r" % (job["target"], job["environment"]))
            if job["command"].split()[-1] != ("check" if s["id"] == "preflight" else "migrate"):
                fail("job of %s runs %r" % (job["target"], job["command"]))
        targets[s["id"]] = [j["target"] for j in s["jobs"]]
        lines.append("%s %d%s" % (s["id"], len(s["jobs"]), " paused" if s["pauseBefore"] else ""))
    check_rollout(targets, order)
    lines.append("verify: %s" % doc["verify"]["command"])
    print("\n".join(lines))


def main():
    if len(sys.argv) < 3:
        fail(__doc__)
    kind = sys.argv[1]
    if kind == "docs":
        check_docs(sys.argv[2:])
    elif kind == "excerpt":
        check_excerpt(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif kind == "github":
        check_github(sys.argv[2], int(sys.argv[3]))
    elif kind == "gitlab":
        check_gitlab(sys.argv[2])
    elif kind == "json":
        check_json(sys.argv[2])
    else:
        fail("unknown check %r" % kind)


if __name__ == "__main__":
    main()
