#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# closure-conf.sh - the closure of the Xen domU profile, judged by the tree's own conf.
#
# For each tree (5.10, 6.1, 6.12, 7.3), arch (x86_64, i386) and base (defconfig, allnoconfig,
# tinyconfig):
#   1. `kxen-config closure --profile server --base B -o OUT` answers (exit 0);
#   2. the tree's own `conf --olddefconfig` (the oracle, in make's environment) leaves
#      OUT unchanged: the closure holds for the reference, not only for our evaluator;
#   3. on conf's output every item of the profile holds (`check --json`), so every
#      required item is y;
#   4. the written config is exactly the base plus the listed changes (merged as user
#      values and evaluated), and the answer is 1-minimal: the base plus all changes
#      but one, for each change, no longer satisfies the profile.
# Also: an impossible target (64-bit-only XEN_PV on i386) is reported as impossible
# with the blocking Kconfig lines and exit status 1; string/int/hex requests are
# resolved (prompt prerequisites, then the value) and conf agrees, an int whose range
# moves with other options (NR_CPUS=1000) is reached, one beyond every range is proven
# impossible; merge --resolve on a defconfig file equals conf on base + fragments +
# changes; `check --initramfs` accepts the frontends as modules.
#
# Usage: tests/kernel/closure-conf.sh [5.10|6.1|6.12|7.3|...|all]   Exit: 0 pass, 1 fail, 2 setup.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

kx_tree_test_begin "${1:-all}"

# kxen-config sees what make sees: the PATH of conf's environment and nothing else
kx=$(kx_conf_path_wrapper "$work")

# oracle TREE ARCH CONFIG: conf --olddefconfig on CONFIG in make's environment.
oracle() { kx_oracle_olddefconfig "$1" "$2" "$3" "$work"; }

# profile_holds TREE_DIR ARCH CONFIG: every in-tree item of the server profile holds
# (exit 0), some do not (1), no answer (other).
profile_holds() {
	"$kx" -q -C "$1" --arch "$2" --json check --profile server "$3" |
		python3 -c 'import json,sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit(3)	# no answer at all: neither "holds" nor "does not hold"
bad = [i["symbol"] for i in d["items"] if i["in_tree"] and not i["holds"]]
print(" ".join(bad))
sys.exit(1 if bad else 0)'
}

