#!/usr/bin/env python3
"""Checks a SARIF file against what SARIF 2.1.0 (OASIS) requires of the parts fleetway writes.

    python3 tests/lib/sarif-check.py FILE [RULE_ID:LEVEL ...]

The schema below is written from the standard's required properties and value ranges (sarifLog:
version "2.1.0" and runs; run: tool; tool: driver; toolComponent: name; reportingDescriptor: id;
result: message with text or id, level one of none/note/warning/error, ruleIndex -1 or more;
physicalLocation's artifactLocation uri; region lines and columns from 1) and validated with
python3-jsonschema; then ruleIndex is checked against the rules, and each RULE_ID:LEVEL given must be
among the results. Prints what is wrong and exits 1; silent and 0 when all is well.
"""
import json
import sys

import jsonschema

POSITIVE = {"type": "integer", "minimum": 1}
SCHEMA = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string"},
        "runs": {"type": "array", "items": {"$ref": "#/definitions/run"}},
    },
    "definitions": {
        "run": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {
                    "type": "object", "required": ["driver"],
                    "properties": {"driver": {
                        "type": "object", "required": ["name"],
                        "properties": {
                            "name": {"type": "string"},
                            "version": {"type": "string"},
                            "rules": {"type": "array", "items": {
                                "type": "object", "required": ["id"],
                                "properties": {"id": {"type": "string"},
                                               "shortDescription": {"$ref": "#/definitions/message"}}}},
                        }}},
                },
                "results": {"type": "array", "items": {"$ref": "#/definitions/result"}},
            },
        },
        "message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
                    "properties": {"text": {"type": "string"}}},
        "result": {
            "type": "object",
            "required": ["message"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "level": {"enum": ["none", "note", "warning", "error"]},
                "message": {"$ref": "#/definitions/message"},
                "locations": {"type": "array", "items": {
                    "type": "object",
                    "properties": {"physicalLocation": {
                        "type": "object",
                        "anyOf": [{"required": ["address"]}, {"required": ["artifactLocation"]}],
                        "properties": {
                            "artifactLocation": {"type": "object", "properties": {"uri": {"type": "string"}}},
                            "region": {"type": "object", "properties": {
                                "startLine": POSITIVE, "startColumn": POSITIVE,
                                "endLine": POSITIVE, "endColumn": POSITIVE}},
                        }}}}},
            },
        },
    },
}


def main():
    doc = json.load(open(sys.argv[1]))
    problems = [e.message + " at " + "/".join(str(p) for p in e.absolute_path)
                for e in jsonschema.Draft7Validator(SCHEMA).iter_errors(doc)]
    seen = set()
    for run in doc.get("runs", []):
        rules = run["tool"]["driver"].get("rules", [])
        for r in run.get("results", []):
            i = r.get("ruleIndex")
            if i is not None and i >= 0 and (i >= len(rules) or rules[i]["id"] != r.get("ruleId")):
                problems.append("ruleIndex %s does not point at rule %s" % (i, r.get("ruleId")))
            seen.add("%s:%s" % (r.get("ruleId"), r.get("level", "warning")))
    for want in sys.argv[2:]:
        if want not in seen:
            problems.append("no result %s (results: %s)" % (want, sorted(seen)))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
