#!/usr/bin/env python3
"""Validates plan.json files against schema/plan.schema.json (JSON Schema draft 2020-12).

    python3 scripts/testing/check-plan-schema.py [--schema FILE] PLAN.json...

Checks the schema itself first, then each plan; prints one line per violation
(`FILE: at /steps/3/kind: ...`). Exit 0: every plan is valid; 1: a plan is not (or is not
JSON); 2: usage error or an invalid schema; 3: python's jsonschema is not installed
(scripts/bootstrap.sh --test installs it).
"""
import argparse
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("check-plan-schema: python's jsonschema is not installed for %s: run scripts/bootstrap.sh --test"
          % sys.executable, file=sys.stderr)
    sys.exit(3)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pointer(path):
    return "/" + "/".join(str(part) for part in path)


def main():
    parser = argparse.ArgumentParser(description="Validate plan.json files against the plan's JSON Schema.")
    parser.add_argument("--schema", default=os.path.join(ROOT, "schema", "plan.schema.json"))
    parser.add_argument("plans", nargs="+")
    args = parser.parse_args()
    with open(args.schema, encoding="utf-8") as file:
        schema = json.load(file)
    validator_class = jsonschema.Draft202012Validator
    try:
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as error:
        print("%s: not a valid draft 2020-12 schema: %s" % (args.schema, error.message), file=sys.stderr)
        return 2
    validator = validator_class(schema)
    failed = False
    for path in args.plans:
        try:
            with open(path, encoding="utf-8") as file:
                plan = json.load(file)
        except (OSError, ValueError) as error:
            print("%s: %s" % (path, error))
            failed = True
            continue
        errors = sorted(validator.iter_errors(plan), key=lambda error: list(error.absolute_path))
        for error in errors:
            print("%s: at %s: %s" % (path, pointer(error.absolute_path), error.message))
        failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
