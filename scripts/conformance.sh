#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/conformance.sh - compare a candidate conf against the kernel's own
# scripts/kconfig/conf ("the oracle"), byte for byte, on real kernel trees.
#
# Each case runs both tools in fresh object directories (the cwd), in the environment
# the kernel's make gives conf (scripts/oracle-env.sh, under env -i), with the tree as
# $srctree. A case passes when both exit with the same status and write identical files.
# Cases per defconfig file F of an arch (a chain: each step's input is the oracle's
# output of the previous step):
#   defconfig     --defconfig=arch/SRCARCH/configs/F Kconfig        compare .config
#   olddefconfig  --olddefconfig Kconfig on that .config            compare .config
#   savedefconfig --savedefconfig=defconfig Kconfig on that         compare defconfig
# Cases per ARCH: --alldefconfig --allnoconfig --allyesconfig --allmodconfig.
# With --distro: --olddefconfig on each of Debian's configs of the tree ("distro").
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ALL_MODES=defconfig,olddefconfig,savedefconfig,alldefconfig,allnoconfig,allyesconfig,allmodconfig

usage() {
	cat <<EOF
Usage: $kx_prog [options]

Compare a candidate conf with each kernel tree's own scripts/kconfig/conf.
  --tree V[,V...]|all   releases to test (default all: ${KX_TREE_VERSIONS[*]};
                        any release scripts/fetch-trees.sh knows, e.g. 7.2)
  --subset ci|full      ci (default): every arch/x86/configs file in every mode
                        (per-arch modes for i386, x86_64, x86), plus the first
                        defconfig (sorted) of every other arch (defconfig,
                        olddefconfig, savedefconfig); full: every file under
                        arch/*/configs of every arch, and the per-arch modes of
                        every ARCH used
  --modes LIST          comma list out of $ALL_MODES
                        (default: all; "distro" is added by --distro)
  --distro              also --olddefconfig on each Debian distro config of the tree
  --candidate CMD       default "\$REPO/kxen-config conf"; run as \`CMD --olddefconfig
                        Kconfig\` etc., exactly like scripts/kconfig/conf
  --extra               also compare include/config/auto.conf and
                        include/generated/autoconf.h (written by every mode but
                        savedefconfig)
  -j N                  parallel jobs (default: nproc = $(nproc))
  --keep DIR            keep the object directories and outputs of failed cases
  --show N              differing lines shown per failure (default 10)
  --timeout S           kill a tool after S seconds (default 300; exit status 124)
  --no-oracle-cache     always run the oracle (its results are otherwise cached in
                        \$KX_CACHE/oracle-results, keyed by conf, environment,
                        toolchain, arguments and input; also KX_NO_ORACLE_CACHE=1)
  --list                print the cases that would run, run nothing
Ends with the line "N passed, N failed" (", N skipped" when the oracle itself failed).
Exit: 0 all passed, 1 failures, 2 usage or environment error.
EOF
}

# ---------------------------------------------------------------- one job (internal)
# A job is one line "KIND|TREE|ARCHSPEC|ARG" (see enumerate below); it runs in its own
# process (xargs -P) and appends result lines to a file of its own under $KXC_WORK/res:
# STATUS<TAB>TREE<TAB>MODE<TAB>ARCHSPEC<TAB>LABEL<TAB>WARN<TAB>ID<TAB>NOTE

# run_tool DIR CMD...: run a tool in DIR with the oracle environment; print its status
# (124: killed after --timeout seconds).
run_tool() {
	local dir=$1 rc=0
	shift
	(cd "$dir" && exec timeout -k 10 "$KXC_TIMEOUT" env -i "${KX_ENV[@]}" "$@") \
		>"$dir.out" 2>"$dir.err" </dev/null || rc=$?
	echo "$rc"
}

# record STATUS MODE LABEL WARN ID NOTE
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$J_TREE" "$2" "$J_ARCH" "$3" "$4" \
		"$5" "$6" >>"$J_RES"
}

# show_diff A B: the first KXC_SHOW changed lines of diff -u A B, indented.
show_diff() {
	local n
	n=$(diff -u "$1" "$2" | tail -n +3 | grep -c '^[-+]' || true)
	diff -u "$1" "$2" | tail -n +3 | grep '^[-+]' | head -n "$KXC_SHOW" | sed 's/^/    /' || true
	((n <= KXC_SHOW)) || echo "    ... ($((n - KXC_SHOW)) more changed lines)"
}

# run_oracle DIR INPUT CONF-ARGS...: like run_tool for the oracle, but served from
# $KX_CACHE/oracle-results when the same conf binary, environment, toolchain
# (KXC_FPRINT), arguments and input were seen before. Entries hold the status, stdout,
# stderr and the gzipped output files.
ORACLE_FILES=(.config defconfig include/config/auto.conf include/generated/autoconf.h)
run_oracle() {
	local dir=$1 input=$2 key ent tmp f so
	shift 2
	[[ -n $KXC_FPRINT ]] || { run_tool "$dir" "$J_ORACLE" "$@"; return; }
	key=$({
		printf '%s\n' "$KXC_FPRINT" "$J_ORACLE" "$@"
		stat -c '%s %Y' "$J_ORACLE"
		printf '%s\n' "${KX_ENV[@]}"
		[[ -z $input ]] || cat "$input"
	} | sha256sum | cut -c1-40)
	ent=$KX_CACHE/oracle-results/${key:0:2}/$key
	if [[ -f $ent/status ]]; then
		for f in "${ORACLE_FILES[@]}"; do
			[[ -f $ent/$f.gz ]] || continue
			mkdir -p "$(dirname "$dir/$f")"
			gzip -dc "$ent/$f.gz" >"$dir/$f"
		done
		cp "$ent/out" "$dir.out"
		cp "$ent/err" "$dir.err"
		cat "$ent/status"
		return
	fi
	so=$(run_tool "$dir" "$J_ORACLE" "$@")
	mkdir -p "$(dirname "$ent")"
	tmp=$(mktemp -d "$ent.tmp.XXXXXX")
	for f in "${ORACLE_FILES[@]}"; do
		[[ ! -f $dir/$f ]] || { mkdir -p "$(dirname "$tmp/$f")" && gzip -1c "$dir/$f" >"$tmp/$f.gz"; }
	done
	cp "$dir.out" "$tmp/out"
	cp "$dir.err" "$tmp/err"
	echo "$so" >"$tmp/status"
	mv -T "$tmp" "$ent" 2>/dev/null || rm -rf "$tmp"
	echo "$so"
}

# run_case MODE LABEL INPUT OUTFILE CONF-ARGS...: one comparison. INPUT (a .config or
# "") is copied into both object directories first. The oracle's object directory is
# left in $J_BASE.o for the next step of a chain.
run_case() {
	local mode=$1 label=$2 input=$3 outf=$4 so sc f warn=0 note="" id
	shift 4
	id=$J_TREE.$J_ARCH.$mode.${label#arch/*/configs/}
	id=${id//[^A-Za-z0-9._-]/_}
	J_BASE=$J_WORK/$id
	mkdir -p "$J_BASE.o" "$J_BASE.c"
	if [[ -n $input ]]; then
		cp "$input" "$J_BASE.o/.config"
		cp "$input" "$J_BASE.c/.config"
	fi
	so=$(run_oracle "$J_BASE.o" "$input" "$@")
	if [[ ,$KXC_MODES, != *,$mode,* ]]; then
		rm -rf "$J_BASE.c" "$J_BASE.c.out" "$J_BASE.c.err"
		return 0
	fi
	sc=$(run_tool "$J_BASE.c" "${J_CAND[@]}" "$@")
	cmp -s "$J_BASE.o.out" "$J_BASE.c.out" && cmp -s "$J_BASE.o.err" "$J_BASE.c.err" || warn=1
	local files=("$outf")
	[[ -n $KXC_EXTRA && $mode != savedefconfig ]] &&
		files+=(include/config/auto.conf include/generated/autoconf.h)
	{
		[[ $so == "$sc" ]] || note="exit status: oracle $so, candidate $sc"
		for f in "${files[@]}"; do
			if [[ -f $J_BASE.o/$f && -f $J_BASE.c/$f ]]; then
				cmp -s "$J_BASE.o/$f" "$J_BASE.c/$f" && continue
				note=${note:+$note; }"$f differs"
				show_diff "$J_BASE.o/$f" "$J_BASE.c/$f"
			elif [[ -f $J_BASE.o/$f ]]; then
				note=${note:+$note; }"candidate wrote no $f"
			elif [[ -f $J_BASE.c/$f ]]; then
				note=${note:+$note; }"oracle wrote no $f, candidate did"
			fi
		done
		if [[ $so != "$sc" ]]; then
			echo "    oracle stderr: $(head -c 300 "$J_BASE.o.err" | tr '\n' ' ')"
			echo "    candidate stderr: $(head -c 300 "$J_BASE.c.err" | tr '\n' ' ')"
		fi
	} >"$J_BASE.diff"
	if [[ -z $note ]]; then
		record PASS "$mode" "$label" "$warn" "$id" ""
	else
		record FAIL "$mode" "$label" "$warn" "$id" "$note"
		cp "$J_BASE.diff" "$KXC_WORK/diff/$id"
		if [[ -n $KXC_KEEP ]]; then
			mkdir -p "$KXC_KEEP/$id"
			cp -a "$J_BASE".{o,c} "$J_BASE".{o,c}.{out,err} "$KXC_KEEP/$id/"
			[[ -n $input ]] && cp "$input" "$KXC_KEEP/$id/input.config"
		fi
	fi
	rm -rf "$J_BASE.c" "$J_BASE.c.out" "$J_BASE.c.err" "$J_BASE.diff"
}

