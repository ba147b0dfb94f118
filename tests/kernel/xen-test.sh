#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/kernel/xen-test.sh - CI: a domU kernel configured by kxen-config boots under
# real Xen (Xen 4.17 + Debian dom0, inside QEMU TCG) as PV, with its root on an ext4
# disk over blkfront and a network interface over netfront; and a deliberately broken
# config (no XEN_BLKDEV_FRONTEND) makes the disk case fail.
#
# The domU config is `kxen-config generate` plus tests/kernel/qemu-boot.config (the
# same as tests/kernel/boot-test.sh, so one cached build serves both); the kernel is built by
# scripts/build-domu.sh (cached by config hash) when it works, else directly with the
# tree's make (loudly).  The broken kernel is rebuilt incrementally from a copy of the
# good build's object directory, so it costs about a minute, not a second build.
# Then scripts/xen-e2e.sh runs the cases; every xl configuration it uses is written
# by `kxen-config xl-cfg`.
#
# Environment:
#   KX_XEN_CASES=LIST   cases for the good kernel (default: ci = pv,disk,net,pygrub;
#                       'all' adds pvh and save-restore, see docs/XEN.md)
#   KX_XEN_NEGATIVE=0   skip the broken-disk case
#   KX_XEN_TREE=6.12    kernel tree
# Exit: 0 pass, 1 fail, 2 environment error, 77 skipped (Xen/QEMU packages missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

case ${1:-} in
-h | --help) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

cases=${KX_XEN_CASES:-ci}
negative=${KX_XEN_NEGATIVE:-1}
tree=$(kx_tree_dir "${KX_XEN_TREE:-6.12}")
[[ -x ./kxen-config ]] || make -j"$(nproc)" >&2
W=$KX_CACHE/xen-test
mkdir -p "$W"
t_start=$(kx_now)

# direct_build CONFIG OBJDIR [FROM_OBJDIR]: make with the tree's own make, out of tree,
# from a copy of FROM_OBJDIR when given (incremental); prints the vmlinux path.
direct_build() {
	local config=$1 obj=$2 from=${3:-} src=$tree
	if [[ -f $obj/vmlinux && -f $obj/.kx-config ]] && cmp -s "$config" "$obj/.kx-config"; then
		echo "$obj/vmlinux"
		return 0
	fi
	rm -rf "$obj"
	if [[ -n $from ]]; then
		cp -a "$from" "$obj"
		rm -f "$obj/.kx-config"
		# kbuild and tools/ (objtool) record the object directory's absolute path in
		# their .cmd files: left as they are, make sees every command changed and
		# rebuilds objtool, hence every object (a full build, 9 minutes on 2 cores)
		from=$(realpath "$from")
		grep -rlIF --null -e "$from" "$obj" | xargs -0 -r sed -i "s|$from|$(realpath "$obj")|g"
	fi
	mkdir -p "$obj"
	if [[ -f $src/.config || -d $src/include/config || -d $src/arch/x86/include/generated ]]; then
		kx_log "the tree $src is not clean: building from a hard-linked snapshot"
		if [[ ! -f $W/snap/.kx-snap ]]; then
			rm -rf "$W/snap"
			cp -al "$src" "$W/snap"
			rm -rf "$W/snap/.config" "$W/snap/include/config" "$W/snap/include/generated" \
				"$W/snap/arch/x86/include/generated"
			touch "$W/snap/.kx-snap"
		fi
		src=$W/snap
	fi
	cp "$config" "$obj/.config"
	{
		make -C "$src" O="$obj" ARCH=x86_64 olddefconfig &&
			make -C "$src" O="$obj" ARCH=x86_64 -j"$(nproc)" vmlinux bzImage
	} >"$obj.build.log" 2>&1 || {
		tail -n 40 "$obj.build.log"
		kx_log "error: the kernel build failed ($obj.build.log)"
		return 1
	}
	cp "$config" "$obj/.kx-config"
	echo "$obj/vmlinux"
}

