#!/usr/bin/env python3
"""Deletes superseded build artefacts from a cargo target directory's `deps/` folders.

Every build whose dependency hash changed (a new dependency, other features, another checkout
sharing the directory) leaves its artefacts behind under a new hash; a debug `regatta` binary or
`libserver` is ~2 GB, so a day's work fills the disk. Per crate name, the artefacts of the three
most recently built hashes stay (the build, clippy and test variants in use); older ones go.
Usage: prune-target.py TARGET_DIR
"""
import collections
import os
import re
import sys

HASHED = re.compile(r"^(.*)-([0-9a-f]{16})(\..*)?$")
KEEP = 3


def prune(deps):
    groups = collections.defaultdict(lambda: collections.defaultdict(list))
    for name in os.listdir(deps):
        match = HASHED.match(name)
        if match:
            groups[match.group(1)][match.group(2)].append(os.path.join(deps, name))
    freed = 0
    for hashes in groups.values():
        newest_first = sorted(
            hashes.values(), key=lambda files: max(os.path.getmtime(f) for f in files), reverse=True
        )
        for files in newest_first[KEEP:]:
            for path in files:
                try:
                    freed += os.path.getsize(path)
                    os.remove(path)
                except FileNotFoundError:
                    pass
    return freed


def main():
    target = sys.argv[1]
    freed = 0
    for root, dirs, _ in os.walk(target):
        if os.path.basename(root) == "deps":
            freed += prune(root)
            dirs.clear()
    print(f"prune-target: freed {freed / 1e9:.1f} GB")


if __name__ == "__main__":
    main()
