#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# readme-examples.sh - the README's examples are real output of the current
# code: run every ```console block of README.md on Debian's linux-source-6.12
# and compare (scripts/readme-examples.py).  Exit 0 all match, 1 some differ,
# 77 the tree is another point release than the README's (skipped loudly).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
[[ -x $repo/kxen-config ]] || { echo "readme-examples: build kxen-config first (make)" >&2; exit 2; }
tree=$("$repo/scripts/fetch-trees.sh" 6.12 | tail -n 1)
exec python3 "$repo/scripts/readme-examples.py" "$repo/README.md" "$tree"
