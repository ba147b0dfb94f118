// SPDX-License-Identifier: MIT
/*
 * xlcfg.c - writes the xl domain configuration (xl.cfg(5)) for a kernel.
 *
 * What xl reads, and so what this file must respect (Xen 4.17's libxlu and
 * xl_parse.c):
 *  - strings are "..." with backslash escapes; only \\ \" \' \a \b \f \n
 *    \r \t \v decode correctly (the \x and octal escapes drop the character),
 *    and a raw newline ends the string, so control characters are refused;
 *  - a disk is one string of comma-separated key=value items, and the
 *    "target=" item takes the rest of the string, commas included: it is
 *    written last.  A trailing ',' is stripped from it by xl, so a target
 *    ending in ',' cannot be expressed;
 *  - root = "X" and extra = "Y" become the command line "root=X Y" (xl
 *    prints "(null)" for a missing extra in some versions: extra is always
 *    written, with console=hvc0);
 *  - lists may end with a trailing comma and span lines.
 *
 * The kernel resolves root=PARTUUID= and root=PARTLABEL= itself, but
 * root=LABEL= and root=UUID= only through an initramfs: a warning says so
 * when no --ramdisk is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/xlcfg.h"
#include "analyzer/image.h"

#define XL_DEFAULT_NAME "kxen-domu"
#define XL_DEFAULT_MEMORY 512
#define XL_MAX_MEMORY (16L * 1024 * 1024)	/* 16 TiB in MiB */
#define XL_MAX_VCPUS 512
#define XL_MAX_DISKS (26 + 26 * 26)		/* xvda .. xvdzz */

static const char *const on_crash_actions[] = {
	"destroy", "restart", "rename-restart", "preserve",
	"coredump-destroy", "coredump-restart", "soft-reset", NULL,
};

/* vif keys xl 4.17 understands (xl-network-configuration(5)) */
static const char *const vif_keys[] = {
	"mac", "bridge", "type", "model", "vifname", "script", "ip",
	"backend", "rate", "devid", "mtu", "gatewaydev", "forwarddev",
	"netdev", "trusted", "untrusted", NULL,
};

static const char *const disk_formats[] = {
	"raw", "qcow", "qcow2", "qed", "vhd", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static char *join_list(const char *const *list)
{
	struct kx_buf b = KX_BUF_INIT;

	for (; *list; list++) {
		if (b.len)
			kx_buf_puts(&b, ", ");
		kx_buf_puts(&b, *list);
	}
	return kx_buf_detach(&b);
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int kx_xlcfg_quote(struct kx_buf *b, const char *s)
{
	if (has_control(s))
		return KX_EINVAL;
	kx_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			kx_buf_putc(b, '\\');
		kx_buf_putc(b, *s);
	}
	kx_buf_putc(b, '"');
	return 0;
}

/* ---- numbers -------------------------------------------------------- */

int kx_xlcfg_parse_count(long *n, const char *s)
{
	char *end = NULL;
	long v;

	if (!s || *s < '0' || *s > '9')
		return KX_EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0)
		return KX_EINVAL;
	*n = v;
	return 0;
}

int kx_xlcfg_parse_memory(long *mib, const char *s)
{
	char *end = NULL;
	long v, mul = 1;

	if (!s || *s < '0' || *s > '9')
		return KX_EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v <= 0)
		return KX_EINVAL;
	if (!strcmp(end, "") || !strcmp(end, "M") || !strcmp(end, "MiB") ||
	    !strcmp(end, "m"))
		mul = 1;
	else if (!strcmp(end, "G") || !strcmp(end, "GiB") || !strcmp(end, "g"))
		mul = 1024;
	else
		return KX_EINVAL;
	if (v > LONG_MAX / mul)
		return KX_EINVAL;
	*mib = v * mul;
	return 0;
}

/* ---- device names ----------------------------------------------------- */

/*
 * Splits "xvdb" / "xvdb2" into its letters and partition number (0 when
 * none).  Returns false when 'name' is not such a name.
 */
static bool xvd_split(const char *name, char *letters, size_t size, long *part)
{
	const char *p = name + 3, *l;
	size_t n;

	if (strncmp(name, "xvd", 3))
		return false;
	for (l = p; *p >= 'a' && *p <= 'z'; p++)
		;
	n = (size_t)(p - l);
	if (n < 1 || n > 2 || n + 1 > size)
		return false;
	memcpy(letters, l, n);
	letters[n] = '\0';
	*part = 0;
	if (*p) {
		if (*p == '0' || kx_xlcfg_parse_count(part, p) < 0 || *part > 255)
			return false;
	}
	return true;
}

