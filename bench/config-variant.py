#!/usr/bin/env python3
"""A variant of a GenRec config: the config (whole-line // comments allowed) with JSON merge patches (RFC 7396:
objects merge, null removes a key, anything else replaces) applied in order, written as plain JSON.
    bench/config-variant.py SOURCE TARGET PATCH [PATCH ...] [--name-suffix S]
--name-suffix appends "-S" to the config's name (so a variant's run names itself)."""
import argparse, json, sys


def merge(into, change):
    for key, value in change.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("source")
parser.add_argument("target")
parser.add_argument("patches", nargs="+")
parser.add_argument("--name-suffix")
args = parser.parse_args()
config = json.loads("\n".join(line for line in open(args.source) if not line.lstrip().startswith("//")))
for patch in args.patches:
    try:
        change = json.loads(patch)
    except json.JSONDecodeError as e:
        sys.exit(f"{args.source}: patch {patch!r} is not JSON: {e}")
    if not isinstance(change, dict):
        sys.exit(f"{args.source}: patch {patch!r} is not a JSON object")
    merge(config, change)
if args.name_suffix:
    config["name"] = f"{config['name']}-{args.name_suffix}"
json.dump(config, open(args.target, "w"), indent=2)
