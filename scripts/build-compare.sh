#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/build-compare.sh - the kernel-size table of docs/PERFORMANCE.md: four x86_64
# configurations of one tree, each built with the tree's own make, side by side:
#   a. defconfig + the kernel's xen.config   (make defconfig xen.config)
#   b. Debian's cloud-amd64 config           (linux-config-V, made olddefconfig)
#   c. kxen-config generate                  (minimal profile, tinyconfig base)
#   d. kxen-config prune of (b)              (server profile)
# For each: symbols =y and =m, whether `kxen-config check --profile minimal` passes
# (or passes only with --initramfs: the frontends are modules),
# the wall and CPU time (user+sys, children included) of `make vmlinux bzImage`, and
# the sizes of vmlinux and bzImage.
#
# Every configuration gets the same neutral changes first (fragment below): no debug
# info (Debian builds with DWARF and BTF, which needs pahole and multiplies the build
# time and vmlinux size) and no Debian certificate paths.  Only the built-in part is
# built (vmlinux, bzImage): building Debian's ~1100 modules takes hours on 2 cores;
# the =m column says how many each config would add.
#
# Usage: scripts/build-compare.sh [--tree V] [--jobs N] [--out FILE] [--configs-only]
#   --tree V          6.12 (default) or 6.1, or a path
#   --jobs N          make -j (default nproc)
#   --out FILE        the markdown table (default build/bench/build-compare.md)
#   --configs-only    write and count the configs, build nothing
# Builds go to $KX_CACHE/compare/<name> (never into the tree); each build is fresh.
# Exit: 0 done; 1 a build or config step failed; 2 usage or environment error.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

treearg=6.12 jobs=$(nproc) out='' build=1
while (($#)); do
	case $1 in
	-h | --help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--tree) treearg=${2:?}; shift ;;
	--jobs) jobs=${2:?}; shift ;;
	--out) out=${2:?}; shift ;;
	--configs-only) build=0 ;;
	*) echo "usage: $kx_prog [--tree V] [--jobs N] [--out FILE] [--configs-only]" >&2; exit 2 ;;
	esac
	shift
done
kx_need_cmd make gcc
cd "$KX_REPO"
make -s -j"$(nproc)"
kx=$KX_REPO/kxen-config
tree=$(kx_tree_dir "$treearg")
ver=$(basename "$tree" | sed 's/^linux-source-//')
out=${out:-$KX_REPO/build/bench/build-compare.md}
mkdir -p "$(dirname "$out")"
distro=$KX_CACHE/distro-configs/$ver/config.amd64_none_cloud-amd64
[[ -f $distro ]] || scripts/fetch-trees.sh "$ver" >&2
[[ -f $distro ]] || kx_die "no Debian cloud-amd64 config for $ver ($distro)"
W=$KX_CACHE/compare/$ver
mkdir -p "$W"
# The tree's make must not see rustc from ~/.cargo (it changes RUST_IS_AVAILABLE).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset KCONFIG_CONFIG

cat >"$W/neutral.config" <<'EOF'
CONFIG_DEBUG_INFO_NONE=y
# CONFIG_DEBUG_INFO_BTF is not set
CONFIG_SYSTEM_TRUSTED_KEYS=""
CONFIG_SYSTEM_REVOCATION_KEYS=""
CONFIG_BUILD_SALT=""
EOF

kxc() { "$kx" -q -C "$tree" --arch x86_64 "$@"; }
neutral() { # IN OUT: IN plus the neutral fragment, olddefconfig'd by us
	kxc merge "$1" "$W/neutral.config" -o "$2" >"$2.merge.log" 2>&1 || true
	[[ -s $2 ]] || kx_die "merge of the neutral fragment into $1 failed (see $2.merge.log)"
}

kx_log "configs in $W"
rm -rf "$W/a-obj"
make -s -C "$tree" O="$W/a-obj" ARCH=x86_64 defconfig xen.config >"$W/a.make.log" 2>&1 ||
	kx_die "make defconfig xen.config failed (see $W/a.make.log)"
neutral "$W/a-obj/.config" "$W/a.config"
rm -rf "$W/a-obj"
neutral "$distro" "$W/b.config"
kxc generate --arch x86_64 -o "$W/c.config" >"$W/c.log" 2>&1 ||
	kx_die "generate failed (see $W/c.log)"
kxc prune --base "$W/b.config" -o "$W/d.config" >"$W/d.log" 2>&1 ||
	kx_die "prune failed (see $W/d.log)"

names=(a b c d)
declare -A label=(
	[a]='defconfig + xen.config'
	[b]='Debian cloud-amd64'
	[c]='kxen-config generate'
	[d]='kxen-config prune of (b)'
)
size() { if [[ -f $1 ]]; then stat -c %s "$1"; else echo 0; fi; }
mib() { awk -v b="$1" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", b / 1048576 }'; }

{
	echo "Tree: $(basename "$tree"), ARCH=x86_64, make -j$jobs on $(nproc) cores, $(date -u +%Y-%m-%d)."
	echo
	echo "| config | =y | =m | check | build wall s | build CPU s | vmlinux MiB | bzImage MiB |"
	echo "|---|---:|---:|---|---:|---:|---:|---:|"
} >"$out.tmp"
fail=0
for n in "${names[@]}"; do
	cfg=$W/$n.config
	y=$(grep -c '=y$' "$cfg" || true)
	m=$(grep -c '=m$' "$cfg" || true)
	if kxc check --profile minimal "$cfg" >"$W/$n.check.log" 2>&1; then
		chk=pass
	elif kxc check --profile minimal --initramfs "$cfg" >>"$W/$n.check.log" 2>&1; then
		chk='with initramfs'
	else
		chk=FAIL
	fi
	wall=- cpu=- vs=0 bs=0
	if ((build)); then
		obj=$W/$n-obj
		rm -rf "$obj"
		mkdir -p "$obj"
		cp "$cfg" "$obj/.config"
		kx_log "$n (${label[$n]}): make olddefconfig vmlinux bzImage in $obj"
		make -s -C "$tree" O="$obj" ARCH=x86_64 olddefconfig >"$W/$n.build.log" 2>&1 || fail=1
		if ! cmp -s "$cfg" "$obj/.config"; then
			kx_log "$n: the config is not conf-stable (make olddefconfig changed it)"
			fail=1
		fi
		t0=$(kx_now)
		TIMEFORMAT='%U %S'
		if { time make -C "$tree" O="$obj" ARCH=x86_64 -j"$jobs" vmlinux bzImage \
			>>"$W/$n.build.log" 2>&1; } 2>"$W/$n.time"; then
			wall=$(kx_elapsed "$t0")
			cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$W/$n.time")
			vs=$(size "$obj/vmlinux")
			bs=$(size "$obj/arch/x86/boot/bzImage")
		else
			kx_log "$n: build failed; tail of $W/$n.build.log:"
			tail -20 "$W/$n.build.log" >&2
			fail=1
		fi
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${label[$n]}" "$y" "$m" "$chk" \
		"$wall" "$cpu" "$(mib "$vs")" "$(mib "$bs")" >>"$out.tmp"
	kx_log "$n done: $(tail -1 "$out.tmp")"
done
mv "$out.tmp" "$out"
cat "$out"
exit "$fail"