for v in $which; do
	src=$(scripts/fetch-trees.sh "$v" | tail -n 1)
	for arch in x86_64 i386; do
		for base in defconfig allnoconfig tinyconfig; do
			name="$v/$arch/$base"
			out=$work/$v-$arch-$base.config
			if ! "$kx" -q -C "$src" --arch "$arch" --json closure --profile server \
				--base "$base" -o "$out" >"$out.json" 2>"$out.err"; then
				bad "$name: closure failed: $(head -c 400 "$out.err" "$out.json")"
				continue
			fi
			cp "$out" "$out.conf"
			if ! oracle "$v" "$arch" "$out.conf" >"$out.conf.log" 2>&1; then
				bad "$name: conf failed: $(tail -n 3 "$out.conf.log")"
				continue
			fi
			if ! cmp -s "$out" "$out.conf"; then
				bad "$name: conf --olddefconfig changes the closure's config:"
				diff "$out" "$out.conf" | head -n 10
				continue
			fi
			if ! missing=$(profile_holds "$src" "$arch" "$out.conf"); then
				bad "$name: profile items do not hold after conf: $missing"
				continue
			fi
			# 1-minimality: base + (changes - one), as conf reads it
			: >"$work/empty.frag"
			"$kx" -q -C "$src" --arch "$arch" merge "$base" "$work/empty.frag" \
				-o "$work/base.config" >/dev/null 2>&1 || true
			mapfile -t changes < <(python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["changes"]:
    print("%s=%s" % (c["symbol"], c["value"]))' "$out.json")
			# the written config is the base plus the listed changes, nothing else
			# (an unlisted extra line would pass the minimality check below)
			for c in "${changes[@]}"; do
				if [[ ${c#*=} == n ]]; then
					echo "# CONFIG_${c%%=*} is not set"
				else
					echo "CONFIG_$c"
				fi
			done >"$work/all.frag"
			# as conf reads them (olddefconfig, conf_read): 5.10's conf_read drops a
			# user value out of its range (NR_CPUS=1 once SMP=y), merge_config.sh's
			# KCONFIG_ALLCONFIG path does not, so merge is not the judge here
			cat "$work/base.config" "$work/all.frag" >"$work/all.config"
			"$kx" -q -C "$src" --arch "$arch" --config "$work/all.config" olddefconfig \
				>/dev/null 2>&1 || true
			if ! cmp -s "$work/all.config" "$out"; then
				bad "$name: the written config is not the base plus the listed changes:"
				diff "$work/all.config" "$out" | head -n 10
				continue
			fi
			nonmin=""
			for ((i = 0; i < ${#changes[@]}; i++)); do
				frag=$work/drop.frag
				: >"$frag"
				for ((k = 0; k < ${#changes[@]}; k++)); do
					((k == i)) && continue
					c=${changes[k]}
					if [[ ${c#*=} == n ]]; then
						echo "# CONFIG_${c%%=*} is not set" >>"$frag"
					else
						echo "CONFIG_$c" >>"$frag"
					fi
				done
				# read as conf reads it, like all.config above (one run, not two)
				cat "$work/base.config" "$frag" >"$work/drop.config"
				hrc=0
				profile_holds "$src" "$arch" "$work/drop.config" >/dev/null 2>&1 || hrc=$?
				if ((hrc == 0)); then
					nonmin+=" ${changes[i]}"
				elif ((hrc != 1)); then
					nonmin+=" ${changes[i]}(check failed: exit $hrc)"
				fi
			done
			if [[ -n $nonmin ]]; then
				bad "$name: not 1-minimal, not needed:$nonmin"
				continue
			fi
			ok "$name: ${#changes[@]} changes; conf-stable; profile holds; 1-minimal"
		done
	done
	# the kernel's xen.config fragments on i386_defconfig: merge names the CPU-family
	# clause, --resolve fixes it, and conf agrees with the result
	m=$work/$v-merge.config
	rc=0
	"$kx" -q -C "$src" --arch i386 merge i386_defconfig kernel/configs/xen.config \
		arch/x86/configs/xen.config -o "$m" >"$m.out" 2>&1 || rc=$?
	# (5.10's XEN has no CPU-family clause: there XEN must simply hold)
	if ! sed -n '/^config XEN$/,/^config /p' "$src/arch/x86/xen/Kconfig" | grep -q X86_GENERIC; then
		if ((rc <= 1)) && ! grep -q "^  XEN=y " "$m.out" && grep -qx "CONFIG_XEN=y" "$m"; then
			ok "$v/i386: merge of xen.config: XEN=y holds (no CPU-family clause in this release)"
		else
			bad "$v/i386: merge of xen.config: exit $rc, XEN=y did not hold"
			head -n 20 "$m.out"
		fi
	elif ((rc == 1)) && grep -q "XEN=y (kernel/configs/xen.config:[0-9]*) is n: .*X86_GENERIC" "$m.out"; then
		ok "$v/i386: merge of xen.config names the CPU-family clause of XEN (exit 1)"
	else
		bad "$v/i386: merge of xen.config: exit $rc, XEN's clause not named"
		head -n 20 "$m.out"
	fi
	"$kx" -q -C "$src" --arch i386 merge i386_defconfig kernel/configs/xen.config \
		arch/x86/configs/xen.config --resolve -o "$m" >"$m.out" 2>&1 || true
	cp "$m" "$m.conf"
	if oracle "$v" i386 "$m.conf" >/dev/null 2>&1 && cmp -s "$m" "$m.conf" &&
		grep -qx "CONFIG_XEN=y" "$m.conf" && grep -qx "CONFIG_XEN_PVH=y" "$m.conf"; then
		ok "$v/i386: merge --resolve: XEN=y and XEN_PVH=y, conf-stable"
	else
		bad "$v/i386: merge --resolve result is not what conf computes, or lacks XEN"
		diff "$m" "$m.conf" | head -n 10
	fi
	# --resolve adds its changes as one more fragment: with the defconfig file as
	# the base (merge_config.sh's case), the output is exactly what conf makes of
	# base + fragments + the listed changes, so nothing nobody asked for is pinned
	# (6.12: X86_GENERIC=y for XEN turns INTEL_MEI's default on; it must follow)
	m=$work/$v-fileresolve.config
	rc=0
	"$kx" -q -C "$src" --arch i386 --json merge "$src/arch/x86/configs/i386_defconfig" \
		kernel/configs/xen.config arch/x86/configs/xen.config --resolve -o "$m" \
		>"$m.json" 2>"$m.err" || rc=$?
	if python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["closure"]["changes"]:
    s, v = c["symbol"], c["value"]
    print("# CONFIG_%s is not set" % s if v == "n" else "CONFIG_%s=%s" % (s, v))' \
		"$m.json" >"$m.frag" 2>"$m.err2"; then
		cat "$src/arch/x86/configs/i386_defconfig" "$src/kernel/configs/xen.config" \
			"$src/arch/x86/configs/xen.config" "$m.frag" >"$m.conf"
		if ((rc <= 1)) && oracle "$v" i386 "$m.conf" >/dev/null 2>&1 && cmp -s "$m" "$m.conf"; then
			ok "$v/i386: merge --resolve (file base) = conf on base + fragments + $(wc -l <"$m.frag") change(s)"
		else
			bad "$v/i386: merge --resolve (file base), exit $rc: not what conf makes of base + fragments + changes"
			diff "$m" "$m.conf" | head -n 10
		fi
	else
		bad "$v/i386: merge --resolve (file base): exit $rc, no JSON: $(head -c 300 "$m.err" "$m.err2")"
	fi
	# an int whose range end moves with other options (NR_CPUS_RANGE_END: 512,
	# 8192 with CPUMASK_OFFSTACK): the closure reaches it and conf agrees
	m=$work/$v-nrcpus.config
	rc=0
	"$kx" -q -C "$src" --arch x86_64 closure NR_CPUS=1000 --base defconfig -o "$m" \
		>"$m.out" 2>&1 || rc=$?
	cp "$m" "$m.conf" 2>/dev/null || :
	if ((rc == 0)) && oracle "$v" x86_64 "$m.conf" >/dev/null 2>&1 && cmp -s "$m" "$m.conf" &&
		grep -qx 'CONFIG_NR_CPUS=1000' "$m.conf" && grep -qx 'CONFIG_CPUMASK_OFFSTACK=y' "$m.conf"; then
		ok "$v/x86_64: NR_CPUS=1000 reached (the range end moves with CPUMASK_OFFSTACK), conf-stable"
	else
		bad "$v/x86_64: NR_CPUS=1000: exit $rc"
		head -n 20 "$m.out"
	fi
	# an impossible target: XEN_PV needs X86_64
	rc=0
	"$kx" -q -C "$src" --arch i386 closure XEN_PV=y --base defconfig >"$work/imp.out" 2>&1 ||
		rc=$?
	if ((rc == 1)) && grep -q "Cannot be made to hold\|cannot hold" "$work/imp.out" &&
		grep -q "arch/x86/xen/Kconfig:[0-9]" "$work/imp.out" &&
		grep -q "64BIT" "$work/imp.out"; then
		ok "$v/i386: XEN_PV=y reported impossible (exit 1) with the blocking lines"
	else
		bad "$v/i386: XEN_PV=y: exit $rc, output:"
		cat "$work/imp.out"
	fi
	# string, int and hex targets: the prompt's prerequisites, then the value;
	# the fragment's quoting and escapes honoured; conf agrees with the result
	f=$work/$v-values.frag
	printf '%s\n' 'CONFIG_CMDLINE="console=hvc0 root=/dev/xvda1 x=\"q\""' \
		'CONFIG_NR_CPUS=4' 'CONFIG_PHYSICAL_START=0x2000000' >"$f"
	m=$work/$v-values.config
	rc=0
	"$kx" -q -C "$src" --arch x86_64 merge x86_64_defconfig "$f" --resolve -o "$m" \
		>"$m.out" 2>&1 || rc=$?
	cp "$m" "$m.conf"
	if ((rc == 0)) && oracle "$v" x86_64 "$m.conf" >/dev/null 2>&1 && cmp -s "$m" "$m.conf" &&
		grep -qx 'CONFIG_CMDLINE_BOOL=y' "$m.conf" &&
		grep -qxF 'CONFIG_CMDLINE="console=hvc0 root=/dev/xvda1 x=\"q\""' "$m.conf" &&
		grep -qx 'CONFIG_NR_CPUS=4' "$m.conf" &&
		grep -qx 'CONFIG_PHYSICAL_START=0x2000000' "$m.conf"; then
		ok "$v/x86_64: string/int/hex values resolved (CMDLINE_BOOL for CMDLINE), conf-stable"
	else
		bad "$v/x86_64: string/int/hex merge --resolve: exit $rc"
		head -n 20 "$m.out"
		diff "$m" "$m.conf" | head -n 10
	fi
	rc=0
	"$kx" -q -C "$src" --arch x86_64 closure NR_CPUS=100000 --base defconfig \
		>"$work/range.out" 2>&1 || rc=$?
	if ((rc == 1)) && grep -q "outside its range.*no configuration of this tree allows it" \
		"$work/range.out"; then
		ok "$v/x86_64: NR_CPUS=100000 proven out of range in every configuration (exit 1)"
	else
		bad "$v/x86_64: NR_CPUS=100000: exit $rc"
		cat "$work/range.out"
	fi
	# the frontends as modules (a distro kernel with an initramfs): check --profile
	# minimal wants them built in, --initramfs accepts them
	m=$work/$v-mod.config
	printf '%s\n' CONFIG_XEN_BLKDEV_FRONTEND=m CONFIG_XEN_NETDEV_FRONTEND=m >"$work/mod.frag"
	"$kx" -q -C "$src" --arch x86_64 merge x86_64_defconfig kernel/configs/xen.config \
		arch/x86/configs/xen.config "$work/mod.frag" --resolve -o "$m" >/dev/null 2>&1 || true
	r1=0 r2=0
	"$kx" -q -C "$src" --arch x86_64 check --profile minimal "$m" >/dev/null 2>&1 || r1=$?
	"$kx" -q -C "$src" --arch x86_64 check --profile minimal --initramfs "$m" \
		>/dev/null 2>&1 || r2=$?
	if ((r1 == 1 && r2 == 0)) && grep -qx CONFIG_XEN_BLKDEV_FRONTEND=m "$m"; then
		ok "$v/x86_64: frontends as modules: check exit 1, check --initramfs exit 0"
	else
		bad "$v/x86_64: frontends as modules: check exit $r1, --initramfs exit $r2"
	fi
done
echo "closure-conf: $pass passed, $fail failed"
((fail == 0))
