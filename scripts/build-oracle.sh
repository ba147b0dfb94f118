#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/build-oracle.sh - build a kernel tree's own scripts/kconfig/conf (the reference
# "oracle") out of tree, with the kernel's own make: `make O=DIR olddefconfig`.
# Nothing is written into the source tree. The build is reused until it is deleted
# (fetch-trees.sh deletes it when it re-extracts the tree).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $kx_prog TREE

TREE is 5.10, 6.1, 6.12, 7.3 (any release fetch-trees.sh knows) or the path of a
kernel source tree. Builds that tree's scripts/kconfig/conf into
\$KX_CACHE/oracle/<basename of TREE>/ (once) and prints the path of the conf binary.
conf is built by \`make O=TMP olddefconfig\` (every release has that target; the
configuration it writes into TMP is removed).
KX_CACHE is $KX_CACHE
Exit: 0 ok, 2 usage or build error.
EOF
}

case ${1:-} in
-h | --help) usage; exit 0 ;;
'' | -*) usage >&2; exit 2 ;;
esac
(($# == 1)) || { usage >&2; exit 2; }
tree=$(kx_tree_dir "$1")
out=$KX_CACHE/oracle/$(basename "$tree")
conf=$out/scripts/kconfig/conf
if [[ ! -x $conf ]]; then
	kx_need_cmd make gcc flex bison
	mkdir -p "$KX_CACHE/oracle"
	rm -rf "$out" # an incomplete build
	tmp=$(mktemp -d "$out.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if ! env -i PATH="$KX_ORACLE_PATH" HOME="$HOME" \
		make -s -C "$tree" O="$tmp" HOSTCC=gcc olddefconfig >"$tmp.log" 2>&1; then
		cat "$tmp.log" >&2
		rm -f "$tmp.log"
		kx_die "building conf in $tree failed"
	fi
	rm -rf "$tmp.log" "$tmp/.config" "$tmp/.config.old" "$tmp/include"
	# Another run may have won the race; its build is as good as ours.
	[[ -x $conf ]] || mv "$tmp" "$out" 2>/dev/null || [[ -x $conf ]] ||
		kx_die "cannot move the build to $out"
fi
echo "$conf"
