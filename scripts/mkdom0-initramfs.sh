#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/mkdom0-initramfs.sh - the dom0 initramfs of the Xen end-to-end test.
#
# No root filesystem is needed: Xen boots Debian's PV-dom0 capable kernel with this
# initramfs, which holds everything the test uses:
#   - busybox (static) and the Xen tools from Debian's xen-utils-4.17/xenstore-utils
#     (xl, xenstored, xenconsoled, xen-init-dom0, libxl-save-helper, xenstore-*) with
#     their shared libraries (found with ldd) and libgcc_s (pthread_cancel loads it);
#   - the dom0 kernel's modules for the backends (xen-evtchn, privcmd, xenfs, gntdev,
#     blkback, netback, loop, bridge), in dependency order from modules.dep, for insmod;
#   - stand-ins for /etc/xen/scripts/block and vif-bridge;
#   - the domU kernel, a busybox initramfs for it, and a small ext4 disk image made
#     with mke2fs -d from the same busybox tree (its init prints KXTEST-DOMU markers,
#     reads a token from the disk and pings dom0); the image's file name has a space,
#     a comma and double quotes, so that the quoting of xl-cfg is tested by xl itself;
#   - one xl configuration per case, written by `kxen-config xl-cfg` (never by hand);
#   - for the pygrub case: pygrub and the python3 it runs on (from xen-utils-4.17 and
#     python3), and a disk whose /boot holds the domU kernel and a grub2 menu;
#   - /init (dom0's): starts xenstored and xenconsoled, runs the case named by
#     kxcase= on its command line and prints KXTEST-DOM0 verdicts; the domU's console
#     (logged by xenconsoled) is relayed to dom0's console as "domU| " lines.
# The random token of the disk case is written to OUTPUT.token.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $kx_prog --domu-kernel KERNEL [options] OUTPUT.cpio.gz

  --domu-kernel K   the domU kernel (vmlinux or bzImage, x86_64, with Xen PV/PVH)
  --dom0-kver V     the dom0 kernel version in /lib/modules (default: the newest
                    one with xen-blkback)
  --kxen-config P   the kxen-config that writes the xl configurations
                    (default: $KX_REPO/kxen-config)
  --work DIR        build directory (default: a temporary one, removed)
Exit: 0 written, 2 usage or environment error (missing tools or packages).
EOF
}

domu_kernel='' dom0_kver='' kxc=$KX_REPO/kxen-config work='' out=''
while (($#)); do
	case $1 in
	--domu-kernel) domu_kernel=${2:?}; shift ;;
	--dom0-kver) dom0_kver=${2:?}; shift ;;
	--kxen-config) kxc=${2:?}; shift ;;
	--work) work=${2:?}; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) out=$1 ;;
	esac
	shift
done
[[ -n $domu_kernel && -n $out ]] || { usage >&2; exit 2; }
[[ -f $domu_kernel ]] || kx_die "no domU kernel at $domu_kernel"
[[ -x $kxc ]] || kx_die "no kxen-config at $kxc (run make)"
kx_need_cmd busybox cpio gzip ldd mke2fs
XENBIN=/usr/lib/xen-4.17/bin
for f in $XENBIN/xl $XENBIN/xenstored $XENBIN/xenconsoled $XENBIN/xen-init-dom0 \
	$XENBIN/libxl-save-helper /usr/bin/xenstore; do
	[[ -x $f ]] || kx_die "$f missing (apt-get install xen-utils-4.17 xenstore-utils)"
done
busybox_bin=$(command -v busybox)
file -L "$busybox_bin" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox_bin" 2>&1 | grep -q 'not a dynamic' ||
	kx_die "$busybox_bin is not static (apt-get install busybox-static)"