/* The i-th xvd name's letters: a..z, aa..zz (Linux's order). */
static void xvd_letters(char *out, int i)
{
	if (i < 26) {
		out[0] = (char)('a' + i);
		out[1] = '\0';
	} else {
		i -= 26;
		out[0] = (char)('a' + i / 26);
		out[1] = (char)('a' + i % 26);
		out[2] = '\0';
	}
}

/* ---- disks ------------------------------------------------------------- */

void kx_xlcfg_disk_free(struct kx_xl_disk *disk)
{
	if (!disk)
		return;
	free(disk->target);
	free(disk->vdev);
	free(disk->format);
	memset(disk, 0, sizeof(*disk));
}

enum disk_opt { DOPT_NONE, DOPT_OK, DOPT_BAD };

/*
 * Applies one disk option item ("vdev=xvdb", "ro", ...) of length n.
 * DOPT_NONE: not an option (part of the target); DOPT_BAD: an option with
 * a bad value (error added).
 */
static enum disk_opt disk_option(struct kx_xl_disk *disk, const char *item,
				 size_t n, const char *spec, struct kx_diags *d)
{
	char *it = kx_xstrndup(item, n);
	enum disk_opt r = DOPT_OK;

	if (!strcmp(it, "ro") || !strcmp(it, "r") || !strcmp(it, "access=ro") ||
	    !strcmp(it, "access=r")) {
		disk->ro = true;
	} else if (!strcmp(it, "rw") || !strcmp(it, "w") ||
		   !strcmp(it, "access=rw") || !strcmp(it, "access=w")) {
		disk->ro = false;
	} else if (!strncmp(it, "vdev=", 5)) {
		const char *v = it + 5;
		char letters[8];
		long part;

		if (!strncmp(v, "/dev/", 5))
			v += 5;
		if (!xvd_split(v, letters, sizeof(letters), &part)) {
			kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
				     "--disk '%s': vdev '%s' is not an xvd device name "
				     "(a PV or PVH domU sees its disks as xvda, xvdb, ...)",
				     spec, it + 5);
			r = DOPT_BAD;
		} else if (disk->vdev && strcmp(disk->vdev, v)) {
			kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
				     "--disk '%s': two different vdev= items", spec);
			r = DOPT_BAD;
		} else {
			free(disk->vdev);
			disk->vdev = kx_xstrdup(v);
		}
	} else if (!strncmp(it, "format=", 7)) {
		if (!in_list(disk_formats, it + 7)) {
			char *l = join_list(disk_formats);

			kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
				     "--disk '%s': unknown format '%s' (xl knows %s)",
				     spec, it + 7, l);
			free(l);
			r = DOPT_BAD;
		} else {
			free(disk->format);
			disk->format = kx_xstrdup(it + 7);
		}
	} else {
		r = DOPT_NONE;
	}
	free(it);
	return r;
}

int kx_xlcfg_parse_disk(struct kx_xl_disk *disk, const char *spec,
			struct kx_diags *d)
{
	const char *p = spec, *end;
	int rc = KX_EINVAL;

	memset(disk, 0, sizeof(*disk));
	/* leading options, then either target=REST or TARGET[,options] */
	for (;;) {
		const char *comma = strchr(p, ',');
		enum disk_opt r;

		if (!strncmp(p, "target=", 7) || !comma)
			break;
		r = disk_option(disk, p, (size_t)(comma - p), spec, d);
		if (r == DOPT_BAD)
			goto out;
		if (r == DOPT_NONE)
			break;
		p = comma + 1;
	}
	if (!strncmp(p, "target=", 7)) {
		disk->target = kx_xstrdup(p + 7);
	} else {
		end = p + strlen(p);
		for (;;) {
			const char *comma = end;
			enum disk_opt r;

			while (comma > p && comma[-1] != ',')
				comma--;
			if (comma == p)
				break;
			r = disk_option(disk, comma, (size_t)(end - comma), spec, d);
			if (r == DOPT_BAD)
				goto out;
			if (r == DOPT_NONE)
				break;
			end = comma - 1;
		}
		disk->target = kx_xstrndup(p, (size_t)(end - p));
	}
	if (!disk->target[0]) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--disk '%s': no target (a file or block device)", spec);
		goto out;
	}
	if (has_control(disk->target)) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--disk: the target contains a control character, "
			     "which an xl configuration cannot hold");
		goto out;
	}
	if (disk->target[strlen(disk->target) - 1] == ',') {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--disk '%s': xl strips a trailing ',' from a disk "
			     "target; rename the file", spec);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		kx_xlcfg_disk_free(disk);
	return rc;
}

