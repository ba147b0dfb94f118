#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/fetch-trees.sh - extract the Debian kernel source trees (and Debian's distro
# configs) into the cache. A tree is extracted once: a stamp file records the tarball's
# size and mtime; extraction goes to a temporary directory that is renamed into place,
# so an interrupted run never leaves a half tree. A complete tree extracted by hand
# (same kernel version as the package) is adopted instead of being extracted again.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $kx_prog [6.1|6.12|all]...   (default: all)

Makes sure linux-source-X and linux-config-X are installed, extracts
/usr/src/linux-source-X.tar.xz to \$KX_CACHE/src/linux-source-X and Debian's configs
to \$KX_CACHE/distro-configs/X/, then prints one tree path per line.
KX_CACHE is $KX_CACHE
Exit: 0 ok, 2 usage or environment error.
EOF
}

versions=()
for a in "$@"; do
	case $a in
	-h | --help) usage; exit 0 ;;
	all) versions+=("${KX_TREE_VERSIONS[@]}") ;;
	6.1 | 6.12) versions+=("$a") ;;
	*) usage >&2; exit 2 ;;
	esac
done
((${#versions[@]})) || versions=("${KX_TREE_VERSIONS[@]}")
kx_need_cmd tar xz dpkg-query

ensure_pkgs() {
	local p missing=()
	for p in "$@"; do
		[[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	((EUID == 0)) || kx_die "missing packages ${missing[*]} (run scripts/install-deps.sh as root)"
	kx_log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${missing[@]}" >/dev/null; } ||
		kx_die "cannot install ${missing[*]}"
}

# tree_version DIR: VERSION.PATCHLEVEL.SUBLEVEL from the tree's top Makefile.
tree_version() {
	awk -F' *= *' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2} $1=="SUBLEVEL"{s=$2}
		END{print v "." p "." s}' "$1/Makefile"
}

# Invalidate what was derived from an older tree.
drop_derived() {
	rm -rf "$KX_CACHE/oracle/$1" "$KX_CACHE/env/$1"-*.env
}

extract_tree() {
	local v=$1 name=linux-source-$1 tarball=/usr/src/linux-source-$1.tar.xz
	local dest=$KX_CACHE/src/$name stampf=$KX_CACHE/src/.$name.stamp stamp tmp pkgver
	[[ -f $tarball ]] || kx_die "$tarball missing although linux-source-$v is installed"
	stamp=$(stat -c '%s %Y' "$tarball")
	if [[ -f $dest/Makefile && -f $dest/scripts/kconfig/conf.c ]]; then
		[[ -f $stampf && $(cat "$stampf") == "$stamp" ]] && return 0
		if [[ ! -f $stampf ]]; then
			# Extracted by hand: adopt it when it is the packaged kernel version.
			pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$v")
			if [[ ${pkgver%%-*} == "$(tree_version "$dest")" ]]; then
				echo "$stamp" >"$stampf"
				return 0
			fi
		fi
	fi
	kx_log "extracting $tarball (takes a minute)"
	mkdir -p "$KX_CACHE/src"
	# Leftovers of runs killed outright (SIGKILL) are removed once they are old.
	find "$KX_CACHE/src" -maxdepth 1 -name ".extract-$name.*" -mmin +60 -exec rm -rf {} +
	tmp=$(mktemp -d "$KX_CACHE/src/.extract-$name.XXXXXX")
	# shellcheck disable=SC2064 # expand now: tmp is local
	trap "rm -rf '$tmp'" EXIT
	tar -xJf "$tarball" -C "$tmp" || kx_die "extracting $tarball failed"
	[[ -f $tmp/$name/Makefile ]] || kx_die "$tarball does not contain $name/"
	rm -f "$stampf"
	if [[ -e $dest ]]; then
		mv "$dest" "$tmp/old"
		drop_derived "$name"
	fi
	mv "$tmp/$name" "$dest"
	echo "$stamp" >"$stampf"
	rm -rf "$tmp"
	trap - EXIT
}

# clean_tree DIR: remove what a make or conf run inside the tree left (the tarball has
# none of it); with it there, `make O=...` refuses to run ("source tree is not clean").
clean_tree() {
	local dir=$1 found=()
	shopt -s nullglob
	found=("$dir"/.config "$dir"/.config.old "$dir"/include/config "$dir"/include/generated
		"$dir"/arch/*/include/generated "$dir"/scripts/kconfig/conf "$dir"/scripts/basic/fixdep)
	shopt -u nullglob
	for f in "${found[@]}"; do
		[[ -e $f ]] || continue
		kx_log "warning: removing ${f#"$dir"/} from $dir: something ran make or conf inside the tree"
		rm -rf "$f"
	done
	return 0
}

extract_configs() {
	local v=$1 src=/usr/src/linux-config-$1 dir=$KX_CACHE/distro-configs/$1 f out
	mkdir -p "$dir"
	for f in "$src"/*.xz; do
		[[ -e $f ]] || kx_die "no distro configs in $src"
		out=$dir/$(basename "$f" .xz)
		[[ -f $out && ! $f -nt $out ]] && continue
		if ! xz -dc "$f" >"$out.tmp.$$"; then
			rm -f "$out.tmp.$$"
			kx_die "cannot unpack $f"
		fi
		mv "$out.tmp.$$" "$out"
	done
}

for v in "${versions[@]}"; do
	ensure_pkgs "linux-source-$v" "linux-config-$v"
	extract_tree "$v"
	clean_tree "$KX_CACHE/src/linux-source-$v"
	extract_configs "$v"
	echo "$KX_CACHE/src/linux-source-$v"
done
