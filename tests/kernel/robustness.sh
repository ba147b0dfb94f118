#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/kernel/robustness.sh - failure injection at the command line: no
# configuration is ever lost (docs/RELIABILITY.md, "No lost data").
#
# On a copy of tests/fixtures/robustness (plus generated symbols, so that a
# .config is ~150 KiB and a kill can land in the middle of a write):
#   1. SIGKILL at random points of a loop of writes (KX_KILL_ITERATIONS,
#      default 300): .config and .config.old are always complete (equal to
#      one of the two contents written), never a prefix; leftover temporary
#      files (.config.kxtmp.PID) are counted and must not disturb the next run
#   2. disk full (a small tmpfs; skipped loudly when mount is not permitted),
#      and RLIMIT_FSIZE (ulimit -f) with SIGXFSZ ignored and not ignored
#   3. read-only target directory (a read-only tmpfs remount)
#   4. the target is a directory, a dangling symlink, a symlink to a file, a
#      file without write permission
#   5. KCONFIG_OVERWRITECONFIG: in place (inode and symlink kept), and on a
#      full disk the file is left untouched
#   6. the -o of every analysis command that writes (merge, merge -m,
#      closure, xl-cfg): a private /dev/full and /dev/null node (mknod in
#      the scratch directory, never the system's /dev), a FIFO with and
#      without a reader, a symlink, a missing and a read-only directory,
#      RLIMIT_FSIZE; "-o -"; and endless, huge and directory inputs
# Every failure must exit non-zero with a message naming the file, the old
# .config intact and no temporary file left behind (except after SIGKILL).
#
# Usage: tests/kernel/robustness.sh [-v]
# Environment: KX_KILL_ITERATIONS (300), KX_PROGRAM (./kxen-config).
# Exit: 0 all checks passed, 1 a check failed, 2 setup error.
set -euo pipefail
cd "$(dirname "$0")/../.."

verbose=0
[[ ${1:-} == -v ]] && verbose=1
prog=$(realpath "${KX_PROGRAM:-./kxen-config}")
iters=${KX_KILL_ITERATIONS:-300}
[[ -x $prog ]] || { echo "robustness: $prog not built (make)" >&2; exit 2; }

work=$(mktemp -d /tmp/kx-robust-XXXXXX)
mounts=()
cleanup() {
	local m
	for m in "${mounts[@]}"; do
		umount "$m" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# a private copy: a concurrent `make` must not swap the binary mid-loop
cp "$prog" "$work/kxen-config"
prog=$work/kxen-config

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); ((verbose)) && echo "ok: $*"; return 0; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "SKIPPED (loudly): $*"; }

# ---- the tree: the fixture plus 3000 generated symbols
tree=$work/tree
cp -r tests/fixtures/robustness "$tree"
{
	echo 'menu "generated"'
	for ((i = 0; i < 3000; i++)); do
		printf 'config GEN_%d\n\ttristate "generated %d"\n\tdepends on B || M\n' "$i" "$i"
	done
	echo 'endmenu'
} >"$tree/more/generated"
echo 'source "more/generated"' >>"$tree/Kconfig"

# kx MODE CONFIG [ENV...]: run a config command on the tree, quietly
kx() {
	local mode=$1 cfg=$2
	shift 2
	env "$@" "$prog" -C "$tree" --probes=deny --config "$cfg" "$mode"
}

# reference contents
kx allyesconfig "$work/yes.config" >/dev/null
kx allnoconfig "$work/no.config" >/dev/null
cmp -s "$work/yes.config" "$work/no.config" && { echo "setup: contents equal" >&2; exit 2; }
size=$(stat -c %s "$work/yes.config")
echo "robustness: tree with $(grep -c '^config' "$tree/more/generated") generated symbols, .config $size bytes"

