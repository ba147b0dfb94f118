#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/build-domu.sh - build a domU kernel from a final .config, cached.
#
# Usage: scripts/build-domu.sh [options] CONFIG OUTDIR [TREE] [ARCH]
#
#   CONFIG   the final .config (e.g. from `kxen-config generate` or `closure -o`)
#   OUTDIR   where the results are put (created)
#   TREE     kernel tree: 6.1, 6.12 (under $KX_CACHE/src) or a path; default 6.12
#   ARCH     make's ARCH; default x86_64
#
#   --type pv|pvh        guest type for the image plan and the ELF note check
#                        (default pvh: the kernel must have the PVH entry note)
#   --xen-version V      Xen version for the image plan (default: today's Xen)
#   --jobs N             parallel make jobs (default: nproc)
#   --no-cache           rebuild even when a cached build exists
#   --help
#
# Interface (stable; other scripts and tests rely on it):
#   stdout   exactly two lines: the absolute path of OUTDIR/vmlinux, then of the
#            arch's boot image OUTDIR/bzImage (x86) or OUTDIR/Image (arm64); on
#            other arches the second line repeats vmlinux.  Everything else goes
#            to stderr.
#   OUTDIR   vmlinux (as built, with symbols), bzImage|Image, config (the
#            .config built), build.log, domu/ (the image prepared for Xen by
#            `kxen-config build`: bzImage, vmlinux or vmlinux.gz) and
#            build-domu.env (shell-sourceable: VMLINUX= BOOT_IMAGE= DOMU_IMAGE=
#            BUILD_SECONDS= CACHED=0|1|plan OBJDIR= TREE= ARCH= KEY=).
#   exit     0 built (or cached); 1 the build failed (log tail printed);
#            2 usage or environment error.
#
# The build is `kxen-config build` (copy CONFIG to the object directory, `make
# olddefconfig` only to create kbuild's files and check the config is
# conf-stable, then `make vmlinux bzImage`), in $KX_CACHE/builds/<key>/obj
# where <key> is the sha256 of the config's contents, the tree's absolute path
# and ARCH.  A finished build is reused as long as nothing in the key changes
# (CACHED=1); asked for another --type/--xen-version, the build is re-run in
# the same object directory, which compiles nothing and only prepares the new
# domu/ image (CACHED=plan).  Concurrent runs with the same key wait for each
# other (flock).
#
# A source tree that is not clean (.config, include/config or
# include/generated inside it: someone ran conf or make in the tree) makes
# kbuild refuse, or worse break half-way through, an O= build.  The script
# then builds from a clean hard-linked snapshot of the tree
# ($KX_CACHE/builds/snap-<tree name>, generated files left out) and says so;
# the cache key still names the original tree.

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '4,46p' "$0" | sed 's/^# \{0,1\}//'; }

type=pvh
xen_version=
jobs=$(nproc)
use_cache=1
args=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--type) type=${2:?--type needs pv or pvh}; shift 2 ;;
	--xen-version) xen_version=${2:?--xen-version needs a version}; shift 2 ;;
	--jobs | -j) jobs=${2:?--jobs needs a number}; shift 2 ;;
	--no-cache) use_cache=0; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) kx_die "unknown option '$1' (see --help)" ;;
	*) args+=("$1"); shift ;;
	esac
done
[[ ${#args[@]} -ge 2 && ${#args[@]} -le 4 ]] || { usage >&2; exit 2; }
config=${args[0]}
outdir=${args[1]}
tree=$(kx_tree_dir "${args[2]:-6.12}")
arch=${args[3]:-x86_64}
case $type in pv | pvh) ;; *) kx_die "--type must be pv or pvh" ;; esac
[[ $jobs =~ ^[0-9]+$ && $jobs -ge 1 ]] || kx_die "--jobs needs a positive number"
[[ -r $config ]] || kx_die "cannot read the config $config"
grep -q '^CONFIG_' "$config" || kx_die "$config is not a .config (no CONFIG_ lines)"
kx_need_cmd make sha256sum flock gcc

kxen=$KX_REPO/kxen-config
if [[ ! -x $kxen ]]; then
	kx_log "building kxen-config (make -C $KX_REPO)"
	make -s -C "$KX_REPO" >&2 || kx_die "cannot build kxen-config"
fi

key=$({
	cat "$config"
	printf '\0tree=%s\0arch=%s\0' "$tree" "$arch"
} | sha256sum | cut -c1-16)
plan="type=$type xen=${xen_version:-default}"
builds=$KX_CACHE/builds
dir=$builds/$key
obj=$dir/obj
mkdir -p "$dir" "$outdir"
outdir=$(cd "$outdir" && pwd)

case $arch in
x86_64 | i386 | x86) boot_rel=arch/x86/boot/bzImage boot_name=bzImage ;;
arm64 | aarch64) boot_rel=arch/arm64/boot/Image boot_name=Image ;;
*) boot_rel='' boot_name='' ;;
esac

