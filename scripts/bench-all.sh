#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/bench-all.sh - `make bench`: every benchmark of docs/PERFORMANCE.md, on the
# 6.12 tree (x86_64) unless said otherwise, all in the environment the kernel's make
# gives conf (scripts/oracle-env.sh), with hyperfine:
#   1. olddefconfig: conf vs kxen-config (warm caches; warm probes with the model
#      cache off, i.e. a parse; --no-cache) vs Kconfiglib, on 5.10, 6.1, 6.12 and 7.3
#      (scripts/bench.sh);
#   2. own CPU time and peak memory, children excluded (getrusage(RUSAGE_SELF) at exit,
#      through the LD_PRELOAD probe scripts/bench/rusage-self.c), medians of 5 runs,
#      for the same four;
#   3. loading the whole tree (parse, macros and probes, menu finalisation), from the
#      model cache and parsed: `kxen-config find '^XEN$'` against conf --olddefconfig;
#   4. batch mode: every file of arch/x86/configs and of arch/arm/configs as a
#      defconfig, conf once per file against one `kxen-config defconfig --batch`;
#   5. closure of the full x86_64 domU profile (server) from defconfig, and
#      `generate` (minimal profile from tinyconfig), end to end.
# Results: build/bench/*.md; a summary at the end.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

runs=5 only=12345
while (($#)); do
	case $1 in
	-h | --help)
		sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'
		echo "Usage: $kx_prog [--runs N] [--only DIGITS]   (e.g. --only 45: parts 4 and 5)"
		echo "Exit: 0 ok, 2 setup error."
		exit 0
		;;
	--runs) runs=${2:?}; shift ;;
	--only) only=${2:?}; shift ;;
	*) echo "usage: $kx_prog [--runs N] [--only DIGITS]" >&2; exit 2 ;;
	esac
	shift
done
want() { [[ $only == *"$1"* ]]; }
kx_need_cmd hyperfine gcc python3
cd "$KX_REPO"
make -s -j"$(nproc)"
out=$KX_REPO/build/bench
mkdir -p "$out"
work=$(kx_mktemp_dir)
trap 'rm -rf "$work"' EXIT
kx=$KX_REPO/kxen-config
hf=(hyperfine --style basic --warmup 1 --runs "$runs" -N)

if want 1; then
	echo "=== 1. olddefconfig (scripts/bench.sh)"
	scripts/bench.sh --runs "$runs" | tee "$out/1-olddefconfig.txt"
fi

tree=$(kx_tree_dir 6.12)
conf=$(scripts/build-oracle.sh "$tree")
scripts/oracle-env.sh "$tree" x86_64 >/dev/null
envf=$KX_CACHE/env/$(basename "$tree")-x86_64.env
kx_read_env "$envf"
mkdir -p "$work/prep"
(cd "$work/prep" && env -i "${KX_ENV[@]}" "$conf" -s \
	--defconfig=arch/x86/configs/x86_64_defconfig Kconfig)
# run NAME DIR CMD...: a script that runs CMD in DIR in conf's environment
run() {
	local name=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	{
		echo '#!/usr/bin/env bash'
		echo "cd $(printf '%q' "$dir") || exit 2"
		echo "mapfile -t E <$(printf '%q' "$envf")"
		echo "exec env -i \"\${E[@]}\" \${KX_BENCH_ENV:-} $(printf '%q ' "$@") >/dev/null 2>&1"
	} >"$work/$name.sh"
	chmod +x "$work/$name.sh"
	echo "$work/$name.sh"
}

if want 2; then
	echo "=== 2. own CPU time and peak memory (RUSAGE_SELF)"
	gcc -std=c11 -O2 -shared -fPIC -o "$work/rusage.so" scripts/bench/rusage-self.c
	for who in conf kx-warm kx-cold; do
		mkdir -p "$work/$who"
		cp "$work/prep/.config" "$work/$who/.config"
	done
	c_conf=$(run self-conf "$work/conf" "$conf" --olddefconfig Kconfig)
	c_warm=$(run self-warm "$work/kx-warm" "$kx" conf --olddefconfig Kconfig)
	# shellcheck disable=SC2034 # c_conf, c_warm, c_cold are read as ${!c}
	c_cold=$(run self-cold "$work/kx-cold" "$kx" conf --olddefconfig Kconfig)
	# shellcheck disable=SC2034 # read as ${!c}
	c_parse=$c_warm
	"$c_warm"	# warm the probe and model caches
	KX_BENCH_ENV=KX_MODEL_CACHE=0 "$c_warm"	# the probe cache in that environment
	for who in conf warm parse cold; do
		c=c_$who
		: >"$work/self-$who.txt"
		for ((i = 0; i < runs; i++)); do
			extra="LD_PRELOAD=$work/rusage.so KX_RUSAGE_OUT=$work/self-$who.txt"
			[[ $who == cold ]] && extra+=" KX_NO_CACHE=1"
			[[ $who == parse ]] && extra+=" KX_MODEL_CACHE=0"
			# the script execs env -i, which execs the tool: the same pid as this
			# bash, passed through env -i in KX_BENCH_ENV
			bash -c 'KX_BENCH_ENV="$2 KX_RUSAGE_PID=$$" exec "$1"' _ "${!c}" "$extra"
		done
	done
	self_row() {	# FILE: median user+sys seconds and median peak MiB
		python3 - "$1" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
cpu = statistics.median(float(u) + float(s) for u, s, _ in rows)
mem = statistics.median(int(m) for _, _, m in rows) / 1024
print("%.3f %.1f %d" % (cpu, mem, len(rows)))
EOF
	}
	{
		echo "| olddefconfig, 6.12 x86_64 | own CPU s (median) | peak MiB (median) | runs |"
		echo "|---|---|---|---|"
		for who in conf warm parse cold; do
			read -r cpu mem n <<<"$(self_row "$work/self-$who.txt")"
			echo "| $who | $cpu | $mem | $n |"
		done
	} | tee "$out/2-self.md"
