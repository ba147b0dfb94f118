#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# kconfig-pytest.sh - run each kernel tree's own Kconfig test suite
# (scripts/kconfig/tests, pytest) with `kxen-config conf` substituted for
# scripts/kconfig/conf.  This is how the drop-in is checked against the
# kernel developers' own expectations.
#
# How the substitution works: the suite runs $PWD/scripts/kconfig/conf; we
# copy the tests to a scratch directory whose scripts/kconfig/conf is a
# two-line wrapper that execs `kxen-config conf "$@"` with the tree's
# release in KX_KCONFIG_VERSION and the tree itself in KX_KCONFIG_RULES_FROM
# (the tests run conf outside a kernel build, in a directory of their own:
# the rules are those the tree's scripts/kconfig sources show).
#
# Usage: tests/kernel/kconfig-pytest.sh [5.10|6.1|6.12|7.3|...|all]
# (exit 0 all passed)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
cache=$KX_CACHE
which=${1:-all}
[ "$which" = all ] && which="5.10 6.1 6.12 7.3"

PY=python3
# Debian's pytest lives with /usr/bin/python3 (a pyenv python3 may lack it)
$PY -c 'import pytest' 2>/dev/null || PY=/usr/bin/python3
if ! $PY -c 'import pytest' 2>/dev/null; then
	echo "kconfig-pytest: SKIP: python3-pytest is not installed (scripts/install-deps.sh installs it)" >&2
	exit 77
fi
[ -x "$repo/kxen-config" ] || { echo "kconfig-pytest: build kxen-config first (make)" >&2; exit 2; }

# The suite's driver (conftest.py, the kernel's own) has a race in its
# interactive modes: it writes "\n" to conf's stdin in a loop until conf
# exits; when conf has not exited by the time the 64 KiB pipe is full, the
# blocked write fails with BrokenPipeError as conf exits, whichever conf it
# is.  A slow start on a loaded machine is enough (seen once in CI on 6.1,
# new_choice_with_dep).  A test that failed with BrokenPipeError in
# conftest.py, and with nothing else, is run again, up to twice, and the
# rerun is reported; any other failure fails at once.
run_suite() {
	local dir=$1 log ids try
	log=$(mktemp)
	# pipefail (set above): the pipeline fails when pytest does
	if (cd "$dir" && COLUMNS=200 $PY -B -m pytest -q -p no:cacheprovider scripts/kconfig/tests) 2>&1 | tee "$log"; then
		rm -f "$log"; return 0
	fi
	# pytest cannot select a test inside a package's __init__.py by node
	# id: rerun its directory
	ids=$(sed -n 's/^FAILED \([^ ]*\)\/__init__.py::[^ ]* - BrokenPipe.*/\1/p' "$log" | sort -u)
	# an ERROR (a fixture or collection failure) is never the driver's race
	if [ -z "$ids" ] || grep -q '^ERROR ' "$log" ||
		grep '^FAILED ' "$log" | grep -qv ' - BrokenPipe'; then
		rm -f "$log"; return 1
	fi
	rm -f "$log"
	for try in 1 2; do
		echo "kconfig-pytest: rerun $try of the tests that failed only in the driver's stdin race (BrokenPipeError):" $ids
		# shellcheck disable=SC2086  # ids are pytest node ids without spaces
		if (cd "$dir" && $PY -B -m pytest -q -p no:cacheprovider $ids); then
			echo "kconfig-pytest: the rerun passed; the first failure was the driver's race, not conf's output"
			return 0
		fi
	done
	return 1
}

fail=0
for v in $which; do
	tree=$cache/src/linux-source-$v
	[ -d "$tree/scripts/kconfig/tests" ] || "$repo/scripts/fetch-trees.sh" "$v" >/dev/null
	work=$(mktemp -d)
	mkdir -p "$work/scripts/kconfig"
	cp -r "$tree/scripts/kconfig/tests" "$work/scripts/kconfig/"
	cat >"$work/scripts/kconfig/conf" <<EOW
#!/bin/sh
KX_KCONFIG_VERSION=$v KX_KCONFIG_RULES_FROM=$tree exec "$repo/kxen-config" --no-cache conf "\$@"
EOW
	chmod +x "$work/scripts/kconfig/conf"
	echo "== kernel $v: scripts/kconfig/tests with kxen-config conf"
	if run_suite "$work"; then
		echo "== kernel $v: passed"
	else
		echo "== kernel $v: FAILED"
		fail=1
	fi
	rm -rf "$work"
done
exit $fail
