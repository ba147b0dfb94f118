#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# promises.sh - the commands do what their --help promises, on the real trees, and
# exit non-zero when they cannot (issue 13, "promises not kept" and "defaults that
# disagree"). Per tree (default: every one of scripts/lib.sh's KX_TREE_VERSIONS):
#   preflight  on allnoconfig (x86_64, i386, arm64): exit 0 and every option of the
#              profile that has a prompt is visible afterwards (judged by `why`);
#              with a profile it cannot satisfy (XEN_PV on i386): exit 1 and the
#              option is named under "Cannot become visible"
#   check      its "Fix" line names a command; running that command makes check pass
#   generate   --add a fragment that breaks a required item (CONFIG_XEN_PVH=n): exit 1,
#              the item named (text and JSON "overridden"); --profile minimal names
#              what it leaves out (SMP among them); the default profile is check's
#              (a default generate output passes a default check)
#   prune      without .config: says it pruned defconfig; --config FILE that does not
#              exist: exit 2 naming the file, no output written
#   merge      a fragment with typos (XEN_BLKFRONTEND, XEN_NETFRONT, HVC_XEM): the
#              names meant are among the suggestions; "CONFIG_XEN_WDT=y # comment"
#              is y, as conf reads it, not a dropped value
#   json       dump: an unnamed choice is "<choice>", prompts are properties;
#              closure of an unknown symbol: "unknown", not verified; the JSON of
#              every command (dump, find, why, why-not, closure, check, merge,
#              prune, generate) is valid against docs/json-schema.json
#   prune      of Debian's cloud config keeps its NR_CPUS=8192 (the profile's NR_CPUS
#              is a lower bound)
#   build      --dry-run: type pvh by default, pv for a Xen older than 4.10, and a
#              type the config cannot run (pv on i386) refused before building
#
# Usage: tests/kernel/promises.sh [5.10|6.1|6.12|7.3|...|all]
# Exit: 0 pass, 1 fail, 2 setup.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

kx_tree_test_begin "${1:-all}"
kx=$repo/kxen-config

# run OUT CMD...: run CMD with stdout+stderr in OUT; print its exit status
run() {
	local out=$1 rc=0
	shift
	"$@" >"$out" 2>&1 || rc=$?
	echo "$rc"
}

for v in $which; do
	src=$(scripts/fetch-trees.sh "$v" | tail -n 1)
	d=$work/$v
	mkdir -p "$d"
	k=("$kx" -C "$src")

	# ---- preflight: exit 0 when done, and it did make the options visible
	for arch in x86_64 i386 arm64; do
		name="$v/$arch/preflight"
		cfg=$d/pf-$arch.config
		"${k[@]}" --arch "$arch" -q allnoconfig --config "$cfg" >/dev/null
		rc=$(run "$cfg.out" "${k[@]}" --arch "$arch" preflight "$cfg")
		if [[ $rc != 0 ]]; then
			bad "$name: exit $rc on allnoconfig: $(grep -A3 'Cannot' "$cfg.out" | head -n 4)"
			continue
		fi
		# every option listed under "Where to find them" now has a visible prompt
		hidden=""
		while read -r sym; do
			"${k[@]}" --arch "$arch" --config "$cfg" why "$sym" >"$cfg.why" 2>&1 || true
			grep -q 'the prompt is visible\|prompt is visible' "$cfg.why" ||
				hidden+=" $sym"
		done < <(sed -n '/^Where to find them/,/^$/{/^  /s/^  \([A-Z0-9_]*\) .*/\1/p}' "$cfg.out")
		if [[ -n $hidden ]]; then
			bad "$name: exit 0 but still hidden:$hidden"
			continue
		fi
		ok "$name: exit 0, every option it lists is visible"
	done
	name="$v/i386/preflight-impossible"
	printf 'CONFIG_XEN_PV=y\n' >"$d/pv.frag"
	cfg=$d/pf-i386.config
	rc=$(run "$d/imp.out" "${k[@]}" --arch i386 preflight --profile "$d/pv.frag" "$cfg" -o "$d/imp.config")
	if [[ $rc == 1 ]] && sed -n '/^Cannot become visible/,$p' "$d/imp.out" | grep -q 'XEN_PV=y'; then
		ok "$name: exit 1, XEN_PV named under 'Cannot become visible'"
	else
		bad "$name: exit $rc: $(tail -n 5 "$d/imp.out")"
	fi

	# ---- check: the fix it names makes check pass
	name="$v/x86_64/check-fix"
	cfg=$d/pf-x86_64.config
	rc=$(run "$d/check.out" "${k[@]}" --arch x86_64 check "$cfg")
	fixcmd=$(sed -n 's/^`kxen-config \(closure [^`]*\)`.*/\1/p' "$d/check.out")
	if [[ $rc != 1 || -z $fixcmd ]]; then
		bad "$name: exit $rc, fix command '${fixcmd}': $(head -n 5 "$d/check.out")"
	else
		read -ra fix <<<"$fixcmd"
		rc=$(run "$d/fix.out" "${k[@]}" --arch x86_64 "${fix[@]}")
		rc2=$(run "$d/check2.out" "${k[@]}" --arch x86_64 check "$cfg")
		if [[ $rc == 0 && $rc2 == 0 ]]; then
			ok "$name: \`$fixcmd\` makes check pass"
		else
			bad "$name: \`$fixcmd\` exit $rc, then check exit $rc2: $(head -n 8 "$d/check2.out")"
		fi
	fi

	# ---- generate: a broken promise is exit 1 and named
	name="$v/x86_64/generate-overridden"
	printf 'CONFIG_XEN_PVH=n\n' >"$d/nopvh.frag"
	rc=0	# JSON on stdout alone; warnings go to stderr
	"${k[@]}" --arch x86_64 --json generate --add "$d/nopvh.frag" -o "$d/nopvh.config" \
		>"$d/gen.out" 2>"$d/gen.err" || rc=$?
	if [[ $rc == 1 ]] && python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["overridden"]
