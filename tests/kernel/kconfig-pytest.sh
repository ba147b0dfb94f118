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
# version in KX_KCONFIG_VERSION (the tests run conf outside a kernel build,
# where make would pass KERNELVERSION).
#
# Usage: tests/kernel/kconfig-pytest.sh [6.1|6.12|all]   (exit 0 all passed)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kxen-config
which=${1:-all}
[ "$which" = all ] && which="6.1 6.12"

PY=python3
# Debian's pytest lives with /usr/bin/python3 (a pyenv python3 may lack it)
$PY -c 'import pytest' 2>/dev/null || PY=/usr/bin/python3
if ! $PY -c 'import pytest' 2>/dev/null; then
	echo "kconfig-pytest: SKIP: python3-pytest is not installed (scripts/install-deps.sh installs it)" >&2
	exit 77
fi
[ -x "$repo/kxen-config" ] || { echo "kconfig-pytest: build kxen-config first (make)" >&2; exit 2; }

fail=0
for v in $which; do
	tree=$cache/src/linux-source-$v
	[ -d "$tree/scripts/kconfig/tests" ] || "$repo/scripts/fetch-trees.sh" "$v" >/dev/null
	work=$(mktemp -d)
	mkdir -p "$work/scripts/kconfig"
	cp -r "$tree/scripts/kconfig/tests" "$work/scripts/kconfig/"
	cat >"$work/scripts/kconfig/conf" <<EOW
#!/bin/sh
KX_KCONFIG_VERSION=$v exec "$repo/kxen-config" --no-cache conf "\$@"
EOW
	chmod +x "$work/scripts/kconfig/conf"
	echo "== kernel $v: scripts/kconfig/tests with kxen-config conf"
	if (cd "$work" && $PY -B -m pytest -q -p no:cacheprovider scripts/kconfig/tests); then
		echo "== kernel $v: passed"
	else
		echo "== kernel $v: FAILED"
		fail=1
	fi
	rm -rf "$work"
done
exit $fail