/* ---- image probing ----------------------------------------------------- */

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static enum kx_xl_image classify(const unsigned char *b, size_t n)
{
	/* filesystems that start at offset 0 of the device */
	if (n >= 1082 && le16(b + 1080) == 0xef53)
		return KX_XL_IMAGE_FS;			/* ext2/3/4 */
	if (n >= 4 && !memcmp(b, "XFSB", 4))
		return KX_XL_IMAGE_FS;
	if (n >= 4 && (!memcmp(b, "hsqs", 4) || !memcmp(b, "sqsh", 4)))
		return KX_XL_IMAGE_FS;			/* squashfs */
	if (n >= 65608 && !memcmp(b + 65600, "_BHRfS_M", 8))
		return KX_XL_IMAGE_FS;			/* btrfs */
	if (n >= 32774 && !memcmp(b + 32769, "CD001", 5))
		return KX_XL_IMAGE_FS;			/* iso9660 */
	if (n >= 1028 && (le16(b + 1024) == 0x2468 || le16(b + 1024) == 0x2478))
		return KX_XL_IMAGE_FS;			/* minix v2 */
	if (n >= 520 && !memcmp(b + 512, "EFI PART", 8))
		return KX_XL_IMAGE_PARTITIONED;	/* GPT (512-byte sectors) */
	if (n >= 512 && b[510] == 0x55 && b[511] == 0xaa) {
		/* a FAT or NTFS boot sector has the same signature */
		if (!memcmp(b + 3, "NTFS    ", 8) || !memcmp(b + 54, "FAT", 3) ||
		    !memcmp(b + 82, "FAT32", 5))
			return KX_XL_IMAGE_FS;
		for (int i = 0; i < 4; i++) {
			const unsigned char *e = b + 446 + 16 * i;

			if ((e[0] == 0x00 || e[0] == 0x80) && e[4] != 0)
				return KX_XL_IMAGE_PARTITIONED;
		}
	}
	return KX_XL_IMAGE_UNKNOWN;
}

int kx_xlcfg_probe_image(enum kx_xl_image *kind, const char *path)
{
	size_t size = 68 * 1024, n = 0;
	unsigned char *b = NULL;
	int fd = -1, rc = KX_EIO;

	*kind = KX_XL_IMAGE_UNKNOWN;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	b = kx_xcalloc(1, size);
	while (n < size) {
		ssize_t r = read(fd, b + n, size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*kind = classify(b, n);
	rc = 0;
out:
	if (fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	free(b);
	return rc;
}

/* ---- the configuration ------------------------------------------------- */

struct xl_state {
	const struct kx_xl_opts *o;
	struct kx_diags *d;
	char **vdev;		/* resolved vdev of each disk */
	char *root;		/* resolved root= value, NULL for none */
	char *root_why;		/* comment explaining a derived root */
	char *extra;		/* resolved extra */
};

/* Assigns the next free xvd names to disks without vdev; checks clashes. */
static int assign_vdevs(struct xl_state *st)
{
	const struct kx_xl_opts *o = st->o;
	bool used[XL_MAX_DISKS] = { false };
	int next = 0, rc = 0;

	if (o->ndisks > XL_MAX_DISKS) {
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "too many disks (%zu; xvda..xvdzz allows %d)",
			     o->ndisks, XL_MAX_DISKS);
		return KX_EINVAL;
	}
	st->vdev = kx_xcalloc(o->ndisks + 1, sizeof(*st->vdev));
	for (size_t i = 0; i < o->ndisks; i++) {
		char letters[8];
		long part;
		int idx;

		if (!o->disks[i].vdev)
			continue;
		if (!xvd_split(o->disks[i].vdev, letters, sizeof(letters), &part)) {
			kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
				     "disk %zu: '%s' is not an xvd device name",
				     i + 1, o->disks[i].vdev);
			rc = KX_EINVAL;
			continue;
		}
		idx = letters[1] ? 26 + (letters[0] - 'a') * 26 + (letters[1] - 'a')
				 : letters[0] - 'a';
		used[idx] = true;
		for (size_t j = 0; j < i; j++)
			if (st->vdev[j] && !strcmp(st->vdev[j], o->disks[i].vdev)) {
				kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
					     "two disks on %s (%s and %s)",
					     o->disks[i].vdev, o->disks[j].target,
					     o->disks[i].target);
				rc = KX_EINVAL;
			}
		st->vdev[i] = kx_xstrdup(o->disks[i].vdev);
	}
	for (size_t i = 0; i < o->ndisks; i++) {
		char letters[4];

		if (o->disks[i].vdev)
			continue;
		while (next < XL_MAX_DISKS && used[next])
			next++;
		if (next >= XL_MAX_DISKS) {
			kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
				     "no free xvd name for disk %zu", i + 1);
			return KX_EINVAL;
		}
		used[next] = true;
		xvd_letters(letters, next);
		st->vdev[i] = kx_xasprintf("xvd%s", letters);
	}
	return rc;
}

