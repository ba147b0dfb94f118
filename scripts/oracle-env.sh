#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/oracle-env.sh - the exact environment the kernel's make gives to conf.
#
# Runs `make ARCH=A olddefconfig` once, in a throwaway O= directory, under
# `strace -f -e trace=execve`, takes the envp of the execve of scripts/kconfig/conf,
# drops the variables that only describe that make invocation, and caches the result
# as NAME=VALUE lines in $KX_CACHE/env/<tree>-<ARCH>[-<SUBARCH>].env.
# Values may contain spaces: load the file with `mapfile -t E <file; env -i "${E[@]}" ...`.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $kx_prog [--refresh] TREE ARCH [SUBARCH]

Prints the environment (NAME=VALUE lines) in which \`make ARCH=ARCH [SUBARCH=SUBARCH]
olddefconfig\` runs TREE's conf. TREE is 6.1, 6.12 or a path. SUBARCH matters only for
ARCH=um (default: the host's). Cached in \$KX_CACHE/env/; --refresh recomputes it.
Exit: 0 ok, 2 usage or environment error.
EOF
}

refresh=0
args=()
for a in "$@"; do
	case $a in
	-h | --help) usage; exit 0 ;;
	--refresh) refresh=1 ;;
	-*) usage >&2; exit 2 ;;
	*) args+=("$a") ;;
	esac
done
((${#args[@]} == 2 || ${#args[@]} == 3)) || { usage >&2; exit 2; }
tree=$(kx_tree_dir "${args[0]}")
arch=${args[1]}
subarch=${args[2]:-}
[[ $arch =~ ^[a-z0-9_]+$ && $subarch =~ ^[a-z0-9_]*$ ]] || kx_die "bad ARCH/SUBARCH"
name=$(basename "$tree")-$arch${subarch:+-$subarch}
envf=$KX_CACHE/env/$name.env
if ((refresh == 0)) && [[ -s $envf ]]; then
	cat "$envf"
	exit 0
fi
kx_need_cmd strace make

# Variables set by make for its own children, or by the shell, that say nothing about
# the configuration: dropped. (O is the throwaway output directory.)
drop='^(MAKEFLAGS|MAKELEVEL|MFLAGS|MAKEOVERRIDES|MAKE_TERMOUT|MAKE_TERMERR|MAKE_RESTARTS|PWD|OLDPWD|SHLVL|_|TERM|O|GNUMAKEFLAGS)='

oracle=$("$KX_REPO/scripts/build-oracle.sh" "$tree")
tmp=$(kx_mktemp_dir)
trap 'rm -rf "$tmp"' EXIT
# Start from a copy of the oracle build so that make does not rebuild conf, and put a
# stub in conf's place: the trace of its execve is all we need, so the stub exits at
# once instead of parsing the whole Kconfig and running its probes (most of the time).
cp -a "$(dirname "$(dirname "$(dirname "$oracle")")")" "$tmp/obj"
stub=$tmp/obj/scripts/kconfig/conf
[[ -f $stub ]] || kx_die "the oracle build has no scripts/kconfig/conf: $oracle"
printf '#!/bin/sh\nexit 0\n' >"$stub.new"
chmod 755 "$stub.new"
mv "$stub.new" "$stub"
make_args=(-C "$tree" O="$tmp/obj" ARCH="$arch")
[[ -n $subarch ]] && make_args+=(SUBARCH="$subarch")
# -xx prints every string as \xNN escapes: no quoting ambiguity when parsing.
env -i PATH="$KX_ORACLE_PATH" HOME="$HOME" \
	strace -f -qq --seccomp-bpf -v -xx -s 1048576 -e trace=execve -o "$tmp/trace" \
	make "${make_args[@]}" olddefconfig >"$tmp/make.log" 2>&1 </dev/null || true

# Each execve line: PID execve("PATH", [ARGV], [ENVP]) ... ; find conf's.
re='execve\("([^"]*)", \[[^]]*\], \[([^]]*)\]'
found=0
while IFS= read -r line; do
	[[ $line =~ $re ]] || continue
	printf -v path "%b" "${BASH_REMATCH[1]}"
	[[ $path == */scripts/kconfig/conf || $path == scripts/kconfig/conf ]] || continue
	envp=${BASH_REMATCH[2]}
	found=1
	break
done <"$tmp/trace"
if ((found == 0)); then
	tail -n 20 "$tmp/make.log" >&2
	kx_die "make ARCH=$arch olddefconfig never ran conf in $tree (see make output above)"
fi

: >"$tmp/env"
envp=${envp//\", \"/$'\n'}
envp=${envp#\"}
envp=${envp%\"}
while IFS= read -r hex; do
	printf -v var "%b" "$hex"
	[[ $var == *$'\n'* ]] && kx_die "variable with a newline in conf's environment: ${var%%=*}"
	[[ $var =~ $drop ]] && continue
	printf '%s\n' "$var" >>"$tmp/env"
done <<<"$envp"
grep -q "^srctree=" "$tmp/env" || kx_die "no srctree in conf's environment: parse error?"
if [[ $arch == um ]] && ! grep -q '^SUBARCH=' "$tmp/env"; then
	kx_die "ARCH=um but SUBARCH is not in conf's environment"
fi
mkdir -p "$KX_CACHE/env"
sort "$tmp/env" >"$envf.tmp.$$"
mv "$envf.tmp.$$" "$envf"
cat "$envf"
