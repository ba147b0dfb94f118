#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# golden-output.sh - golden tests for the human output of merge, check, why,
# why-not and closure on Debian's real trees: tests/golden/analysis-VERSION.md
# are shell sessions whose output must match exactly (scripts/readme-examples.py).
# Exit 0 all match, 1 some differ, 77 when every golden file was skipped because
# the installed tree is another point release (said loudly).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
[[ -x $repo/kxen-config ]] || { echo "golden-output: build kxen-config first (make)" >&2; exit 2; }
fails=0 runs=0
for f in "$repo"/tests/golden/analysis-*.md; do
	v=${f##*/analysis-}
	v=${v%.md}
	tree=$("$repo/scripts/fetch-trees.sh" "$v" | tail -n 1)
	rc=0
	python3 "$repo/scripts/readme-examples.py" "$f" "$tree" || rc=$?
	case $rc in
	0) runs=$((runs + 1)) ;;
	77) ;;
	*) runs=$((runs + 1)) fails=$((fails + 1)) ;;
	esac
done
((runs)) || exit 77
((fails == 0))
