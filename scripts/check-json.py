#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check-json.py - validate `kxen-config --json COMMAND` output against docs/json-schema.json.

Usage: scripts/check-json.py COMMAND FILE [COMMAND FILE]...
COMMAND is the schema's definition name: dump, find, why, why-not, closure, check,
merge, prune or generate.  Prints one line per file ("ok" or the first errors, with
the JSON path); exit 0 when every file is valid, 1 when one is not, 2 on usage or a
missing python3-jsonschema (scripts/install-deps.sh installs it).
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("check-json.py: python3-jsonschema is missing (scripts/install-deps.sh)",
          file=sys.stderr)
    sys.exit(2)

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs",
                      "json-schema.json")


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr if len(argv) < 3 else sys.stdout)
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = 0
    for cmd, path in zip(argv[1::2], argv[2::2]):
        if cmd not in schema["$defs"]:
            print("check-json.py: no definition %r in %s" % (cmd, SCHEMA), file=sys.stderr)
            return 2
        v = jsonschema.Draft202012Validator({"$defs": schema["$defs"],
                                             "$ref": "#/$defs/" + cmd})
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            print("%s (%s): not JSON: %s" % (path, cmd, e))
            bad += 1
            continue
        errs = sorted(v.iter_errors(data), key=lambda e: list(e.absolute_path))
        if not errs:
            print("%s (%s): ok" % (path, cmd))
            continue
        bad += 1
        print("%s (%s): %d errors" % (path, cmd, len(errs)))
        for e in errs[:5]:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print("  %s: %s" % (where, e.message[:300]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
