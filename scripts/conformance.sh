#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/conformance.sh - compare a candidate conf against the kernel's own
# scripts/kconfig/conf ("the oracle"), byte for byte, on real kernel trees.
#
# Each case runs both tools in their own object directory (the cwd), prepared from the
# same input, in the environment the kernel's make gives conf (scripts/oracle-env.sh,
# under env -i, stdin /dev/null), with the tree as $srctree. A case passes when both
# exit with the same status and leave identical object directories: the same files,
# byte for byte (.config, .config.old, defconfig, include/config/auto.conf,
# include/config/auto.conf.cmd, include/generated/autoconf.h, include/generated/rustc_cfg,
# the per-symbol touch files under include/config/...), and the same set of files
# rewritten by the run (every input file is dated @1000000000 first).
# Cases per defconfig file F of an arch (a chain; each input is made by the oracle, so
# one bug does not cascade):
#   defconfig        --defconfig=arch/SRCARCH/configs/F Kconfig, empty directory
#   olddefconfig     --olddefconfig Kconfig on F itself copied to .config
#   savedefconfig    --savedefconfig=defconfig Kconfig on the oracle's olddefconfig .config
#                    (edited by edit_config when that gives an empty defconfig)
#   syncconfig       --syncconfig Kconfig on the oracle's olddefconfig .config
#   syncconfig-incr  --syncconfig Kconfig again in (a copy of) the oracle's syncconfig
#                    directory, its .config edited (edit_config), all files dated old
# Cases per ARCH: --alldefconfig --allnoconfig --allyesconfig --allmodconfig.
# Cases per x86 ARCH (i386, x86_64): --randconfig with KCONFIG_SEED set to each of
# RAND_SEEDS (ci: the first three), in an empty directory (conf's own random draws,
# KCONFIG_SEED line on stdout or, in 5.10, stderr).
# With --distro: --olddefconfig on each of Debian's configs of the tree ("distro"),
# perturbed (perturb_config) should the oracle leave one unchanged.
# The oracle must succeed and change its input: otherwise the case is an error of the
# run (a failure), never a pass, and the oracle's result is not cached.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

CHAIN_MODES=defconfig,olddefconfig,savedefconfig,syncconfig
ARCH_MODES=alldefconfig,allnoconfig,allyesconfig,allmodconfig
ALL_MODES=$CHAIN_MODES,$ARCH_MODES,randconfig
# randconfig seeds (hex, as conf prints them); ci takes the first three
RAND_SEEDS="0x1 0x2a 0x1b1 0xdead 0xc0ffee 0x7fffffff"
# Every input file is dated OLD_TIME before a run: the files newer than that afterwards
# are the ones the tool (re)wrote.
OLD_TIME=1000000000
# Version of the oracle-results entries (part of the key).
CACHE_FORMAT=3

