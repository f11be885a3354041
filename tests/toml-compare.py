#!/usr/bin/env python3
"""Compare two toml-test tagged JSON documents semantically.

usage: toml-compare.py EXPECTED.json ACTUAL.json
       toml-compare.py --batch MANIFEST

In batch mode each line of MANIFEST is "EXPECTED<TAB>ACTUAL<TAB>NAME"; one
"FAIL NAME: difference" line is printed per unequal pair and the exit status
is 1 if any differed (this saves starting python once per file).

Key order does not matter; integers compare as integers, floats as numbers
(nan equals nan, signs of infinities matter), datetimes as values: offset
date-times as instants, local ones field by field, fractional seconds as
exact decimals (so "56.6" equals "56.600"). Exit 0 when equal, 1 with the
first difference on stdout when not, 2 on unreadable input.
"""
import json
import math
import re
import sys
from decimal import Decimal

DATE = r"(\d{4})-(\d{2})-(\d{2})"
TIME = r"(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
OFFSET = r"([Zz]|[+-]\d{2}:\d{2})"
PATTERNS = {
    "datetime": re.compile(DATE + r"[Tt ]" + TIME + OFFSET + r"$"),
    "datetime-local": re.compile(DATE + r"[Tt ]" + TIME + r"$"),
    "date-local": re.compile(DATE + r"$"),
    "time-local": re.compile(TIME + r"$"),
}


def days_from_civil(y, m, d):
    """Days since 1970-01-01 in the proleptic Gregorian calendar."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def seconds(h, mi, s, frac):
    return Decimal(int(h) * 3600 + int(mi) * 60 + int(s or 0)) + Decimal(frac or "0")


def offset_seconds(off):
    if off in ("Z", "z"):
        return 0
    sign = -1 if off[0] == "-" else 1
    return sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60)


def datetime_key(kind, text):
    """A value that is equal for equal datetimes of one kind, or None."""
    m = PATTERNS[kind].match(text)
    if not m:
        return None
    g = m.groups()
    if kind == "date-local":
        return tuple(int(x) for x in g)
    if kind == "time-local":
        return seconds(*g)
    day = days_from_civil(int(g[0]), int(g[1]), int(g[2]))
    t = Decimal(day * 86400) + seconds(*g[3:7])
    if kind == "datetime":
        t -= offset_seconds(g[7])
    return t


def float_equal(a, b):
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y


def scalar_equal(kind, a, b):
    if kind == "integer":
        try:
            return int(a) == int(b)
        except ValueError:
            return False
    if kind == "float":
        return float_equal(a, b)
    if kind in PATTERNS:
        ka = datetime_key(kind, a)
        return ka is not None and ka == datetime_key(kind, b)
    return a == b


def is_scalar(v):
    return isinstance(v, dict) and set(v) == {"type", "value"} and \
        isinstance(v["type"], str) and isinstance(v["value"], str)


def diff(exp, act, path):
    """Describe the first difference, or return None."""
    if is_scalar(exp):
        if not is_scalar(act):
            return f"{path}: expected a {exp['type']} scalar, got {json.dumps(act)[:80]}"
        if exp["type"] != act["type"]:
            return f"{path}: expected type {exp['type']}, got {act['type']}"
        if not scalar_equal(exp["type"], exp["value"], act["value"]):
            return f"{path}: expected {exp['value']!r}, got {act['value']!r}"
        return None
    if isinstance(exp, dict):
        if not isinstance(act, dict) or is_scalar(act):
            return f"{path}: expected a table, got {json.dumps(act)[:80]}"
        if set(exp) != set(act):
            missing = sorted(set(exp) - set(act))
            extra = sorted(set(act) - set(exp))
            return f"{path}: keys differ (missing {missing}, unexpected {extra})"
        for k in exp:
            d = diff(exp[k], act[k], f"{path}.{json.dumps(k)}")
            if d:
                return d
        return None
    if isinstance(exp, list):
        if not isinstance(act, list):
            return f"{path}: expected an array, got {json.dumps(act)[:80]}"
        if len(exp) != len(act):
            return f"{path}: expected {len(exp)} elements, got {len(act)}"
        for i, (e, a) in enumerate(zip(exp, act)):
            d = diff(e, a, f"{path}[{i}]")
            if d:
                return d
        return None
    return f"{path}: unexpected JSON value {json.dumps(exp)[:80]} in expected document"


def compare_files(expected, actual):
    """The first difference between two files, or None."""
    try:
        with open(expected, encoding="utf-8") as f:
            exp = json.load(f)
        with open(actual, encoding="utf-8") as f:
            act = json.load(f)
    except (OSError, ValueError) as e:
        return f"cannot read: {e}"
    return diff(exp, act, "$")


def batch(manifest):
    failed = 0
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            expected, actual, name = line.rstrip("\n").split("\t")
            d = compare_files(expected, actual)
            if d:
                print(f"FAIL {name}: {d}")
                failed += 1
    return 1 if failed else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--batch":
        return batch(argv[2])
    if len(argv) != 3:
        print("usage: toml-compare.py EXPECTED.json ACTUAL.json | --batch MANIFEST",
              file=sys.stderr)
        return 2
    d = compare_files(argv[1], argv[2])
    if d:
        print(d)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
