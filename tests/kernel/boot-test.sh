#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/kernel/boot-test.sh - the boot proof: a domU kernel configured by
# kxen-config boots in QEMU through its PVH entry to a busybox initramfs.
#
# Usage: tests/kernel/boot-test.sh [--help]      (also: make boot-test)
#
# Steps (each timed):
#   1. install qemu-system-x86 and busybox-static when missing (apt-get, as
#      root); when QEMU cannot be had the test SKIPS LOUDLY with exit 77;
#   2. the domU config: $KX_BOOT_CONFIG when set, else `kxen-config generate`
#      (or, for a kxen-config without it, `closure --base tinyconfig` with the
#      Xen domU targets below); then the QEMU boot fragment (docs/BOOT.md,
#      "The boot test") is merged on top like merge_config.sh (later lines
#      win) and `kxen-config olddefconfig` makes it final; every fragment
#      line is checked to hold, and the changes are printed;
#   3. scripts/build-domu.sh --type pvh (cached by config + tree + arch);
#   4. `readelf -n vmlinux` must show the Xen ELF notes and the PVH entry
#      note XEN_ELFNOTE_PHYS32_ENTRY (type 0x12);
#   5. scripts/mkinitramfs.sh: /init prints "KXEN-BOOT-OK <random>" and
#      powers off with `poweroff -f`;
#   6. qemu-system-x86_64 -kernel vmlinux (QEMU loads an ELF with the PVH note
#      and enters it at the PVH entry) -initrd ... -nographic -no-reboot: with
#      KVM when /dev/kvm works (tried with a short time limit), else TCG with
#      -cpu max,-rdtscp (a PVH domU can hang under TCG without it).  The test
#      passes only when the marker appears on the serial console.
#
# Environment:
#   KX_BOOT_TREE      kernel tree (6.1, 6.12 or a path; default 6.12)
#   KX_BOOT_CONFIG    a domU .config to start from instead of `generate`
#   KX_BOOT_CONFIG_SOURCE  generate (default when available) or closure
#   KX_BOOT_TIMEOUT   seconds for the TCG boot (default 600)
#   KX_BOOT_KVM       0: do not try KVM; 1: KVM only (no TCG fallback)
#   KX_BOOT_KEEP=1    keep the work directory (it is kept on failure anyway)
#   KX_BOOT_APPEND_EXTRA  words added to the kernel command line (debugging;
#                     e.g. "rdinit=/nonexistent" shows the failure path)
#   KX_NO_INSTALL=1   never run apt-get
#
# Exit: 0 pass; 1 fail (serial log tail printed); 2 environment error;
# 77 skipped (QEMU or busybox-static not installable).
#
# The kernel command line is "console=ttyS0,115200 earlyprintk=serial,ttyS0,115200
# panic=-1 rdinit=/init".  Nothing after earlyprintk=serial may contain the
# word "xen": the kernel would then turn on the Xen early console, which
# crashes outside Xen.

