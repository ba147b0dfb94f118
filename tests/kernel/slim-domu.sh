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
#     (RBD, AoE, NBD, iSCSI/TCP, NVMe/TCP) the base has is gone; the JSON report lists
#     exactly the lines that differ between the base (as conf writes it) and the output,
#     with the right values, and its claims hold (what a "set" option is needed by has
#     that value, what a kept option is selected by is on).
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
		if ! kx -q -C "$src" --arch x86_64 --json prune --base "$base" -o "$out" \
			>"$out.json" 2>"$out.log"; then
			bad "$name: prune failed: $(tail -n 3 "$out.log")"
			continue
		fi
		# the report accounts for every line that differs between the base (as
		# conf writes it) and the output, symbol by symbol, and its claims hold
		cp "$base" "$out.base"
		if ! kx_oracle_olddefconfig "$v" x86_64 "$out.base" "$work" >/dev/null 2>&1; then
			bad "$name: conf failed on the base"
			continue
		fi
		if ! python3 - "$out.base" "$out" "$out.json" >"$out.acct" 2>&1 <<'PY'; then
import json, re, sys
def lines(path):
    d = {}
    for l in open(path):
        m = re.match(r"^CONFIG_(\w+)=(.*)$", l) or re.match(r"^# CONFIG_(\w+) is not set$", l)
        if m:
            d[m.group(1)] = m.group(2).strip('"') if m.lastindex == 2 else "n"
    return d
def val(d, other, k):   # a bool/tristate with no line is n
    v = d.get(k)
    if v is None and other.get(k) in ("y", "m", "n"):
        return "n"
    return v
b, a = lines(sys.argv[1]), lines(sys.argv[2])
rep = json.load(open(sys.argv[3]))["prune"]
got = {c["symbol"]: c for c in rep["changes"]}
bad = []
for k in sorted(set(b) | set(a)):
    vb, va = val(b, a, k), val(a, b, k)
    if vb == va:
        if k in got:
            bad.append("%s: reported changed (%s), its line did not" % (k, got[k]["how"]))
        continue
    c = got.get(k)
    if not c:
        bad.append("%s: %s -> %s not in the report" % (k, vb, va))
    elif c["after"] != va or c["before"] != vb:
        bad.append("%s: report says %s -> %s, the files %s -> %s" % (k, c["before"], c["after"], vb, va))
for c in rep["changes"]:
    if c["symbol"] not in b and c["symbol"] not in a:
        bad.append("%s: reported, in neither file" % c["symbol"])
    if c["how"] == "policy" and c["after"] != "n":
        bad.append("%s: pruned by the policy but %s" % (c["symbol"], c["after"]))
    m = re.match(r"needed by (\w+)=(\S+)", c["why"])
    if c["how"] == "set" and m and a.get(m.group(1), "n") != m.group(2):
        bad.append("%s: needed by %s=%s, which is %s" % (c["symbol"], m.group(1), m.group(2), a.get(m.group(1), "n")))
for k in rep["kept"]:
    for s, v in re.findall(r"(\w+) \[=(\w+)\]", k["why"]) if k["why"].startswith("selected by") else []:
        if a.get(s, "n") not in ("y", "m"):
            bad.append("%s: kept, selected by %s, which is %s" % (k["symbol"], s, a.get(s, "n")))
    if "profile or a kept option" in k["why"]:
        bad.append("%s: vague reason %r" % (k["symbol"], k["why"]))
print("\n".join(bad[:15]) if bad else "%d changed lines, all accounted for" % len(got))
sys.exit(1 if bad else 0)
PY
			bad "$name: the report does not account for every change:"
			cat "$out.acct"
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
		ok "$name: y/m $by/$bm -> $ay/$am; conf-stable; check --initramfs passes; $(cat "$out.acct")"
	done
done
echo "slim-domu: $pass passed, $fail failed"
((fail == 0))