static char *disk_names(struct xl_state *st)
{
	struct kx_buf b = KX_BUF_INIT;

	for (size_t i = 0; i < st->o->ndisks; i++) {
		if (i)
			kx_buf_puts(&b, ", ");
		kx_buf_puts(&b, st->vdev[i]);
	}
	return kx_buf_detach(&b);
}

/* Does 'word' (up to a blank) start with 'prefix'? */
static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(w, s, n);
}

struct cmdline_facts {
	bool root;		/* a root= word */
	bool hvc0;		/* console=hvc0 */
	const char *other_console;	/* first other console= word */
	size_t other_len;
};

/* What the kernel part (before " -- ") of 'extra' already says. */
static void scan_extra(struct cmdline_facts *f, const char *extra)
{
	const char *p = extra;

	memset(f, 0, sizeof(*f));
	while (p && *p) {
		const char *w;
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		n = (size_t)(p - w);
		if (!n)
			break;
		if (word_is(w, n, "--"))
			break;
		if (n > 5 && !memcmp(w, "root=", 5))
			f->root = true;
		else if (word_is(w, n, "console=hvc0"))
			f->hvc0 = true;
		else if (n > 8 && !memcmp(w, "console=", 8) && !f->other_console) {
			f->other_console = w;
			f->other_len = n;
		}
	}
}

static const char *image_words(enum kx_xl_image k)
{
	return k == KX_XL_IMAGE_PARTITIONED ? "has a partition table" :
	       k == KX_XL_IMAGE_FS ? "holds a filesystem on the whole disk" :
	       "has an unknown layout";
}

/* Checks an explicit /dev/xvd* root against the disks. */
static int root_on_disk(struct xl_state *st, const char *dev)
{
	const struct kx_xl_opts *o = st->o;
	char letters[8], dl[8];
	long part, dpart;
	char *names;

	if (!xvd_split(dev + 5, letters, sizeof(letters), &part)) {
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "--root %s: not an xvd device name (want /dev/xvdX or "
			     "/dev/xvdXN)", o->root);
		return KX_EINVAL;
	}
	for (size_t i = 0; i < o->ndisks; i++) {
		if (!xvd_split(st->vdev[i], dl, sizeof(dl), &dpart) ||
		    strcmp(dl, letters))
			continue;
		if (dpart && dpart != part)
			continue;
		if (dpart)	/* the disk is itself that partition */
			return 0;
		if (!part && o->disks[i].layout == KX_XL_IMAGE_PARTITIONED)
			kx_diags_add(st->d, KX_DIAG_WARNING, NULL, 0,
				     "--root %s is the whole disk, but %s has a "
				     "partition table: did you mean %s1?",
				     dev, o->disks[i].target, dev);
		else if (part && o->disks[i].layout == KX_XL_IMAGE_FS)
			kx_diags_add(st->d, KX_DIAG_WARNING, NULL, 0,
				     "--root %s is a partition, but %s holds a "
				     "filesystem on the whole disk: did you mean "
				     "/dev/xvd%s?", dev, o->disks[i].target, letters);
		return 0;
	}
	names = disk_names(st);
	if (o->ndisks)
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "--root %s names no disk (the disks are %s)", o->root,
			     names);
	else
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "--root %s names no disk (there is no --disk)", o->root);
	free(names);
	return KX_EINVAL;
}