usage() {
	cat <<EOF
Usage: $kx_prog [options]

Compare a candidate conf with each kernel tree's own scripts/kconfig/conf.
  --tree V[,V...]|all   releases to test (default all: ${KX_TREE_VERSIONS[*]};
                        any release scripts/fetch-trees.sh knows, e.g. 7.2)
  --subset ci|full      ci (default): every arch/x86/configs file in every mode
                        (per-arch modes and randconfig for i386, x86_64, x86), the
                        first defconfig (sorted) of arm64, and of a share of the
                        other arches: an arch goes to one tree of
                        ${KX_TREE_VERSIONS[*]} (the sum of its name's bytes
                        mod 4), so that the four trees together cover every arch
                        once (a tree not in that list gets every arch); full: every file under arch/*/configs of
                        every arch, and the per-arch modes of every ARCH used
  --modes LIST          comma list out of $ALL_MODES
                        (default: all; "syncconfig" is two cases: syncconfig and
                        syncconfig-incr; "randconfig" runs on i386 and x86_64 with
                        KCONFIG_SEED from $RAND_SEEDS
                        (ci: the first three); "distro" is added by --distro)
  --arch LIST           only the cases of these ARCHes (comma list, as --list prints
                        them: x86_64, i386, x86, arm64, um:i386...)
  --only ERE            only the jobs whose --list line ("TREE ARCH FILE-OR-MODE")
                        matches the extended regular expression ERE
  --distro              also --olddefconfig on each Debian distro config of the tree
  --candidate CMD       default "\$REPO/kxen-config conf"; run as \`CMD --olddefconfig
                        Kconfig\` etc., exactly like scripts/kconfig/conf
  --strict-messages     different stdout or stderr is a failure (default: reported
                        as a warning only)
  --extra               accepted for compatibility; does nothing: every case compares
                        the whole object directory (auto.conf, autoconf.h, ...)
  -j N                  parallel jobs (default: nproc = $(nproc))
  --keep DIR            keep the object directories and outputs of failed cases
  --show N              differing lines shown per failure (default 10)
  --timeout S           kill a tool after S seconds (default 300; exit status 124)
  --no-oracle-cache     always run the oracle (its successful results are otherwise
                        cached in \$KX_CACHE/oracle-results, keyed by conf, environment,
                        toolchain, arguments and input directory; also
                        KX_NO_ORACLE_CACHE=1)
  --list                print the jobs that would run, run nothing
Environment (to test this script; see tests/kernel/conformance-selftest.sh):
  KXC_ORACLE=PATH         run PATH as the oracle of every tree instead of the tree's
                          own conf
  KXC_ORACLE_RESULTS=DIR  keep the oracle's cached results in DIR instead
A case whose oracle exits non-zero, writes no or an empty output file, or leaves its
input unchanged counts as failed ("oracle failed: exit N", ...), as do the later
steps of its chain ("not run: ...").
Ends with the line "N passed, N failed".
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

# manifest DIR: "SHA256  ./PATH" for every regular file under DIR, sorted by path.
manifest() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# rewritten DIR: the files under DIR newer than OLD_TIME, i.e. (re)written by the run.
rewritten() {
	(cd "$1" && find . -type f -newer "$J_WORK/old.ref" -printf '%P\n' | LC_ALL=C sort)
}

# make_old DIR: date every file under DIR OLD_TIME.
make_old() {
	(cd "$1" && find . -type f -print0 | xargs -0 -r touch -h -d "@$OLD_TIME")
}

# restore_entry ENT DIR: DIR becomes the object directory stored in cache entry ENT
# (non-empty files in files.tar.gz with their dates; empty files listed in empty.gz as
# "N PATH" (rewritten) or "O PATH" (dated OLD_TIME)).
restore_entry() {
	local ent=$1 dir=$2
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xzf "$ent/files.tar.gz" -C "$dir"
	gzip -dc "$ent/empty.gz" >"$dir.empty"
	(
		cd "$dir"
		cut -c3- "$dir.empty" | sed -n 's|/[^/]*$||p' | LC_ALL=C sort -u |
			tr '\n' '\0' | xargs -0 -r mkdir -p
		sed -n 's/^N //p' "$dir.empty" | tr '\n' '\0' | xargs -0 -r touch
		sed -n 's/^O //p' "$dir.empty" | tr '\n' '\0' | xargs -0 -r touch -d "@$OLD_TIME"
	)
	rm -f "$dir.empty"
	cp "$ent/out" "$dir.out"
	cp "$ent/err" "$dir.err"
}

# store_entry DIR ENT STATUS: store the object directory DIR (see restore_entry).
store_entry() {
	local dir=$1 ent=$2 tmp
	mkdir -p "$(dirname "$ent")"
	tmp=$(mktemp -d "$ent.tmp.XXXXXX")
	(
		cd "$dir"
		find . -type f -size +0 -printf '%P\0' | LC_ALL=C sort -z |
			tar --null -T - -czf "$tmp/files.tar.gz"
		{
			find . -type f -empty -newer "$J_WORK/old.ref" -printf 'N %P\n'
			find . -type f -empty ! -newer "$J_WORK/old.ref" -printf 'O %P\n'
		} | gzip -1 >"$tmp/empty.gz"
	)
	cp "$dir.out" "$tmp/out"
	cp "$dir.err" "$tmp/err"
	echo "$3" >"$tmp/status"
	mv -T "$tmp" "$ent" 2>/dev/null || rm -rf "$tmp"
}

# run_oracle DIR INDIR OUTFILE CONF-ARGS...: like run_tool for the oracle, but served
# from $KX_CACHE/oracle-results when the same conf binary, environment, toolchain
# (KXC_FPRINT), arguments and input directory (INDIR, or "" for an empty one) were seen
# before. Only successful results (status 0, OUTFILE written and not empty) are stored.
run_oracle() {
	local dir=$1 indir=$2 outf=$3 key ent so
	shift 3
	[[ -n $KXC_FPRINT ]] || { run_tool "$dir" "$J_ORACLE" "$@"; return; }
	key=$({
		printf '%s\n' "format $CACHE_FORMAT" "$KXC_FPRINT" "$J_ORACLE" "$@"
		stat -c '%s %Y' "$J_ORACLE"
		printf '%s\n' "${KX_ENV[@]}"
		[[ -z $indir ]] || manifest "$indir"
	} | sha256sum | cut -c1-40)
	ent=${KXC_ORACLE_RESULTS:-$KX_CACHE/oracle-results}/${key:0:2}/$key
	if [[ -f $ent/status && -f $ent/files.tar.gz && -f $ent/empty.gz ]]; then
		restore_entry "$ent" "$dir"
		cat "$ent/status"
		return
	fi
	so=$(run_tool "$dir" "$J_ORACLE" "$@")
	[[ $so == 0 && -s $dir/$outf ]] && store_entry "$dir" "$ent" "$so"
	echo "$so"
}

# compare_dirs O C: print one line per difference between the object directories O
# (oracle) and C (candidate): "missing PATH", "extra PATH", "differs PATH",
# "rewritten only by the oracle: PATH", "rewritten only by the candidate: PATH".
compare_dirs() {
	manifest "$1" >"$1.man"
	manifest "$2" >"$2.man"
	rewritten "$1" >"$1.new"
	rewritten "$2" >"$2.new"
	# (FILENAME, not FNR == 1: any of the four files may be empty)
	awk 'FILENAME == ARGV[1] { o[substr($0, 69)] = $1; next }
		FILENAME == ARGV[2] { p = substr($0, 69); c[p] = $1
			if (!(p in o)) print "extra " p; else if (o[p] != $1) print "differs " p; next }
		FILENAME == ARGV[3] { on[$0] = 1; next }
		FILENAME == ARGV[4] { cn[$0] = 1; next }
		END {
			for (p in o) if (!(p in c)) print "missing " p
			for (p in on) if (!(p in cn) && (p in c)) print "rewritten only by the oracle: " p
			for (p in cn) if (!(p in on) && (p in o)) print "rewritten only by the candidate: " p
		}' "$1.man" "$2.man" "$1.new" "$2.new" | LC_ALL=C sort -k2
	rm -f "$1.man" "$2.man" "$1.new" "$2.new"
}

# is_touch PATH: true for a per-symbol touch file (include/config/FOO, or
# include/config/foo/bar.h on 5.10), i.e. anything under include/config/ but auto.conf
# and auto.conf.cmd.
is_touch() {
	[[ $1 == include/config/* && $1 != include/config/auto.conf &&
		$1 != include/config/auto.conf.cmd ]]
}

# summarize_diffs O C NOTE: compare the object directories (compare_dirs); print the
# differences in detail (diffs of the first changed files, names of touch files) and
# write a one-line summary to the file NOTE (empty when the directories agree). Touch
# files are counted, the other files named.
summarize_diffs() {
	local line kind p ndiff=0 nshow=0 sep=""
	local -a what=() tshow=()
	local -A tcount=() tfirst=()
	while IFS= read -r line; do
		case $line in
		"differs "*) kind="differ" p=${line#differs } ;;
		"missing "*) kind="missing in the candidate's" p=${line#missing } ;;
		"extra "*) kind="written only by the candidate" p=${line#extra } ;;
		"rewritten only by the oracle: "*) kind="rewritten only by the oracle" p=${line#*: } ;;
		*) kind="rewritten only by the candidate" p=${line#*: } ;;
		esac
		if is_touch "$p"; then
			tcount[$kind]=$((${tcount[$kind]:-0} + 1))
			[[ -n ${tfirst[$kind]:-} ]] || tfirst[$kind]=$p
			if ((nshow < KXC_SHOW)); then
				tshow+=("    touch file $kind: $p")
				nshow=$((nshow + 1))
			fi
			continue
		fi
		case $kind in
		differ)
			what+=("$p differs")
			ndiff=$((ndiff + 1))
			((ndiff > 3)) || show_diff "$1/$p" "$2/$p"
			;;
		"missing in the candidate's") what+=("candidate wrote no $p") ;;
		*) what+=("$p $kind") ;;
		esac
	done < <(compare_dirs "$1" "$2")
	((nshow == 0)) || printf '%s\n' "${tshow[@]}"
	for kind in "${!tcount[@]}"; do
		what+=("${tcount[$kind]} touch files $kind (first: ${tfirst[$kind]})")
	done
	for line in "${what[@]}"; do
		printf '%s%s' "$sep" "$line"
		sep="; "
	done >"$3"
}

# case_id MODE LABEL: a file name for the case.
case_id() {
	local id=$J_TREE.$J_ARCH.$1.${2#arch/*/configs/}
	echo "${id//[^A-Za-z0-9._-]/_}"
}

