#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# conformance-selftest.sh - scripts/conformance.sh must fail broken candidates and a
# broken oracle, and pass the real candidate.
#
# On a small subset of 6.12 (ARCH x86_64: the x86_64_defconfig chain in the modes
# defconfig, olddefconfig, savedefconfig, syncconfig (two cases) and allnoconfig), the
# runner must exit 1 and report failures for each of these fake candidates (small
# shell scripts run in place of conf):
#   nothing        does nothing, exits 0
#   garbage        writes garbage into .config
#   no-autoconf    runs the real `kxen-config conf` and then deletes include/config/auto.conf
#   no-touchfile   runs the real conf and then deletes one touch file under include/config
#   retouch        runs the real conf and then rewrites every touch file (same contents,
#                  new dates: only the incremental syncconfig case can see it)
#   copy-input     copies its input .config to the output unchanged
# and for these fake oracles (KXC_ORACLE), with the real candidate:
#   oracle-exit-1  exits 1: every case is an error ("oracle failed: exit 1")
#   oracle-noop    does nothing for --olddefconfig: the olddefconfig step must be
#                  reported, not passed ("oracle left .config unchanged")
#   oracle-flaky   fails, then (second run, oracle cache on) works: the first run
#                  must cache nothing, the second must pass and cache its 2 results
# and it must exit 0 with "N passed, 0 failed" for the real candidate
# (`./kxen-config conf`) and the tree's own conf.
#
# Usage: tests/kernel/conformance-selftest.sh
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (no 6.12 tree, or kxen-config has no conf).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

case ${1:-} in
'') ;;
-h | --help)
	sed -n '4,/^# Usage/p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0 (no arguments; --help)" >&2
	exit 2
	;;
esac

tree=6.12
src=$KX_CACHE/src/linux-source-$tree
if [[ ! -f $src/Makefile || ! -f $src/scripts/kconfig/conf.c ]]; then
	echo "************************************************************************"
	echo "* conformance-selftest: SKIP: no $tree tree at $src"
	echo "* (run scripts/fetch-trees.sh $tree)"
	echo "************************************************************************"
	exit 77
fi
[[ -x ./kxen-config ]] || make -s -j"$(nproc)" >&2
if ! kx_has_conf ./kxen-config; then
	echo "************************************************************************"
	echo "* conformance-selftest: SKIP: ./kxen-config has no 'conf' command"
	echo "************************************************************************"
	exit 77
fi
kx=$repo/kxen-config
oracle=$(scripts/build-oracle.sh "$tree")

work=$(kx_mktemp_dir)
trap 'rm -rf "$work"' EXIT
modes=defconfig,olddefconfig,savedefconfig,syncconfig,allnoconfig
subset=(--tree "$tree" --arch x86_64 -j 2 --modes "$modes")
pass=0 fail=0
t0=$(kx_now)

# fake NAME BODY: an executable /bin/sh script $work/NAME.
fake() {
	printf '#!/bin/sh\n%s\n' "$2" >"$work/$1"
	chmod +x "$work/$1"
}

fake nothing 'exit 0'
fake garbage 'printf "garbage\nCONFIG_NOT_A_SYMBOL=y\n" >.config
exit 0'
fake no-autoconf "\"$kx\" conf \"\$@\"
rc=\$?
rm -f include/config/auto.conf
exit \$rc"
fake no-touchfile "\"$kx\" conf \"\$@\"
rc=\$?
f=\$(find include/config -type f -empty 2>/dev/null | LC_ALL=C sort | head -n 1)
[ -z \"\$f\" ] || rm -f \"\$f\"
exit \$rc"
fake retouch "\"$kx\" conf \"\$@\"
rc=\$?
[ ! -d include/config ] || find include/config -type f -empty -exec touch {} +
exit \$rc"
# shellcheck disable=SC2016 # expanded by the fake's shell
fake copy-input 'out=.config
for a in "$@"; do
	case $a in
	--savedefconfig=*) out=${a#--savedefconfig=} ;;
	--defconfig=*) cp "$srctree/${a#--defconfig=}" .config ;;
	esac
