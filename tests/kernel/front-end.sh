#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# front-end.sh - the front end on real trees, against the tree's own conf:
#   1. git back end: a repository made from the tree (scripts/make-git-tree.sh)
#      read with --git/--rev gives the same `dump --json` and the same
#      alldefconfig as the directory, and its second revision differs from the
#      first exactly by the help line it adds;
#   2. menu paths: for XEN, XEN_PVH, HIGHMEM64G (i386) and XEN_BLKDEV_FRONTEND,
#      the prompts of `dump --json` menu_path equal the "Location:" chain that
#      conf prints for the symbol (conf --helpnewconfig, in make's environment);
#   3. every arch loads with exactly conf's warnings: for every SRCARCH, in the
#      environment make gives conf for it, `conf --alldefconfig Kconfig` prints
#      the same stdout and stderr (parse warnings, in order) with the tree's
#      conf and with `kxen-config conf`, and both succeed;
#   4. model cache: for every SRCARCH, `dump --json` from the model cache is
#      byte-identical to a parse (KX_MODEL_CACHE=0), warnings on stderr included,
#      and `-v` says the model came from the cache.
# 3 and 4 run one arch per CPU; conf's answers in 3 are cached in
# $KX_CACHE/oracle-results/front-end (keyed by conf, its environment and the
# tree's Kconfig files): on a warm cache only kxen-config runs.
#
# Usage: tests/kernel/front-end.sh [5.10|6.1|6.12|7.3|...|all]
# Exit: 0 pass, 1 fail, 2 setup.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

kx_tree_test_begin "${1:-all}"
kx=$repo/kxen-config