sys.exit(0 if [x["symbol"] for x in o] == ["XEN_PVH"] and o[0]["now"] == "n" else 1)' "$d/gen.out"; then
		ok "$name: exit 1, JSON overridden = XEN_PVH (now n)"
	else
		bad "$name: exit $rc: $(head -c 300 "$d/gen.out") $(head -n 3 "$d/gen.err")"
	fi
	name="$v/x86_64/generate-minimal"
	rc=$(run "$d/min.out" "${k[@]}" --arch x86_64 -q generate --profile minimal -o "$d/min.config")
	if [[ $rc == 0 ]] && grep -A1 '^Left out by profile "minimal"' "$d/min.out" | grep -qw SMP; then
		ok "$name: says what it leaves out (SMP among them)"
	else
		bad "$name: exit $rc: $(tail -n 3 "$d/min.out")"
	fi
	for arch in x86_64 i386; do
		name="$v/$arch/generate-default-checks"
		rc=$(run "$d/def-$arch.out" "${k[@]}" --arch "$arch" -q generate -o "$d/def-$arch.config")
		rc2=$(run "$d/defc-$arch.out" "${k[@]}" --arch "$arch" check "$d/def-$arch.config")
		if [[ $rc == 0 && $rc2 == 0 ]] && grep -q 'profile "server"' "$d/defc-$arch.out"; then
			ok "$name: the default generate output passes the default check (server)"
		else
			bad "$name: generate exit $rc, check exit $rc2: $(head -n 8 "$d/defc-$arch.out")"
		fi
	done

	# ---- merge: a typo is an error in strict mode (-s, KCONFIG_WERROR), a note otherwise
	name="$v/x86_64/merge-strict-unknown"
	printf 'CONFIG_HVC_XEM=y\n' >"$d/typo.frag"
	rc=$(run "$d/typo.out" "${k[@]}" --arch x86_64 merge defconfig "$d/typo.frag" -o "$d/typo.config")
	rc_s=$(run "$d/typo-s.out" "${k[@]}" --arch x86_64 merge -s defconfig "$d/typo.frag" \
		-o "$d/typo-s.config")
	rc_w=$(KCONFIG_WERROR=1 run "$d/typo-w.out" "${k[@]}" --arch x86_64 merge defconfig \
		"$d/typo.frag" -o "$d/typo-w.config")
	if [[ $rc == 0 && $rc_s == 1 && $rc_w == 1 && -s $d/typo-s.config ]] &&
		grep -q 'HVC_XEM (.*typo.frag:1) does not exist in this tree; similar: HVC_XEN' "$d/typo-s.out" &&
		grep -q 'strict mode (-s)' "$d/typo-s.out" && grep -q 'strict mode (KCONFIG_WERROR)' "$d/typo-w.out"; then
		ok "$name: unknown HVC_XEM named with HVC_XEN; exit 0, with -s 1, with KCONFIG_WERROR 1"
	else
		bad "$name: exit $rc, -s $rc_s, KCONFIG_WERROR $rc_w: $(head -n 4 "$d/typo-s.out")"
	fi

	# ---- merge: a warning names the user's file and line; a binary file is refused
	name="$v/x86_64/merge-located"
	printf 'CONFIG_NET=y\nXEN_PVH=y\n' >"$d/nopfx.frag"
	rc=$(run "$d/nopfx.out" "${k[@]}" --arch x86_64 merge defconfig "$d/nopfx.frag" -o "$d/nopfx.config")
	head -c 4096 /bin/ls >"$d/elf.frag"	# an ELF
	rm -f "$d/elf.config"
	rc_b=$(run "$d/elf.out" "${k[@]}" --arch x86_64 merge defconfig "$d/elf.frag" -o "$d/elf.config")
	if [[ $rc == 0 && $rc_b == 2 && ! -e $d/elf.config ]] &&
		grep -q "^$d/nopfx.frag:2:warning: unexpected data: XEN_PVH=y" "$d/nopfx.out" &&
		! grep -q KCONFIG_ALLCONFIG "$d/nopfx.out" &&
		grep -q "elf.frag: a binary file (NUL byte at offset" "$d/elf.out"; then
		ok "$name: 'unexpected data' at nopfx.frag:2; an ELF fragment refused (exit 2, nothing written)"
	else
		bad "$name: exit $rc, binary exit $rc_b: $(head -n 3 "$d/nopfx.out" "$d/elf.out")"
	fi

	# ---- explanations: an x86_64 HIGHMEM64G request fails because of its choice's
	# dependency (X86_32, from 64BIT, fixed by ARCH), not "another member"
	name="$v/x86_64/explain-choice-dependency"
	if grep -q HIGHMEM64G "$src/arch/x86/configs/xen.config"; then
		rc=$(run "$d/hm.out" "${k[@]}" --arch x86_64 merge x86_64_defconfig \
			kernel/configs/xen.config arch/x86/configs/xen.config -o "$d/hm.config")
		if [[ $rc == 1 ]] &&
			grep -q 'HIGHMEM64G=y .* is n: the choice "High Memory Support" (arch/x86/Kconfig:[0-9]*) is not shown: depends on X86_32 \[=n\]' "$d/hm.out" &&
			grep -q 'HIGHMEM64G=y (fixed by the architecture or toolchain)' "$d/hm.out" &&
			grep -q '64BIT \[=y\] cannot be n: its prompt is never shown' "$d/hm.out" &&
			! grep -q 'another member of the choice' "$d/hm.out"; then
			ok "$name: the choice's X86_32, down to 64BIT fixed by ARCH"
		else
			bad "$name: exit $rc: $(grep -A4 HIGHMEM64G "$d/hm.out" | head -n 8)"
		fi
	else
		ok "$name: this tree's xen.config has no HIGHMEM64G (nothing to explain)"
	fi

	# ---- prune / --config: say what is really used
	name="$v/x86_64/prune-no-config"
	mkdir -p "$d/empty"
	rc=$(cd "$d/empty" && run out "${k[@]}" --arch x86_64 prune -o p.config)
	if [[ $rc == 0 ]] && grep -q '^Pruned defconfig into p.config' "$d/empty/out" &&
		grep -q 'note: .config does not exist' "$d/empty/out"; then
		ok "$name: says it pruned defconfig"
	else
		bad "$name: exit $rc: $(head -n 3 "$d/empty/out")"
	fi
	name="$v/x86_64/config-missing"
	rc=$(run "$d/miss.out" "${k[@]}" --arch x86_64 --config "$d/nope.config" prune -o "$d/miss.config")
	if [[ $rc == 2 && ! -e $d/miss.config ]] && grep -q "nope.config" "$d/miss.out"; then
		ok "$name: exit 2 naming the file, nothing written"
	else
		bad "$name: exit $rc: $(head -n 3 "$d/miss.out")"
	fi

	# ---- a typo in a fragment: the nearest names are the ones meant
	name="$v/x86_64/merge-typos"
	printf 'CONFIG_XEN_BLKFRONTEND=y\nCONFIG_XEN_NETFRONT=y\nCONFIG_HVC_XEM=y\n' >"$d/typo.frag"
	rc=$(run "$d/typo.out" "${k[@]}" --arch x86_64 merge defconfig "$d/typo.frag" -o "$d/typo.config")
	missed=""
	for pair in XEN_BLKFRONTEND:XEN_BLKDEV_FRONTEND XEN_NETFRONT:XEN_NETDEV_FRONTEND \
		HVC_XEM:HVC_XEN; do
		grep -Eq "^  ${pair%%:*} .*similar: ([A-Z0-9_]+, )*${pair#*:}(,|\$)" "$d/typo.out" ||
			missed+=" ${pair%%:*}->${pair#*:}"
	done
	if [[ -z $missed ]]; then
		ok "$name: XEN_BLKFRONTEND, XEN_NETFRONT, HVC_XEM: the meant names suggested"
	else
		bad "$name: exit $rc, not suggested:$missed: $(grep similar "$d/typo.out" | head -n 3)"
	fi

	# ---- a trailing comment: conf reads "y # ..." as y, so it is not dropped
	name="$v/x86_64/merge-trailing-comment"
	printf '%s\n' CONFIG_HYPERVISOR_GUEST=y CONFIG_PARAVIRT=y CONFIG_XEN=y CONFIG_WATCHDOG=y \
		'CONFIG_XEN_WDT=y # the watchdog' >"$d/wdt.frag"
	rc=$(run "$d/wdt.out" "${k[@]}" --arch x86_64 merge defconfig "$d/wdt.frag" -o "$d/wdt.config")
	if [[ $rc == 0 ]] && ! grep -q 'did not take effect' "$d/wdt.out" &&
		grep -qx 'CONFIG_XEN_WDT=y' "$d/wdt.config"; then
		ok "$name: CONFIG_XEN_WDT=y # comment holds, exit 0"
	else
		bad "$name: exit $rc: $(grep -A1 'did not take effect' "$d/wdt.out" | head -n 2)"
	fi

	# ---- JSON as docs/json-schema.md says
	name="$v/x86_64/json"
	"${k[@]}" --arch x86_64 --json dump >"$d/dump.json" 2>"$d/dump.err" || true
	"${k[@]}" --arch x86_64 --json closure NOPE_XYZ=y --base defconfig >"$d/nope.json" \
		2>/dev/null || true
	if python3 - "$d/dump.json" "$d/nope.json" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