# is_complete FILE: FILE equals one of the two reference contents (compared
# on one snapshot: two cmp of a file that a writer replaces in between could
# each see a different version)
is_complete() {
	cp "$1" "$work/snapshot" 2>/dev/null || return 1
	cmp -s "$work/snapshot" "$work/yes.config" || cmp -s "$work/snapshot" "$work/no.config"
}

# no_tmp DIR: no temporary file left in DIR
no_tmp() {
	local left
	left=$(find "$1" -maxdepth 1 -name '*.kxtmp.*' | wc -l)
	((left == 0))
}

# ---- 1. SIGKILL at random points
d=$work/kill
mkdir -p "$d"
cp "$work/no.config" "$d/.config"
lost=0 killed=0 leftovers=0 completed=0
for ((n = 0; n < iters; n++)); do
	if ((n % 2)); then mode=allnoconfig; else mode=allyesconfig; fi
	# the program itself in the background (not a subshell): kill hits it
	"$prog" -C "$tree" --probes=deny --config "$d/.config" "$mode" >/dev/null 2>&1 &
	pid=$!
	# 0 to 60 ms: startup, load, evaluation and the write itself
	sleep "0.0$((RANDOM % 60 / 10))$((RANDOM % 10))"
	kill -KILL "$pid" 2>/dev/null || true
	st=0
	wait "$pid" 2>/dev/null || st=$?
	if ((st == 0)); then
		completed=$((completed + 1))
	elif ((st == 137)); then
		killed=$((killed + 1))
	else
		bad "iteration $n: exit $st"
	fi
	if [[ ! -f $d/.config ]] || ! is_complete "$d/.config"; then
		lost=$((lost + 1))
		bad "iteration $n: .config incomplete after SIGKILL ($(stat -c %s "$d/.config" 2>/dev/null || echo missing) bytes)"
		cp "$d/.config" "$work/bad.$n" 2>/dev/null || true
		((verbose)) && diff "$d/.config" "$work/yes.config" | head -5
		cp "$work/no.config" "$d/.config"
	fi
	if [[ -f $d/.config.old ]] && ! is_complete "$d/.config.old"; then
		lost=$((lost + 1))
		bad "iteration $n: .config.old incomplete after SIGKILL"
	fi
	t=$(find "$d" -maxdepth 1 -name '*.kxtmp.*' | wc -l)
	leftovers=$((leftovers > t ? leftovers : t))
done
echo "robustness: SIGKILL loop: $iters runs, $killed killed (SIGKILL), $completed completed, files lost: $lost, temporary files left: $(find "$d" -maxdepth 1 -name '*.kxtmp.*' | wc -l) (named .config.kxtmp.PID)"
((lost == 0)) && ok "SIGKILL loop"
# the next run does not care about leftovers
if kx allyesconfig "$d/.config" >/dev/null 2>&1 && cmp -s "$d/.config" "$work/yes.config"; then
	ok "a run after SIGKILL leftovers"
else
	bad "a run after SIGKILL leftovers failed"
fi
# a leftover with this very pid's name (pid reuse) is replaced, not followed: the
# subshell plants it under its own pid ($BASHPID), which exec gives the program
rm -f "$d/.config.kxtmp.*"
if (ln -sf "$work/planted-target" "$d/.config.kxtmp.$BASHPID" &&
	exec "$prog" -C "$tree" --probes=deny --config "$d/.config" allnoconfig >/dev/null 2>&1) &&
	cmp -s "$d/.config" "$work/no.config" && [[ ! -e $work/planted-target ]]; then
	ok "stale temporary name (a symlink at the program's own temporary name)"
else
	bad "stale temporary name: the run failed, or wrote through the planted symlink"
fi
rm -f "$d"/.config.kxtmp.*