# The domU config: `kxen-config generate` (minimal profile) plus the test fragment
# shared with boot-test.sh (serial console, initramfs), so the cached build is shared.
# The broken config is the same with XEN_BLKDEV_FRONTEND off.
kx_log "domU config: kxen-config generate --add tests/kernel/qemu-boot.config"
./kxen-config -q -C "$tree" --arch x86_64 generate --add tests/kernel/qemu-boot.config \
	-o "$W/domu.config" >"$W/generate.log" 2>&1 || {
	cat "$W/generate.log"
	kx_log "error: kxen-config generate failed"
	exit 1
}
printf '# CONFIG_XEN_BLKDEV_FRONTEND is not set\n' >"$W/no-blkfront.frag"
./kxen-config -q -C "$tree" --arch x86_64 merge "$W/domu.config" "$W/no-blkfront.frag" \
	-o "$W/domu-broken.config" >"$W/broken.log" 2>&1 || true
if grep -q '^CONFIG_XEN_BLKDEV_FRONTEND=y' "$W/domu-broken.config" ||
	! grep -q '^CONFIG_XEN_BLKDEV_FRONTEND=y' "$W/domu.config"; then
	kx_log "error: the good/broken configs do not differ in XEN_BLKDEV_FRONTEND"
	exit 1
fi
# the checker agrees with what the boots will show
crc=0
./kxen-config -q -C "$tree" --arch x86_64 check --profile minimal "$W/domu.config" >/dev/null || crc=$?
brc=0
./kxen-config -q -C "$tree" --arch x86_64 check --profile minimal "$W/domu-broken.config" \
	>"$W/broken-check.txt" || brc=$?
if ((crc != 0 || brc != 1)) || ! grep -q XEN_BLKDEV_FRONTEND "$W/broken-check.txt"; then
	kx_log "error: kxen-config check: good config exit $crc (want 0), broken exit $brc (want 1)"
	exit 1
fi
kx_log "kxen-config check: the good config passes; the broken one fails on XEN_BLKDEV_FRONTEND"

t_build=$(kx_now)
vmlinux='' good_obj=''
if [[ -x scripts/build-domu.sh ]]; then
	if out=$(scripts/build-domu.sh --type pv "$W/domu.config" "$W/domu-out" "$tree" x86_64); then
		vmlinux=$(head -n 1 <<<"$out")
		good_obj=$(sed -n 's/^OBJDIR=//p' "$W/domu-out/build-domu.env" 2>/dev/null | tr -d "'\"")
	else
		kx_log "************ scripts/build-domu.sh failed: building directly with make ************"
	fi
fi
if [[ -z $vmlinux ]]; then
	vmlinux=$(direct_build "$W/domu.config" "$W/obj-good")
	good_obj=$W/obj-good
fi
kx_log "domU kernel: $vmlinux ($(kx_elapsed "$t_build") s)"

rc=0
scripts/xen-e2e.sh "$vmlinux" --cases "$cases" || rc=$?
((rc == 77)) && exit 77

nrc=0
if [[ $negative != 0 ]]; then
	t_build=$(kx_now)
	from=''
	[[ -n $good_obj && -d $good_obj ]] && from=$good_obj
	broken=$(direct_build "$W/domu-broken.config" "$W/obj-broken" "$from")
	kx_log "broken domU kernel (no XEN_BLKDEV_FRONTEND): $broken ($(kx_elapsed "$t_build") s)"
	kx_log "kxen-config check flagged this config (exit 1, XEN_BLKDEV_FRONTEND; see $W/broken-check.txt): the disk case must now fail"
	scripts/xen-e2e.sh "$broken" --cases broken-disk || nrc=$?
	((nrc == 77)) && exit 77
fi
echo "xen-test: total $(kx_elapsed "$t_start") s"
((rc == 0 && nrc == 0))
