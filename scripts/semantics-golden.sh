#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# semantics-golden.sh - run the kernel's own conf (6.1 and 6.12, built by
# scripts/build-oracle.sh) on every fixture under tests/fixtures/semantics
# and write, or check, the expected outputs next to it:
#
#   <case>/expected/<version>/<mode>.config   the .config (or defconfig)
#   <case>/expected/<version>/<mode>.stderr   what conf printed on stderr
#
# Modes: alldefconfig allnoconfig allyesconfig allmodconfig, plus
# olddefconfig of <case>/input.config when present; savedefconfig of the
# olddefconfig result (or of alldefconfig).  A case whose "versions" file
# exists is run only for the versions it lists.
#
# Usage: scripts/semantics-golden.sh [--check] [--candidate CMD]
#   --check          compare with the committed files instead of writing
#   --candidate CMD  also run CMD (a conf drop-in, e.g. "./kxen-config conf")
#                    and compare it with conf; exit 1 on any difference
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
check=0
candidate=""
while [ $# -gt 0 ]; do
	case "$1" in
	--check) check=1 ;;
	--candidate) candidate="$2"; shift ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	*) echo "semantics-golden.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

cache=${XDG_CACHE_HOME:-$HOME/.cache}/kxen-config
declare -A oracle
for v in 6.1 6.12; do
	tree=$cache/src/linux-source-$v
	if [ ! -d "$tree" ]; then
		"$here/scripts/fetch-trees.sh" "$v" >/dev/null
	fi
	oracle[$v]=$("$here/scripts/build-oracle.sh" "$tree")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0; passed=0; stale=0

# run TOOL VERSION CASE MODE OUTDIR [ARGS...]
run() {
	local tool=$1 ver=$2 dir=$3 mode=$4 out=$5
	shift 5
	mkdir -p "$out"
	( cd "$out" && env -i PATH=/usr/bin:/bin srctree="$dir" \
		KERNELVERSION="$ver.0" HOME="${HOME:-/root}" \
		${KX_EXTRA_ENV:-} $tool "$@" Kconfig >stdout 2>stderr ) || echo "exit $?" >>"$out/stderr"
}

for dir in "$here"/tests/fixtures/semantics/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	versions="6.1 6.12"
	[ -f "$dir/versions" ] && versions=$(cat "$dir/versions")
	for ver in $versions; do
		exp=$dir/expected/$ver
		for tool_kind in oracle candidate; do
			if [ $tool_kind = oracle ]; then tool=${oracle[$ver]}; base=$work/o/$name/$ver
			else [ -n "$candidate" ] || continue; tool=$candidate; base=$work/c/$name/$ver; fi
			for mode in alldefconfig allnoconfig allyesconfig allmodconfig; do
				run "$tool" "$ver" "$dir" "$mode" "$base/$mode" "--$mode"
				cp "$base/$mode/.config" "$base/$mode.config" 2>/dev/null || : >"$base/$mode.config"
				cp "$base/$mode/stderr" "$base/$mode.stderr"
			done
			if [ -f "$dir/input.config" ]; then
				mkdir -p "$base/olddefconfig"
				cp "$dir/input.config" "$base/olddefconfig/.config"
				run "$tool" "$ver" "$dir" olddefconfig "$base/olddefconfig" --olddefconfig
				src=olddefconfig
				cp "$base/olddefconfig/.config" "$base/olddefconfig.config"
				cp "$base/olddefconfig/stderr" "$base/olddefconfig.stderr"
			else
				src=alldefconfig
			fi
			mkdir -p "$base/savedefconfig"
			cp "$base/$src/.config" "$base/savedefconfig/.config"
			run "$tool" "$ver" "$dir" savedefconfig "$base/savedefconfig" --savedefconfig=defconfig
			cp "$base/savedefconfig/defconfig" "$base/savedefconfig.config" 2>/dev/null || : >"$base/savedefconfig.config"
			cp "$base/savedefconfig/stderr" "$base/savedefconfig.stderr"
		done
		obase=$work/o/$name/$ver
		if [ $check = 0 ] && [ -z "$candidate" ]; then
			mkdir -p "$exp"
			cp "$obase"/*.config "$obase"/*.stderr "$exp/"
			continue
		fi
		for f in "$obase"/*.config "$obase"/*.stderr; do
			b=$(basename "$f")
			if [ $check = 1 ] && ! cmp -s "$f" "$exp/$b"; then
				echo "STALE golden: $name/$ver/$b"; diff -u "$exp/$b" "$f" | head -20 || true
				stale=$((stale + 1))
			fi
			if [ -n "$candidate" ]; then
				case $b in *.stderr) continue ;; esac
				if cmp -s "$f" "$work/c/$name/$ver/$b"; then
					passed=$((passed + 1))
				else
					echo "FAIL: $name $ver ${b%.config}"
					diff -u "$f" "$work/c/$name/$ver/$b" | head -20 || true
					fail=$((fail + 1))
				fi
			fi
		done
	done
done
if [ -n "$candidate" ]; then
	echo "$passed passed, $fail failed"
fi
[ $stale = 0 ] || { echo "$stale golden files are stale: run scripts/semantics-golden.sh"; exit 1; }
[ $fail = 0 ]