done
[ ! -f .config ] || [ "$out" = .config ] || cp .config "$out"
exit 0'
fake oracle-exit-1 'exit 1'
fake oracle-noop "case \" \$* \" in *' --olddefconfig '*) exit 0 ;; esac
exec \"$oracle\" \"\$@\""
fake oracle-flaky "[ \"\$(cat '$work/flaky.state')\" = ok ] || exit 1
exec \"$oracle\" \"\$@\""

# check NAME WANT PATTERN [ENV...] -- ARGS...: run conformance.sh with ARGS (after
# the subset) under the environment ENV; WANT is pass (exit 0, "N passed, 0 failed")
# or fail (exit 1, FAIL lines, "N passed, M failed" with M > 0, and a FAIL line
# matching the extended regular expression PATTERN).
check() {
	local name=$1 want=$2 pat=$3 rc=0 last t
	local -a envs=()
	shift 3
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	t=$(kx_now)
	env ${envs[@]+"${envs[@]}"} scripts/conformance.sh "${subset[@]}" "$@" \
		>"$work/$name.log" 2>&1 || rc=$?
	last=$(tail -n 1 "$work/$name.log")
	if [[ $want == pass ]]; then
		if ((rc == 0)) && [[ $last =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]]; then
			pass=$((pass + 1))
			echo "  ok   $name: passes ($last, $(kx_elapsed "$t")s)"
			return 0
		fi
	elif ((rc == 1)) && [[ $last =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]] &&
		grep -q '^FAIL ' "$work/$name.log" && grep '^FAIL ' "$work/$name.log" | grep -Eq -- "$pat"; then
		pass=$((pass + 1))
		echo "  ok   $name: fails ($last, $(kx_elapsed "$t")s)"
		return 0
	fi
	fail=$((fail + 1))
	echo "  FAIL $name: want $want${pat:+ with a FAIL line matching /$pat/}, got exit $rc:"
	grep -E '^FAIL |passed|error' "$work/$name.log" | cut -c1-300 | head -n 20 | sed 's/^/    /'
}

echo "conformance-selftest: scripts/conformance.sh ${subset[*]}"
# The real candidate first: it also fills the oracle cache for the other runs.
check real pass "" -- --candidate "$kx conf"
check nothing fail 'candidate wrote no \.config' -- --candidate "$work/nothing"
check garbage fail '\.config differs' -- --candidate "$work/garbage"
check no-autoconf fail 'candidate wrote no include/config/auto\.conf' -- \
	--candidate "$work/no-autoconf"
check no-touchfile fail 'touch files missing' -- --candidate "$work/no-touchfile"
check retouch fail 'syncconfig-incr .*touch files rewritten only by the candidate' -- \
	--candidate "$work/retouch"
check copy-input fail 'olddefconfig .*\.config differs' -- --candidate "$work/copy-input"
check oracle-exit-1 fail 'oracle failed: exit 1' KXC_ORACLE="$work/oracle-exit-1" -- \
	--candidate "$kx conf" --no-oracle-cache
check oracle-noop fail 'olddefconfig .*oracle left \.config unchanged' \
	KXC_ORACLE="$work/oracle-noop" -- --candidate "$kx conf" --modes olddefconfig \
	--no-oracle-cache
# The flaky oracle's results go to a cache of their own: nothing may be stored by the
# failing run, something by the working one.
flaky=(KXC_ORACLE="$work/oracle-flaky" KXC_ORACLE_RESULTS="$work/results" KX_NO_ORACLE_CACHE=)
echo fail >"$work/flaky.state"
check oracle-flaky-1 fail 'oracle failed: exit 1' "${flaky[@]}" -- --candidate "$kx conf" \
	--modes defconfig,olddefconfig
stored() { find "$work/results" -name status 2>/dev/null | wc -l; }
if (($(stored) != 0)); then
	fail=$((fail + 1))
	echo "  FAIL oracle-flaky-1: $(stored) failed oracle results were cached"
fi
echo ok >"$work/flaky.state"
check oracle-flaky-2 pass "" "${flaky[@]}" -- --candidate "$kx conf" \
	--modes defconfig,olddefconfig
if (($(stored) != 2)); then
	fail=$((fail + 1))
	echo "  FAIL oracle-flaky-2: want 2 cached oracle results, found $(stored)"
fi
check oracle-itself pass "" -- --candidate "$oracle"

echo "conformance-selftest: $pass passed, $fail failed ($(kx_elapsed "$t0")s)"
((fail == 0))