set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '4,47p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
[[ $# -eq 0 ]] || kx_die "no arguments expected (see --help)"

tree_arg=${KX_BOOT_TREE:-6.12}
timeout_tcg=${KX_BOOT_TIMEOUT:-600}
timeout_kvm=60
arch=x86_64

# The Xen domU profile used when no KX_BOOT_CONFIG is given.
xen_targets=(XEN XEN_PVH XEN_PV HVC_XEN XEN_BLKDEV_FRONTEND XEN_NETDEV_FRONTEND
	BLK_DEV_INITRD DEVTMPFS DEVTMPFS_MOUNT EXT4_FS BINFMT_ELF TTY PRINTK
	SERIAL_8250 SERIAL_8250_CONSOLE)

# What booting in QEMU to a busybox initramfs adds to a Xen domU config
# (tests/kernel/qemu-boot.config, shared with xen-test.sh; docs/BOOT.md).
boot_fragment=$(grep -E '^(# )?CONFIG_' "$KX_REPO/tests/kernel/qemu-boot.config")

# Choices the closure engine makes that a slim domU does not want (equally
# small alternatives it picked over the plain prompts); only applied on top
# of the closure, never on top of KX_BOOT_CONFIG.
closure_cleanup='# CONFIG_MWAVE is not set
# CONFIG_HYPERV is not set
# CONFIG_FTRACE is not set
# CONFIG_BOOTTIME_TRACING is not set
# CONFIG_BOOT_CONFIG is not set'

say() { printf 'boot-test: %s\n' "$*" >&2; }
skip() {
	printf '\n*** boot-test: SKIPPED: %s ***\n\n' "$*" >&2
	exit 77
}
declare -A times=()
t_begin() { t0=$(kx_now); }
t_end() { times[$1]=$(awk -v a="$t0" -v b="$(kx_now)" 'BEGIN { printf "%.1f", b - a }'); }

# ---- 1. dependencies -----------------------------------------------------------
t_begin
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need_pkgs+=(qemu-system-x86)
# busybox-static: /bin/busybox without a program interpreter (static)
if [[ ! -x /bin/busybox ]] || readelf -l /bin/busybox 2>/dev/null | grep -q 'program interpreter'; then
	need_pkgs+=(busybox-static)
fi
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
	if [[ ${KX_NO_INSTALL:-0} == 1 || $(id -u) -ne 0 ]]; then
		skip "${need_pkgs[*]} missing and cannot be installed here (not root or KX_NO_INSTALL=1)"
	fi
	say "installing ${need_pkgs[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >/tmp/kx-boot-apt.log 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q >>/tmp/kx-boot-apt.log 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >>/tmp/kx-boot-apt.log 2>&1 ||
			skip "apt-get install ${need_pkgs[*]} failed (see /tmp/kx-boot-apt.log)"
	fi
fi
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 is not available"
kx_need_cmd readelf gzip awk
t_end deps

tree=$(kx_tree_dir "$tree_arg")
kxen=$KX_REPO/kxen-config
[[ -x $kxen ]] || make -s -C "$KX_REPO" >&2 || kx_die "cannot build kxen-config"

work=$(mktemp -d "${TMPDIR:-/tmp}/kx-boot.XXXXXX")
keep=${KX_BOOT_KEEP:-0}
cleanup() { [[ $keep == 1 ]] || rm -rf "$work"; }
trap cleanup EXIT
fail() {
	keep=1
	printf '\nboot-test: FAIL: %s\n' "$*" >&2
	printf 'boot-test: work directory kept: %s\n' "$work" >&2
	exit 1
}

# ---- 2. the config --------------------------------------------------------------
t_begin
cfg=$work/domu.config
source_kind=${KX_BOOT_CONFIG_SOURCE:-}
if [[ -n ${KX_BOOT_CONFIG:-} ]]; then
	source_kind="file"
elif [[ -z $source_kind ]]; then
	# `generate` is the product; the closure is the fallback for trees of
	# kxen-config without it
	if "$kxen" generate --help >/dev/null 2>&1; then source_kind=generate; else source_kind=closure; fi
fi
case $source_kind in
file)
	cp "$KX_BOOT_CONFIG" "$cfg"
	say "domU config from KX_BOOT_CONFIG=$KX_BOOT_CONFIG"
	fragment=$boot_fragment
	;;
generate)
	# the boot fragment goes in as extra requirements (--add): the closure
	# resolves its prerequisites, and the result is the same config
	# tests/kernel/xen-test.sh builds, so one cached build serves both
	say "domU config: kxen-config generate --add <the QEMU boot fragment> (tinyconfig base, minimal profile)"
	printf '%s\n' "$boot_fragment" >"$work/boot.frag"
	"$kxen" -C "$tree" --arch "$arch" generate --add "$work/boot.frag" -o "$cfg" \
		>"$work/generate.out" 2>&1 ||
		{ cat "$work/generate.out" >&2; fail "kxen-config generate failed"; }
	"$kxen" -C "$tree" --arch "$arch" generate -o "$work/plain.config" >/dev/null 2>&1 || true
	fragment=$boot_fragment
	;;
closure)
	say "domU config: closure --base tinyconfig ${xen_targets[*]}"
	"$kxen" -C "$tree" --arch "$arch" closure --base tinyconfig -o "$cfg" \
		"${xen_targets[@]}" >"$work/closure.out" 2>&1 ||
		{ cat "$work/closure.out" >&2; fail "kxen-config closure failed"; }
	fragment=$closure_cleanup$'\n'$boot_fragment
	;;
*) kx_die "KX_BOOT_CONFIG_SOURCE must be generate or closure" ;;
esac
if [[ -s $work/plain.config ]]; then
	cp "$work/plain.config" "$work/domu-base.config"	# to show what --add changed
else
	cp "$cfg" "$work/domu-base.config"
fi
printf '%s\n' "$fragment" >"$work/fragment.config"
# merge_config.sh semantics: drop every line of a symbol the fragment sets,
# append the fragment, let olddefconfig settle the rest
syms=$(grep -oE 'CONFIG_[A-Za-z0-9_]+' "$work/fragment.config" | sort -u)
grep -vE "^(# )?($(paste -sd'|' <<<"$syms"))[= ]" "$cfg" >"$cfg.tmp" || true
cat "$work/fragment.config" >>"$cfg.tmp"
mv "$cfg.tmp" "$cfg"
"$kxen" -C "$tree" --arch "$arch" --config "$cfg" olddefconfig >"$work/olddefconfig.out" 2>&1 ||
	{ cat "$work/olddefconfig.out" >&2; fail "kxen-config olddefconfig failed"; }