# expect_fail WHAT CFG REFERENCE [ENV...]: a write that must fail cleanly
expect_fail() {
	local what=$1 cfg=$2 ref=$3 rc=0
	shift 3
	kx allyesconfig "$cfg" "$@" >"$work/out" 2>"$work/err" || rc=$?
	if ((rc == 0)); then
		bad "$what: exit 0"
	elif ! cmp -s "$cfg" "$ref"; then
		bad "$what: the old file changed"
	elif ! no_tmp "$(dirname "$cfg")"; then
		bad "$what: temporary file left: $(find "$(dirname "$cfg")" -name '*.kxtmp.*')"
	elif ! grep -q "$(basename "$cfg")" "$work/err"; then
		bad "$what: the error does not name the file: $(cat "$work/err")"
	else
		ok "$what (exit $rc: $(grep -v '^\*\*\*\|^$' "$work/err" | head -1))"
		((verbose)) && sed 's/^/    /' "$work/err"
	fi
	return 0
}

# ---- 2. disk full
if mkdir -p "$work/full" && mount -t tmpfs -o size=256k tmpfs "$work/full" 2>/dev/null; then
	mounts+=("$work/full")
	cp "$work/no.config" "$work/full/.config"
	# fill what is left
	dd if=/dev/zero of="$work/full/filler" bs=4k 2>/dev/null || true
	expect_fail "disk full" "$work/full/.config" "$work/no.config"
	expect_fail "disk full, KCONFIG_OVERWRITECONFIG" "$work/full/.config" "$work/no.config" \
		KCONFIG_OVERWRITECONFIG=1
	rm -f "$work/full/filler"
	if kx allyesconfig "$work/full/.config" >/dev/null 2>&1 && cmp -s "$work/full/.config" "$work/yes.config" &&
		cmp -s "$work/full/.config.old" "$work/no.config"; then
		ok "after the disk has space again: written, .config.old kept"
	else
		bad "write after freeing space"
	fi
	umount "$work/full" && unset 'mounts[-1]'
else
	skipped "disk full: cannot mount a tmpfs here (not root?); RLIMIT_FSIZE below still runs"
fi
# RLIMIT_FSIZE: with SIGXFSZ ignored the write fails with EFBIG
d=$work/fsize
mkdir -p "$d"
cp "$work/no.config" "$d/.config"
rc=0
(trap '' XFSZ; ulimit -f 16; exec "$prog" -C "$tree" --probes=deny --config "$d/.config" allyesconfig) \
	>/dev/null 2>"$work/err" || rc=$?
if ((rc != 0)) && cmp -s "$d/.config" "$work/no.config" && no_tmp "$d" && grep -q 'File too large' "$work/err"; then
	ok "RLIMIT_FSIZE, SIGXFSZ ignored (exit $rc)"
else
	bad "RLIMIT_FSIZE, SIGXFSZ ignored: exit $rc, $(cat "$work/err")"
fi
# not ignored: the kernel kills the process like SIGKILL; the old file stays
rc=0
{ (ulimit -f 16; exec "$prog" -C "$tree" --probes=deny --config "$d/.config" allyesconfig) \
	>/dev/null 2>&1; } 2>/dev/null || rc=$?
if ((rc != 0)) && cmp -s "$d/.config" "$work/no.config"; then
	ok "RLIMIT_FSIZE, killed by SIGXFSZ (exit $rc; temporary files left: $(find "$d" -name '*.kxtmp.*' | wc -l))"
else
	bad "RLIMIT_FSIZE with SIGXFSZ: exit $rc, .config changed"
fi
rm -f "$d"/.config.kxtmp.*

# ---- 3. read-only directory
if mkdir -p "$work/ro" && mount -t tmpfs -o size=1m tmpfs "$work/ro" 2>/dev/null; then
	mounts+=("$work/ro")
	cp "$work/no.config" "$work/ro/.config"
	mount -o remount,ro "$work/ro"
	expect_fail "read-only directory" "$work/ro/.config" "$work/no.config"
	expect_fail "read-only directory, KCONFIG_OVERWRITECONFIG" "$work/ro/.config" "$work/no.config" \
		KCONFIG_OVERWRITECONFIG=1
	umount "$work/ro" && unset 'mounts[-1]'