static int resolve_root(struct xl_state *st, const struct cmdline_facts *f)
{
	const struct kx_xl_opts *o = st->o;
	const char *r = o->root;

	if (r && f->root) {
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "the root device is given twice: --root %s and root= "
			     "in --extra", r);
		return KX_EINVAL;
	}
	if (r && !strcmp(r, "none"))
		return 0;
	if (!r) {
		const struct kx_xl_disk *d0 = o->ndisks ? &o->disks[0] : NULL;
		char letters[8];
		long part = 0;

		if (f->root || !d0)
			return 0;
		xvd_split(st->vdev[0], letters, sizeof(letters), &part);
		if (part || d0->layout == KX_XL_IMAGE_FS) {
			st->root = kx_xasprintf("/dev/%s", st->vdev[0]);
			st->root_why = kx_xasprintf("%s %s", d0->target,
						    part ? "is that partition" :
						    image_words(d0->layout));
		} else if (d0->layout == KX_XL_IMAGE_PARTITIONED) {
			st->root = kx_xasprintf("/dev/%s1", st->vdev[0]);
			st->root_why = kx_xasprintf("%s %s", d0->target,
						    image_words(d0->layout));
		} else {
			st->root = kx_xasprintf("/dev/%s", st->vdev[0]);
			st->root_why = kx_xasprintf("%s could not be examined: "
						    "assumed a filesystem on the "
						    "whole disk", d0->target);
			kx_diags_add(st->d, KX_DIAG_WARNING, NULL, 0,
				     "cannot tell whether %s is partitioned; assuming "
				     "a filesystem on the whole disk (root=%s); give "
				     "--root /dev/%s1 for a partitioned image",
				     d0->target, st->root, st->vdev[0]);
		}
		return 0;
	}
	if (has_control(r)) {
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "--root contains a control character");
		return KX_EINVAL;
	}
	if (!strncmp(r, "xvd", 3)) {
		st->root = kx_xasprintf("/dev/%s", r);
		return root_on_disk(st, st->root);
	}
	if (!strncmp(r, "/dev/xvd", 8)) {
		st->root = kx_xstrdup(r);
		return root_on_disk(st, st->root);
	}
	if (!strncmp(r, "LABEL=", 6) || !strncmp(r, "UUID=", 5) ||
	    !strncmp(r, "PARTUUID=", 9) || !strncmp(r, "PARTLABEL=", 10)) {
		const char *eq = strchr(r, '=');

		if (!eq[1] || strchr(r, ' ')) {
			kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
				     "--root %s: the value is empty or has a blank", r);
			return KX_EINVAL;
		}
		if (!o->ndisks) {
			kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
				     "--root %s names no disk (there is no --disk)", r);
			return KX_EINVAL;
		}
		if ((r[0] == 'L' || r[0] == 'U') && !o->ramdisk)
			kx_diags_add(st->d, KX_DIAG_WARNING, NULL, 0,
				     "root=%s is resolved by an initramfs, not by "
				     "the kernel, and there is no --ramdisk: use "
				     "/dev/xvdX, PARTUUID= or PARTLABEL=", r);
		st->root = kx_xstrdup(r);
		return 0;
	}
	if (!strncmp(r, "/dev/sd", 7) || !strncmp(r, "/dev/hd", 7) ||
	    !strncmp(r, "/dev/vd", 7) || !strncmp(r, "/dev/nvme", 9)) {
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "--root %s: a PV or PVH domU sees its disks as "
			     "/dev/xvd* (xvda is the first --disk)", r);
		return KX_EINVAL;
	}
	if (!strncmp(r, "/dev/", 5) && r[5] && !strchr(r, ' ')) {
		st->root = kx_xstrdup(r);	/* /dev/mapper/..., /dev/ram0 */
		return 0;
	}
	kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
		     "--root '%s': want /dev/xvdX[N], LABEL=, UUID=, PARTUUID=, "
		     "PARTLABEL=, another /dev path, or none", r);
	return KX_EINVAL;
}

static int resolve_extra(struct xl_state *st, const struct cmdline_facts *f)
{
	const char *x = st->o->extra;

	if (x && has_control(x)) {
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "--extra contains a control character");
		return KX_EINVAL;
	}
	while (x && (*x == ' ' || *x == '\t'))
		x++;
	if (f->hvc0)
		st->extra = kx_xstrdup(x);
	else if (x && *x)
		st->extra = kx_xasprintf("console=hvc0 %s", x);
	else
		st->extra = kx_xstrdup("console=hvc0");
	if (f->other_console)
		kx_diags_add(st->d, KX_DIAG_WARNING, NULL, 0,
			     "--extra has %.*s: the last console= is /dev/console, "
			     "and output that is not on hvc0 does not reach "
			     "`xl console`", (int)f->other_len, f->other_console);
	return 0;
}