# chain_next NAME: move the oracle's .config of the last case to the job directory as
# the next step's input and print its path (nothing if the oracle wrote none).
chain_next() {
	if [[ -f $J_BASE.o/.config ]]; then
		mv "$J_BASE.o/.config" "$J_WORK/$1.config"
		echo "$J_WORK/$1.config"
	fi
	rm -rf "$J_BASE.o" "$J_BASE.o.out" "$J_BASE.o.err"
}

# skip MODE LABEL: record SKIP for a case whose input the oracle did not produce.
skip() {
	[[ ,$KXC_MODES, == *,$1,* ]] || return 0
	record SKIP "$1" "$2" 0 - "oracle wrote no .config in the previous step"
}

run_job() {
	local kind tree arch arg in
	IFS='|' read -r kind tree arch arg <<<"$1"
	J_TREE=$tree
	J_ARCH=$arch
	J_RES=$(mktemp "$KXC_WORK/res/job.XXXXXX")
	J_WORK=$(mktemp -d "$KXC_WORK/run/job.XXXXXX")
	J_ORACLE=$KX_CACHE/oracle/linux-source-$tree/scripts/kconfig/conf
	read -ra J_CAND <<<"$KXC_CAND"
	kx_read_env "$KX_CACHE/env/linux-source-$tree-${arch/:/-}.env"
	case $kind in
	D)
		run_case defconfig "$arg" "" .config --defconfig="$arg" Kconfig
		in=$(chain_next defconfig)
		if [[ -z $in ]]; then
			skip olddefconfig "$arg"
			skip savedefconfig "$arg"
		else
			run_case olddefconfig "$arg" "$in" .config --olddefconfig Kconfig
			in=$(chain_next olddefconfig)
			if [[ -z $in ]]; then
				skip savedefconfig "$arg"
			else
				run_case savedefconfig "$arg" "$in" defconfig \
					--savedefconfig=defconfig Kconfig
			fi
		fi
		;;
	A) run_case "$arg" "(per arch)" "" .config --"$arg" Kconfig ;;
	R) run_case distro "${arg##*/}" "$arg" .config --olddefconfig Kconfig ;;
	*) kx_die "bad job '$1'" ;;
	esac
	rm -rf "$J_WORK"
}

