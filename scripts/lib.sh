# shellcheck shell=bash disable=SC2034 # variables are used by the sourcing scripts
# SPDX-License-Identifier: MIT
#
# scripts/lib.sh - helpers shared by the test infrastructure scripts.
#
# Source it; it defines no behaviour of its own. Conventions every script follows:
#   exit 0 = ok, 1 = failures found, 2 = usage or environment error.
#   Everything taken from the kernel lives under $KX_CACHE, never in the repository.

KX_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The cache home, the program's rule (util.h kx_cache_home): $XDG_CACHE_HOME when it
# is absolute (the XDG spec ignores a relative one), else ~/.cache.
if [[ ${XDG_CACHE_HOME:-} == /* ]]; then KX_CACHE_HOME=$XDG_CACHE_HOME; else KX_CACHE_HOME=$HOME/.cache; fi
KX_CACHE=$KX_CACHE_HOME/kxen-config
# The PATH given to the kernel's make and to conf: fixed, so that the result does not
# depend on whatever a developer has in ~/.cargo/bin (rustc changes RUSTC_VERSION_TEXT).
KX_ORACLE_PATH=${KX_ORACLE_PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}
KX_TREE_VERSIONS=(5.10 6.1 6.12 7.3)

kx_prog=$(basename "$0")

kx_log() { printf '%s: %s\n' "$kx_prog" "$*" >&2; }
# Environment or usage problem: exit 2.
kx_die() {
	kx_log "error: $*"
	exit 2
}
kx_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			kx_die "'$c' not found (run scripts/install-deps.sh)"
	done
}

# kx_tree_list ARG: the releases named by ARG ("all", or a comma list of releases), one
# per line; exit 2 on a malformed release.
kx_tree_list() {
	local v
	if [[ $1 == all ]]; then
		printf '%s\n' "${KX_TREE_VERSIONS[@]}"
		return
	fi
	for v in ${1//,/ }; do
		[[ $v =~ ^[0-9]+\.[0-9]+$ ]] ||
			kx_die "not a release: '$v' (want one of ${KX_TREE_VERSIONS[*]}, or all)"
		echo "$v"
	done
}

# kx_tree_dir ARG: print the source tree for "6.1", "6.12", "linux-source-6.12" or a path.
kx_tree_dir() {
	local arg=$1 dir
	case $arg in
	*/*) dir=$arg ;;
	linux-source-*) dir=$KX_CACHE/src/$arg ;;
	[0-9]*) dir=$KX_CACHE/src/linux-source-$arg ;;
	*) kx_die "not a tree: '$arg' (want ${KX_TREE_VERSIONS[*]}, another release or a path)" ;;
	esac
	[[ -f $dir/Makefile && -f $dir/scripts/kconfig/conf.c ]] ||
		kx_die "no kernel tree at $dir (run scripts/fetch-trees.sh)"
	(cd "$dir" && pwd)
}

# kx_mktemp_dir: a fresh directory under $TMPDIR (the caller removes it).
kx_mktemp_dir() { mktemp -d "${TMPDIR:-/tmp}/kx.XXXXXX"; }