if [[ -z $dom0_kver ]]; then
	for d in $(ls -1d /lib/modules/*/ 2>/dev/null | sort -V -r); do
		v=$(basename "$d")
		if [[ -f /boot/vmlinuz-$v && -n $(find "$d" -name 'xen-blkback.ko*' -print -quit) ]]; then
			dom0_kver=$v
			break
		fi
	done
fi
[[ -n $dom0_kver && -d /lib/modules/$dom0_kver ]] ||
	kx_die "no dom0 kernel modules (apt-get install linux-image-amd64)"

cleanup=''
if [[ -z $work ]]; then
	work=$(kx_mktemp_dir)
	cleanup=$work
fi
trap '[[ -z $cleanup ]] || rm -rf "$cleanup"' EXIT
rm -rf "$work/root" "$work/domu"
R=$work/root
mkdir -p "$R"/{bin,sbin,etc/xen/scripts,etc/kx,proc,sys,dev,run,tmp,root} \
	"$R"/var/{lib/kx,lib/xen,lib/xenstored,log/xen/console,run} "$R/lib/modules"

# ---- busybox --------------------------------------------------------------
install_busybox() {
	local dir=$1 a
	mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin"
	cp "$busybox_bin" "$dir/bin/busybox"
	for a in $(busybox --list); do
		[[ -e $dir/bin/$a ]] || ln -s busybox "$dir/bin/$a"
	done
}
install_busybox "$R"

# ---- Xen tools and their libraries ----------------------------------------
copy_with_libs() {
	local f lib
	for f in "$@"; do
		mkdir -p "$R$(dirname "$f")"
		cp -L "$f" "$R$f"
		for lib in $(ldd "$f" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
			[[ -e $R$lib ]] && continue
			mkdir -p "$R$(dirname "$lib")"
			cp -L "$lib" "$R$lib"
		done
	done
}
copy_with_libs $XENBIN/xl $XENBIN/xenstored $XENBIN/xenconsoled \
	$XENBIN/xen-init-dom0 $XENBIN/libxl-save-helper /usr/bin/xenstore
libgcc=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ && !f { print $NF; f = 1 }')
[[ -n $libgcc ]] || kx_die "libgcc_s.so.1 not found"
copy_with_libs "$libgcc"
for c in read write ls list rm exists chmod watch; do
	ln -sf xenstore "$R/usr/bin/xenstore-$c"
done
: >"$R/etc/xen/xl.conf"

# ---- pygrub (the pygrub case): python3 with the modules it imports, the grub
# config parsers, xenfsimage with its filesystem plugins, and their libraries
PYGRUB=$XENBIN/pygrub
XENLIB=/usr/lib/xen-4.17/lib
if [[ -f $PYGRUB ]]; then
	py=$(sed -n '1s/^#! *//p' "$PYGRUB")
	[[ -x $py ]] || kx_die "pygrub's interpreter $py is missing (apt-get install python3)"
	pylib=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
	mapfile -t fsplugins < <(find $XENLIB/x86_64-linux-gnu/xenfsimage -name '*.so')
	copy_with_libs "$py" $XENLIB/python/xenfsimage*.so "${fsplugins[@]}" \
		"$pylib"/lib-dynload/*.so
	# the pure-python standard library, without what pygrub never loads
	(cd / && find "${pylib#/}" -path '*/lib-dynload' -prune -o \
		\( -path '*/test' -o -path '*/idlelib' -o -path '*/tkinter' -o -path '*/ensurepip' \
		-o -path '*/lib2to3' -o -path '*/pydoc_data' -o -path '*/__pycache__' \
		-o -path '*/distutils' -o -path '*/turtledemo' -o -path '*/config-*' \) -prune \
		-o -name '*.py' -print | cpio -pdm --quiet "$R")
	mkdir -p "$R$XENBIN" "$R$XENLIB/python" "$R/usr/share/terminfo/v"
	cp "$PYGRUB" "$R$PYGRUB"
	cp -r $XENLIB/python/grub "$R$XENLIB/python/"
	cp /usr/share/terminfo/v/vt100 "$R/usr/share/terminfo/v/" 2>/dev/null ||
		cp /lib/terminfo/v/vt100 "$R/usr/share/terminfo/v/"
fi

# ---- dom0 modules in dependency order ----------------------------------------
M=/lib/modules/$dom0_kver
want=(xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc xen-blkback xen-netback loop bridge)
declare -A seen=()
order=()
add_module() {	# add_module RELPATH: its dependencies first
	local rel=$1 deps d
	[[ -n ${seen[$rel]:-} ]] && return 0
	seen[$rel]=1
	deps=$(awk -v m="$rel:" '$1 == m { $1 = ""; print }' "$M/modules.dep")
	for d in $deps; do add_module "$d"; done
	order+=("$rel")
}
for m in "${want[@]}"; do
	rel=$(awk -F: -v n="/$m.ko" '{ p = $1; sub(/\.(xz|gz|zst)$/, "", p) }
		substr(p, length(p) - length(n) + 1) == n { print $1; exit }' "$M/modules.dep")
	if [[ -z $rel ]]; then
		grep -q "/$m.ko" "$M/modules.builtin" 2>/dev/null && continue
		kx_die "module $m not found for $dom0_kver"
	fi
	add_module "$rel"
done
: >"$R/etc/kx/modules"
for rel in "${order[@]}"; do
	base=$(basename "$rel")
	case $base in
	*.ko.xz) xz -dc "$M/$rel" >"$R/lib/modules/${base%.xz}"; base=${base%.xz} ;;
	*.ko.zst) zstd -qdc "$M/$rel" >"$R/lib/modules/${base%.zst}"; base=${base%.zst} ;;
	*.ko.gz) gzip -dc "$M/$rel" >"$R/lib/modules/${base%.gz}"; base=${base%.gz} ;;
	*) cp "$M/$rel" "$R/lib/modules/$base" ;;
	esac
	echo "$base" >>"$R/etc/kx/modules"
