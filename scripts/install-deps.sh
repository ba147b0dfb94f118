#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/install-deps.sh - install what the build and the tests need (Debian 12).
# Idempotent: silent when everything is installed; runs apt-get update only when
# something is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $kx_prog [--boot] [--xen] [--dry-run]

Install (with apt-get, as root) the packages needed to build kxen-config and run its
tests, including the Debian kernel source trees used as the conformance reference.
  --boot     also what the QEMU boot tests need (qemu-system-x86, busybox-static)
  --xen      also what the Xen tests need (hypervisor, tools, a dom0 kernel)
  --dry-run  only print the missing packages
Exit: 0 ok, 2 usage error or installation failure.
EOF
}

pkgs=(
	build-essential flex bison pkg-config libgit2-dev libcmocka-dev picosat
	clang llvm valgrind hyperfine strace bc libelf-dev libssl-dev cpio xz-utils
	python3 python3-kconfiglib python3-pytest python3-jsonschema git shellcheck
	linux-source-6.1 linux-source-6.12 linux-config-6.1 linux-config-6.12
)
dry=0
while (($#)); do
	case $1 in
	--boot) pkgs+=(qemu-system-x86 busybox-static) ;;
	--xen) pkgs+=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils linux-image-amd64) ;;
	--dry-run) dry=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ $st == installed ]] || missing+=("$p")
done
((${#missing[@]})) || exit 0
if ((dry)); then
	printf '%s\n' "${missing[@]}"
	exit 0
fi

sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null 2>&1 ||
		kx_die "not root and no sudo; missing: ${missing[*]}"
	sudo=(sudo)
fi
kx_log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || kx_die "apt-get update failed"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	kx_die "apt-get install failed for: ${missing[*]}"
