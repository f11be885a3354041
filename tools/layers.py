#!/usr/bin/env python3
"""Checks the layers of src/: no two modules include each other (directly or round a cycle), and
no module includes one from a layer above it. Prints what is wrong and exits 1; silent and 0 when
all is well. A module is a .c file with its .h (db/db-internal.h counts as part of db/db, schema/plan-internal.h of schema/plan).

    python3 tools/layers.py [SRC_DIR]
"""
import os
import re
import sys

LAYERS = ['main', 'cmd', 'fleet', 'ops', 'engine', 'config', 'sql', 'db', 'schema', 'util']
SAME_MODULE = {'db/db-internal': 'db/db', 'schema/plan-internal': 'schema/plan'}


def modules(root):
    deps = {}
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(('.c', '.h')):
                continue
            path = os.path.join(d, f)
            mod = os.path.relpath(path, root).rsplit('.', 1)[0]
            mod = SAME_MODULE.get(mod, mod)
            with open(path, encoding='utf-8', errors='replace') as fh:
                incs = re.findall(r'#include "([^"]+)"', fh.read())
            deps.setdefault(mod, set()).update(SAME_MODULE.get(i.rsplit('.', 1)[0], i.rsplit('.', 1)[0])
                                              for i in incs)
    return {m: {x for x in ds if x != m and x in deps} for m, ds in deps.items()}


def cycles(edges):
    found, out = set(), []

    def walk(start, node, path):
        for n in sorted(edges.get(node, ())):
            if n == start and len(path) > 1:
                key = frozenset(path)
                if key not in found:
                    found.add(key)
                    out.append(' -> '.join(path + [start]))
            elif n not in path and len(path) < 6:
                walk(start, n, path + [n])
    for m in sorted(edges):
        walk(m, m, [m])
    return out


def layer(mod):
    top = mod.split('/')[0]
    return LAYERS.index(top) if top in LAYERS else None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'src')
    edges = modules(root)
    problems = ['include cycle: ' + c for c in cycles(edges)]
    for m, ds in sorted(edges.items()):
        for d in sorted(ds):
            lm, ld = layer(m), layer(d)
            if lm is not None and ld is not None and ld < lm:
                problems.append(f'{m} includes {d}, a layer above it')
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