# fail_case MODE LABEL NOTE [DETAIL-FILE]: record a case that was not compared.
fail_case() {
	local id
	[[ ,$KXC_MODES, == *,${1%-incr},* ]] || return 0
	id=$(case_id "$1" "$2")
	if [[ -n ${4:-} ]]; then cp "$4" "$KXC_WORK/diff/$id"; else : >"$KXC_WORK/diff/$id"; fi
	record FAIL "$1" "$2" 0 "$id" "$3"
}

# run_case MODE LABEL INDIR OUTFILE CONF-ARGS...: one comparison. The files of the
# directory INDIR ("" = none) are dated OLD_TIME and copied into both object
# directories first. The oracle's object directory is left in $J_BASE.o; J_OK is 1 when
# the oracle succeeded (its output can be the input of a next step), else J_WHY says
# why. When J_RETRY is set and the oracle's OUTFILE is empty or the same as the input's
# (a candidate that does nothing could pass), returns 3 without recording anything: the
# caller retries with another input.
run_case() {
	local mode=$1 label=$2 indir=$3 outf=$4 so sc warn=0 note="" id f dirs_note
	shift 4
	id=$(case_id "$mode" "$label")
	J_BASE=$J_WORK/$id
	J_OK=0 J_WHY=""
	rm -rf "$J_BASE.o" "$J_BASE.c"
	mkdir -p "$J_BASE.o" "$J_BASE.c"
	if [[ -n $indir ]]; then
		make_old "$indir"
		cp -a "$indir/." "$J_BASE.o/"
		cp -a "$indir/." "$J_BASE.c/"
	fi
	so=$(run_oracle "$J_BASE.o" "$indir" "$outf" "$@")
	if [[ $so != 0 ]]; then
		J_WHY="oracle failed: exit $so"
	elif [[ ! -f $J_BASE.o/$outf ]]; then
		J_WHY="oracle wrote no $outf"
	elif [[ ! -s $J_BASE.o/$outf ]]; then
		[[ -n ${J_RETRY:-} ]] && return 3
		J_WHY="oracle wrote an empty $outf"
	else
		J_OK=1
		if [[ -n $indir && -f $indir/$outf ]] && cmp -s "$indir/$outf" "$J_BASE.o/$outf"; then
			[[ -n ${J_RETRY:-} ]] && return 3
			note="oracle left $outf unchanged: this input cannot tell a candidate that does nothing apart"
		fi
	fi
	if [[ ,$KXC_MODES, != *,${mode%-incr},* ]]; then
		rm -rf "$J_BASE.c"
		return 0
	fi
	if ((J_OK == 0)); then
		{
			echo "    oracle stderr: $(head -c 300 "$J_BASE.o.err" | tr '\n' ' ')"
		} >"$J_BASE.diff"
		fail_case "$mode" "$label" "$J_WHY" "$J_BASE.diff"
		keep_case "$id" "$indir"
		rm -rf "$J_BASE.c" "$J_BASE.diff"
		return 0
	fi
	sc=$(run_tool "$J_BASE.c" "${J_CAND[@]}" "$@")
	{
		[[ $so == "$sc" ]] || note=${note:+$note; }"exit status: oracle $so, candidate $sc"
		summarize_diffs "$J_BASE.o" "$J_BASE.c" "$J_BASE.note"
		dirs_note=$(cat "$J_BASE.note")
		[[ -z $dirs_note ]] || note=${note:+$note; }$dirs_note
		for f in out err; do
			cmp -s "$J_BASE.o.$f" "$J_BASE.c.$f" && continue
			warn=1
			[[ -n $KXC_STRICT_MSG ]] || continue
			note=${note:+$note; }"std$f differs"
			show_diff "$J_BASE.o.$f" "$J_BASE.c.$f"
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
		keep_case "$id" "$indir"
	fi
	rm -rf "$J_BASE.c" "$J_BASE.c.out" "$J_BASE.c.err" "$J_BASE.diff" "$J_BASE.note"
}

# keep_case ID INDIR: with --keep, save both object directories, their stdout/stderr
# and the input directory of a failed case.
keep_case() {
	[[ -n $KXC_KEEP ]] || return 0
	mkdir -p "$KXC_KEEP/$1"
	cp -a "$J_BASE".{o,c} "$J_BASE".o.{out,err} "$KXC_KEEP/$1/" 2>/dev/null || true
	cp -a "$J_BASE".c.{out,err} "$KXC_KEEP/$1/" 2>/dev/null || true
	[[ -z $2 ]] || cp -a "$2" "$KXC_KEEP/$1/input"
}

# take_input NAME FILE...: a new input directory $J_WORK/in.NAME holding FILEs of the
# oracle's object directory of the last case ("." = all of it); prints its path.
take_input() {
	local name=$1 f
	shift
	rm -rf "$J_WORK/in.$name"
	if [[ $1 == . ]]; then
		cp -a "$J_BASE.o" "$J_WORK/in.$name"
	else
		mkdir -p "$J_WORK/in.$name"
		for f in "$@"; do cp -a "$J_BASE.o/$f" "$J_WORK/in.$name/$f"; done
	fi
	echo "$J_WORK/in.$name"
}

# done_case: remove the oracle's object directory of the last case.
done_case() { rm -rf "$J_BASE.o" "$J_BASE.o.out" "$J_BASE.o.err"; }

# edit_config IN OUT: deterministic edits for syncconfig-incr, so that the oracle must
# rewrite .config and auto.conf: every 25th "=y" symbol off, every 25th "is not set"
# symbol on, every 25th (counted from the 12th) "is not set" line deleted (the symbol is
# new: syncconfig asks for it and reads EOF), every 10th "=m" made "=y".
edit_config() {
	awk '/^CONFIG_[A-Za-z0-9_]+=y$/ { if (++ny % 25 == 0) { sub(/=y$/, "")
			print "# " $0 " is not set"; next } }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { if (++nn % 25 == 0) { print $2 "=y"; next }
			if (nn % 25 == 12) next }
		/^CONFIG_[A-Za-z0-9_]+=m$/ { if (++nm % 10 == 0) sub(/=m$/, "=y") }
		{ print }' "$1" >"$2"
}