done

# ---- hotplug stand-ins (libxl runs them: "block add", "vif-bridge online") ----
cat >"$R/etc/xen/scripts/block" <<'EOF'
#!/bin/sh
# Stand-in for Xen's block hotplug script: attach a file to a loop device (read-only
# when the disk is) and hand blkback the device number.
exec >>/var/log/xen/hotplug.log 2>&1
echo "block $* XENBUS_PATH=$XENBUS_PATH"
case $1 in
add)
	p=$(xenstore-read "$XENBUS_PATH/params") || exit 1
	if [ -b "$p" ]; then
		dev=$p
	else
		mode=$(xenstore-read "$XENBUS_PATH/mode")
		ro=''
		[ "$mode" = r ] && ro=-r
		dev=$(losetup -f) || exit 1
		losetup $ro "$dev" "$p" || exit 1
	fi
	xenstore-write "$XENBUS_PATH/physical-device" "$(stat -L -c %t:%T "$dev")" \
		"$XENBUS_PATH/physical-device-path" "$dev" \
		"$XENBUS_PATH/hotplug-status" connected
	;;
remove)
	dev=$(xenstore-read "$XENBUS_PATH/physical-device-path" 2>/dev/null)
	case $dev in /dev/loop*) losetup -d "$dev" ;; esac
	;;
esac
exit 0
EOF
cat >"$R/etc/xen/scripts/vif-bridge" <<'EOF'
#!/bin/sh
# Stand-in for Xen's vif-bridge: put the backend interface on the bridge.
exec >>/var/log/xen/hotplug.log 2>&1
echo "vif-bridge $* vif=$vif XENBUS_PATH=$XENBUS_PATH"
bridge=$(xenstore-read "$XENBUS_PATH/bridge" 2>/dev/null) || bridge=xenbr0
case $1 in
online | add)
	ip link set "$vif" up
	brctl addif "$bridge" "$vif" || exit 1
	xenstore-write "$XENBUS_PATH/hotplug-status" connected
	;;
offline | remove)
	brctl delif "$bridge" "$vif" 2>/dev/null
	ip link set "$vif" down 2>/dev/null
	;;
esac
exit 0
EOF
chmod +x "$R/etc/xen/scripts/block" "$R/etc/xen/scripts/vif-bridge"

# ---- the domU: userspace, initramfs, disk image -------------------------------
token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
D=$work/domu
install_busybox "$D"
mkdir -p "$D"/{proc,sys,dev,mnt,tmp,etc}
cat >"$D/init" <<'EOF'
#!/bin/sh
# The domU's init: prints KXTEST-DOMU markers on its console (hvc0).
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
case_=$(sed -n 's/.*kxcase=\([a-z-]*\).*/\1/p' /proc/cmdline)
type_=$(cat /sys/hypervisor/guest_type 2>/dev/null)
booted=$(dmesg | grep -o 'Booting[a-z ]* kernel on [A-Za-z ]*' | head -n 1)
echo "KXTEST-DOMU boot case=$case_ type=${type_:-unknown} kernel=$(uname -r) ($booted)"
case $case_ in
disk | broken-disk | pygrub)
	echo "KXTEST-DOMU cmdline $(cat /proc/cmdline)"
	echo "KXTEST-DOMU disk root=$(awk '$2 == "/" { print $1 " " $3 }' /proc/mounts | tail -n 1) blockdevs=$(ls /sys/block | tr '\n' ' ')"
	echo "KXTEST-DOMU disk token=$(cat /kx-token)"
	if mount -o remount,rw / && echo written >/kx-written && sync; then
		echo "KXTEST-DOMU disk write ok"
	fi
	;;
net)
	i=0
	while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
	ip link set lo up
	ip link set eth0 up
	ip addr add 169.254.100.2/24 dev eth0
	echo "KXTEST-DOMU net up $(cat /sys/class/net/eth0/address)"
	# one packet per ping: busybox ping paces packets with alarm(), which a
	# kernel without POSIX_TIMERS (tinyconfig) does not have
	n=0
	for i in 1 2 3; do
		ping -c 1 169.254.100.1 && n=$((n + 1))
	done
	if [ $n = 3 ]; then
		echo "KXTEST-DOMU net ping-dom0 ok"
	else
		echo "KXTEST-DOMU net ping-dom0 FAILED ($n of 3)"
	fi
	;;
