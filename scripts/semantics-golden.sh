#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# semantics-golden.sh - run each release's own conf (5.10, 6.1, 6.12 and 7.3, built by
# scripts/build-oracle.sh) on every fixture under tests/fixtures/semantics and write, or
# check, the expected outputs next to it, in <case>/expected/<release>/:
#
#   <mode>.config   the .config conf wrote (savedefconfig: the defconfig); empty if none
#   <mode>.stderr   what conf printed on stderr, then "exit N" when it failed
#
# Modes: alldefconfig allnoconfig allyesconfig allmodconfig; olddefconfig of
# <case>/input.config when present; savedefconfig of the olddefconfig result (or of
# alldefconfig).  Every run has stdin /dev/null, the environment PATH, HOME,
# srctree=<case dir>, KERNELVERSION=<release>.0 (plus the case's env), a 20 s limit.
#
# Per-case files, all optional ('#' starts a comment line):
#   versions  the releases the case applies to (default: all four)
#   env       NAME=VALUE lines added to the environment of every run of the case
#   cli       extra conf runs, one a line:  NAME [@noconfig] [@config=FILE]
#             [@env=NAME=VALUE]... ARGS...: conf ARGS Kconfig runs in an empty directory
#             holding input.config (or FILE of the case) as .config, none with
#             @noconfig, with the variables of @env added.  Saved: NAME.stdout,
#             NAME.stderr, NAME.files (the sorted list of the files the run left, the
#             touch files of syncconfig included) and every file it left but those
#             touch files as NAME.<path, '/' as '_', without a leading '.'>:
#             NAME.config, NAME.config.old, NAME.defconfig,
#             NAME.include_config_auto.conf, NAME.include_generated_autoconf.h...
#
# Outputs are normalised: conf's own path (conf prints its argv[0]) and the candidate's
# "kxen-config conf" become "conf", the case directory "@SRCTREE@", the run directory
# "@OBJTREE@".
#
# Usage: scripts/semantics-golden.sh [--check] [--candidate CMD] [--case NAME]
#                                    [--versions LIST]
#   --check          compare with the committed files instead of writing
#   --candidate CMD  also run CMD (a conf drop-in, e.g. "$PWD/kxen-config conf") and
#                    compare every output with conf's; exit 1 on any difference.  CMD
#                    gets KX_KCONFIG_RULES_FROM=<the release's tree>: the rules of the
#                    oracle's own sources, Debian's backports included
#   --case NAME      only this case (repeatable)
#   --versions LIST  only these releases (comma or blank separated)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
all_versions="5.10 6.1 6.12 7.3"
check=0
candidate=""
only_cases=""
only_versions=""
while [ $# -gt 0 ]; do
	case "$1" in
	--check) check=1 ;;
	--candidate) candidate="$2"; shift ;;
	--case) only_cases="$only_cases $2"; shift ;;
	--versions) only_versions="${2//,/ }"; shift ;;
	-h|--help) sed -n '3,41p' "$0"; exit 0 ;;
	*) echo "semantics-golden.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cache=$KX_CACHE
declare -A oracle
for v in $all_versions; do
	tree=$cache/src/linux-source-$v
	if [ ! -d "$tree" ]; then
		"$here/scripts/fetch-trees.sh" "$v" >/dev/null
	fi
	oracle[$v]=$("$here/scripts/build-oracle.sh" "$tree")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0; passed=0; stale=0

# normalise FILE TOOL CASEDIR RUNDIR: the path replacements described above
normalise() {
	[ -f "$1" ] || return 0
	K_TOOL=$2 K_DIR=$3 K_RUN=$4 perl -pi -e '
		s/\Q$ENV{K_RUN}\E/\@OBJTREE\@/g;
		s/\Q$ENV{K_DIR}\E/\@SRCTREE\@/g;
		s/\Q$ENV{K_TOOL}\E/conf/g;
		s/kxen-config conf/conf/g;' "$1"
}

# run TOOL VERSION CASEDIR RUNDIR ARGS...: conf ARGS Kconfig in RUNDIR; stdout and
# stderr (+ "exit N") in RUNDIR.stdout and RUNDIR.stderr, normalised
run() {
	local tool=$1 ver=$2 dir=$3 rdir=$4 rc=0
	shift 4
	mkdir -p "$rdir"
	( cd "$rdir" && exec env -i PATH=/usr/bin:/bin srctree="$dir" \
		KERNELVERSION="$ver.0" HOME="${HOME:-/root}" \
		${KX_EXTRA_ENV:-} "${tool_env[@]}" "${case_env[@]}" timeout 20 $tool "$@" Kconfig \
		</dev/null >"$rdir.stdout" 2>"$rdir.stderr" ) || rc=$?
	[ $rc = 0 ] || echo "exit $rc" >>"$rdir.stderr"
	normalise "$rdir.stdout" "$tool" "$dir" "$rdir"
	normalise "$rdir.stderr" "$tool" "$dir" "$rdir"
}

