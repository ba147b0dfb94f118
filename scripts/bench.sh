#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/bench.sh - olddefconfig speed: the kernel's conf vs kxen-config vs Kconfiglib.
#
# For each tree (x86_64, on a .config made from x86_64_defconfig and already
# olddefconfig'd, so every run rewrites the same file), one hyperfine run compares:
#   conf                the tree's scripts/kconfig/conf --olddefconfig Kconfig
#   kxen-config cold    kxen-config conf --olddefconfig Kconfig with KX_NO_CACHE=1
#   kxen-config warm    the same with its caches (probes and model; warmed up first)
#   kxen-config parse   warm probe cache, model cache off (KX_MODEL_CACHE=0): the
#                       time of a parse, as after an edit of a Kconfig file
#   Kconfiglib          python3 -m olddefconfig Kconfig (Debian's python3-kconfiglib)
# all in the environment the kernel's make gives conf (scripts/oracle-env.sh).
# Results: build/bench/olddefconfig.{md,csv}; ratios are printed at the end.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $kx_prog [--tree V[,V...]|all] [--runs N] [--program PATH]

Benchmarks olddefconfig on x86_64 with hyperfine (default: all trees,
${KX_TREE_VERSIONS[*]}, 5 runs each).
--program is the kxen-config to measure (default: $KX_REPO/kxen-config); its rows are
skipped, with a message, while it has no 'conf' command. Kconfiglib is skipped with
"Kconfiglib cannot parse this tree" when it fails on the tree.
Writes build/bench/olddefconfig.md (hyperfine --export-markdown) and .csv.
Exit: 0 ok, 2 usage or environment error.
EOF
}

tree_arg=all runs=5 prog=$KX_REPO/kxen-config
while (($#)); do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--tree) tree_arg=${2:?}; shift ;;
	--runs) runs=${2:?}; shift ;;
	--program) prog=${2:?}; shift ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || kx_die "--runs: want a positive number"
tree_list=$(kx_tree_list "$tree_arg") || exit 2
mapfile -t trees <<<"$tree_list"
kx_need_cmd hyperfine python3
[[ $prog == /* ]] || prog=$PWD/$prog

out=$KX_REPO/build/bench
work=$out/work
rm -rf "$work"
mkdir -p "$work"
have_kx=0
if kx_has_conf "$prog"; then
	have_kx=1
else
	echo "kxen-config rows skipped: $prog has no 'conf' command yet"
fi

# wrapper NAME DIR ENVFILE CMD...: a script running CMD in DIR with that environment.
wrapper() {
	local name=$1 dir=$2 envf=$3
	shift 3
	{
		echo '#!/usr/bin/env bash'
		echo "cd $(printf '%q' "$dir") || exit 2"
		echo "mapfile -t E <$(printf '%q' "$envf")"
		echo "exec env -i \"\${E[@]}\" $(printf '%q ' "$@") >/dev/null 2>&1"
	} >"$work/$name.sh"
	chmod +x "$work/$name.sh"
	echo "$work/$name.sh"
}

cmds=() names=()
add() {
	names+=("$1")
	cmds+=("$2")
}
for v in "${trees[@]}"; do
	tree=$(kx_tree_dir "$v")
	conf=$("$KX_REPO/scripts/build-oracle.sh" "$tree")
	"$KX_REPO/scripts/oracle-env.sh" "$tree" x86_64 >/dev/null
	envf=$KX_CACHE/env/$(basename "$tree")-x86_64.env
	kx_read_env "$envf"
	base=$work/$v
	mkdir -p "$base/prep"
	(cd "$base/prep" && env -i "${KX_ENV[@]}" "$conf" \
		--defconfig=arch/x86/configs/x86_64_defconfig Kconfig >/dev/null &&
		env -i "${KX_ENV[@]}" "$conf" --olddefconfig Kconfig >/dev/null) ||
		kx_die "preparing the x86_64 .config for $v failed"
	for d in conf kx-cold kx-warm kx-parse kconfiglib; do
		mkdir -p "$base/$d"
		cp "$base/prep/.config" "$base/$d/.config"
	done
	cp "$envf" "$base/env"
	echo KX_NO_CACHE=1 >"$base/env-nocache"
	cat "$envf" >>"$base/env-nocache"
	echo KX_MODEL_CACHE=0 >"$base/env-nomodel"
	cat "$envf" >>"$base/env-nomodel"
	add "$v conf" "$(wrapper "$v-conf" "$base/conf" "$base/env" "$conf" --olddefconfig Kconfig)"
	if ((have_kx)); then
		add "$v kxen-config cold" "$(wrapper "$v-kx-cold" "$base/kx-cold" "$base/env-nocache" \
			"$prog" conf --olddefconfig Kconfig)"
		add "$v kxen-config warm" "$(wrapper "$v-kx-warm" "$base/kx-warm" "$base/env" \
			"$prog" conf --olddefconfig Kconfig)"
		"$work/$v-kx-warm.sh" || echo "warning: kxen-config conf failed on $v"
		add "$v kxen-config parse" "$(wrapper "$v-kx-parse" "$base/kx-parse" "$base/env-nomodel" \
			"$prog" conf --olddefconfig Kconfig)"
		"$work/$v-kx-parse.sh" || echo "warning: kxen-config conf failed on $v"
	fi
	kl=$(wrapper "$v-kconfiglib" "$base/kconfiglib" "$base/env" python3 -m olddefconfig Kconfig)
	if "$kl"; then
		add "$v Kconfiglib" "$kl"
	else
		echo "$v Kconfiglib: Kconfiglib cannot parse this tree"
	fi
done

hf=(hyperfine --style basic --warmup 1 --runs "$runs" -N
	--export-markdown "$out/olddefconfig.md" --export-csv "$out/olddefconfig.csv")
for i in "${!cmds[@]}"; do
	hf+=(-n "${names[$i]}" "${cmds[$i]}")
done
"${hf[@]}" || kx_die "hyperfine failed"
echo
cat "$out/olddefconfig.md"
echo
# Ratios within each tree, against the kernel's conf.
awk -F, 'NR > 1 { split($1, w, " "); t = w[1]; mean[$1] = $2; order[++n] = $1; tree[$1] = t }
	END {
		for (i = 1; i <= n; i++) {
			c = order[i]; ref = mean[tree[c] " conf"]
			if (c == tree[c] " conf" || ref == "") continue
			printf "%s: %.3fs, %.2fx %s than conf (%.3fs)\n", c, mean[c],
				mean[c] < ref ? ref / mean[c] : mean[c] / ref,
				mean[c] < ref ? "faster" : "slower", ref
		}
	}' "$out/olddefconfig.csv"
echo "results: $out/olddefconfig.md"