# tree_unclean DIR ARCHDIR: print what makes DIR unusable for O= builds
tree_unclean() {
	local m
	for m in .config include/config include/generated "arch/$2/include/generated"; do
		if [[ -e $1/$m ]]; then
			printf '%s\n' "$m"
			return 0
		fi
	done
	return 1
}

srcarch=$arch
case $arch in x86_64 | i386) srcarch=x86 ;; aarch64) srcarch=arm64 ;; esac

exec 9>"$dir.lock"
flock 9

start=$(kx_now)
cached=1
if [[ $use_cache == 0 || ! -f $dir/done || ! -f $obj/vmlinux ||
	"$(cat "$dir/plan" 2>/dev/null)" != "$plan" ]]; then
	# a finished build for another image plan is only re-run (an incremental
	# make that compiles nothing, then the new image)
	[[ -f $dir/done && -f $obj/vmlinux && $use_cache == 1 ]] && cached=plan || cached=0
	rm -f "$dir/done"
	build_tree=$tree
	# an object directory is tied to the tree it was configured with
	[[ $cached != plan ]] || build_tree=$(cat "$dir/tree" 2>/dev/null || echo "$tree")
	if [[ $build_tree == "$tree" ]] && dirty=$(tree_unclean "$tree" "$srcarch"); then
		snap=$builds/snap-$(basename "$tree")
		kx_log "WARNING: the tree $tree is not clean ($dirty exists: something ran conf or"
		kx_log "         make inside it); building from a clean hard-linked snapshot $snap"
		# one snapshot per tree, shared by all keys: made under its own lock
		(
			flock 8
			if [[ ! -f $snap/.kx-snapshot || $snap/.kx-snapshot -ot $tree/Makefile ]]; then
				rm -rf "$snap" "$snap.tmp"
				cp -al "$tree" "$snap.tmp" 2>/dev/null || cp -a "$tree" "$snap.tmp"
				rm -rf "$snap.tmp/.config" "$snap.tmp/.config.old" "$snap.tmp/include/config" \
					"$snap.tmp/include/generated" "$snap.tmp/arch/$srcarch/include/generated"
				printf '%s\n' "$tree" >"$snap.tmp/.kx-snapshot"
				mv "$snap.tmp" "$snap"
			fi
		) 8>"$snap.lock"
		build_tree=$snap
	fi
	kx_log "building $config for ARCH=$arch in $obj (tree $build_tree, $jobs jobs)"
	bargs=(build -O "$obj" -j "$jobs" --type "$type" --log "$dir/build.log")
	[[ -z $xen_version ]] || bargs+=(--xen-version "$xen_version")
	set +e
	"$kxen" -C "$build_tree" --arch "$arch" --config "$config" "${bargs[@]}" >"$dir/build.out"
	rc=$?
	set -e
	cat "$dir/build.out" >&2
	if [[ $rc -ne 0 ]]; then
		kx_log "the build failed (kxen-config build exit $rc); log: $dir/build.log"
		[[ $rc -eq 2 ]] && exit 2
		exit 1
	fi
	cp "$obj/.config" "$dir/config"
	printf '%s\n' "$plan" >"$dir/plan"
	printf '%s\n' "$build_tree" >"$dir/tree"
	touch "$dir/done"
else
	kx_log "cached build $dir (same config, tree and arch)"
fi
end=$(kx_now)
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

# results into OUTDIR: copies (a caller changing them must not change the cache)
put() { rm -f "$2"; cp "$1" "$2"; }
put "$obj/vmlinux" "$outdir/vmlinux"
boot=$outdir/vmlinux
if [[ -n $boot_rel && -f $obj/$boot_rel ]]; then
	put "$obj/$boot_rel" "$outdir/$boot_name"
	boot=$outdir/$boot_name
fi
cp -f "$dir/config" "$outdir/config"
cp -f "$dir/build.log" "$outdir/build.log" 2>/dev/null || true
rm -rf "$outdir/domu"
mkdir -p "$outdir/domu"
domu_image=
for f in "$obj"/domu/*; do
	[[ -f $f ]] || continue
	put "$f" "$outdir/domu/$(basename "$f")"
done
for f in bzImage Image vmlinux.gz vmlinux; do
	if [[ -f $outdir/domu/$f ]]; then
		domu_image=$outdir/domu/$f
		break
	fi
done
cat >"$outdir/build-domu.env" <<EOF
VMLINUX=$outdir/vmlinux
BOOT_IMAGE=$boot
DOMU_IMAGE=$domu_image
BUILD_SECONDS=$seconds
CACHED=$cached
OBJDIR=$obj
TREE=$tree
ARCH=$arch
KEY=$key
EOF
printf '%s\n%s\n' "$outdir/vmlinux" "$boot"