# kx_oracle_olddefconfig TREE ARCH CONFIG [DIR]: the tree's own conf --olddefconfig on
# CONFIG (rewritten in place), in the environment make gives conf for ARCH, run from DIR
# (default $TMPDIR or /tmp; never inside the tree).  Exit: conf's, or 2 without an oracle.
# Successful answers are cached in $KX_CACHE/oracle-results/olddefconfig, keyed by the
# conf binary (path, size, mtime: build-oracle.sh rebuilds it for a new tree), its
# environment and CONFIG's bytes; a hit gives the same CONFIG, stdout and stderr.
kx_oracle_olddefconfig() {
	local env conf key ent tmp rc=0
	local -a E
	env=$("$KX_REPO/scripts/oracle-env.sh" "$1" "$2") || return 2
	conf=$("$KX_REPO/scripts/build-oracle.sh" "$1") || return 2
	mapfile -t E <<<"$env"
	key=$({
		printf '%s\n' olddefconfig-1 "$conf" "${E[@]}"
		stat -c '%s %Y' "$conf"
		sha256sum <"$3"
	} | sha256sum | cut -c1-40)
	ent=$KX_CACHE/oracle-results/olddefconfig/${key:0:2}/$key
	if [[ -f $ent/status ]]; then
		cp "$ent/config" "$3"
		cat "$ent/out"
		cat "$ent/err" >&2
		return 0
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/kx.XXXXXX")
	(cd "${4:-${TMPDIR:-/tmp}}" && env -i "${E[@]}" KCONFIG_CONFIG="$3" "$conf" -s \
		--olddefconfig Kconfig) >"$tmp/out" 2>"$tmp/err" || rc=$?
	cat "$tmp/out"
	cat "$tmp/err" >&2
	if ((rc == 0)) && cp "$3" "$tmp/config" && echo 0 >"$tmp/status"; then
		mkdir -p "${ent%/*}"
		mv -T "$tmp" "$ent" 2>/dev/null || rm -rf "$tmp"
	else
		rm -rf "$tmp"
	fi
	return "$rc"
}

# kx_conf_path_wrapper DIR: writes DIR/kxen-config-env, which runs this repository's
# kxen-config with exactly the PATH of conf's environment (6.12, x86_64) and nothing
# else, so that it sees what make sees (a rustc or clang only on the caller's PATH would
# change the RUSTC/CC probes); prints its path.
kx_conf_path_wrapper() {
	local opath
	opath=$("$KX_REPO/scripts/oracle-env.sh" 6.12 x86_64 | sed -n 's/^PATH=//p' | head -n 1)
	[[ -n $opath ]] || kx_die "no PATH in conf's environment (scripts/oracle-env.sh 6.12 x86_64)"
	cat >"$1/kxen-config-env" <<EOF
#!/bin/sh
exec env -i PATH="$opath" HOME="$HOME" XDG_CACHE_HOME="$KX_CACHE_HOME" \\
	"$KX_REPO/kxen-config" "\$@"
EOF
	chmod +x "$1/kxen-config-env"
	echo "$1/kxen-config-env"
}

# kx_read_env FILE: load an oracle environment file (NAME=VALUE lines) into KX_ENV.
kx_read_env() {
	[[ -s $1 ]] || kx_die "empty or missing environment file $1"
	mapfile -t KX_ENV <"$1"
}

# kx_has_conf PROG: true when the candidate kxen-config has the conf command. Judged by
# the usage text: like the kernel's conf, `conf --help` exits 1.
kx_has_conf() {
	local usage
	[[ -x $1 ]] || return 1
	usage=$("$1" conf --help 2>&1 </dev/null) || true
	[[ $usage == *--olddefconfig* ]]
}

# kx_now: seconds since the epoch with milliseconds, for timings.
kx_now() { date +%s.%N | cut -c1-14; }
kx_elapsed() { awk -v a="$1" -v b="$(kx_now)" 'BEGIN { printf "%.1f\n", b - a }'; }

# kx_tree_test_begin [VERSION|all]: the start of a tests/kernel script that runs over the
# kernel trees (run from the repository): 'which' the releases to test (default all of
# KX_TREE_VERSIONS), ./kxen-config built, 'work' a scratch directory removed on exit,
# the counters pass=0 fail=0, and ok/bad (below) to count and print one result each.
kx_tree_test_begin() {
	which=${1:-all}
	[[ $which == all ]] && which="${KX_TREE_VERSIONS[*]}"
	[[ -x ./kxen-config ]] || make -s -j"$(nproc)" >&2
	work=$(kx_mktemp_dir)
	# shellcheck disable=SC2064 # expanded now: the directory of this run
	trap "rm -rf '$work'" EXIT
	pass=0 fail=0
}
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