# perturb_config IN OUT: a distro config the oracle would leave unchanged, made into
# one it has to rewrite: no leading comment lines, no "# end of" lines, and every 10th
# "is not set" line deleted.
perturb_config() {
	awk '!body && /^#/ { next } { body = 1 }
		/^# end of / { next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { if (++nn % 10 == 0) next }
		{ print }' "$1" >"$2"
}

# chain TREE-DIR F: the chain cases of one defconfig file.
chain() {
	local src=$1 f=$2 in why="" rc
	if [[ ,$KXC_MODES, == *,defconfig,* ]]; then
		run_case defconfig "$f" "" .config --defconfig="$f" Kconfig
		done_case
	fi
	[[ ,$KXC_MODES, =~ ,(olddefconfig|savedefconfig|syncconfig), ]] || return 0
	mkdir -p "$J_WORK/in.raw"
	cp "$src/$f" "$J_WORK/in.raw/.config"
	run_case olddefconfig "$f" "$J_WORK/in.raw" .config --olddefconfig Kconfig
	if ((J_OK == 0)); then
		why="not run: oracle failed in the olddefconfig step ($J_WHY)"
		fail_case savedefconfig "$f" "$why"
		fail_case syncconfig "$f" "$why"
		fail_case syncconfig-incr "$f" "$why"
		done_case
		return 0
	fi
	in=$(take_input olddefconfig .config)
	done_case
	if [[ ,$KXC_MODES, == *,savedefconfig,* ]]; then
		# An all-default config gives an empty defconfig (x86/tiny.config on ARCH=x86):
		# then the input is edited (edit_config) to have something to save.
		rc=0
		J_RETRY=1 run_case savedefconfig "$f" "$in" defconfig --savedefconfig=defconfig \
			Kconfig || rc=$?
		if ((rc == 3)); then
			done_case
			mkdir -p "$J_WORK/in.edited"
			edit_config "$in/.config" "$J_WORK/in.edited/.config"
			run_case savedefconfig "$f (edited)" "$J_WORK/in.edited" defconfig \
				--savedefconfig=defconfig Kconfig
		fi
		done_case
	fi
	[[ ,$KXC_MODES, == *,syncconfig,* ]] || return 0
	run_case syncconfig "$f" "$in" include/config/auto.conf --syncconfig Kconfig
	if ((J_OK == 0)); then
		fail_case syncconfig-incr "$f" "not run: oracle failed in the syncconfig step ($J_WHY)"
		done_case
		return 0
	fi
	in=$(take_input syncconfig .)
	done_case
	edit_config "$in/.config" "$in/.config.edited"
	mv "$in/.config.edited" "$in/.config"
	run_case syncconfig-incr "$f" "$in" .config --syncconfig Kconfig
	done_case
}