save-restore)
	echo "KXTEST-DOMU ready for save"
	n=0
	while :; do
		n=$((n + 1))
		echo "KXTEST-DOMU tick $n"
		sleep 2
	done
	;;
esac
echo "KXTEST-DOMU done"
sleep 600
EOF
chmod +x "$D/init"
ln -s ../init "$D/sbin/init"
(cd "$D" && find . | cpio -o -H newc --quiet | gzip -9) >"$R/var/lib/kx/domu-initrd.cpio.gz"
echo "$token" >"$D/kx-token"
disk_name='domu disk,"1".img'
truncate -s 32M "$R/var/lib/kx/$disk_name"
mke2fs -q -F -t ext4 -L kxroot -d "$D" "$R/var/lib/kx/$disk_name"
cp "$domu_kernel" "$R/var/lib/kx/domu-kernel"
echo "$token" >"$R/etc/kx/token"
if [[ -f $PYGRUB ]]; then
	# the kernel comes from the guest's own /boot, through its grub menu; the
	# entry's arguments (kxgrub=menu) must reach the kernel with xl's extra
	mkdir -p "$D/boot/grub"
	cp "$domu_kernel" "$D/boot/vmlinuz-kx"
	cat >"$D/boot/grub/grub.cfg" <<'GRUB'
set default=0
set timeout=1
menuentry 'kxen-config test domU' {
	linux /boot/vmlinuz-kx root=/dev/xvda rootfstype=ext4 kxgrub=menu
}
menuentry 'not this one' {
	linux /boot/nothing root=/dev/xvda9
}
GRUB
	truncate -s 64M "$R/var/lib/kx/pygrub.img"
	mke2fs -q -F -t ext4 -L kxboot -d "$D" "$R/var/lib/kx/pygrub.img"
	rm -rf "${D:?}/boot"
fi

# ---- the xl configurations, by kxen-config xl-cfg -------------------------------
K=/var/lib/kx/domu-kernel
RD=/var/lib/kx/domu-initrd.cpio.gz
xlcfg() {	# xlcfg CASE ARGS...
	local c=$1
	shift
	"$kxc" -q xl-cfg --name "kx-$c" --kernel $K --memory 128 -o "$R/etc/kx/$c.cfg" "$@"
}
xlcfg pv --type pv --ramdisk $RD --extra "kxcase=pv"
xlcfg pvh --type pvh --ramdisk $RD --extra "kxcase=pvh"
xlcfg disk --type pv --disk "target=/var/lib/kx/$disk_name" --root xvda \
	--extra "kxcase=disk rootfstype=ext4"
xlcfg net --type pv --ramdisk $RD --vif bridge=xenbr0 --extra "kxcase=net"
xlcfg save-restore --type pv --ramdisk $RD --extra "kxcase=save-restore"
xlcfg broken-disk --type pv --disk "target=/var/lib/kx/$disk_name" --root xvda \
	--extra "kxcase=broken-disk rootfstype=ext4"
if [[ -f $PYGRUB ]]; then
	"$kxc" -q xl-cfg --name kx-pygrub --bootloader pygrub --type pv --memory 128 \
		--disk /var/lib/kx/pygrub.img --extra "kxcase=pygrub" -o "$R/etc/kx/pygrub.cfg"
fi

# ---- dom0's init ---------------------------------------------------------------------
cat >"$R/init" <<'EOF'
#!/bin/sh
# dom0's init: Xen's daemons, then the case named by kxcase=, verdicts as KXTEST-DOM0.
PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run/xen /run/xenstored /var/run/xen
mount -t devpts devpts /dev/pts
exec </dev/console >/dev/console 2>&1
say() { echo "KXTEST-DOM0 $*"; }
finish() {
	say "finished $1"
	sync
	reboot -f
	sleep 60
}
case_=$(sed -n 's/.*kxcase=\([a-z-]*\).*/\1/p' /proc/cmdline)
say "init case=$case_ kernel=$(uname -r)"
for m in $(cat /etc/kx/modules); do
	insmod "/lib/modules/$m" || say "insmod $m failed"
done
mount -t xenfs xenfs /proc/xen || { say "$case_ FAIL no xenfs (not dom0?)"; finish 1; }
xenstored --pid-file /run/xenstored.pid || { say "$case_ FAIL xenstored"; finish 1; }
xen-init-dom0 || { say "$case_ FAIL xen-init-dom0"; finish 1; }
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console ||
	{ say "$case_ FAIL xenconsoled"; finish 1; }