missing=0
while IFS= read -r line; do
	[[ -n $line ]] || continue
	if [[ $line == "# CONFIG_"*" is not set" ]]; then
		sym=${line#\# }
		sym=${sym%% *}
		if grep -qE "^${sym}=" "$cfg"; then
			say "fragment line not honoured: '$line' (got $(grep -E "^${sym}=" "$cfg"))"
			missing=1
		fi
	elif ! grep -qxF "$line" "$cfg"; then
		sym=${line%%=*}
		say "fragment line not honoured: '$line' (got '$(grep -E "^(# )?${sym}[= ]" "$cfg" || echo "nothing")')"
		missing=1
	fi
done <"$work/fragment.config"
[[ $missing == 0 ]] || fail "the QEMU boot fragment does not hold on this config"
for s in CONFIG_XEN_PVH CONFIG_PVH; do
	grep -qx "$s=y" "$cfg" || fail "the config has no $s=y: no PVH entry to boot"
done
say "config: $(grep -c '=y$' "$cfg") symbols =y; what the boot fragment changed in the $source_kind config:"
diff <(grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$work/domu-base.config" | sort) \
	<(grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$cfg" | sort) | grep -E '^[<>]' |
	sed 's/^</    -/; s/^>/    +/' >&2 || true
t_end config

# ---- 3. the build -----------------------------------------------------------------
t_begin
out=$work/out
set +e
"$KX_REPO/scripts/build-domu.sh" --type pvh "$cfg" "$out" "$tree" "$arch" >"$work/paths"
rc=$?
set -e
[[ $rc -eq 0 ]] || { [[ $rc -eq 2 ]] && kx_die "build-domu.sh: environment error"; fail "the kernel build failed"; }
t_end build
vmlinux=$(sed -n 1p "$work/paths")
bzimage=$(sed -n 2p "$work/paths")
# shellcheck disable=SC1091
source "$out/build-domu.env"

# ---- 4. the ELF notes --------------------------------------------------------------
readelf -n "$vmlinux" >"$work/notes.txt" 2>&1 || fail "readelf -n $vmlinux failed"
grep -qE '^ +Xen +0x' "$work/notes.txt" || { cat "$work/notes.txt" >&2; fail "vmlinux has no Xen ELF notes"; }
# binutils prints the PVH note as "Unknown note type: (0x00000012)" (older)
# or by name (newer)
if ! grep -E '^ +Xen +0x' "$work/notes.txt" | grep -qE '0x00000012|PHYS32_ENTRY'; then
	cat "$work/notes.txt" >&2
	fail "vmlinux has no XEN_ELFNOTE_PHYS32_ENTRY (0x12) note: QEMU/Xen cannot enter it as PVH"
fi
say "vmlinux has $(grep -cE '^ +Xen +0x' "$work/notes.txt") Xen ELF notes, including PHYS32_ENTRY (0x12)"
# kxen-config's own ELF note reader on this real vmlinux: the unit test that needs
# one (test_image__xen_notes_real_vmlinux), and xl-cfg's PVH entry check
make -C "$KX_REPO" -s build/tests/test_image >/dev/null || fail "cannot build test_image"
KX_TEST_VMLINUX=$vmlinux "$KX_REPO/build/tests/test_image" >"$work/test_image.log" 2>&1 ||
	{ cat "$work/test_image.log" >&2; fail "test_image with KX_TEST_VMLINUX=$vmlinux failed"; }
! grep -q '^SKIP' "$work/test_image.log" || fail "test_image skipped with KX_TEST_VMLINUX set"
"$KX_REPO/kxen-config" xl-cfg --kernel "$vmlinux" -o "$work/xl.cfg" 2>"$work/xlcfg.err" ||
	fail "xl-cfg --kernel $vmlinux: $(cat "$work/xlcfg.err")"
! grep -q 'no Xen PVH entry point' "$work/xlcfg.err" || fail "xl-cfg does not see the PVH entry of $vmlinux"
say "kxen-config reads the same notes (test_image with this vmlinux, xl-cfg's PVH check)"

# ---- 5. the initramfs ---------------------------------------------------------------
initrd=$work/initramfs.cpio.gz
marker=$("$KX_REPO/scripts/mkinitramfs.sh" "$initrd")
say "initramfs $(stat -c %s "$initrd") bytes, marker KXEN-BOOT-OK $marker"

# ---- 6. QEMU --------------------------------------------------------------------
append="console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 panic=-1 rdinit=/init"
if [[ -n ${KX_BOOT_APPEND_EXTRA:-} ]]; then
	[[ ${KX_BOOT_APPEND_EXTRA,,} != *xen* ]] ||
		kx_die "KX_BOOT_APPEND_EXTRA must not contain 'xen' (it would turn on the Xen early console)"
	append+=" $KX_BOOT_APPEND_EXTRA"
fi

# boot ACCEL TIMEOUT LOG: 0 when the marker appeared
boot() {
	local accel=$1 limit=$2 log=$3 cpu pid waited=0
	case $accel in
	kvm) cpu=(-accel kvm -cpu host) ;;
	tcg) cpu=(-accel tcg -cpu "max,-rdtscp") ;;
	esac
	: >"$log"
	# in a subshell (not exec'd: "; exit"), so that bash's "Aborted" for a
	# QEMU killed by a signal goes to the log; timeout(1) as a hard limit
	(
		timeout -k 5 $((limit + 10)) qemu-system-x86_64 "${cpu[@]}" -m 256 -smp 1 \
			-nographic -no-reboot -kernel "$vmlinux" -initrd "$initrd" \
			-append "$append" </dev/null
		exit $?
	) >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if grep -qa "KXEN-BOOT-OK $marker" "$log"; then
			# give poweroff a moment, then stop QEMU ourselves
			for _ in $(seq 1 20); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.5
			done
			kill -0 "$pid" 2>/dev/null && { say "QEMU did not power off: stopping it"; kill "$pid"; }
			wait "$pid" 2>/dev/null || true
			return 0
		fi
		if ((waited >= limit * 2)); then
			say "$accel boot: no marker after ${limit}s, stopping QEMU"
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			return 1
		fi
		sleep 0.5
		waited=$((waited + 1))
	done
	wait "$pid" 2>/dev/null || true
	grep -qa "KXEN-BOOT-OK $marker" "$log"
}

