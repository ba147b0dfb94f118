#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/check-sanitize.sh - `make check-sanitize`: kxen-config built with
# AddressSanitizer + UndefinedBehaviorSanitizer on the real trees, and valgrind
# on one of them; any report fails.
#   1. every SRCARCH of both trees loads (`dump`, which parses, finalises and
#      evaluates every symbol) with no sanitizer report and no leak;
#   2. the CI conformance set (every x86 defconfig in every mode, the first
#      defconfig of every other arch) with the sanitized `conf` as candidate:
#      byte-identical to the tree's conf and no report;
#   3. valgrind (memcheck, leaks included) on the 6.12 x86_64 load and
#      olddefconfig, alldefconfig and savedefconfig.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h | --help)
	sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'
	echo "Exit: 0 no report, 1 a report or a conformance failure, 2 setup error."
	exit 0
	;;
'') ;;
*) echo "usage: $kx_prog [--help]" >&2; exit 2 ;;
esac
cd "$KX_REPO"
kx_need_cmd valgrind
make -s -j"$(nproc)" SANITIZE=address,undefined build/san/kxen-config
san=$KX_REPO/build/san/kxen-config
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99
work=$(kx_mktemp_dir)
trap 'rm -rf "$work"' EXIT
fail=0 n=0

# 1. every arch of both trees
for v in "${KX_TREE_VERSIONS[@]}"; do
	src=$(scripts/fetch-trees.sh "$v" | tail -n 1)
	for d in "$src"/arch/*/; do
		a=$(basename "$d")
		[[ -f $d/Kconfig ]] || continue
		[[ $a == um ]] && continue	# ARCH=um needs SUBARCH; loaded as x86 below
		n=$((n + 1))
		if ! "$san" -q -C "$src" --arch "$a" dump >/dev/null 2>"$work/err"; then
			echo "FAIL $v/$a: $(head -n 5 "$work/err")"
			fail=$((fail + 1))
		elif grep -qE "Sanitizer|runtime error" "$work/err"; then
			echo "FAIL $v/$a: sanitizer report"
			head -n 20 "$work/err"
			fail=$((fail + 1))
		fi
	done
done
echo "sanitized load of every arch: $((n - fail)) passed, $fail failed"

# 2. conformance with the sanitized conf
rc=0
scripts/conformance.sh --subset ci --candidate "$san conf" || rc=$?
((rc == 0)) || { echo "FAIL: conformance under ASan/UBSan (exit $rc)"; fail=$((fail + 1)); }

# 3. valgrind on 6.12 x86_64
src=$(scripts/fetch-trees.sh 6.12 | tail -n 1)
vg=(valgrind -q --error-exitcode=98 --leak-check=full "--errors-for-leak-kinds=definite,indirect")
make -s -j"$(nproc)"
for mode in "dump" "--config $work/v.config alldefconfig" "--config $work/v.config olddefconfig" \
	"--config $work/v.config savedefconfig $work/v.defconfig"; do
	# shellcheck disable=SC2086 # mode is a word list on purpose
	if ! "${vg[@]}" ./kxen-config -q -C "$src" --arch x86_64 $mode >/dev/null 2>"$work/vg"; then
		echo "FAIL valgrind $mode:"
		head -n 30 "$work/vg"
		fail=$((fail + 1))
	else
		echo "ok   valgrind: $mode"
	fi
done
echo "check-sanitize: $fail failure(s)"
((fail == 0))