static int check_vif(struct xl_state *st, const char *spec)
{
	char *copy = kx_xstrdup(spec), *save = NULL;
	int rc = 0;

	if (has_control(spec)) {
		kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
			     "--vif contains a control character");
		free(copy);
		return KX_EINVAL;
	}
	for (char *it = strtok_r(copy, ",", &save); it;
	     it = strtok_r(NULL, ",", &save)) {
		char *eq;

		while (*it == ' ')
			it++;
		eq = strchr(it, '=');
		if (eq)
			*eq = '\0';
		if (!in_list(vif_keys, it) ||
		    (!eq && strcmp(it, "trusted") && strcmp(it, "untrusted"))) {
			char *l = join_list(vif_keys);

			kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
				     "--vif '%s': unknown item '%s' (xl knows %s, "
				     "each as key=value)", spec, it, l);
			free(l);
			rc = KX_EINVAL;
			break;
		}
		if (!strcmp(it, "mac")) {
			const char *m = eq + 1;
			bool ok = strlen(m) == 17;

			for (int i = 0; ok && i < 17; i++)
				ok = (i % 3 == 2) ? m[i] == ':' :
				     strchr("0123456789abcdefABCDEF", m[i]) != NULL;
			if (!ok) {
				kx_diags_add(st->d, KX_DIAG_ERROR, NULL, 0,
					     "--vif '%s': mac '%s' is not "
					     "xx:xx:xx:xx:xx:xx", spec, m);
				rc = KX_EINVAL;
				break;
			}
		}
	}
	free(copy);
	return rc;
}

static void put_key_str(struct kx_buf *b, const char *key, const char *val)
{
	kx_buf_printf(b, "%s = ", key);
	kx_xlcfg_quote(b, val);		/* checked before */
	kx_buf_putc(b, '\n');
}

static void put_boot_notes(struct kx_buf *b, const struct kx_xl_opts *o);

static void put_notes(struct kx_buf *b, const struct xl_state *st)
{
	kx_buf_puts(b,
"#\n"
"# The guest's console is the Xen console hvc0 (`xl console NAME`).  Its\n"
"# userspace needs:\n"
"#  - a getty on hvc0: systemd starts serial-getty@hvc0 for the console=\n"
"#    device by itself; sysvinit: \"h0:2345:respawn:/sbin/getty 115200 hvc0\"\n"
"#    in /etc/inittab; busybox init: \"hvc0::respawn:/sbin/getty 115200 hvc0\";\n"
"#  - hvc0 listed in /etc/securetty where that file exists, or root cannot\n"
"#    log in on the console;\n");
	put_boot_notes(b, st->o);
	if (st->root && !strncmp(st->root, "/dev/", 5))
		kx_buf_printf(b,
"#  - /etc/fstab naming the root device as this domain sees it (%s).\n",
			      st->root);
	else
		kx_buf_puts(b,
"#  - /etc/fstab naming its disks as this domain sees them (/dev/xvd*).\n");
	kx_buf_puts(b, "#\n");
}

/* The grub image pvgrub boots for this guest type. */
static const char *pvgrub_image(const struct kx_xl_opts *o)
{
	if (o->pvgrub_image)
		return o->pvgrub_image;
	return o->type == KX_XL_PV ? KX_XL_PVGRUB_PV : KX_XL_PVGRUB_PVH;
}

/* What a bootloader excludes or needs: 0 or KX_EINVAL (said). */
static int check_bootloader(const struct kx_xl_opts *o, struct kx_diags *d)
{
	const char *bl = o->boot == KX_XL_BOOT_PYGRUB ? "pygrub" : "pvgrub";
	int rc = 0;

	if (o->kernel || o->ramdisk) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--%s with --bootloader %s: the bootloader boots the "
			     "kernel and initramfs the guest's grub menu names; give "
			     "one or the other", o->kernel ? "kernel" : "ramdisk", bl);
		rc = KX_EINVAL;
	}
	if (!o->ndisks) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--bootloader %s reads the guest's /boot from its first "
			     "disk: give --disk", bl);
		rc = KX_EINVAL;
	}
	if (o->boot == KX_XL_BOOT_PVGRUB && (o->root || o->extra)) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--%s with --bootloader pvgrub: grub runs inside the "
			     "guest and takes the kernel arguments from its own "
			     "grub.cfg (put root= and console=hvc0 there)",
			     o->root ? "root" : "extra");
		rc = KX_EINVAL;
	}
	if (o->pvgrub_image && (o->boot != KX_XL_BOOT_PVGRUB ||
				!o->pvgrub_image[0] || has_control(o->pvgrub_image))) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "the grub image path is empty or contains a control "
			     "character");
		rc = KX_EINVAL;
	}
	return rc;
}

