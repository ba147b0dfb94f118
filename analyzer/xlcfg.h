/* SPDX-License-Identifier: MIT */
/*
 * xlcfg.h - the xl domain configuration (xl.cfg(5)) for a kernel built by
 * kxen-config: options in, validated config text out.
 *
 * The text is what `xl create` reads: name, type (pvh or pv), kernel,
 * ramdisk, memory, vcpus, disk (xl-disk-configuration syntax on xvd*
 * devices, target= last so that commas in paths survive), root, extra
 * (always with console=hvc0), vif and the on_* actions.  Strings are quoted
 * and escaped for libxlu's lexer, using only the escapes it decodes
 * correctly (\\ and \"; its \x and octal escapes are broken), and values
 * xl cannot carry (control characters, a disk target ending in ',') are
 * refused with a diagnostic instead of being written.
 *
 * The library does no printing: problems go to a kx_diags list (errors
 * make the call fail with KX_EINVAL, warnings and notes do not).
 */
#ifndef KX_XLCFG_H
#define KX_XLCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

enum kx_xl_type {
	KX_XL_PVH = 0,		/* the default: what current Xen recommends */
	KX_XL_PV,
};

/* What the first bytes of a disk image say about its layout. */
enum kx_xl_image {
	KX_XL_IMAGE_UNKNOWN = 0,	/* unreadable, empty, encrypted, ... */
	KX_XL_IMAGE_FS,			/* a filesystem on the whole disk */
	KX_XL_IMAGE_PARTITIONED,	/* an MBR or GPT partition table */
};

/* One --disk. */
struct kx_xl_disk {
	char *target;		/* file or block device (dom0's path) */
	char *vdev;		/* "xvdb"; NULL: the next free xvd name */
	char *format;		/* NULL: raw */
	bool ro;
	enum kx_xl_image layout;	/* what the caller saw (for the root) */
};

/* How the domain finds its kernel. */
enum kx_xl_boot {
	KX_XL_BOOT_KERNEL = 0,	/* direct: 'kernel' (a dom0 path) */
	KX_XL_BOOT_PYGRUB,	/* bootloader = "pygrub": the guest's grub menu */
	KX_XL_BOOT_PVGRUB,	/* kernel = a grub built for Xen (grub-xen-host) */
};

/* Debian's grub-xen-host images (pvgrub2), by guest type */
#define KX_XL_PVGRUB_PV "/usr/lib/grub-xen/grub-x86_64-xen.bin"
#define KX_XL_PVGRUB_PVH "/usr/lib/grub-xen/grub-i386-xen_pvh.bin"

struct kx_xl_opts {
	/*
	 * Direct boot: the kernel, required.  With a bootloader the kernel
	 * comes from the guest's /boot, and kernel and ramdisk must be NULL;
	 * a disk is required; root= is written only when given, and with
	 * pvgrub neither root= nor extra (its grub.cfg holds the arguments).
	 */
	enum kx_xl_boot boot;
	const char *pvgrub_image;	/* NULL: KX_XL_PVGRUB_PV or _PVH */
	const char *kernel;
	const char *name;		/* NULL: "kxen-domu" */
	enum kx_xl_type type;
	long memory;			/* MiB; 0: 512 */
	long vcpus;			/* 0: 1 */
	const struct kx_xl_disk *disks;
	size_t ndisks;
	/*
	 * NULL: derived from the first disk and its layout (whole-disk
	 * filesystem: /dev/xvda, partitioned: /dev/xvda1, unknown: /dev/xvda
	 * with a warning); "none": no root=.
	 * Otherwise /dev/xvdX[N], xvdX[N], LABEL=, UUID=, PARTUUID=,
	 * PARTLABEL= or another /dev path (kept as given).
	 */
	const char *root;
	const char *const *vifs;	/* "bridge=xenbr0,mac=..." or "" (defaults) */
	size_t nvifs;
	const char *ramdisk;
	const char *extra;		/* more kernel arguments */
	const char *on_crash;		/* NULL: "destroy" */
	bool no_notes;			/* leave out the comment block on userspace */
};

/*
 * Parses a --disk argument: TARGET[,vdev=xvdX][,ro|,rw][,format=F], the
 * options read from the right so that TARGET may contain commas; or the
 * explicit form [vdev=xvdX,][ro,][format=F,]target=TARGET where the target
 * is the rest of the string, as in xl.  Fills *disk (the caller frees it
 * with kx_xlcfg_disk_free).  Returns 0, or KX_EINVAL with an error in 'd'.
 */
int kx_xlcfg_parse_disk(struct kx_xl_disk *disk, const char *spec,
			struct kx_diags *d);
void kx_xlcfg_disk_free(struct kx_xl_disk *disk);

/*
 * Parses a memory size in MiB: "512", "512M", "512MiB", "2G", "2GiB".
 * Returns 0, or KX_EINVAL when it is not a positive size (nothing added
 * to any list: the caller words the message).
 */
int kx_xlcfg_parse_memory(long *mib, const char *s);

/* Parses a positive decimal integer; returns 0 or KX_EINVAL. */
int kx_xlcfg_parse_count(long *n, const char *s);

/*
 * Looks at the first 68 KiB of the image at 'path' (a file or block
 * device) to tell a whole-disk filesystem from a partitioned disk.
 * Returns 0 with *kind set (KX_XL_IMAGE_UNKNOWN when the contents say
 * neither), or KX_EIO when the file cannot be read (errno kept).
 */
int kx_xlcfg_probe_image(enum kx_xl_image *kind, const char *path);

/* What a kernel image's Xen ELF notes say it can boot as. */
enum {
	KX_XL_KERNEL_ELF = 1,		/* an ELF file whose notes were read */
	KX_XL_KERNEL_PV = 2,		/* XEN_ELFNOTE_ENTRY: a PV entry point */
	KX_XL_KERNEL_PVH = 4,		/* XEN_ELFNOTE_PHYS32_ENTRY: PVH entry */
};

/*
 * Reads the Xen ELF notes of a vmlinux (ELF32 or ELF64, either byte order:
 * kx_image_read_notes).  *caps gets KX_XL_KERNEL_* bits (0 for a file that
 * is not ELF, e.g. a bzImage, whose notes are inside the compressed
 * payload).  Returns 0, or KX_EIO
 * when the file cannot be read (errno kept).
 */
int kx_xlcfg_probe_kernel(unsigned *caps, const char *path);

/*
 * Builds the configuration text.  *text is malloc'd and owned by the
 * caller (NULL on failure).  Returns 0, or KX_EINVAL when an option is
 * invalid (each problem is an error in 'd'; warnings such as a guessed
 * root device are added too).
 */
int kx_xlcfg_build(char **text, const struct kx_xl_opts *o, struct kx_diags *d);

/*
 * Appends 's' as an xl.cfg string literal ("...", with \\ and \"); returns
 * KX_EINVAL, appending nothing, when 's' holds a control character, which
 * xl cannot read back.
 */
int kx_xlcfg_quote(struct kx_buf *b, const char *s);

#endif /* KX_XLCFG_H */
