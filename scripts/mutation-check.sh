#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/mutation-check.sh - shows that the tests can fail: each deliberate bug of
# tests/mutations.list is applied to a copy of the repository, the copy is built, and
# the test named for it must then fail. A mutation that no longer applies (its text is
# gone from the source) is an error of the list, reported as such.
#
# Usage: scripts/mutation-check.sh [--list] [NAME...]   (default: every mutation)
# Needs the kernel trees for the mutations whose test reads them (scripts/fetch-trees.sh).
# Exit: 0 every mutation caught, 1 one missed or not applicable, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

list=tests/mutations.list
usage() { sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//'; }
only=() show=0
for a in "$@"; do
	case $a in
	-h | --help) usage; exit 0 ;;
	--list) show=1 ;;
	-*) usage >&2; exit 2 ;;
	*) only+=("$a") ;;
	esac
done
kx_need_cmd perl tar make

# the mutations: "name|file|substitution|test" lines
mapfile -t muts < <(grep -v '^\s*\(#\|$\)' "$list" | sed 's/ ;; /\x1f/g')
if ((show)); then
	for m in "${muts[@]}"; do
		IFS=$'\x1f' read -r name file _ test <<<"$m"
		printf '%-28s %-26s %s\n' "$name" "$file" "$test"
	done
	exit 0
fi
for n in "${only[@]}"; do
	printf '%s\n' "${muts[@]}" | grep -q "^$n"$'\x1f' || kx_die "no mutation '$n' in $list"
done

bins=$(for t in tests/unit/test_*.c; do t=${t#tests/unit/}; echo "build/tests/${t%.c}"; done)
work=$(kx_mktemp_dir)
trap 'rm -rf "$work"' EXIT
caught=0 missed=0 broken=0
for m in "${muts[@]}"; do
	IFS=$'\x1f' read -r name file subst test <<<"$m"
	if ((${#only[@]})) && [[ " ${only[*]} " != *" $name "* ]]; then
		continue
	fi
	copy=$work/$name
	# the build directory too, so that only the mutated file is rebuilt
	mkdir -p "$copy"
	tar --exclude=./.git -cf - . | tar -xf - -C "$copy"
	if ! perl -0pi -e "$subst" "$copy/$file" || cmp -s "$file" "$copy/$file"; then
		echo "BROKEN  $name: the substitution does not change $file (update $list)"
		broken=$((broken + 1))
		rm -rf "$copy"
		continue
	fi
	# the program and every unit test binary; a mutation that does not build would be
	# "caught" by the compiler, not by a test
	if ! (cd "$copy" && make -s -j"$(nproc)" all $bins) >"$work/$name.log" 2>&1 </dev/null; then
		echo "BROKEN  $name: the mutated copy does not build (update $list):"
		tail -n 5 "$work/$name.log" | sed 's/^/    /'
		broken=$((broken + 1))
		rm -rf "$copy"
		continue
	fi
	rc=0
	(cd "$copy" && eval "$test") >>"$work/$name.log" 2>&1 </dev/null || rc=$?
	if ((rc != 0 && rc != 77)); then
		echo "caught  $name (by: $test; exit $rc)"
		caught=$((caught + 1))
	else
		echo "MISSED  $name: \`$test\` exit $rc with the mutation applied; its output:"
		tail -n 15 "$work/$name.log" | sed 's/^/    /'
		missed=$((missed + 1))
	fi
	rm -rf "$copy"
done
echo "mutation-check: $caught caught, $missed missed, $broken not applicable"
((missed == 0 && broken == 0))