# distro FILE: --olddefconfig on a distro config; perturbed when the oracle leaves it
# unchanged.
distro() {
	local rc=0
	mkdir -p "$J_WORK/in.distro"
	cp "$1" "$J_WORK/in.distro/.config"
	J_RETRY=1 run_case distro "${1##*/}" "$J_WORK/in.distro" .config --olddefconfig Kconfig ||
		rc=$?
	if ((rc == 3)); then
		done_case
		perturb_config "$1" "$J_WORK/in.distro/.config"
		run_case distro "${1##*/} (perturbed)" "$J_WORK/in.distro" .config --olddefconfig Kconfig
	fi
	done_case
}

run_job() {
	local kind tree arch arg
	IFS='|' read -r kind tree arch arg <<<"$1"
	J_TREE=$tree
	J_ARCH=$arch
	J_RES=$(mktemp "$KXC_WORK/res/job.XXXXXX")
	J_WORK=$(mktemp -d "$KXC_WORK/run/job.XXXXXX")
	J_ORACLE=${KXC_ORACLE:-$KX_CACHE/oracle/linux-source-$tree/scripts/kconfig/conf}
	touch -d "@$OLD_TIME" "$J_WORK/old.ref"
	read -ra J_CAND <<<"$KXC_CAND"
	kx_read_env "$KX_CACHE/env/linux-source-$tree-${arch/:/-}.env"
	case $kind in
	D) chain "$KX_CACHE/src/linux-source-$tree" "$arg" ;;
	A)
		run_case "$arg" "(per arch)" "" .config --"$arg" Kconfig
		done_case
		;;
	S)
		KX_ENV+=("KCONFIG_SEED=$arg")
		run_case randconfig "KCONFIG_SEED=$arg" "" .config --randconfig Kconfig
		done_case
		;;
	R) distro "$arg" ;;
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
candidate="" list=0 ocache=1 timeout=300 arch_sel="" only="" strict_msg=""
while (($#)); do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--tree) tree_arg=${2:?}; shift ;;
	--subset) subset=${2:?}; shift ;;
	--modes) modes=${2:?}; shift ;;
	--arch) arch_sel=${2:?}; shift ;;
	--only) only=${2:?}; shift ;;
	--distro) distro=1 ;;
	--candidate) candidate=${2:?}; shift ;;
	--strict-messages) strict_msg=1 ;;
	--extra) ;;
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
[[ $arch_sel =~ ^[a-z0-9_:,]*$ ]] || kx_die "--arch: want a comma list of ARCHes"
if [[ -n $only ]]; then
	rc=0
	[[ "" =~ $only ]] || rc=$?
	((rc < 2)) || kx_die "--only: not an extended regular expression: '$only'"