static void put_boot_notes(struct kx_buf *b, const struct kx_xl_opts *o)
{
	if (o->boot == KX_XL_BOOT_PYGRUB)
		kx_buf_puts(b,
"#  - pygrub (dom0: Debian's xen-utils) reads /boot/grub/grub.cfg (or\n"
"#    menu.lst) from the first disk and boots the default entry's kernel\n"
"#    and initramfs; that kernel must be a domU kernel (this tool's\n"
"#    config), and the entry's linux line must name the root as the\n"
"#    domain sees it (root=/dev/xvda1, or UUID= with an initramfs).  xl\n"
"#    adds the extra= arguments below (console=hvc0).  Debian guest:\n"
"#    GRUB_CMDLINE_LINUX=\"console=hvc0\" in /etc/default/grub, update-grub;\n");
	else if (o->boot == KX_XL_BOOT_PVGRUB)
		kx_buf_printf(b,
"#  - pvgrub: %s is a grub built for Xen (Debian dom0:\n"
"#    grub-xen-host); it runs inside the domain and reads the guest's\n"
"#    /boot/grub/grub.cfg, whose entry must carry all the kernel arguments:\n"
"#    root= as the domain sees it (/dev/xvda1) and console=hvc0.  Debian\n"
"#    guest: GRUB_CMDLINE_LINUX=\"console=hvc0\", update-grub;\n",
			      pvgrub_image(o));
}