elif ((EUID != 0)); then
	d=$work/rodir
	mkdir -p "$d"
	cp "$work/no.config" "$d/.config"
	chmod 555 "$d"
	expect_fail "read-only directory" "$d/.config" "$work/no.config"
	chmod 755 "$d"
else
	skipped "read-only directory: root without mount"
fi

# ---- 4. odd targets
d=$work/odd
mkdir -p "$d/.config"
rc=0
kx allyesconfig "$d/.config" >/dev/null 2>"$work/err" || rc=$?
if ((rc != 0)) && [[ -d $d/.config ]] && grep -q 'Is a directory' "$work/err" && no_tmp "$d"; then
	ok "target is a directory (exit $rc)"
else
	bad "target is a directory: exit $rc, $(cat "$work/err")"
fi
rmdir "$d/.config"

# a dangling symlink is replaced by the file (conf renames over it too);
# with KCONFIG_OVERWRITECONFIG the link is followed and its target created
ln -s "$d/nowhere/target" "$d/dangling"
if kx allyesconfig "$d/dangling" >/dev/null 2>&1 && [[ -f $d/dangling && ! -L $d/dangling ]] &&
	cmp -s "$d/dangling" "$work/yes.config"; then
	ok "dangling symlink: replaced by the new file"
else
	bad "dangling symlink"
fi
rm -f "$d/dangling" "$d/dangling.old"
ln -s "$d/target" "$d/dangling"
if kx allyesconfig "$d/dangling" KCONFIG_OVERWRITECONFIG=1 >/dev/null 2>&1 && [[ -L $d/dangling ]] &&
	cmp -s "$d/target" "$work/yes.config"; then
	ok "dangling symlink, KCONFIG_OVERWRITECONFIG: target created through the link"
else
	bad "dangling symlink with KCONFIG_OVERWRITECONFIG"
fi

# a symlink to a file: replaced (conf), or written through (OVERWRITECONFIG)
cp "$work/no.config" "$d/real"
ln -sf "$d/real" "$d/link"
if kx allyesconfig "$d/link" KCONFIG_OVERWRITECONFIG=1 >/dev/null 2>&1 && [[ -L $d/link ]] &&
	cmp -s "$d/real" "$work/yes.config"; then
	ok "symlink, KCONFIG_OVERWRITECONFIG: written through, link kept"
else
	bad "symlink with KCONFIG_OVERWRITECONFIG"
fi
ino=$(stat -c %i "$d/real")
if kx allnoconfig "$d/real" KCONFIG_OVERWRITECONFIG=1 >/dev/null 2>&1 &&
	[[ $(stat -c %i "$d/real") == "$ino" ]] && cmp -s "$d/real" "$work/no.config"; then
	ok "KCONFIG_OVERWRITECONFIG: same inode, shorter contents cut to size"
else
	bad "KCONFIG_OVERWRITECONFIG in place"
fi

# a file without write permission: replaced (the directory is writable, as
# with conf), its mode kept
cp "$work/no.config" "$d/ro.config"
chmod 444 "$d/ro.config"
if kx allyesconfig "$d/ro.config" >/dev/null 2>&1 && cmp -s "$d/ro.config" "$work/yes.config" &&
	[[ $(stat -c %a "$d/ro.config") == 444 ]] && cmp -s "$d/ro.config.old" "$work/no.config"; then
	ok "file without write permission: replaced, mode 444 kept, .config.old kept"
else
	bad "file without write permission"
fi
no_tmp "$d" && ok "no temporary files left in $d" || bad "temporary files left in $d"

# savedefconfig goes through the same atomic write
if "$prog" -C "$tree" --probes=deny --config "$work/yes.config" savedefconfig "$d/defconfig" >/dev/null 2>&1 &&
	[[ -s $d/defconfig ]] && no_tmp "$d"; then
	ok "savedefconfig"
else
	bad "savedefconfig"
fi