fi
((distro)) && modes+=,distro
if [[ -n $keep ]]; then
	mkdir -p "$keep" || kx_die "cannot create $keep"
	keep=$(cd "$keep" && pwd)
fi
if [[ -n ${KXC_ORACLE:-} ]]; then
	[[ $KXC_ORACLE == /* ]] || KXC_ORACLE=$(cd "$(dirname "$KXC_ORACLE")" && pwd)/$(basename "$KXC_ORACLE")
	[[ -f $KXC_ORACLE && -x $KXC_ORACLE ]] || kx_die "KXC_ORACLE: '$KXC_ORACLE' is not an executable file"
	export KXC_ORACLE
	kx_log "the oracle is KXC_ORACLE=$KXC_ORACLE, not the trees' own conf"
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
# archspec_for DIR FILE TREE: the ARCH the kernel Makefile uses for `make FILE`
# (arch:SUBARCH for um's i386_defconfig). ARCH=parisc64 exists since 5.14 or so; an
# older tree (5.10) builds its 64-bit parisc defconfigs with ARCH=parisc.
archspec_for() {
	case $1/${2##*/} in
	x86/i386_defconfig) echo i386 ;;
	x86/x86_64_defconfig) echo x86_64 ;;
	sparc/sparc64_defconfig) echo sparc64 ;;
	parisc/*64bit_defconfig | parisc/*64_defconfig)
		if grep -q '^ifeq ($(ARCH),parisc64)' "$3/Makefile"; then echo parisc64; else echo parisc; fi ;;
	um/i386_defconfig) echo um:i386 ;;
	*) echo "$1" ;;
	esac
}

# enumerate VERSION TREE: print job lines.
# arch_share ARCH: a number of the arch's own (the sum of its bytes), for the share of
# the arches each tree gets in ci: the same arch goes to the same tree whatever
# arches the trees have.
arch_share() {
	local a=$1 h=0 k c
	for ((k = 0; k < ${#a}; k++)); do
		printf -v c '%d' "'${a:k:1}"
		h=$((h + c))
	done
	echo "$h"
}

enumerate() {
	local v=$1 tree=$2 d a f first ti=-1 nt=${#KX_TREE_VERSIONS[@]}
	local -A arches=()
	for d in "${!KX_TREE_VERSIONS[@]}"; do
		[[ ${KX_TREE_VERSIONS[$d]} == "$v" ]] && ti=$d
	done
	for d in "$tree"/arch/*/configs; do
		a=$(basename "$(dirname "$d")")
		if [[ $subset == full ]]; then
			(cd "$tree" && find "arch/$a/configs" -type f | LC_ALL=C sort)
		elif [[ $a == x86 ]]; then
			(cd "$tree" && find "arch/$a/configs" -maxdepth 1 -type f | LC_ALL=C sort)
		elif [[ $a != arm64 ]] && ((ti >= 0 && $(arch_share "$a") % nt != ti)); then
			continue	# another tree's share of the arches (ci)
		else
			first=$(cd "$tree" && find "arch/$a/configs" -maxdepth 1 -type f \
				-name '*defconfig' | LC_ALL=C sort | head -n 1)
			[[ -n $first ]] && echo "$first"
		fi
	done >"$work/files.$v"
	local chain=0
	[[ ,$modes, =~ ,(defconfig|olddefconfig|savedefconfig|syncconfig), ]] && chain=1
	while IFS= read -r f; do
		a=$(cut -d/ -f2 <<<"$f")
		# ci: the per-arch modes only for x86 (i386, x86_64, x86); full: every arch.
		a=$(archspec_for "$a" "$f" "$tree")
		[[ $subset == full || $a == i386 || $a == x86_64 || $a == x86 ]] && arches[$a]=1
		((chain == 0)) || echo "D|$v|$a|$f"
	done <"$work/files.$v"
	for a in $(printf '%s\n' "${!arches[@]}" | LC_ALL=C sort); do
		for m in ${ARCH_MODES//,/ }; do
			[[ ,$modes, == *,$m,* ]] && echo "A|$v|$a|$m"
		done
		[[ ,$modes, == *,randconfig,* && ($a == i386 || $a == x86_64) ]] || continue
		local seeds
		read -ra seeds <<<"$RAND_SEEDS"
		[[ $subset == full ]] || seeds=("${seeds[@]:0:3}")
		for m in "${seeds[@]}"; do
			echo "S|$v|$a|$m"
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

# select_jobs: the job lines of stdin that --arch and --only keep.
select_jobs() {
	local kind v a arg
	while IFS='|' read -r kind v a arg; do
		[[ -z $arch_sel || ,$arch_sel, == *,$a,* ]] || continue
		[[ -z $only || "$v $a $arg" =~ $only ]] || continue
		echo "$kind|$v|$a|$arg"
	done
}

# The object directories hold thousands of small files (touch files): on a tmpfs when
# there is one and TMPDIR does not say otherwise (several times faster than ext4 here).
if [[ -z ${TMPDIR:-} && -d /dev/shm && -w /dev/shm ]]; then
	work=$(mktemp -d /dev/shm/kx.XXXXXX)
else
	work=$(kx_mktemp_dir)
fi
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/res" "$work/run" "$work/diff"
start=$(kx_now)
for v in "${trees[@]}"; do
	tree=$(kx_tree_dir "$v")
	enumerate "$v" "$tree" | select_jobs >>"$work/jobs"
done
[[ -s $work/jobs ]] || kx_die "no case selected (see --list, --arch, --only, --modes)"
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
	$1=="D" { n += (m ~ /,defconfig,/) + (m ~ /,olddefconfig,/) + (m ~ /,savedefconfig,/)
		n += 2 * (m ~ /,syncconfig,/) }
	$1!="D" { n++ } END { print n+0 }' "$work/jobs")
echo "conformance: ${trees[*]}, subset $subset, $(wc -l <"$work/jobs") jobs, $ncase cases," \
	"-j $jobs, candidate: $candidate (setup ${prep}s)"
export KXC_FPRINT=$fprint KXC_WORK=$work KXC_CAND=$candidate KXC_MODES=$modes \
	KXC_KEEP=$keep KXC_SHOW=$show KXC_TIMEOUT=$timeout KXC_STRICT_MSG=$strict_msg
# D jobs first: they are the longest (five cases each).
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
awk -F'\t' '{ k = $2 " " $3; t[k]++; if ($1 == "PASS") p[k]++; if ($1 == "FAIL") f[k]++ }
	END { for (k in t) printf "  %-24s %4d passed, %d failed\n", k, p[k], f[k] }' \
	"$work/results" | LC_ALL=C sort -V
echo "per tree:"
awk -F'\t' '{ t[$2]++; if ($1 == "PASS") p[$2]++; if ($1 == "FAIL") f[$2]++ }
	END { for (k in t) printf "  %-6s %d passed, %d failed\n", k, p[k], f[k] }' \
	"$work/results" | LC_ALL=C sort -V
read -r npass nfail nwarn < <(awk -F'\t' '{ c[$1]++; if ($6 == 1) w++ }
	END { print c["PASS"]+0, c["FAIL"]+0, w+0 }' "$work/results")
if [[ -n $strict_msg ]]; then
	echo "$nwarn cases with different stdout/stderr (failures: --strict-messages)"
else
	echo "$nwarn cases with different stdout/stderr (not failures without --strict-messages)"
fi
awk -F'\t' '$6 == 1 { print "  " $2, $4, $3, $5 }' "$work/results" | LC_ALL=C sort | head -n 10
echo "time: $(kx_elapsed "$start")s"
if ((npass + nfail != ncase)); then
	kx_log "expected $ncase results, got $((npass + nfail)): a job died"
	nfail=$((nfail + ncase - npass))
	((nfail > 0)) || nfail=1
fi
echo "$npass passed, $nfail failed"
((nfail == 0))
