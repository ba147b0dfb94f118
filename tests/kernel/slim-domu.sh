#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# slim-domu.sh - `generate` and `prune` on the real trees, judged by the tree's own conf.
#
#   generate: for each tree and arch (x86_64, i386, arm64), the minimal profile
#     (tinyconfig base) and, on x86_64 and i386, the server profile (the default) with
#     modules: exit 0; a server config is SMP with NR_CPUS >= 8 and, on i386, HIGHMEM
#     with PAE; the tree's `conf --olddefconfig` (in make's environment) leaves
#     the file unchanged (conf-stable); on conf's output `check` passes for the profile,
#     and every boot essential of fragments/domu-boot.config holds (the minimal kernel
#     boots from ext4 on xvda without an initramfs); no module when --no-modules.
#   prune: Debian's real configs (linux-config-V: config.amd64_none_cloud-amd64 and
#     config.amd64_none_amd64): exit 0, conf-stable, `check --initramfs` passes (the
#     frontends may stay modules there), strictly fewer =y and =m than before, and
#     no Xen option (every frontend, TCG_XEN, ...) nor guest-usable network storage
#     (RBD, AoE, NBD, iSCSI/TCP, NVMe/TCP) the base has is gone.
#
# Usage: tests/kernel/slim-domu.sh [5.10|6.1|6.12|7.3|...|all]   Exit: 0 pass, 1 fail, 2 setup.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

kx_tree_test_begin "${1:-all}"

# kxen-config with exactly the PATH of conf's environment (scripts/lib.sh)
kxw=$(kx_conf_path_wrapper "$work")
kx() { "$kxw" "$@"; }

# conf_stable TREE ARCH CONFIG: the tree's conf --olddefconfig changes nothing
conf_stable() {
	cp "$3" "$3.conf"
	kx_oracle_olddefconfig "$1" "$2" "$3.conf" "$work" >"$3.conf.log" 2>&1 || return 1
	cmp -s "$3" "$3.conf"
}

count() { grep -c "=$2\$" "$1" || true; }

# server_sized ARCH CONFIG WHY-FILE: SMP with at least 8 CPUs, and on i386 highmem
# with PAE (all of a domU's memory, not ~896 MB); else why, in WHY-FILE
server_sized() {
	local n
	n=$(sed -n 's/^CONFIG_NR_CPUS=//p' "$2")
	if ! grep -qx 'CONFIG_SMP=y' "$2" || [[ -z $n ]] || ((n < 8)); then
		echo "SMP $(grep -E '^(# )?CONFIG_SMP[= ]' "$2"), NR_CPUS=${n:-none}" >"$3"
		return 1
	fi
	if [[ $1 == i386 ]] && ! { grep -qx 'CONFIG_HIGHMEM=y' "$2" &&
		grep -qx 'CONFIG_X86_PAE=y' "$2"; }; then
		echo "i386 without HIGHMEM=y and X86_PAE=y" >"$3"
		return 1
	fi
}

for v in $which; do
	src=$(scripts/fetch-trees.sh "$v" | tail -n 1)
	for arch in x86_64 i386 arm64; do
		variants=("minimal")
		[[ $arch == arm64 ]] || variants+=("server")
		for p in "${variants[@]}"; do
			name="$v/$arch/generate-$p"
			out=$work/$v-$arch-$p.config
			opts=(--profile "$p")
			[[ $p == server ]] && opts+=(--modules)
			if ! kx -q -C "$src" --arch "$arch" generate "${opts[@]}" -o "$out" \
				>"$out.log" 2>&1; then
				bad "$name: generate failed: $(tail -n 3 "$out.log")"
				continue
			fi
			if ! conf_stable "$v" "$arch" "$out"; then
				bad "$name: not conf-stable:"
				diff "$out" "$out.conf" | head -n 10
				continue
			fi
			if ! kx -q -C "$src" --arch "$arch" check --profile "$p" "$out.conf" \
				>"$out.check" 2>&1; then
				bad "$name: check --profile $p fails: $(head -n 12 "$out.check")"
				continue
			fi
			if [[ $p == minimal ]]; then
				if ! kx -q -C "$src" --arch "$arch" check --profile \
					fragments/domu-boot.config "$out.conf" >"$out.boot" 2>&1; then
					bad "$name: boot essentials missing: $(head -n 12 "$out.boot")"
					continue
				fi
				if (($(count "$out.conf" m) != 0)); then
					bad "$name: --no-modules but $(count "$out.conf" m) modules"
					continue
				fi
			fi
			# a server domU uses the vCPUs and the memory it is given (issue 13.7)
			if [[ $p == server ]] && ! server_sized "$arch" "$out.conf" "$out.why"; then
				bad "$name: not sized for a server domU: $(cat "$out.why")"
				continue
			fi
			ok "$name: $(count "$out.conf" y) =y, $(count "$out.conf" m) =m;" \
				"conf-stable; check passes"
		done
	done
	for flavour in cloud-amd64 amd64; do
		name="$v/prune-$flavour"
		base=$KX_CACHE/distro-configs/$v/config.amd64_none_$flavour
		if [[ ! -f $base ]]; then
			bad "$name: Debian's config is missing ($base; scripts/fetch-trees.sh fetches it)"
			continue
		fi
		out=$work/$v-prune-$flavour.config
		if ! kx -q -C "$src" --arch x86_64 prune --base "$base" -o "$out" >"$out.log" 2>&1; then
			bad "$name: prune failed: $(tail -n 3 "$out.log")"
			continue
		fi
		if ! conf_stable "$v" x86_64 "$out"; then
			bad "$name: not conf-stable:"
			diff "$out" "$out.conf" | head -n 10
			continue
		fi
		if ! kx -q -C "$src" --arch x86_64 check --initramfs "$out.conf" >"$out.check" 2>&1; then
			bad "$name: check --initramfs fails: $(head -n 12 "$out.check")"
			continue
		fi
		by=$(count "$base" y) bm=$(count "$base" m) ay=$(count "$out" y) am=$(count "$out" m)
		if ((ay >= by || am >= bm)); then
			bad "$name: nothing pruned ($by/$bm -> $ay/$am)"
			continue
		fi
		# no Xen option (a word XEN in the name: every frontend, TCG_XEN...) and no
		# network storage a guest can use goes, when the base has it (issue 13.3)
		lost=""
		for sym in $(grep -oE '^CONFIG_([A-Z0-9_]*_)?XEN(_[A-Z0-9_]*)?=[ym]|^CONFIG_(BLK_DEV_RBD|ATA_OVER_ETH|BLK_DEV_NBD|ISCSI_TCP|NVME_TCP[A-Z_]*)=[ym]' \
			"$base" | sed 's/=.*//'); do
			grep -Eq "^$sym=[ym]\$" "$out" || lost+=" ${sym#CONFIG_}"
		done
		if [[ -n $lost ]]; then
			bad "$name: pruned what a domU uses:$lost"
			continue
		fi
		ok "$name: y/m $by/$bm -> $ay/$am; conf-stable; check --initramfs passes"
	done
done
echo "slim-domu: $pass passed, $fail failed"
((fail == 0))
