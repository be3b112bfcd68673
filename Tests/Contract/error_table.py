#!/usr/bin/env python3
"""The README's error table, from the catalogue in Sources/HTTPContract/ErrorCode.swift.

    error_table.py            print the table
    error_table.py --write    replace the error table in README.md (the one headed "| status | code | when |")

ContractTests checks the README against ErrorCode itself; this script only saves typing it.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOGUE = os.path.join(ROOT, "Sources", "HTTPContract", "ErrorCode.swift")
README = os.path.join(ROOT, "README.md")
HEADER = ["| status | code | when |", "|---|---|---|"]


def switch_body(source, property_name):
    match = re.search(r"public var " + property_name + r": \w+ \{\s*switch self \{(.*?)\n        \}", source, re.S)
    if not match:
        sys.exit(f"ErrorCode.swift: no `switch self` in `{property_name}`")
    return match.group(1)


def catalogue():
    with open(CATALOGUE, encoding="utf-8") as f:
        source = f.read()
    cases = []
    for name, raw in re.findall(r"^    case `?(\w+)`?(?: = \"([a-z_]+)\")?$", source, re.M):
        cases.append((name, raw or name))
    if not cases:
        sys.exit("ErrorCode.swift: no cases found")
    status = {}
    for names, value in re.findall(r"case ((?:\.`?\w+`?,?\s*)+):\s*return (\d+)", switch_body(source, "status")):
        for name in re.findall(r"\.`?(\w+)`?", names):
            status[name] = int(value)
    summary = {}
    for name, text in re.findall(r'case \.`?(\w+)`?: return "((?:[^"\\]|\\.)*)"', switch_body(source, "summary")):
        summary[name] = text.replace('\\"', '"').replace("\\\\", "\\")
    missing = [name for name, _ in cases if name not in status or name not in summary]
    if missing:
        sys.exit(f"ErrorCode.swift: no status or summary parsed for {', '.join(missing)}")
    return [(status[name], raw, summary[name]) for name, raw in cases]


def table():
    return HEADER + [f"| {status} | `{code}` | {text} |" for status, code, text in catalogue()]


def write_readme(rows):
    with open(README, encoding="utf-8") as f:
        lines = f.read().split("\n")
    try:
        start = lines.index(HEADER[0])
    except ValueError:
        sys.exit("README.md: no table headed '%s'" % HEADER[0])
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[start:end] = rows
    with open(README, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    rows = table()
    if sys.argv[1:] == ["--write"]:
        write_readme(rows)
        print(f"README.md: error table rewritten ({len(rows) - 2} codes)")
    elif not sys.argv[1:]:
        print("\n".join(rows))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