int kx_xlcfg_build(char **text, const struct kx_xl_opts *o, struct kx_diags *d)
{
	struct xl_state st = { .o = o, .d = d };
	struct cmdline_facts facts;
	struct kx_buf b = KX_BUF_INIT;
	const char *name = o->name ? o->name : XL_DEFAULT_NAME;
	const char *on_crash = o->on_crash ? o->on_crash : "destroy";
	long memory = o->memory ? o->memory : XL_DEFAULT_MEMORY;
	long vcpus = o->vcpus ? o->vcpus : 1;
	int rc = 0;

	*text = NULL;
	if (o->boot != KX_XL_BOOT_KERNEL) {
		rc = check_bootloader(o, d);
	} else if (!o->kernel || !o->kernel[0]) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--kernel is required (the domU's vmlinux or bzImage, "
			     "as a path in dom0), or --bootloader pygrub|pvgrub");
		rc = KX_EINVAL;
	} else if (has_control(o->kernel)) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--kernel: the path contains a control character");
		rc = KX_EINVAL;
	}
	if (o->ramdisk && (!o->ramdisk[0] || has_control(o->ramdisk))) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--ramdisk: the path is empty or contains a control "
			     "character");
		rc = KX_EINVAL;
	}
	{
		bool digits = true, ok = name[0] != '\0';

		for (const char *p = name; *p; p++) {
			if (*p < '0' || *p > '9')
				digits = false;
			if (!strchr("abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p))
				ok = false;
		}
		if (!ok || digits) {
			kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
				     "--name '%s': use letters, digits, '_', '.' and "
				     "'-', not only digits (xl takes a number for a "
				     "domain id)", name);
			rc = KX_EINVAL;
		}
	}
	if (memory < 16 || memory > XL_MAX_MEMORY) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--memory %ld: must be between 16 MiB and %ld MiB",
			     memory, XL_MAX_MEMORY);
		rc = KX_EINVAL;
	} else if (memory < 32) {
		kx_diags_add(d, KX_DIAG_WARNING, NULL, 0,
			     "--memory %ld: a Linux domU rarely boots in less "
			     "than 32 MiB", memory);
	}
	if (vcpus < 1 || vcpus > XL_MAX_VCPUS) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--vcpus %ld: must be between 1 and %d", vcpus,
			     XL_MAX_VCPUS);
		rc = KX_EINVAL;
	}
	if (!in_list(on_crash_actions, on_crash)) {
		char *l = join_list(on_crash_actions);

		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
			     "--on-crash '%s': want one of %s", on_crash, l);
		free(l);
		rc = KX_EINVAL;
	}
	for (size_t i = 0; i < o->ndisks; i++)
		if (!o->disks[i].target || !o->disks[i].target[0] ||
		    has_control(o->disks[i].target)) {
			kx_diags_add(d, KX_DIAG_ERROR, NULL, 0,
				     "disk %zu: the target is empty or contains a "
				     "control character", i + 1);
			rc = KX_EINVAL;
		}
	for (size_t i = 0; i < o->nvifs; i++)
		if (check_vif(&st, o->vifs[i]) < 0)
			rc = KX_EINVAL;
	if (assign_vdevs(&st) < 0)
		rc = KX_EINVAL;
	if (rc)
		goto out;
	scan_extra(&facts, o->extra);
	if (o->boot == KX_XL_BOOT_PVGRUB) {
		/* nothing: the guest's grub.cfg has the arguments */
	} else if ((o->boot == KX_XL_BOOT_KERNEL || o->root) &&
		   resolve_root(&st, &facts) < 0) {
		rc = KX_EINVAL;
		goto out;
	} else if (resolve_extra(&st, &facts) < 0) {
		rc = KX_EINVAL;
		goto out;
	}

	kx_buf_puts(&b,
"# xl domain configuration (xl.cfg(5)) written by kxen-config xl-cfg.\n"
"# Start the domain with: xl create -c THIS_FILE\n");
	if (!o->no_notes)
		put_notes(&b, &st);
	put_key_str(&b, "name", name);
	put_key_str(&b, "type", o->type == KX_XL_PV ? "pv" : "pvh");
	if (o->boot == KX_XL_BOOT_PYGRUB)
		put_key_str(&b, "bootloader", "pygrub");
	else if (o->boot == KX_XL_BOOT_PVGRUB)
		put_key_str(&b, "kernel", pvgrub_image(o));
	else
		put_key_str(&b, "kernel", o->kernel);
	if (o->ramdisk)
		put_key_str(&b, "ramdisk", o->ramdisk);
	kx_buf_printf(&b, "memory = %ld\n", memory);
	kx_buf_printf(&b, "vcpus = %ld\n", vcpus);
	if (o->ndisks) {
		kx_buf_puts(&b, "disk = [\n");
		for (size_t i = 0; i < o->ndisks; i++) {
			const struct kx_xl_disk *dk = &o->disks[i];
			char *spec = kx_xasprintf("format=%s, vdev=%s, access=%s, target=%s",
						  dk->format ? dk->format : "raw",
						  st.vdev[i], dk->ro ? "ro" : "rw",
						  dk->target);

			kx_buf_puts(&b, "\t");
			kx_xlcfg_quote(&b, spec);
			kx_buf_puts(&b, ",\n");
			free(spec);
		}
		kx_buf_puts(&b, "]\n");
	}
	if (st.root) {
		if (st.root_why)
			kx_buf_printf(&b, "# root: %s\n", st.root_why);
		put_key_str(&b, "root", st.root);
	}
	if (st.extra)
		put_key_str(&b, "extra", st.extra);
	if (o->nvifs) {
		kx_buf_puts(&b, "vif = [\n");
		for (size_t i = 0; i < o->nvifs; i++) {
			kx_buf_puts(&b, "\t");
			kx_xlcfg_quote(&b, o->vifs[i]);
			kx_buf_puts(&b, ",\n");
		}
		kx_buf_puts(&b, "]\n");
	}
	put_key_str(&b, "on_poweroff", "destroy");
	put_key_str(&b, "on_reboot", "restart");
	put_key_str(&b, "on_crash", on_crash);
	*text = kx_buf_detach(&b);
out:
	kx_buf_free(&b);
	if (st.vdev)
		for (size_t i = 0; i < o->ndisks; i++)
			free(st.vdev[i]);
	free(st.vdev);
	free(st.root);
	free(st.root_why);
	free(st.extra);
	return rc;
}

/* ---- kernel notes -------------------------------------------------------- */

int kx_xlcfg_probe_kernel(unsigned *caps, const char *path)
{
	struct kx_xen_notes notes;
	struct stat st;
	void *map;
	int fd;

	*caps = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return KX_EIO;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return KX_EIO;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 16) {
		close(fd);
		return 0;	/* not an ELF file: nothing to say */
	}
	/* the shared reader of analyzer/image.c: ELF32 and ELF64, both byte orders */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return KX_EIO;
	if (kx_image_read_notes(&notes, map, (size_t)st.st_size) == 0) {
		*caps = KX_XL_KERNEL_ELF;
		if (notes.present & 1u << KX_XEN_ELFNOTE_ENTRY)
			*caps |= KX_XL_KERNEL_PV;
		if (notes.present & 1u << KX_XEN_ELFNOTE_PHYS32_ENTRY)
			*caps |= KX_XL_KERNEL_PVH;
	}
	munmap(map, (size_t)st.st_size);
	return 0;
}
