#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/quickstart.sh - the README's first command: on a fresh Debian 12 machine (root),
# install what kxen-config needs, build it, extract a Debian kernel source tree into the
# cache and run the main job on it: generate a slim Xen domU config, check it, and show
# what the tree's own defconfig lacks.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $kx_prog [--tree 6.1|6.12|DIR] [--arch ARCH] [--profile P] [-o OUT]

Installs the dependencies (apt-get), builds ./kxen-config, extracts the kernel tree
(default: Debian's linux-source-6.12, into \$KX_CACHE/src) and runs
  kxen-config -C TREE generate --arch ARCH --profile P -o OUT
  kxen-config -C TREE --arch ARCH check OUT
  kxen-config -C TREE --arch ARCH check TREE's defconfig
Defaults: --arch x86_64, --profile minimal, -o ./domU-ARCH.config.
KX_CACHE is $KX_CACHE
Exit: 0 done; 1 generate or check of the generated config failed; 2 usage or setup.
EOF
}

tree=6.12 arch=x86_64 profile=minimal out=
while (($#)); do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--tree) tree=${2:?}; shift ;;
	--arch) arch=${2:?}; shift ;;
	--profile) profile=${2:?}; shift ;;
	-o) out=${2:?}; shift ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
out=${out:-domU-$arch.config}

cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 2
make -s -j"$(nproc)" || exit 2
case $tree in
*/*) ;;
*) scripts/fetch-trees.sh "$tree" >/dev/null || exit 2 ;;
esac
src=$(kx_tree_dir "$tree") || exit 2
case $out in /*) ;; *) out=$PWD/$out ;; esac

kx=("$PWD/kxen-config" -C "$src" --arch "$arch")
echo "== generate: ${kx[*]} generate --profile $profile -o $out"
"${kx[@]}" generate --profile "$profile" -o "$out" || exit 1
echo
echo "== check the generated config"
"${kx[@]}" check --profile "$profile" "$out" || exit 1
echo
# What the tree's plain defconfig lacks (check answers 1 when something does).
work=$(kx_mktemp_dir)
trap 'rm -rf "$work"' EXIT
echo "== what ${arch}'s defconfig lacks to run as a Xen domU"
if "${kx[@]}" --config "$work/.config" defconfig >/dev/null 2>&1; then
	"${kx[@]}" check --profile "$profile" "$work/.config" || true
fi
echo
echo "Wrote $out ($(grep -c '=[ym]$' "$out") options set)."
echo "Build it: kxen-config -C $src --arch $arch build --config $out -O DIR"
