#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/fetch-trees.sh - extract Debian's kernel source trees (and Debian's distro
# configs) into the cache.
#
# Where the packages come from:
#   - a release of the machine's own suite (6.1, 6.12 on bookworm) is installed with
#     apt-get like any other dependency, and its /usr/src tarball is used;
#   - any other release (5.10 from bullseye, 7.2/7.3 from trixie-backports) is
#     downloaded with `apt-get download` through a temporary sources list of our own
#     (same archive URI as the machine's, signed by Debian's archive keyring) under
#     $KX_CACHE/apt; the machine's apt configuration is never changed. The .deb is
#     unpacked with dpkg -x into a temporary directory and removed afterwards.
# A tree is extracted once: a stamp file records where it came from (tarball size and
# mtime, or the package file name with its version); extraction goes to a temporary
# directory that is renamed into place, so an interrupted run never leaves a half
# tree. A downloaded tree that is already there is used without touching the network
# (--refresh asks the archive again).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $kx_prog [--refresh] [5.10|6.1|6.12|7.2|7.3|all]...   (default: all)

Makes sure Debian's linux-source-X and linux-config-X are available, extracts the
kernel tree to \$KX_CACHE/src/linux-source-X and Debian's configs to
\$KX_CACHE/distro-configs/X/, then prints one tree path per line.
"all" is ${KX_TREE_VERSIONS[*]}; 7.2 is an extra release for independent checks.
  --refresh   for a downloaded release, ask the archive again and re-extract when
              the package version changed
KX_CACHE is $KX_CACHE
Environment: KX_DEBIAN_MIRROR overrides the archive URI (default: the machine's);
KX_TREES_STRICT=1 makes a tree with build products in it (.config, include/config,
...: a test ran make or conf inside it) an error instead of a warning and a clean-up.
Exit: 0 ok, 2 usage or environment error.
EOF
}

versions=() refresh=0
for a in "$@"; do
	case $a in
	-h | --help) usage; exit 0 ;;
	--refresh) refresh=1 ;;
	all) versions+=("${KX_TREE_VERSIONS[@]}") ;;
	5.10 | 6.1 | 6.12 | 7.2 | 7.3) versions+=("$a") ;;
	*) usage >&2; exit 2 ;;
	esac
done
((${#versions[@]})) || versions=("${KX_TREE_VERSIONS[@]}")
kx_need_cmd tar xz dpkg-query dpkg

# suite_of V: the Debian suite that ships linux-source-V.
suite_of() {
	case $1 in
	5.10) echo bullseye ;;
	6.1 | 6.12) echo bookworm ;;
	7.2 | 7.3) echo trixie-backports ;;
	*) kx_die "no Debian suite known for linux-source-$1" ;;
	esac
}

# The machine's own suite, whose packages apt-get installs.
host_suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")

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