rc=0
"$prog" -C "$tree" --probes=deny --config "$work/yes.config" savedefconfig "$d/missing/defconfig" \
	>/dev/null 2>"$work/err" || rc=$?
if ((rc != 0)) && grep -q "missing/defconfig: No such file or directory" "$work/err"; then
	ok "savedefconfig into a missing directory (exit $rc)"
else
	bad "savedefconfig into a missing directory: exit $rc, $(cat "$work/err")"
fi

# ---- 6. the -o of the analysis commands (util.h, kx_write_output)
d=$work/outs
mkdir -p "$d"
echo 'CONFIG_B=y' >"$d/frag"
# out_cmd NAME FILE: run command NAME writing to FILE
out_cmd() {
	case $1 in
	merge) "$prog" -C "$tree" --probes=deny merge allnoconfig "$d/frag" -o "$2" ;;
	merge-m) "$prog" -C "$tree" --probes=deny merge -m allnoconfig "$d/frag" -o "$2" ;;
	closure) "$prog" -C "$tree" --probes=deny closure B=y --base allnoconfig -o "$2" ;;
	xl-cfg) "$prog" xl-cfg -q --kernel /bin/true -o "$2" ;;
	esac
}
# expect_out CMD WHAT FILE RC GREP: CMD's exit status is RC, its stderr matches GREP
expect_out() {
	local c=$1 what=$2 f=$3 want=$4 re=$5 rc=0
	timeout 60 bash -c "$(declare -f out_cmd); d=$d prog=$prog tree=$tree out_cmd $c $f" \
		>"$work/out" 2>"$work/err" || rc=$?
	if ((rc != want)); then
		bad "$c -o $what: exit $rc, not $want: $(head -2 "$work/err")"
	elif [[ -n $re ]] && ! grep -q -- "$re" "$work/err"; then
		bad "$c -o $what: stderr lacks '$re': $(head -2 "$work/err")"
	else
		ok "$c -o $what (exit $rc)"
		return 0
	fi
	return 1
}
for c in merge merge-m closure xl-cfg; do
	rm -rf "${d:?}/$c"
	mkdir -p "$d/$c"
	e=$d/$c
	mknod "$e/full" c 1 7 && mknod "$e/null" c 1 3 || { bad "mknod in $e"; continue; }
	expect_out $c "a full device" "$e/full" 2 "cannot write $e/full: No space left on device" &&
		{ [[ -c $e/full && ! -e $e/full.old ]] || bad "$c: the device node was replaced"; }
	expect_out $c "a null device" "$e/null" 0 "" &&
		{ [[ -c $e/null ]] || bad "$c: /dev/null node replaced"; }
	mkfifo "$e/fifo"
	expect_out $c "a FIFO nobody reads" "$e/fifo" 2 "a FIFO that no process reads"
	timeout 60 cat "$e/fifo" >"$e/from-fifo" &
	sleep 0.2
	expect_out $c "a FIFO with a reader" "$e/fifo" 0 "" &&
		{ wait $! || true; [[ -p $e/fifo && -s $e/from-fifo ]] || bad "$c: the FIFO was not written through"; }
	echo old >"$e/target"
	ln -s target "$e/link"
	expect_out $c "a symlink" "$e/link" 0 "" &&
		{ [[ -L $e/link ]] && ! grep -qx old "$e/target" || bad "$c: the symlink was not followed"; }
	expect_out $c "a missing directory" "$e/missing/x" 2 "cannot write $e/missing/x: No such file or directory"
	expect_out $c "a directory" "$e" 2 "Is a directory"
	echo old >"$e/kept"
	rc=0
	# (stderr through a pipe: the limit applies to files, also to the log)
	(trap "" XFSZ; ulimit -f 0; out_cmd $c "$e/kept") >/dev/null 2> >(cat >"$work/err") || rc=$?
	wait $! 2>/dev/null || true
	if ((rc == 2)) && grep -qx old "$e/kept" && no_tmp "$e" && grep -q 'File too large' "$work/err"; then
		ok "$c -o with RLIMIT_FSIZE: old file kept, exit 2"
	else
		bad "$c -o with RLIMIT_FSIZE: exit $rc, $(cat "$e/kept"), $(head -1 "$work/err")"
	fi
	no_tmp "$e" || bad "$c: temporary files left in $e"