if [[ ${1:-} == --job ]]; then
	shift
	for spec in "$@"; do run_job "$spec"; done
	exit 0
fi

# ---------------------------------------------------------------- options
tree_arg=all subset=ci modes=$ALL_MODES distro=0 jobs=$(nproc) keep="" show=10
candidate="" extra="" list=0 ocache=1 timeout=300
while (($#)); do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--tree) tree_arg=${2:?}; shift ;;
	--subset) subset=${2:?}; shift ;;
	--modes) modes=${2:?}; shift ;;
	--distro) distro=1 ;;
	--candidate) candidate=${2:?}; shift ;;
	--extra) extra=1 ;;
	-j) jobs=${2:?}; shift ;;
	-j*) jobs=${1#-j} ;;
	--keep) keep=${2:?}; shift ;;
	--show) show=${2:?}; shift ;;
	--timeout) timeout=${2:?}; shift ;;
	--list) list=1 ;;
	--no-oracle-cache) ocache=0 ;;
	*) kx_log "unknown option '$1'"; usage >&2; exit 2 ;;
	esac
	shift
done
tree_list=$(kx_tree_list "$tree_arg") || exit 2
mapfile -t trees <<<"$tree_list"
((${#trees[@]})) || kx_die "--tree: no release named"
[[ $subset == ci || $subset == full ]] || kx_die "--subset: want ci or full"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || kx_die "-j: want a positive number"
[[ $show =~ ^[0-9]+$ ]] || kx_die "--show: want a number"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || kx_die "--timeout: want a positive number of seconds"
for m in ${modes//,/ }; do
	[[ ,$ALL_MODES, == *,$m,* ]] || kx_die "--modes: unknown mode '$m'"
done
((distro)) && modes+=,distro
if [[ -n $keep ]]; then
	mkdir -p "$keep" || kx_die "cannot create $keep"
	keep=$(cd "$keep" && pwd)
fi

# The candidate runs under env -i with a fixed PATH: make its program absolute.
if [[ -z $candidate ]]; then
	kx_has_conf "$KX_REPO/kxen-config" ||
		kx_die "$KX_REPO/kxen-config has no 'conf' command yet (build it, or pass --candidate)"
	candidate="$KX_REPO/kxen-config conf"
fi
read -ra cand_words <<<"$candidate"
prog=${cand_words[0]}
if [[ $prog != /* ]]; then
	if [[ $prog == */* ]]; then
		prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
	else
		prog=$(command -v "$prog") || kx_die "candidate '$prog' not found"
	fi
fi
[[ -x $prog ]] || kx_die "candidate '$prog' is not an executable file"
cand_words[0]=$prog
candidate="${cand_words[*]}"

# ---------------------------------------------------------------- enumerate cases
# archspec_for DIR FILE: the ARCH the kernel Makefile uses for `make FILE` (arch:SUBARCH
# for um's i386_defconfig).
archspec_for() {
	case $1/${2##*/} in
	x86/i386_defconfig) echo i386 ;;
	x86/x86_64_defconfig) echo x86_64 ;;
	sparc/sparc64_defconfig) echo sparc64 ;;
	parisc/*64bit_defconfig | parisc/*64_defconfig) echo parisc64 ;;
	um/i386_defconfig) echo um:i386 ;;
	*) echo "$1" ;;
	esac
}

# enumerate VERSION TREE: print job lines.
enumerate() {
	local v=$1 tree=$2 d a f first
	local -A arches=()
	for d in "$tree"/arch/*/configs; do
		a=$(basename "$(dirname "$d")")
		if [[ $subset == full ]]; then
			(cd "$tree" && find "arch/$a/configs" -type f | LC_ALL=C sort)
		elif [[ $a == x86 ]]; then
			(cd "$tree" && find "arch/$a/configs" -maxdepth 1 -type f | LC_ALL=C sort)
		else
			first=$(cd "$tree" && find "arch/$a/configs" -maxdepth 1 -type f \
				-name '*defconfig' | LC_ALL=C sort | head -n 1)
			[[ -n $first ]] && echo "$first"
		fi
	done >"$work/files.$v"
	local chain=0
	[[ ,$modes, =~ ,(defconfig|olddefconfig|savedefconfig), ]] && chain=1
	while IFS= read -r f; do
		a=$(cut -d/ -f2 <<<"$f")
		# ci: the per-arch modes only for x86 (i386, x86_64, x86); full: every arch.
		[[ $subset == full || $a == x86 ]] && arches[$(archspec_for "$a" "$f")]=1
		a=$(archspec_for "$a" "$f")
		((chain == 0)) || echo "D|$v|$a|$f"
	done <"$work/files.$v"
	for a in $(printf '%s\n' "${!arches[@]}" | LC_ALL=C sort); do
		for m in alldefconfig allnoconfig allyesconfig allmodconfig; do
			[[ ,$modes, == *,$m,* ]] && echo "A|$v|$a|$m"
		done
	done
	if ((distro)); then
		for f in "$KX_CACHE/distro-configs/$v"/config.*; do
			[[ -f $f ]] || kx_die "no distro configs for $v (run scripts/fetch-trees.sh)"
			echo "R|$v|x86_64|$f"
		done
	fi
	return 0
}

work=$(kx_mktemp_dir)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/res" "$work/run" "$work/diff"
start=$(kx_now)
for v in "${trees[@]}"; do
	tree=$(kx_tree_dir "$v")
	enumerate "$v" "$tree" >>"$work/jobs"
done
if ((list)); then
	cut -d'|' -f2- "$work/jobs" | tr '|' ' '
	exit 0
fi

# Oracles and environments first (cached), environments in parallel.
for v in "${trees[@]}"; do
	"$KX_REPO/scripts/build-oracle.sh" "$v" >/dev/null
done
cut -d'|' -f2,3 "$work/jobs" | LC_ALL=C sort -u | tr '|:' '  ' >"$work/envs"
# shellcheck disable=SC2016 # expanded by the inner shell
if ! xargs -P "$jobs" -L 1 sh -c '"$0" "$@" >/dev/null' \
	"$KX_REPO/scripts/oracle-env.sh" <"$work/envs"; then
	kx_die "could not compute the oracle environment of some arch (see above)"
fi
prep=$(kx_elapsed "$start")

# The oracle's results depend on the programs Kconfig's $(shell,...) probes: fingerprint
# them (path, size, mtime) as part of the oracle cache key.
fprint=""
if ((ocache)) && [[ -z ${KX_NO_ORACLE_CACHE:-} ]]; then
	fprint=$(
		export PATH=$KX_ORACLE_PATH
		for t in gcc "$(gcc -print-prog-name=cc1 2>/dev/null)" as ld clang ld.lld \
			pahole rustc bindgen perl python3 "${KX_ORACLE_FPRINT_EXTRA:-}"; do
			p=$(command -v "$t" 2>/dev/null) || p=""
			[[ -n $p ]] && stat -L -c '%n %s %Y' "$p" || echo "$t none"
		done | sha256sum | cut -c1-16
	)
fi

ncase=$(awk -F'|' -v m=",$modes," '
	$1=="D" { n += (m ~ /,defconfig,/) + (m ~ /,olddefconfig,/) + (m ~ /,savedefconfig,/) }
	$1!="D" { n++ } END { print n+0 }' "$work/jobs")
echo "conformance: ${trees[*]}, subset $subset, $(wc -l <"$work/jobs") jobs, $ncase cases," \
	"-j $jobs, candidate: $candidate (setup ${prep}s)"
export KXC_FPRINT=$fprint KXC_WORK=$work KXC_CAND=$candidate KXC_MODES=$modes KXC_EXTRA=$extra \
	KXC_KEEP=$keep KXC_SHOW=$show KXC_TIMEOUT=$timeout
# D jobs first: they are the longest (three cases each).
tr '\n' '\0' <"$work/jobs" | xargs -0 -P "$jobs" -n 1 "$0" --job ||
	kx_log "warning: a job crashed (see above); its cases count as failed"

# ---------------------------------------------------------------- report
cat "$work"/res/job.?????? >"$work/results" 2>/dev/null || true
while IFS=$'\t' read -r st tr mode arch label _ id note; do
	[[ $st == FAIL ]] || continue
	echo "FAIL $tr $arch $mode $label: $note"
	cat "$work/diff/$id"
done < <(LC_ALL=C sort -t$'\t' -k2,2V -k4,5 -k3,3 "$work/results")
echo "per tree and mode:"
awk -F'\t' '{ k = $2 " " $3; t[k]++; if ($1 == "PASS") p[k]++; if ($1 == "FAIL") f[k]++;
	if ($1 == "SKIP") s[k]++ }
	END { for (k in t) printf "  %-20s %4d passed, %d failed%s\n", k, p[k], f[k],
		s[k] ? ", " s[k] " skipped" : "" }' "$work/results" | LC_ALL=C sort -V
read -r npass nfail nskip nwarn < <(awk -F'\t' '{ c[$1]++; if ($6 == 1) w++ }
	END { print c["PASS"]+0, c["FAIL"]+0, c["SKIP"]+0, w+0 }' "$work/results")
echo "$nwarn cases with different warnings (stdout/stderr differ; not failures)"
awk -F'\t' '$6 == 1 { print "  " $2, $4, $3, $5 }' "$work/results" | LC_ALL=C sort | head -n 10
echo "time: $(kx_elapsed "$start")s"
if ((npass + nfail + nskip != ncase)); then
	kx_log "expected $ncase results, got $((npass + nfail + nskip)): a job died"
	nfail=$((nfail + ncase - npass - nskip))
	((nfail > 0)) || nfail=1
fi
if ((nskip)); then
	echo "$npass passed, $nfail failed, $nskip skipped"
else
	echo "$npass passed, $nfail failed"
fi
((nfail == 0))