kvm_usable() {
	[[ ${KX_BOOT_KVM:-} != 0 && -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]
}

t_begin
accel=none
if kvm_usable; then
	say "trying KVM (limit ${timeout_kvm}s)"
	if boot kvm "$timeout_kvm" "$work/serial-kvm.log"; then
		accel=kvm
	else
		say "KVM did not boot the kernel here: $(grep -a -m1 -iE 'error|fail|abort' "$work/serial-kvm.log" || tail -n1 "$work/serial-kvm.log")"
		[[ ${KX_BOOT_KVM:-} == 1 ]] && { tail -n 40 "$work/serial-kvm.log" >&2; fail "KVM boot failed (KX_BOOT_KVM=1)"; }
	fi
fi
if [[ $accel == none ]]; then
	say "booting under TCG (-cpu max,-rdtscp, limit ${timeout_tcg}s)"
	if boot tcg "$timeout_tcg" "$work/serial-tcg.log"; then
		accel=tcg
	else
		printf -- '---- serial console (last 60 lines) ----\n' >&2
		tail -n 60 "$work/serial-tcg.log" | tr -d '\r' >&2
		printf -- '----\n' >&2
		fail "the marker KXEN-BOOT-OK $marker did not appear on the serial console"
	fi
fi
t_end boot
log=$work/serial-$accel.log
grep -a "KXEN-BOOT-OK $marker" "$log" | tr -d '\r' >&2

size() { stat -c %s "$1" | awk '{ printf "%.2f MiB (%d bytes)", $1 / 1048576, $1 }'; }
if grep -qa 'reboot: Power down' "$log"; then
	ending="powered off (poweroff -f)"
elif grep -qa 'reboot: Restarting system' "$log"; then
	ending="reboot -f, QEMU exited (-no-reboot); power-off unavailable: ACPI namespace not loaded"
else
	ending="halted; QEMU stopped by the test"
fi
cat >&2 <<EOF

boot-test: PASS (accelerator: $accel)
  tree          $tree ($arch)
  config        $(grep -c '=y$' "$cfg") symbols =y ($work/domu.config)
  vmlinux       $(size "$vmlinux")
  bzImage       $(size "$bzimage")
  domU image    $OBJDIR/domu/$(basename "${DOMU_IMAGE:-?}")
  ending        $ending
  wall times    deps ${times[deps]}s, config ${times[config]}s, build ${times[build]}s$([[ $CACHED == 1 ]] && echo " (cached)"), boot ${times[boot]}s
  kernel        $(grep -a -m1 'kxen-initramfs:' "$log" | tr -d '\r' | sed 's/^kxen-initramfs: //')
EOF
exit 0