done
if mkdir -p "$work/ro2" && mount -t tmpfs -o size=1m tmpfs "$work/ro2" 2>/dev/null; then
	mounts+=("$work/ro2")
	mount -o remount,ro "$work/ro2"
	for c in merge closure xl-cfg; do
		expect_out $c "a read-only directory" "$work/ro2/x" 2 "Read-only file system"
	done
	umount "$work/ro2" && unset 'mounts[-1]'
else
	skipped "-o into a read-only directory: cannot mount a tmpfs here"
fi
# -o -: standard output
if "$prog" -C "$tree" --probes=deny merge -m allnoconfig "$d/frag" -o - >"$d/stdout" 2>"$d/stderr" &&
	grep -qx 'CONFIG_B=y' "$d/stdout" && ! grep -q 'Merging' "$d/stdout" &&
	grep -q 'Merging' "$d/stderr" && [[ ! -e ./- ]]; then
	ok "merge -m -o -: the file on standard output, the messages on standard error"
else
	bad "merge -m -o -"
fi
# contradictory options are errors, not a silent choice
rc=0
"$prog" -C "$tree" --rev HEAD find B >/dev/null 2>"$work/err" || rc=$?
((rc == 2)) && grep -q -- '--rev HEAD needs --git' "$work/err" && ok "--rev without --git: exit 2" ||
	bad "--rev without --git: exit $rc, $(cat "$work/err")"
rc=0
"$prog" -C "$tree" --git "$tree" find B >/dev/null 2>"$work/err" || rc=$?
((rc == 2)) && grep -q 'name two trees' "$work/err" && ok "--git with -C: exit 2" ||
	bad "--git with -C: exit $rc, $(cat "$work/err")"
# --json where a command has no JSON output: refused, exit 2
for c in "xl-cfg --kernel /bin/true" "-C $tree --probes=deny olddefconfig"; do
	rc=0
	# shellcheck disable=SC2086 # word splitting intended
	"$prog" --json $c >/dev/null 2>"$work/err" || rc=$?
	if ((rc == 2)) && grep -q 'has no JSON output' "$work/err"; then
		ok "--json refused: $c"
	else
		bad "--json $c: exit $rc, $(cat "$work/err")"
	fi
done
# One option parser (cli/opts.c): every command knows --help, reports an
# unknown option or a missing value in one form with exit 2, and keeps its
# positional arguments in order.
cmds="olddefconfig allnoconfig dump find closure why why-not check preflight merge generate prune build xl-cfg"
for c in $cmds; do
	rc=0
	"$prog" "$c" --help >"$work/out" 2>"$work/err" || rc=$?
	if ((rc == 0)) && grep -q "^Usage: kxen-config .*$c" "$work/out" && grep -q '^Global options:' "$work/out"; then
		ok "$c --help"
	else
		bad "$c --help: exit $rc, $(head -1 "$work/out") $(head -1 "$work/err")"
	fi
	rc=0
	"$prog" -C "$tree" --probes=deny "$c" --no-such-option >/dev/null 2>"$work/err" || rc=$?
	if ((rc == 2)) && grep -qx "kxen-config: $c: unknown option '--no-such-option' (see kxen-config $c --help)" "$work/err"; then
		ok "$c --no-such-option: exit 2"
	else
		bad "$c --no-such-option: exit $rc, $(cat "$work/err")"
	fi
