#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/mkinitramfs.sh - a tiny busybox initramfs for boot tests.
#
# Usage: scripts/mkinitramfs.sh [options] OUTPUT
#
#   --marker TEXT     /init prints "KXEN-BOOT-OK TEXT" on the console (default:
#                     a random hex string, printed on stdout by this script)
#   --init FILE       use FILE as /init instead of the built-in script
#   --busybox PATH    a static busybox (default: /bin/busybox from busybox-static)
#   --compress C      gzip (default; the kernel needs CONFIG_RD_GZIP=y) or none
#   --help
#
# The archive is written without root and without cpio(1): the script emits
# the "newc" format itself, so it can contain /dev/console (a character device
# node the kernel needs to give /init a console) and is byte-reproducible
# (uid/gid 0, mtime 0).  Contents:
#
#   /init            the script below (or --init FILE), mode 0755
#   /bin/busybox     and symlinks sh mount umount echo cat uname sleep poweroff
#                    reboot dmesg ls
#   /dev/console     c 5 1;  /proc /sys /dev /tmp directories
#
# The built-in /init mounts proc, sysfs and devtmpfs, prints
#     KXEN-BOOT-OK <marker>
# and the kernel version, then powers off with `poweroff -f` when there is a
# way to power off: under Xen, or when the ACPI namespace loaded
# (/sys/bus/acpi/devices not empty; a kernel without PCI cannot load it, see
# docs/BOOT.md); otherwise `reboot -f`, which QEMU's -no-reboot turns into
# its exit (under Xen with on_reboot="destroy" too).  The marker is built at
# run time from two words, so the text of /init itself never matches it.
#
# Prints the marker on stdout (one line).  Exit 0 ok, 2 usage or environment
# error.

set -euo pipefail

prog=$(basename "$0")
die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 2
}
usage() { sed -n '4,35p' "$0" | sed 's/^# \{0,1\}//'; }

marker=
init_file=
busybox=/bin/busybox
compress=gzip
out=
while [[ $# -gt 0 ]]; do
	case $1 in
	--marker) marker=${2:?--marker needs a value}; shift 2 ;;
	--init) init_file=${2:?--init needs a file}; shift 2 ;;
	--busybox) busybox=${2:?--busybox needs a path}; shift 2 ;;
	--compress) compress=${2:?--compress needs gzip or none}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) [[ -z $out ]] || die "only one OUTPUT"; out=$1; shift ;;
	esac
done
[[ -n $out ]] || { usage >&2; exit 2; }
case $compress in gzip | none) ;; *) die "--compress must be gzip or none" ;; esac
[[ -x $busybox ]] || die "no busybox at $busybox (apt-get install busybox-static)"
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
	die "$busybox is not statically linked (install busybox-static)"
fi
[[ -z $init_file || -r $init_file ]] || die "cannot read $init_file"
[[ -n $marker ]] || marker=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
[[ $marker =~ ^[A-Za-z0-9._-]+$ ]] || die "the marker must be [A-Za-z0-9._-]+"

work=$(mktemp -d "${TMPDIR:-/tmp}/kx-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ -n $init_file ]]; then
	cp "$init_file" "$work/init"
else
	cat >"$work/init" <<EOF
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
ok=KXEN-BOOT
echo "\$ok-OK $marker"
echo "kxen-initramfs: \$(uname -srm)"
# poweroff -f needs a power-off method.  Under Xen the hypervisor provides
# one.  Outside Xen it is ACPI S5, and the ACPI namespace of a kernel
# without PCI does not load (no PCI_Config handler: AE_BAD_PARAMETER),
# /sys/bus/acpi/devices stays empty and poweroff would only halt: then
# reboot -f, which QEMU's -no-reboot turns into its exit.
case "\$(dmesg 2>/dev/null)" in
*"paravirtualized kernel on Xen"*) poweroff -f ;;
esac
if [ -n "\$(ls /sys/bus/acpi/devices 2>/dev/null)" ]; then
	poweroff -f
fi
reboot -f
EOF
fi

# ---- newc writer --------------------------------------------------------------
ino=1000
# entry NAME MODE(octal) RDEVMAJ RDEVMIN [DATAFILE | -SYMLINKTARGET]
entry() {
	local name=$1 mode=$((8#$2)) maj=$3 min=$4 data=${5:-} size=0 namesize pad
	if [[ $data == -* ]]; then
		size=${#data}
		size=$((size - 1))
	elif [[ -n $data ]]; then
		size=$(stat -c %s "$data")
	fi
	namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$mode" 0 0 1 0 "$size" 0 0 "$maj" "$min" "$namesize" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
	if [[ $data == -* ]]; then
		printf '%s' "${data#-}"
	elif [[ -n $data ]]; then
		cat "$data"
	fi
	pad=$(((4 - size % 4) % 4))
	head -c "$pad" /dev/zero
	ino=$((ino + 1))
}

{
	for d in bin dev proc sys tmp; do entry "$d" 40755 0 0; done
	entry dev/console 20600 5 1
	entry init 100755 0 0 "$work/init"
	entry bin/busybox 100755 0 0 "$busybox"
	for a in sh mount umount echo cat uname sleep poweroff reboot dmesg ls; do
		entry "bin/$a" 120777 0 0 "-busybox"
	done
	ino=0
	entry TRAILER!!! 0 0 0
	# pad the archive to 512 bytes, as cpio does
} >"$work/initramfs.cpio"
size=$(stat -c %s "$work/initramfs.cpio")
head -c $(((512 - size % 512) % 512)) /dev/zero >>"$work/initramfs.cpio"

mkdir -p "$(dirname "$out")"
if [[ $compress == gzip ]]; then
	gzip -9 -n -c "$work/initramfs.cpio" >"$out.tmp"
else
	cp "$work/initramfs.cpio" "$out.tmp"
fi
mv "$out.tmp" "$out"
printf '%s\n' "$marker"