fi

if want 3; then
	echo "=== 3. loading the whole tree"
	cp "$work/prep/.config" "$work/kx-warm/.config"
	"${hf[@]}" --export-markdown "$out/3-load.md" \
		-n "conf --olddefconfig" "$c_conf" \
		-n "kxen-config load (find)" "$(run load "$work/kx-warm" "$kx" -C "$tree" --arch x86_64 find '^XEN$')" \
		-n "kxen-config load, parsed (find, KX_MODEL_CACHE=0)" \
		"$(run load-parse "$work/kx-warm" env KX_MODEL_CACHE=0 "$kx" -C "$tree" --arch x86_64 find '^XEN$')" \
		-n "kxen-config olddefconfig" "$c_warm"
fi

if want 4; then
	echo "=== 4. batch mode"
	for a in x86 arm; do
		mkdir -p "$work/batch-$a/in" "$work/batch-$a/out" "$work/batch-$a/conf"
		cp "$tree"/arch/$a/configs/*defconfig "$work/batch-$a/in/"
		n=$(find "$work/batch-$a/in" -type f | wc -l)
		scripts/oracle-env.sh "$tree" "$a" >/dev/null
		aenv=$KX_CACHE/env/$(basename "$tree")-$a.env
		{
			echo '#!/usr/bin/env bash'
			echo "mapfile -t E <$(printf '%q' "$aenv")"
			echo "cd $(printf '%q' "$work/batch-$a/conf")"
			echo "for f in $(printf '%q' "$work/batch-$a/in")/*; do"
			echo "  env -i \"\${E[@]}\" KCONFIG_CONFIG=out.config $(printf '%q' "$conf") -s --defconfig=\"\$f\" Kconfig >/dev/null 2>&1"
			echo "done"
		} >"$work/batch-$a-conf.sh"
		{
			echo '#!/usr/bin/env bash'
			echo "mapfile -t E <$(printf '%q' "$aenv")"
			echo "cd $(printf '%q' "$work/batch-$a")"
			echo "exec env -i \"\${E[@]}\" $(printf '%q' "$kx") -q -C $(printf '%q' "$tree") defconfig --batch in --out out >/dev/null 2>&1"
		} >"$work/batch-$a-kx.sh"
		chmod +x "$work/batch-$a-conf.sh" "$work/batch-$a-kx.sh"
		"$work/batch-$a-kx.sh" || true
		hyperfine --style basic --warmup 1 --runs 3 -N --export-markdown "$out/4-batch-$a.md" \
			-n "conf once per defconfig ($n files, arch/$a)" "$work/batch-$a-conf.sh" \
			-n "kxen-config defconfig --batch ($n files)" "$work/batch-$a-kx.sh"
	done
fi

if want 5; then
	echo "=== 5. closure and generate"
	"${hf[@]}" --export-markdown "$out/5-closure.md" \
		-n "closure --profile server --base defconfig (x86_64)" \
		"$(run closure "$work/cl" "$kx" -C "$tree" --arch x86_64 closure --profile server --base defconfig)" \
		-n "closure --profile server --base defconfig (i386)" \
		"$(run closure32 "$work/cl32" "$kx" -C "$tree" --arch i386 closure --profile server --base defconfig)" \
		-n "generate (minimal, tinyconfig, x86_64)" \
		"$(run generate "$work/gen" "$kx" -C "$tree" --arch x86_64 generate -o g.config)"
fi

echo
echo "=== summary"
for f in "$out"/2-self.md "$out"/3-load.md "$out"/4-batch-*.md "$out"/5-closure.md; do
	[[ -f $f ]] || continue
	echo "-- $(basename "$f")"
	cat "$f"
done
echo "results: $out/"