done
for c in "closure --base" "generate -o" "xl-cfg --kernel" "merge -o" "prune --policy"; do
	rc=0
	# shellcheck disable=SC2086 # word splitting intended
	"$prog" -C "$tree" --probes=deny $c >/dev/null 2>"$work/err" || rc=$?
	if ((rc == 2)) && grep -q "option '${c#* }' needs a value" "$work/err"; then
		ok "$c (no value): exit 2"
	else
		bad "$c (no value): exit $rc, $(cat "$work/err")"
	fi
done
# a value that is the next option is a forgotten value, not the value
rc=0
"$prog" -C "$tree" --probes=deny closure B=y --base -o x >/dev/null 2>"$work/err" || rc=$?
((rc == 2)) && grep -q "option '--base' needs a value" "$work/err" && [[ ! -e x ]] &&
	ok "--base -o x: the value is missing" || bad "--base -o x: exit $rc, $(cat "$work/err")"
# an abbreviation that fits two options says which
rc=0
"$prog" -C "$tree" --probes=deny generate --no >/dev/null 2>"$work/err" || rc=$?
((rc == 2)) && grep -q "ambiguous option '--no' (--no-modules, --no-prune, --no-cache)" "$work/err" &&
	ok "an ambiguous abbreviation names the candidates" || bad "generate --no: exit $rc, $(cat "$work/err")"
# global options after the command, abbreviations, "--name=value"
if "$prog" find --srctree="$tree" --probes deny --js '^B$' >"$work/out" 2>"$work/err" &&
	grep -q '"name":"B"' "$work/out"; then
	ok "global options after the command, abbreviated, with ="
else
	bad "find --srctree=... --js: $(cat "$work/err")"
fi
# a NAME=VALUE after a command is a make variable, except where SYM=VAL are
# the command's own arguments
echo 'CONFIG_B=y' >"$d/allno.frag"
if "$prog" -C "$tree" --probes=deny --config "$d/mv.config" allnoconfig KCONFIG_ALLCONFIG="$d/allno.frag" \
	>/dev/null 2>"$work/err" && grep -qx 'CONFIG_B=y' "$d/mv.config"; then
	ok "NAME=VALUE after a conf mode is a make variable"
else
	bad "allnoconfig KCONFIG_ALLCONFIG=...: $(cat "$work/err")"
fi
rc=0
"$prog" -C "$tree" --probes=deny closure KCONFIG_ALLCONFIG=y --base allnoconfig >/dev/null 2>"$work/err" || rc=$?
grep -q 'KCONFIG_ALLCONFIG' "$work/err" && ok "closure SYM=VAL: a target, not a make variable (exit $rc)" ||
	bad "closure KCONFIG_ALLCONFIG=y: exit $rc, $(cat "$work/err")"
# inputs: endless, huge, not a file -> exit 2 at once, with the reason
truncate -s 65M "$d/huge"
mkfifo "$d/nowriter"
for in in /dev/zero "$d/huge" "$d" "$d/nowriter"; do
	for how in config fragment base; do
		rc=0
		case $how in
		config) timeout 60 "$prog" -C "$tree" --probes=deny --config "$in" why B ;;
		fragment) timeout 60 "$prog" -C "$tree" --probes=deny merge -m allnoconfig "$in" -o "$d/m.out" ;;
		base) timeout 60 "$prog" -C "$tree" --probes=deny closure B=y --base "$in" ;;
		esac >/dev/null 2>"$work/err" || rc=$?
		if [[ $in == "$d/nowriter" ]]; then
			# a FIFO without a writer reads as empty: no hang
			((rc != 124)) && ok "$how from a FIFO without a writer: no hang (exit $rc)" ||
				bad "$how from a FIFO without a writer: hung"
		elif ((rc == 2)) && grep -q "$in: \(File too large\|Is a directory\)\|$in': \(File too large\|Is a directory\)" "$work/err"; then
			ok "$how $in: exit 2, $(head -1 "$work/err")"
		else
			bad "$how $in: exit $rc, $(head -2 "$work/err")"
		fi
	done
done

echo "robustness: $pass passed, $fail failed${skip:+, $skip skipped}"
((fail == 0))