# archive_uri: the Debian archive the machine's apt uses (deb822 .sources or one-line
# lists), the main archive rather than the security one.
archive_uri() {
	local f uri
	if [[ -n ${KX_DEBIAN_MIRROR:-} ]]; then
		echo "${KX_DEBIAN_MIRROR%/}"
		return
	fi
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list; do
		[[ -f $f ]] || continue
		uri=$(awk '
			/^[ \t]*#/ { next }
			tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }
			$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }
			' "$f" | grep -v security | grep '/debian/*$' | head -n 1) || true
		if [[ -n $uri ]]; then
			echo "${uri%/}"
			return
		fi
	done
	kx_die "no Debian archive URI in the machine's apt sources (set KX_DEBIAN_MIRROR)"
}

# apt_private ARGS...: apt-get with a sources list, lists and cache of our own.
APT_DIR=$KX_CACHE/apt
apt_private() {
	apt-get -q -o Dir::Etc::SourceList="$APT_DIR/sources.list" -o Dir::Etc::SourceParts=- \
		-o Dir::State::Lists="$APT_DIR/lists" -o Dir::Cache="$APT_DIR/cache" \
		-o APT::Sandbox::User=root "$@"
}

# apt_private_update SUITE: write our sources list for SUITE and update it (once).
apt_updated=""
apt_private_update() {
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg uri
	[[ $apt_updated == "$1" ]] && return 0
	[[ -f $keyring ]] || kx_die "$keyring missing (package debian-archive-keyring)"
	uri=$(archive_uri)
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	echo "deb [signed-by=$keyring] $uri $1 main" >"$APT_DIR/sources.list"
	kx_log "apt-get update of $1 from $uri (a private sources list under $APT_DIR)"
	apt_private update >"$APT_DIR/update.log" 2>&1 || {
		tail -n 5 "$APT_DIR/update.log" >&2
		kx_die "apt-get update of $1 (private sources list) failed"
	}
	apt_updated=$1
}

# download_pkgs DIR SUITE PKG...: the candidate .debs of each PKG in SUITE into DIR.
download_pkgs() {
	local dir=$1 suite=$2
	shift 2
	apt_private_update "$suite"
	(cd "$dir" && apt_private download "$@" >"$dir/download.log" 2>&1) || {
		tail -n 5 "$dir/download.log" >&2
		kx_die "apt-get download $* (from $suite) failed"
	}
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

# Temporary directories in the cache (same file system as the trees), removed on exit.
tmps=()
trap 'rm -rf "${tmps[@]}"' EXIT
new_tmp() {
	mkdir -p "$KX_CACHE/src"
	# Leftovers of runs killed outright (SIGKILL) are removed once they are old.
	find "$KX_CACHE/src" -maxdepth 1 -name ".extract-$1.*" -mmin +60 -exec rm -rf {} +
	NEW_TMP=$(mktemp -d "$KX_CACHE/src/.extract-$1.XXXXXX")
	tmps+=("$NEW_TMP")
}

have_tree() {
	[[ -f $1/Makefile && -f $1/scripts/kconfig/conf.c ]]
}

# install_tree V TARBALL STAMP TMP: extract TARBALL (linux-source-V/...) into TMP and
# move it to its place in the cache, replacing an older tree.
install_tree() {
	local v=$1 tarball=$2 stamp=$3 tmp=$4 name=linux-source-$1
	local dest=$KX_CACHE/src/$name stampf=$KX_CACHE/src/.$name.stamp
	kx_log "extracting $(basename "$tarball") (takes a minute)"
	tar -xJf "$tarball" -C "$tmp" || kx_die "extracting $tarball failed"
	[[ -f $tmp/$name/Makefile ]] || kx_die "$tarball does not contain $name/"
	rm -f "$stampf"
	if [[ -e $dest ]]; then
		mv "$dest" "$tmp/old"
		drop_derived "$name"
	fi
	mv "$tmp/$name" "$dest"
	echo "$stamp" >"$stampf"
}

extract_config_dir() {
	local v=$1 src=$2 dir=$KX_CACHE/distro-configs/$1 f out
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

# A release of the machine's own suite: installed packages, /usr/src tarballs.
extract_installed() {
	local v=$1 name=linux-source-$1 tarball=/usr/src/linux-source-$1.tar.xz
	local dest=$KX_CACHE/src/$name stampf=$KX_CACHE/src/.$name.stamp stamp pkgver
	ensure_pkgs "linux-source-$v" "linux-config-$v"
	[[ -f $tarball ]] || kx_die "$tarball missing although linux-source-$v is installed"
	extract_config_dir "$v" "/usr/src/linux-config-$v"
	stamp=$(stat -c '%s %Y' "$tarball")
	if have_tree "$dest"; then
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
	new_tmp "$name"
	install_tree "$v" "$tarball" "$stamp" "$NEW_TMP"
}

# A release of another suite: downloaded .debs, unpacked with dpkg -x.
extract_downloaded() {
	local v=$1 name=linux-source-$1 suite debs src cfg stamp
	local dest=$KX_CACHE/src/$name stampf=$KX_CACHE/src/.$name.stamp
	if ((refresh == 0)) && have_tree "$dest" && [[ -f $stampf ]] &&
		compgen -G "$KX_CACHE/distro-configs/$v/config.*" >/dev/null; then
		return 0
	fi
	suite=$(suite_of "$v")
	new_tmp "$name"
	debs=$NEW_TMP/debs
	mkdir -p "$debs" "$NEW_TMP/x"
	download_pkgs "$debs" "$suite" "linux-source-$v" "linux-config-$v"
	src=$(find "$debs" -maxdepth 1 -name "linux-source-${v}_*.deb" | head -n 1)
	cfg=$(find "$debs" -maxdepth 1 -name "linux-config-${v}_*.deb" | head -n 1)
	[[ -n $src && -n $cfg ]] || kx_die "apt-get download gave no linux-source/config-$v .deb"
	stamp="deb $(basename "$src")"
	dpkg -x "$cfg" "$NEW_TMP/x" || kx_die "dpkg -x $cfg failed"
	extract_config_dir "$v" "$NEW_TMP/x/usr/src/linux-config-$v"
	if have_tree "$dest" && [[ -f $stampf && $(cat "$stampf") == "$stamp" ]]; then
		return 0
	fi
	dpkg -x "$src" "$NEW_TMP/x" || kx_die "dpkg -x $src failed"
	rm -f "$src"
	install_tree "$v" "$NEW_TMP/x/usr/src/$name.tar.xz" "$stamp" "$NEW_TMP"
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
		# CI's tests run with KX_TREES_STRICT=1: a test that wrote into a tree is found
		# (the next one to fetch the trees fails), not cleaned away silently
		[[ -z ${KX_TREES_STRICT:-} ]] ||
			kx_die "${f#"$dir"/} in $dir: something ran make or conf inside the tree (KX_TREES_STRICT)"
		kx_log "warning: removing ${f#"$dir"/} from $dir: something ran make or conf inside the tree"
		rm -rf "$f"
	done
	return 0
}

for v in "${versions[@]}"; do
	if [[ $(suite_of "$v") == "$host_suite" ]]; then
		extract_installed "$v"
	else
		extract_downloaded "$v"
	fi
	clean_tree "$KX_CACHE/src/linux-source-$v"
	echo "$KX_CACHE/src/linux-source-$v"
done