# save RUNDIR OUT NAME: a cli run's outputs as OUT/NAME.*: stdout, stderr, the list of
# files, and each file but the empty ones under include/config (touch files) as
# NAME.<path, '/' as '_', without a leading '.'> (.config: NAME.config)
save() {
	local r=$1 out=$2 n=$3 f g
	cp "$r.stdout" "$out/$n.stdout"
	cp "$r.stderr" "$out/$n.stderr"
	(cd "$r" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$out/$n.files"
	while IFS= read -r f; do
		case $f in include/config/*) [ -s "$r/$f" ] || continue ;; esac
		g=${f//\//_}
		cp "$r/$f" "$out/$n.${g#.}"
		normalise "$out/$n.${g#.}" "$tool" "$dir" "$r"
	done <"$out/$n.files"
}

for dir in "$here"/tests/fixtures/semantics/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	if [ -n "$only_cases" ] && [[ " $only_cases " != *" $name "* ]]; then
		continue
	fi
	versions=$all_versions
	[ -f "$dir/versions" ] && versions=$(grep -v '^#' "$dir/versions")
	case_env=()
	if [ -f "$dir/env" ]; then
		while IFS= read -r line; do
			case $line in '#'*|'') continue ;; esac
			case_env+=("$line")
		done <"$dir/env"
	fi
	for ver in $versions; do
		if [ -n "$only_versions" ] && [[ " $only_versions " != *" $ver "* ]]; then
			continue
		fi
		exp=$dir/expected/$ver
		for tool_kind in oracle candidate; do
			if [ $tool_kind = oracle ]; then
				tool=${oracle[$ver]}; base=$work/o/$name/$ver; tool_env=()
			else
				[ -n "$candidate" ] || continue
				tool=$candidate; base=$work/c/$name/$ver
				tool_env=("KX_KCONFIG_RULES_FROM=$cache/src/linux-source-$ver")
			fi
			out=$base/out
			mkdir -p "$out"
			for mode in alldefconfig allnoconfig allyesconfig allmodconfig; do
				run "$tool" "$ver" "$dir" "$base/$mode" "--$mode"
				cp "$base/$mode/.config" "$out/$mode.config" 2>/dev/null || : >"$out/$mode.config"
				cp "$base/$mode.stderr" "$out/$mode.stderr"
			done
			if [ -f "$dir/input.config" ]; then
				mkdir -p "$base/olddefconfig"
				cp "$dir/input.config" "$base/olddefconfig/.config"
				run "$tool" "$ver" "$dir" "$base/olddefconfig" --olddefconfig
				src=olddefconfig
				cp "$base/olddefconfig/.config" "$out/olddefconfig.config" 2>/dev/null ||
					: >"$out/olddefconfig.config"
				cp "$base/olddefconfig.stderr" "$out/olddefconfig.stderr"
			else
				src=alldefconfig
			fi
			mkdir -p "$base/savedefconfig"
			cp "$base/$src/.config" "$base/savedefconfig/.config" 2>/dev/null || :
			run "$tool" "$ver" "$dir" "$base/savedefconfig" --savedefconfig=defconfig
			cp "$base/savedefconfig/defconfig" "$out/savedefconfig.config" 2>/dev/null ||
				: >"$out/savedefconfig.config"
			cp "$base/savedefconfig.stderr" "$out/savedefconfig.stderr"
			if [ -f "$dir/cli" ]; then
				while read -r cname args; do
					case $cname in '#'*|'') continue ;; esac
					r=$base/cli/$cname
					mkdir -p "$r"
					cfg=$dir/input.config
					saved_env=("${case_env[@]}")
					set -- $args
					while [ $# -gt 0 ]; do
						case $1 in
						@noconfig) cfg="" ;;
						@config=*) cfg=$dir/${1#@config=} ;;
						@env=*) case_env+=("${1#@env=}") ;;
						*) break ;;
						esac
						shift
					done
					if [ -n "$cfg" ] && [ -f "$cfg" ]; then cp "$cfg" "$r/.config"; fi
					run "$tool" "$ver" "$dir" "$r" "$@"
					save "$r" "$out" "$cname"
					case_env=("${saved_env[@]}")
				done <"$dir/cli"
			fi
		done
		oout=$work/o/$name/$ver/out
		if [ $check = 0 ] && [ -z "$candidate" ]; then
			rm -rf "$exp"
			mkdir -p "$exp"
			cp "$oout"/* "$exp/"
			continue
		fi
		if [ $check = 1 ]; then
			for f in "$exp"/*; do
				[ -e "$f" ] || continue
				if [ ! -e "$oout/$(basename "$f")" ]; then
					echo "STALE golden: $name/$ver/$(basename "$f") (conf no longer writes it)"
					stale=$((stale + 1))
				fi
			done
		fi
		for f in "$oout"/*; do
			b=$(basename "$f")
			if [ $check = 1 ] && ! cmp -s "$f" "$exp/$b"; then
				echo "STALE golden: $name/$ver/$b"
				diff -u "$exp/$b" "$f" 2>&1 | head -20 || true
				stale=$((stale + 1))
			fi
			if [ -n "$candidate" ]; then
				if cmp -s "$f" "$work/c/$name/$ver/out/$b"; then
					passed=$((passed + 1))
				else
					echo "FAIL: $name $ver $b"
					diff -u "$f" "$work/c/$name/$ver/out/$b" 2>&1 | head -20 || true
					fail=$((fail + 1))
				fi
			fi
		done
	done
done
if [ -n "$candidate" ]; then
	echo "$passed passed, $fail failed"
fi
[ $stale = 0 ] || { echo "$stale golden files are stale: run scripts/semantics-golden.sh"; exit 1; }
[ $fail = 0 ]