say "daemons up"

cfg=/etc/kx/$case_.cfg
[ -f "$cfg" ] || { say "$case_ FAIL no configuration for case '$case_'"; finish 1; }
name=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$cfg")
log=/var/log/xen/console/guest-$name.log

if [ "$case_" = net ]; then
	brctl addbr xenbr0 && ip addr add 169.254.100.1/24 dev xenbr0 &&
		ip link set xenbr0 up || { say "net FAIL bridge"; finish 1; }
fi

# the domU's console, as xenconsoled logged it, on ours as "domU| " lines
relay() {
	say "$case_ domU console ($log):"
	tr -d '\r' <"$log" | sed 's/^/domU| /'
}

# wait_for PATTERN SECONDS: true when the domU's console shows PATTERN; false on
# timeout or when the domain is gone
wait_for() {
	t=0
	while [ "$t" -lt "$2" ]; do
		grep -qE "$1" "$log" 2>/dev/null && return 0
		if ! xl list "$name" >/dev/null 2>&1; then
			sleep 2
			grep -qE "$1" "$log" 2>/dev/null && return 0
			say "$case_ domain $name is gone"
			return 1
		fi
		sleep 1
		t=$((t + 1))
	done
	say "$case_ timeout waiting for '$1'"
	return 1
}
details() {
	say "$case_ details: xl list:"
	xl list
	say "$case_ details: hotplug log:"
	cat /var/log/xen/hotplug.log 2>/dev/null
	say "$case_ details: xl log:"
	tail -n 30 "/var/log/xen/xl-$name.log" 2>/dev/null
	say "$case_ details: xl dmesg:"
	xl dmesg | tail -n 20
}

say "$case_ xl create $cfg"
t0=$(date +%s)
if ! xl create "$cfg"; then
	say "$case_ FAIL xl create"
	details
	finish 1
fi
say "$case_ created"
ok=1
case $case_ in
pv) wait_for 'KXTEST-DOMU boot case=pv type=PV ' 120 || ok=0 ;;
pvh) wait_for 'KXTEST-DOMU boot case=pvh type=PVH ' 180 || ok=0 ;;
disk | broken-disk | pygrub)
	token=$(cat /etc/kx/token)
	wait_for "KXTEST-DOMU disk token=$token" 120 || ok=0
	[ $ok = 1 ] && { wait_for 'KXTEST-DOMU disk write ok' 30 || ok=0; }
	# pygrub: the kernel and arguments of the grub menu's default entry,
	# with xl's extra (console=hvc0 kxcase=pygrub) appended
	if [ $ok = 1 ] && [ "$case_" = pygrub ]; then
		wait_for 'KXTEST-DOMU cmdline .*kxgrub=menu.*console=hvc0' 5 || ok=0
	fi
	;;
net)
	wait_for 'KXTEST-DOMU net up' 120 || ok=0
	if [ $ok = 1 ]; then
		if ping -c 3 -W 10 169.254.100.2; then
			say "net dom0 pinged the domU"
		else
			ok=0
			say "net dom0 could not ping the domU"
		fi
		wait_for 'KXTEST-DOMU net ping-dom0 ok' 60 || ok=0
	fi
	;;
save-restore)
	wait_for 'KXTEST-DOMU tick 2([^0-9]|$)' 120 || ok=0
	if [ $ok = 1 ]; then
		if xl save "$name" /var/lib/kx/save.chk && ! xl list "$name" >/dev/null 2>&1; then
			say "save-restore saved ($(ls -l /var/lib/kx/save.chk | awk '{print $5}') bytes)"
			last=$(grep -o 'KXTEST-DOMU tick [0-9]*' "$log" | tail -n 1 | awk '{print $3}')
			if xl restore /var/lib/kx/save.chk; then
				say "save-restore restored after tick $last"
				wait_for "KXTEST-DOMU tick $((last + 2))([^0-9]|\$)" 120 || ok=0
			else
				say "save-restore xl restore failed"
				ok=0
			fi
		else
			say "save-restore xl save failed"
			ok=0
		fi
	fi
	;;
esac
sleep 1
if [ $ok = 1 ]; then
	say "$case_ PASS ($(($(date +%s) - t0)) s after xl create)"
else
	say "$case_ FAIL"
	details
fi
xl destroy "$name" 2>/dev/null
sleep 1
relay
finish 0
EOF
chmod +x "$R/init"

(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$token" >"$out.token"
kx_log "wrote $out ($(du -h "$out" | cut -f1); dom0 kernel $dom0_kver)"