choices = [s for s in d if s["choice"]]
assert choices and all(isinstance(s["name"], str) for s in choices), "a choice without a name string"
assert any(s["name"] == "<choice>" for s in choices), "no unnamed choice as <choice>"
kinds = {p["kind"] for s in d for p in s["properties"]}
assert "prompt" in kinds, "no prompt property"
c = json.load(open(sys.argv[2]))
assert c["unknown"] == ["NOPE_XYZ"] and c["verified"] is False and c["targets"] == [], c
PY
		ok "$name: unnamed choices are \"<choice>\", prompts listed, closure of an unknown symbol says so"
	else
		bad "$name: dump/closure JSON differs from docs/json-schema.md (above)"
	fi
	# every command's JSON against the machine-readable schema (docs/json-schema.json)
	name="$v/json-schema"
	j=$d/js
	mkdir -p "$j"
	gen=$d/gen.config
	x=("${k[@]}" --arch x86_64 --json)
	"${x[@]}" generate -o "$gen" >"$j/generate.json" 2>/dev/null || true
	"${x[@]}" find XEN_BLK >"$j/find.json" 2>/dev/null || true
	"${x[@]}" --config "$gen" why XEN NR_CPUS HZ_250 CPUMASK_OFFSTACK >"$j/why.json" 2>/dev/null || true
	"${x[@]}" why-not XEN_PV=y NR_CPUS=100000 --base tinyconfig >"$j/why-not.json" 2>/dev/null || true
	"${x[@]}" closure XEN_BLKDEV_FRONTEND=m NR_CPUS=1000 NOPE_XYZ=y --base tinyconfig \
		>"$j/closure.json" 2>/dev/null || true
	"${x[@]}" check "$gen" >"$j/check.json" 2>/dev/null || true
	"${x[@]}" check "$src/arch/x86/configs/x86_64_defconfig" >"$j/check-fix.json" 2>/dev/null || true
	printf '%s\n' CONFIG_XEN_BLKFRONTEND=y CONFIG_XEN_PV=y >"$j/frag"
	"${k[@]}" --arch i386 --json merge i386_defconfig kernel/configs/xen.config "$j/frag" \
		--resolve -o "$j/merge.config" >"$j/merge.json" 2>/dev/null || true
	"${x[@]}" prune --base defconfig -o "$j/prune.config" >"$j/prune.json" 2>/dev/null || true
	if scripts/check-json.py dump "$d/dump.json" find "$j/find.json" why "$j/why.json" \
		why-not "$j/why-not.json" closure "$j/closure.json" check "$j/check.json" \
		check "$j/check-fix.json" merge "$j/merge.json" prune "$j/prune.json" \
		generate "$j/generate.json" >"$j/out" 2>&1; then
		ok "$name: dump, find, why, why-not, closure, check, merge, prune, generate valid"
	else
		bad "$name: JSON output does not follow docs/json-schema.json:"
		grep -v ': ok$' "$j/out" | head -n 20
	fi

	# ---- a lower bound of the profile (NR_CPUS, "# at least") is not lowered
	name="$v/x86_64/prune-keeps-nr-cpus"
	base=$KX_CACHE/distro-configs/$v/config.amd64_none_cloud-amd64
	if [[ ! -f $base ]]; then
		bad "$name: Debian's config is missing ($base; scripts/fetch-trees.sh fetches it)"
	else
		want=$(sed -n 's/^CONFIG_NR_CPUS=//p' "$base")
		rc=$(run "$d/pr.out" "${k[@]}" --arch x86_64 -q prune --base "$base" -o "$d/pr.config")
		have=$(sed -n 's/^CONFIG_NR_CPUS=//p' "$d/pr.config" 2>/dev/null)
		if [[ $rc == 0 && -n $want && $have == "$want" ]] && ((want > 64)); then
			ok "$name: NR_CPUS=$have kept (the profile asks at least 128)"
		else
			bad "$name: exit $rc, NR_CPUS $want -> ${have:-none}"
		fi
	fi

	# ---- build --dry-run: the type and the refusal, before any make
	name="$v/build-dry-run"
	r1=$(run "$d/b1.out" "${k[@]}" --arch x86_64 --config "$d/def-x86_64.config" build --dry-run -O "$d/o1")
	r2=$(run "$d/b2.out" "${k[@]}" --arch x86_64 --config "$d/def-x86_64.config" build --dry-run \
		--xen-version 3.4.2 -O "$d/o2")
	r3=$(run "$d/b3.out" "${k[@]}" --arch i386 --config "$d/def-i386.config" build --dry-run --type pv \
		-O "$d/o3")
	if [[ $r1 == 0 && $r2 == 0 && $r3 == 2 ]] && grep -q 'type pvh' "$d/b1.out" &&
		grep -q 'type pv$' "$d/b2.out" && grep -q 'vmlinux.gz' "$d/b2.out" &&
		grep -q '32-bit x86 has no PV' "$d/b3.out" && [[ ! -e $d/o1 && ! -e $d/o3 ]]; then
		ok "$name: pvh by default, pv for Xen 3.4.2 (vmlinux.gz), i386 --type pv refused"
	else
		bad "$name: exits $r1 $r2 $r3: $(cat "$d/b1.out" "$d/b2.out" "$d/b3.out" | head -n 12)"
	fi
done
echo "promises: $pass passed, $fail failed"
((fail == 0))
