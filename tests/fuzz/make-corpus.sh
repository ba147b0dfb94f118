#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/fuzz/make-corpus.sh - generate the seed corpora of the fuzz harnesses
# from the real kernel trees and the Debian distro configs (not committed:
# regenerated on demand by `make fuzz` into build/fuzz/corpus/).
#
#   fuzz_kconfig    Kconfig files of linux-source-6.1/6.12 (<= 16 KiB, every
#                   Nth file so that all subsystems are represented) and the
#                   Kconfig files under tests/fixtures/
#   fuzz_dotconfig  the distro configs cut into 200-line pieces, and the
#                   expected .config files of tests/fixtures/
#   fuzz_expr       the distinct expressions of 'depends on', 'if' and
#                   'visible if' lines of both trees
#
# Usage: tests/fuzz/make-corpus.sh [OUTDIR]   (default build/fuzz/corpus)
# Environment: KX_CACHE (default /root/.cache/kxen-config or
# $XDG_CACHE_HOME/kxen-config), KX_CORPUS_MAX (files per harness, 1500).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:-build/fuzz/corpus}
cache=${KX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kxen-config}
max=${KX_CORPUS_MAX:-1500}
trees=()
for v in 6.1 6.12; do
	[[ -d $cache/src/linux-source-$v ]] && trees+=("$cache/src/linux-source-$v")
done
if ((${#trees[@]} == 0)); then
	echo "make-corpus: no kernel trees under $cache/src (scripts/fetch-trees.sh); seeds only" >&2
fi
mkdir -p "$out/fuzz_kconfig" "$out/fuzz_dotconfig" "$out/fuzz_expr"

# put FILE DIR: copy FILE into DIR under its content hash
put() {
	local h
	h=$(sha1sum <"$1" | cut -c1-16)
	cp "$1" "$2/$h"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- Kconfig files
{
	for t in "${trees[@]}"; do
		# other jobs may build in the trees: vanishing files are fine
		find "$t" -name 'Kconfig*' -type f -size -16k 2>/dev/null || true
	done
	find tests/fixtures -name 'Kconfig*' -type f
} | sort >"$tmp/kfiles"
n=$(wc -l <"$tmp/kfiles")
step=$(((n + max - 1) / max))
((step > 0)) || step=1
awk -v s="$step" 'NR % s == 0' "$tmp/kfiles" | while read -r f; do
	put "$f" "$out/fuzz_kconfig"
done

# ---- .config pieces
i=0
for f in "$cache"/distro-configs/*/config.* tests/fixtures/*/*/expected/*/*.config; do
	[[ -f $f ]] || continue
	split -l 200 -d -a 4 "$f" "$tmp/piece.$i."
	i=$((i + 1))
done
find "$tmp" -name 'piece.*' | sort | head -n "$max" | while read -r f; do
	put "$f" "$out/fuzz_dotconfig"
done
rm -f "$tmp"/piece.*

# ---- expressions
if ((${#trees[@]})); then
	{ find "${trees[@]}" -name 'Kconfig*' -type f -print0 2>/dev/null || true; } |
		xargs -0 sed -n -E 's/^[[:space:]]*(depends on|visible if|if)[[:space:]]+(.*)$/\2/p' |
		sed -E 's/[[:space:]]+#.*$//; s/[[:space:]]+$//' | sort -u >"$tmp/exprs"
	total=$(wc -l <"$tmp/exprs")
	step=$(((total + max - 1) / max))
	((step > 0)) || step=1
	j=0
	awk -v s="$step" 'NR % s == 0' "$tmp/exprs" | while IFS= read -r e; do
		printf '%s' "$e" >"$tmp/e"
		put "$tmp/e" "$out/fuzz_expr"
		j=$((j + 1))
	done
fi

for h in fuzz_kconfig fuzz_dotconfig fuzz_expr; do
	echo "make-corpus: $out/$h: $(find "$out/$h" -type f | wc -l) files"
done