# Same environment for both sides of a comparison: probes answered from the
# cache are identical either way, so only the tree access differs.
for v in $which; do
	src=$(scripts/fetch-trees.sh "$v" | tail -n 1)
	git=$KX_CACHE/git/linux-source-$v.git
	mkdir -p "$KX_CACHE/git"
	scripts/make-git-tree.sh "$src" "$git" >/dev/null

	"$kx" -q -C "$src" --arch x86_64 --json dump >"$work/dir.json"
	"$kx" -q --git "$git" --rev kx-test --arch x86_64 --json dump >"$work/git.json"
	if cmp -s "$work/dir.json" "$work/git.json"; then
		ok "$v: dump --json identical from the directory and from git (rev kx-test)"
	else
		bad "$v: dump --json differs between directory and git:"
		diff "$work/dir.json" "$work/git.json" | head -n 6
	fi
	"$kx" -q -C "$src" --arch x86_64 --config "$work/dir.config" alldefconfig >/dev/null
	"$kx" -q --git "$git" --rev kx-test --arch x86_64 --config "$work/git.config" \
		alldefconfig >/dev/null
	if cmp -s "$work/dir.config" "$work/git.config"; then
		ok "$v: alldefconfig identical from the directory and from git"
	else
		bad "$v: alldefconfig differs between directory and git"
	fi
	"$kx" -q --git "$git" --rev kx-test-2 --arch x86_64 --json dump >"$work/git2.json"
	if ! cmp -s "$work/git.json" "$work/git2.json" &&
		"$kx" -q --git "$git" --rev kx-test-2 --arch x86_64 --config "$work/git2.config" \
			alldefconfig >/dev/null && cmp -s "$work/git.config" "$work/git2.config"; then
		ok "$v: revision kx-test-2 reads its own files (help text differs, values equal)"
	else
		bad "$v: --rev kx-test-2 does not read the second revision"
	fi

	# menu paths against conf's "Location:" lines
	conf=$(scripts/build-oracle.sh "$v")
	for arch in x86_64 i386; do
		mapfile -t E < <(scripts/oracle-env.sh "$v" "$arch")
		mkdir -p "$work/$arch"
		syms=(XEN XEN_PVH XEN_BLKDEV_FRONTEND)
		[[ $arch == i386 ]] && syms+=(HIGHMEM64G)
		# conf describes new symbols that are visible: a config where their
		# prerequisites hold (the minimal profile's closure), without the one
		"$kx" -q -C "$src" --arch "$arch" closure --profile minimal "${syms[@]}" \
			--base defconfig -o "$work/$arch/c.config" >/dev/null 2>&1 || true
		"$kx" -q -C "$src" --arch "$arch" --json find "^($(
			IFS='|'
			echo "${syms[*]}"
		))\$" >"$work/$arch/find.json"
		for sym in "${syms[@]}"; do
			grep -vE "^(# )?CONFIG_${sym}[= ]" "$work/$arch/c.config" \
				>"$work/$arch/new.config" || true
			(cd "$work/$arch" && env -i "${E[@]}" KCONFIG_CONFIG=new.config \
				"$conf" --helpnewconfig Kconfig >helpnew.txt 2>/dev/null) || true
			# conf: the Location lines after "Symbol: SYM [", prompts without "(SYM [=v])"
			want=$(awk -v s="Symbol: $sym [" '
				index($0, s) == 1 { on = 1; next }
				on && /^Symbol: / { exit }
				on && /^  Location:/ { loc = 1; next }
				on && loc && /^ *-> / { sub(/^ *-> /, ""); sub(/ \((<choice>|[A-Za-z0-9_]+) \[=[^]]*\]\)$/, "");
				                         print; next }
				on && loc { exit }' "$work/$arch/helpnew.txt")
			got=$(python3 -c 'import json,sys
for s in json.load(open(sys.argv[1])):
    if s["name"] == sys.argv[2]:
        print("\n".join(s["definitions"][0]["menu_path"]))
        break' "$work/$arch/find.json" "$sym")
			# before 6.0, conf's chain stops at the entry's parent: our
			# menu_path (the same on every release) has the entry too
			if grep -q 'menu = prop->menu->parent;' "$src/scripts/kconfig/menu.c"; then
				got=$(sed '$d' <<<"$got")
			fi
			if ! grep -q "\"name\": *\"$sym\"" "$work/$arch/find.json"; then
				ok "$v/$arch: $sym is not in this tree (skipped)"
				continue
			fi
			if [[ -n $want && $want == "$got" ]]; then
				ok "$v/$arch: $sym menu path = conf's Location ($(echo "$got" | wc -l) levels)"
			else
				bad "$v/$arch: $sym menu path: conf says [$(echo "$want" | paste -sd'>')]," \
					"we say [$(echo "$got" | paste -sd'>')]"
			fi
		done
	done
done

# arch_check V A SRC CONF STAMP: 3 and 4 for one tree V and one SRCARCH A, in
# $work/$V-$A; prints one line per
# finding, "BAD <text>" (details follow on lines starting "  | ") or "SAME3"/"SAME4"
# (an arch that passed part 3 / part 4).
arch_check() {
	local v=$1 a=$2 src=$3 conf=$4 stamp=$5 w=$work/$1-$2 env orc=0 crc=0 key ent
	local -a E
	mkdir -p "$w/o" "$w/c"
	# 3. every arch loads with exactly conf's warnings (in make's environment)
	if ! env=$(scripts/oracle-env.sh "$v" "$a" 2>"$w/env.err"); then
		echo "BAD $v/$a: no conf environment: $(head -c 300 "$w/env.err")"
	else
		mapfile -t E <<<"$env"
		# conf's answer is cached (most of its time is its $(shell) probes): keyed by
		# the conf binary, its environment and the tree's Kconfig files
		key=$({
			printf '%s\n' front-end-alldefconfig-1 "$conf" "${E[@]}"
			stat -c '%s %Y' "$conf"
			echo "$stamp"
		} | sha256sum | cut -c1-40)
		ent=$KX_CACHE/oracle-results/front-end/$key
		if [[ -f $ent/status ]]; then
			cp "$ent/out" "$w/o.out"
			cp "$ent/err" "$w/o.err"
			orc=$(cat "$ent/status")
		else
			(cd "$w/o" && env -i "${E[@]}" "$conf" --alldefconfig Kconfig \
				>../o.out 2>../o.err) || orc=$?
			if ((orc == 0)); then
				mkdir -p "$ent.$$"
				cp "$w/o.out" "$ent.$$/out"
				cp "$w/o.err" "$ent.$$/err"
				echo 0 >"$ent.$$/status"
				mv -T "$ent.$$" "$ent" 2>/dev/null || rm -rf "$ent.$$"
			fi
		fi
		(cd "$w/c" && env -i "${E[@]}" "$kx" conf --alldefconfig Kconfig \
			>../c.out 2>../c.err) || crc=$?
		if ((orc != 0)); then
			echo "BAD $v/$a: the tree's own conf failed (exit $orc): $(head -c 300 "$w/o.err")"
		elif ((crc != 0)); then
			echo "BAD $v/$a: kxen-config conf failed (exit $crc): $(head -c 300 "$w/c.err")"
		elif ! cmp -s "$w/o.err" "$w/c.err" || ! cmp -s "$w/o.out" "$w/c.out"; then
			echo "BAD $v/$a: the messages differ from conf's:"
			(diff "$w/o.err" "$w/c.err"; diff "$w/o.out" "$w/c.out") | head -n 12 | sed 's/^/  | /'
		else
			echo SAME3
		fi
	fi
	# 4. the model cache gives what a parse gives
	KX_MODEL_CACHE=0 "$kx" -C "$src" --arch "$a" --json dump \
		>"$w/parsed.json" 2>"$w/parsed.err" || true
	# the first run fills the probe cache, the second writes the model (only a
	# load whose probes all came from the cache does); neither needs JSON
	"$kx" -C "$src" --arch "$a" dump >/dev/null 2>&1 || true
	"$kx" -C "$src" --arch "$a" dump >/dev/null 2>&1 || true
	"$kx" -v -C "$src" --arch "$a" --json dump >"$w/cached.json" 2>"$w/cached.err" || true
	grep -Ev '^kxen-config: Kconfig (model|rules)' "$w/cached.err" >"$w/cached.warn" || true
	if ! grep -q "loaded from the model cache" "$w/cached.err"; then
		echo "BAD $v/$a: the third load did not come from the model cache: $(head -c 300 "$w/cached.err")"
	elif ! cmp -s "$w/parsed.json" "$w/cached.json"; then
		echo "BAD $v/$a: dump --json differs between a parse and the model cache:"
		diff "$w/parsed.json" "$w/cached.json" | head -n 6 | sed 's/^/  | /'
	elif ! cmp -s "$w/parsed.err" "$w/cached.warn"; then
		echo "BAD $v/$a: the warnings differ between a parse and the model cache:"
		diff "$w/parsed.err" "$w/cached.warn" | head -n 6 | sed 's/^/  | /'
	else
		echo SAME4
	fi
	rm -rf "$w"/o "$w"/c "$w"/*.json
}

# 3 and 4 for every arch of every tree, one arch per CPU at a time (each arch is a
# few independent conf and kxen-config runs: this is the bulk of the test's time)
jobs=$(nproc)
for v in $which; do
	src=$(kx_tree_dir "$v")
	conf=$(scripts/build-oracle.sh "$v")
	# the tree's Kconfig files, for the key of conf's cached answers
	stamp=$(find "$src" -name 'Kconfig*' -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum)
	archs=()
	for d in "$src"/arch/*/Kconfig; do
		a=$(basename "$(dirname "$d")")
		archs+=("$a")
		arch_check "$v" "$a" "$src" "$conf" "$stamp" >"$work/res.$v.$a" 2>&1 &
		while (($(jobs -rp | wc -l) >= jobs)); do
			wait -n || true
		done
	done
	wait
	n3=0 n4=0
	for a in "${archs[@]}"; do
		while IFS= read -r line; do
			case $line in
			SAME3) n3=$((n3 + 1)) ;;
			SAME4) n4=$((n4 + 1)) ;;
			"BAD "*) bad "${line#BAD }" ;;
			"  | "*) echo "$line" ;;
			*) bad "$v/$a: unexpected output: $line" ;;
			esac
		done <"$work/res.$v.$a"
	done
	if ((n3 == ${#archs[@]})); then
		ok "$v: every arch loads with conf's messages, exactly ($n3: ${archs[*]})"
	else
		bad "$v: $((${#archs[@]} - n3)) of ${#archs[@]} arches load differently from conf"
	fi
	if ((n4 == ${#archs[@]})); then
		ok "$v: model cache = parse for all ${#archs[@]} arches (${archs[*]})"
	else
		bad "$v: the model cache differs from a parse on $((${#archs[@]} - n4)) of ${#archs[@]} arches"
	fi
done
echo "front-end: $pass passed, $fail failed"
((fail == 0))
