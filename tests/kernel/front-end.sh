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
#
# Usage: tests/kernel/front-end.sh [5.10|6.1|6.12|7.3|...|all]
# Exit: 0 pass, 1 fail, 2 setup.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

which=${1:-all}
[[ $which == all ]] && which="${KX_TREE_VERSIONS[*]}"
[[ -x ./kxen-config ]] || make -s -j"$(nproc)" >&2
kx=$repo/kxen-config
work=$(kx_mktemp_dir)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }

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

# 3. every arch loads with exactly conf's warnings (in make's environment)
for v in $which; do
	src=$(kx_tree_dir "$v")
	conf=$(scripts/build-oracle.sh "$v")
	nsame=0 archs=()
	for d in "$src"/arch/*/Kconfig; do
		a=$(basename "$(dirname "$d")")
		archs+=("$a")
		if ! env=$(scripts/oracle-env.sh "$v" "$a" 2>"$work/env.err"); then
			bad "$v/$a: no conf environment: $(head -c 300 "$work/env.err")"
			continue
		fi
		mapfile -t E <<<"$env"
		rm -rf "$work/o" "$work/c"
		mkdir -p "$work/o" "$work/c"
		(cd "$work/o" && env -i "${E[@]}" "$conf" --alldefconfig Kconfig \
			>../o.out 2>../o.err) && orc=0 || orc=$?
		(cd "$work/c" && env -i "${E[@]}" "$kx" conf --alldefconfig Kconfig \
			>../c.out 2>../c.err) && crc=0 || crc=$?
		if ((orc != 0)); then
			bad "$v/$a: the tree's own conf failed (exit $orc): $(head -c 300 "$work/o.err")"
		elif ((crc != 0)); then
			bad "$v/$a: kxen-config conf failed (exit $crc): $(head -c 300 "$work/c.err")"
		elif ! cmp -s "$work/o.err" "$work/c.err" || ! cmp -s "$work/o.out" "$work/c.out"; then
			bad "$v/$a: the messages differ from conf's:"
			diff "$work/o.err" "$work/c.err" | head -n 6
			diff "$work/o.out" "$work/c.out" | head -n 6
		else
			nsame=$((nsame + 1))
		fi
	done
	if ((nsame == ${#archs[@]})); then
		ok "$v: every arch loads with conf's messages, exactly ($nsame: ${archs[*]})"
	fi
done

# 4. the model cache gives what a parse gives, on every arch of every tree
for v in $which; do
	src=$(kx_tree_dir "$v")
	nsame=0 archs=()
	for d in "$src"/arch/*/Kconfig; do
		a=$(basename "$(dirname "$d")")
		archs+=("$a")
		KX_MODEL_CACHE=0 "$kx" -C "$src" --arch "$a" --json dump \
			>"$work/parsed.json" 2>"$work/parsed.err" || true
		# the first run fills the probe cache, the second writes the model
		# (only a load whose probes all came from the cache does)
		for _ in 1 2; do
			"$kx" -C "$src" --arch "$a" --json dump >/dev/null 2>&1 || true
		done
		"$kx" -v -C "$src" --arch "$a" --json dump >"$work/cached.json" 2>"$work/cached.err" || true
		if ! grep -q "loaded from the model cache" "$work/cached.err"; then
			bad "$v/$a: the third load did not come from the model cache: $(head -c 300 "$work/cached.err")"
		elif ! cmp -s "$work/parsed.json" "$work/cached.json"; then
			bad "$v/$a: dump --json differs between a parse and the model cache:"
			diff "$work/parsed.json" "$work/cached.json" | head -n 6
		elif ! diff -q "$work/parsed.err" <(grep -Ev '^kxen-config: Kconfig (model|rules)' "$work/cached.err") >/dev/null; then
			bad "$v/$a: the warnings differ between a parse and the model cache:"
			diff "$work/parsed.err" <(grep -Ev '^kxen-config: Kconfig (model|rules)' "$work/cached.err") | head -n 6
		else
			nsame=$((nsame + 1))
		fi
	done
	if ((nsame == ${#archs[@]})); then
		ok "$v: model cache = parse for all ${#archs[@]} arches (${archs[*]})"
	fi
done
echo "front-end: $pass passed, $fail failed"
((fail == 0))
