#!/usr/bin/env python3
"""Rewrites the counts in docs/API.md's "Every native item" section from
docs/native-items.txt: the total line and each `### <group>` line
"N present, N not possible, N missing." (groups as the txt's `# <group>`
headings). Run after changing statuses in the txt:

    python3 docs/tools/native_counts.py [--mark-present ITEM ...]

`--mark-present` first sets those items' status to `present` in the txt.
The rows of API.md's tables are edited by hand.
"""
import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TXT = ROOT / "docs/native-items.txt"
API = ROOT / "docs/API.md"


def main(argv):
    lines = TXT.read_text().splitlines()
    if argv[:1] == ["--mark-present"]:
        wanted = set(argv[1:])
        for i, line in enumerate(lines):
            fields = line.split()
            if len(fields) == 2 and not line.startswith("#") and fields[0] in wanted:
                lines[i] = f"{fields[0]:<56} present"
                wanted.discard(fields[0])
        if wanted:
            sys.exit(f"not in {TXT.name}: {' '.join(sorted(wanted))}")
        TXT.write_text("\n".join(lines) + "\n")

    groups, group, total = OrderedDict(), None, Counter()
    # The header comment ends at the first blank line; after it, each
    # `# <group>` line starts a group.
    body = lines[lines.index("") + 1:]
    for line in body:
        if line.startswith("# "):
            group = line[2:].strip()
            groups[group] = Counter()
        elif line.strip() and not line.startswith("#"):
            status = line.split()[1]
            groups[group][status] += 1
            total[status] += 1

    def counts(c):
        return c["present"], c["not-possible"], c["missing"]

    api = API.read_text()
    n = sum(total.values())
    api, k = re.subn(
        r"\d+ items: \*\*\d+ present, \d+ not possible, \d+ missing\*\*",
        "%d items: **%d present, %d not possible, %d missing**" % ((n,) + counts(total)),
        api,
    )
    assert k == 1, "total line not found"
    for name, c in groups.items():
        pattern = r"(### " + re.escape(name) + r"\n\n)\d+ present, \d+ not possible, \d+ missing\."
        api, k = re.subn(pattern, lambda m: m.group(1) + "%d present, %d not possible, %d missing." % counts(c), api)
        assert k == 1, f"group {name!r} not found in API.md"
    API.write_text(api)
    print("%d items: %d present, %d not possible, %d missing" % ((n,) + counts(total)))


if __name__ == "__main__":
    main(sys.argv[1:])
