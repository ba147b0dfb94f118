// SPDX-License-Identifier: MIT
/*
 * image.c - the domU image rules per Xen version (see image.h), and the
 * Xen ELF note reader.
 *
 * Sources for the table below, and how sure each entry is:
 *   - bzImage domU from Xen 3.2; bzip2/lzma from 3.4.2 with the toolstack
 *     built with libbz2/liblzma: the Xen project's pv_ops guidance.
 *   - zstd: Xen 4.15.0's CHANGELOG ("Support for zstd-compressed dom0 (x86)
 *     and domU kernels"); libxenguest uses the system libzstd.
 *   - uncompressed payload: libxenguest's bzImage probe (xg_dom_bzimageloader.c)
 *     recognises gzip, bzip2, xz, zstd, lzma, lzo and lz4 magic numbers and
 *     fails with "unknown compression format" otherwise, in every version.
 *   - xz and lzo (Xen 4.1) and lz4 (Xen 4.4): the releases that followed
 *     the Linux kernels introducing those compressions (2.6.38, 2.6.30,
 *     3.11), from memory of the libxc history, not verified against the
 *     release tarballs; the plan says so in a note.  xz uses liblzma, lzo
 *     liblzo2; lz4 used a copy of Xen's own decompressor (no library),
 *     upstream is switching it to the system liblz4.
 */
#include "analyzer/image.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

struct decomp_rule {
	enum kx_compression comp;
	const char *name;	/* lower case, as kx_image_compression_name */
	const char *label;	/* as written in messages */
	struct kx_xen_version since;	/* first Xen whose libxenguest decodes it */
	bool never;		/* no Xen decodes it (uncompressed payload) */
	bool sure;		/* 'since' is documented, not estimated */
	const char *library;	/* toolstack must be built with it; NULL: always */
};

static const struct decomp_rule decomp_rules[] = {
	{ KX_COMP_GZIP,  "gzip",  "gzip",  { 3, 2, 0 },  false, true,  NULL },
	{ KX_COMP_BZIP2, "bzip2", "bzip2", { 3, 4, 2 },  false, true,  "libbz2" },
	{ KX_COMP_LZMA,  "lzma",  "LZMA",  { 3, 4, 2 },  false, true,  "liblzma" },
	{ KX_COMP_XZ,    "xz",    "XZ",    { 4, 1, 0 },  false, false, "liblzma" },
	{ KX_COMP_LZO,   "lzo",   "LZO",   { 4, 1, 0 },  false, false, "liblzo2" },
	{ KX_COMP_LZ4,   "lz4",   "LZ4",   { 4, 4, 0 },  false, false, NULL },
	{ KX_COMP_ZSTD,  "zstd",  "zstd",  { 4, 15, 0 }, false, true,  "libzstd" },
	{ KX_COMP_NONE,  "none",  "uncompressed", { 0, 0, 0 }, true, true, NULL },
};

/* first Xen that loads a bzImage domU at all */
static const struct kx_xen_version xen_bzimage = { 3, 2, 0 };
/* first Xen with PVH guests booted from the kernel's PVH entry */
static const struct kx_xen_version xen_pvh = { 4, 10, 0 };

static const struct decomp_rule *rule_of(enum kx_compression c)
{
	for (size_t i = 0; i < sizeof(decomp_rules) / sizeof(decomp_rules[0]); i++)
		if (decomp_rules[i].comp == c)
			return &decomp_rules[i];
	return NULL;
}

/* ---- versions --------------------------------------------------------- */

/* a decimal component: 1 to 4 digits, 0..9999 */
static const char *parse_num(const char *p, int *v)
{
	int n = 0, digits = 0;

	while (isdigit((unsigned char)*p)) {
		if (++digits > 4)
			return NULL;
		n = n * 10 + (*p++ - '0');
	}
	if (!digits)
		return NULL;
	*v = n;
	return p;
}

int kx_image_parse_version(struct kx_xen_version *out, const char *s)
{
	struct kx_xen_version v = { 0, 0, 0 };
	int *parts[3] = { &v.major, &v.minor, &v.patch };
	const char *p = s;

	if (!s)
		return KX_EINVAL;
	for (int i = 0; i < 3; i++) {
		p = parse_num(p, parts[i]);
		if (!p)
			return KX_EINVAL;
		if (*p != '.')
			break;
		if (i == 2)
			return KX_EINVAL;	/* "4.17.1.2" */
		p++;
	}
	if (*p && *p != '-' && *p != '+' && *p != '~')
		return KX_EINVAL;
	if (v.major < 1)
		return KX_EINVAL;
	*out = v;
	return 0;
}

int kx_image_version_cmp(const struct kx_xen_version *a,
			 const struct kx_xen_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

/* "4.17" or "3.4.2": the patch level only when it is not 0 */
static void version_str(char *buf, size_t n, const struct kx_xen_version *v)
{
	if (v->patch)
		snprintf(buf, n, "%d.%d.%d", v->major, v->minor, v->patch);
	else
		snprintf(buf, n, "%d.%d", v->major, v->minor);
}

/* ---- compressions ------------------------------------------------------- */

int kx_image_parse_compression(enum kx_compression *out, const char *name)
{
	char low[24];
	size_t n;

	if (!name)
		return KX_EINVAL;
	if (!strncmp(name, "CONFIG_", 7))
		name += 7;
	if (!strncmp(name, "KERNEL_", 7))
		name += 7;
	n = strlen(name);
	if (!n || n >= sizeof(low))
		return KX_EINVAL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	if (!strcmp(low, "uncompressed")) {
		*out = KX_COMP_NONE;
		return 0;
	}
	for (size_t i = 0; i < sizeof(decomp_rules) / sizeof(decomp_rules[0]); i++)
		if (!strcmp(low, decomp_rules[i].name)) {
			*out = decomp_rules[i].comp;
			return 0;
		}
	return KX_EINVAL;
}

const char *kx_image_compression_name(enum kx_compression c)
{
	const struct decomp_rule *r = rule_of(c);

	return r ? r->name : "?";
}

int kx_image_find_compression(enum kx_compression *out, const char *config)
{
	static const char *const syms[] = {
		"GZIP", "BZIP2", "LZMA", "XZ", "LZO", "LZ4", "ZSTD", "UNCOMPRESSED",
	};
	const char *line = config;

	if (!config)
		return KX_EINVAL;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > 14 && !strncmp(line, "CONFIG_KERNEL_", 14)) {
			for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
				size_t sl = strlen(syms[i]);

				if (len == 14 + sl + 2 && !strncmp(line + 14, syms[i], sl) &&
				    !strncmp(line + 14 + sl, "=y", 2))
					return kx_image_parse_compression(out, syms[i]);
			}
		}
		line = end ? end + 1 : NULL;
	}
	return KX_ENOTFOUND;
}

/* ---- the plan -------------------------------------------------------------- */

static void plan_msg(char (*v)[KX_IMAGE_MSG_LEN], size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void plan_msg(char (*v)[KX_IMAGE_MSG_LEN], size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= KX_IMAGE_MAX_MSGS)
		return;
	va_start(ap, fmt);
	vsnprintf(v[*n], KX_IMAGE_MSG_LEN, fmt, ap);
	va_end(ap);
	(*n)++;
}

#define WARN(p, ...) plan_msg((p)->warnings, &(p)->nwarnings, __VA_ARGS__)
#define NOTE(p, ...) plan_msg((p)->notes, &(p)->nnotes, __VA_ARGS__)

static void ship_vmlinux(struct kx_image_plan *p, bool gzip, const char *reason)
{
	p->file = KX_IMAGE_VMLINUX;
	p->strip = true;
	p->gzip = gzip;
	p->output_name = gzip ? "vmlinux.gz" : "vmlinux";
	p->reason = reason;
}

static void plan_pvh(struct kx_image_plan *p, const char *xv)
{
	char since[16];

	/*
	 * The toolstack loads the ELF and enters it at the PHYS32_ENTRY
	 * note; it needs no decompressor for an uncompressed file, so
	 * the plan does not depend on the bzImage compression.  Stripping
	 * keeps the notes (SHT_NOTE sections are not removed by strip).
	 */
	ship_vmlinux(p, false, "PVH guests are booted from the ELF vmlinux "
		     "through its XEN_ELFNOTE_PHYS32_ENTRY note (direct kernel boot)");
	if (kx_image_version_cmp(&p->xen, &xen_pvh) < 0) {
		version_str(since, sizeof(since), &xen_pvh);
		p->bootable = false;
		WARN(p, "Xen %s cannot boot PVH guests (PVH needs Xen %s or newer): "
		     "use type pv", xv, since);
		return;
	}
	NOTE(p, "the kernel needs CONFIG_XEN_PVH=y (the PHYS32_ENTRY note); "
	     "xl: type = \"pvh\", kernel = the vmlinux");
}

static void plan_pv(struct kx_image_plan *p, const char *xv)
{
	const struct decomp_rule *r = rule_of(p->compression);
	char since[16];

	if (kx_image_version_cmp(&p->xen, &xen_bzimage) < 0) {
		version_str(since, sizeof(since), &xen_bzimage);
		ship_vmlinux(p, true, "Xen before 3.2 cannot load a bzImage: it "
			     "needs the ELF vmlinux, stripped and gzip-compressed");
		WARN(p, "Xen %s cannot boot a bzImage (bzImage domUs need Xen %s or "
		     "newer): use vmlinux.gz", xv, since);
		return;
	}
	if (r->never) {
		ship_vmlinux(p, true, "Xen's bzImage loader does not accept an "
			     "uncompressed payload: it needs the ELF vmlinux");
		WARN(p, "no Xen boots a bzImage with an uncompressed payload "
		     "(CONFIG_KERNEL_UNCOMPRESSED): use vmlinux.gz");
		return;
	}
	version_str(since, sizeof(since), &r->since);
	if (kx_image_version_cmp(&p->xen, &r->since) < 0) {
		ship_vmlinux(p, true, "this Xen cannot decompress the bzImage "
			     "payload: it needs the ELF vmlinux, stripped and "
			     "gzip-compressed");
		WARN(p, "Xen %s cannot boot an %s bzImage (%s needs Xen %s or newer%s%s%s): "
		     "use vmlinux.gz", xv, r->label, r->label, since,
		     r->library ? " built with " : "", r->library ? r->library : "",
		     r->sure ? "" : ", estimated");
		return;
	}
	p->file = KX_IMAGE_BZIMAGE;
	p->strip = false;
	p->gzip = false;
	p->output_name = "bzImage";
	p->reason = "Xen 3.2 and newer load a bzImage domU and decompress its payload";
	if (r->library)
		NOTE(p, "an %s bzImage needs Xen's toolstack (libxenguest) built with "
		     "%s, as distribution packages are; otherwise use vmlinux.gz",
		     r->label, r->library);
	if (!r->sure)
		NOTE(p, "Xen %s as the first release with %s domU kernels is an "
		     "estimate, not verified", since, r->label);
}

int kx_image_plan(struct kx_image_plan *out, const char *xen_version,
		  enum kx_guest_type type, const char *kernel_compression)
{
	struct kx_image_plan p;
	char xv[32];
	int err;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (type != KX_GUEST_PV && type != KX_GUEST_PVH)
		return KX_EINVAL;
	p.type = type;
	p.bootable = true;
	if (xen_version) {
		if ((err = kx_image_parse_version(&p.xen, xen_version)))
			return err;
		p.xen_given = true;
	} else {
		p.xen.major = KX_XEN_DEFAULT_MAJOR;
		p.xen.minor = KX_XEN_DEFAULT_MINOR;
	}
	if (kernel_compression) {
		if ((err = kx_image_parse_compression(&p.compression, kernel_compression)))
			return err;
		p.compression_given = true;
	} else {
		p.compression = KX_COMP_GZIP;
	}
	version_str(xv, sizeof(xv), &p.xen);
	if (type == KX_GUEST_PVH)
		plan_pvh(&p, xv);
	else
		plan_pv(&p, xv);
	if (!p.compression_given && type == KX_GUEST_PV && p.file == KX_IMAGE_BZIMAGE)
		NOTE(&p, "kernel compression not given: gzip (the kernel's default) assumed");
	*out = p;
	return 0;
}

/* ---- ELF notes ----------------------------------------------------------- */

struct elf_reader {
	const unsigned char *d;
	size_t len;
	bool be, e64;
};

static uint64_t rd(const struct elf_reader *r, size_t off, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned b = r->d[off + (r->be ? i : n - 1 - i)];

		v = (v << 8) | b;
	}
	return v;
}

/* true when [off, off+n) lies inside the data */
static bool in_range(const struct elf_reader *r, uint64_t off, uint64_t n)
{
	return off <= r->len && n <= r->len - off;
}

/* Parses one note area; returns 0 or KX_ESYNTAX. */
static int read_notes(struct kx_xen_notes *out, const struct elf_reader *r,
		      uint64_t off, uint64_t size, uint64_t align)
{
	uint64_t end, a = align == 8 ? 8 : 4;

	if (!in_range(r, off, size))
		return KX_ESYNTAX;
	end = off + size;
	while (end - off >= 12) {
		uint64_t namesz = rd(r, (size_t)off, 4), descsz = rd(r, (size_t)off + 4, 4);
		uint64_t type = rd(r, (size_t)off + 8, 4);
		uint64_t name = off + 12, desc, next;

		desc = name + ((namesz + a - 1) & ~(a - 1));
		next = desc + ((descsz + a - 1) & ~(a - 1));
		if (desc > end || descsz > end - desc)
			return KX_ESYNTAX;
		if (next > end)
			next = end;	/* last descriptor without padding */
		if (namesz == 4 && !memcmp(r->d + name, "Xen", 4)) {
			out->count++;
			if (type <= KX_XEN_ELFNOTE_MAX)
				out->present |= (uint32_t)1 << type;
			if ((type == KX_XEN_ELFNOTE_ENTRY ||
			     type == KX_XEN_ELFNOTE_PHYS32_ENTRY) &&
			    (descsz == 4 || descsz == 8)) {
				uint64_t v = rd(r, (size_t)desc, (size_t)descsz);

				if (type == KX_XEN_ELFNOTE_ENTRY)
					out->entry = v;
				else
					out->phys32_entry = v;
			}
			if (type == KX_XEN_ELFNOTE_GUEST_OS) {
				size_t n = descsz < sizeof(out->guest_os) - 1 ?
					(size_t)descsz : sizeof(out->guest_os) - 1;

				memcpy(out->guest_os, r->d + desc, n);
				out->guest_os[n] = 0;
			}
		}
		off = next;
	}
	return 0;
}

int kx_image_read_notes(struct kx_xen_notes *out, const void *elf, size_t len)
{
	struct elf_reader r = { elf, len, false, false };
	uint64_t phoff, shoff;
	size_t phentsize, phnum, shentsize, shnum, nareas = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!elf || len < 52 || memcmp(elf, "\177ELF", 4))
		return KX_ESYNTAX;
	if (r.d[4] != 1 && r.d[4] != 2)
		return KX_ESYNTAX;
	if (r.d[5] != 1 && r.d[5] != 2)
		return KX_ESYNTAX;
	r.e64 = r.d[4] == 2;
	r.be = r.d[5] == 2;
	out->elf64 = r.e64;
	if (r.e64) {
		if (len < 64)
			return KX_ESYNTAX;
		phoff = rd(&r, 32, 8);
		shoff = rd(&r, 40, 8);
		phentsize = (size_t)rd(&r, 54, 2);
		phnum = (size_t)rd(&r, 56, 2);
		shentsize = (size_t)rd(&r, 58, 2);
		shnum = (size_t)rd(&r, 60, 2);
	} else {
		phoff = rd(&r, 28, 4);
		shoff = rd(&r, 32, 4);
		phentsize = (size_t)rd(&r, 42, 2);
		phnum = (size_t)rd(&r, 44, 2);
		shentsize = (size_t)rd(&r, 46, 2);
		shnum = (size_t)rd(&r, 48, 2);
	}

	/* program headers: PT_NOTE (4) */
	if (phnum) {
		if (phentsize < (r.e64 ? 56u : 32u) ||
		    !in_range(&r, phoff, (uint64_t)phentsize * phnum))
			return KX_ESYNTAX;
		for (size_t i = 0; i < phnum; i++) {
			size_t ph = (size_t)phoff + i * phentsize;
			uint64_t off, size, align;

			if (rd(&r, ph, 4) != 4)
				continue;
			off = rd(&r, ph + (r.e64 ? 8 : 4), r.e64 ? 8 : 4);
			size = rd(&r, ph + (r.e64 ? 32 : 16), r.e64 ? 8 : 4);
			align = rd(&r, ph + (r.e64 ? 48 : 28), r.e64 ? 8 : 4);
			if ((err = read_notes(out, &r, off, size, align)))
				return err;
			nareas++;
		}
	}
	if (nareas || !shnum)
		return 0;

	/* no PT_NOTE: section headers, SHT_NOTE (7) */
	if (shentsize < (r.e64 ? 64u : 40u) ||
	    !in_range(&r, shoff, (uint64_t)shentsize * shnum))
		return KX_ESYNTAX;
	for (size_t i = 0; i < shnum; i++) {
		size_t sh = (size_t)shoff + i * shentsize;
		uint64_t off, size, align;

		if (rd(&r, sh + 4, 4) != 7)
			continue;
		off = rd(&r, sh + (r.e64 ? 24 : 16), r.e64 ? 8 : 4);
		size = rd(&r, sh + (r.e64 ? 32 : 20), r.e64 ? 8 : 4);
		align = rd(&r, sh + (r.e64 ? 48 : 32), r.e64 ? 8 : 4);
		if ((err = read_notes(out, &r, off, size, align)))
			return err;
	}
	return 0;
}

const char *kx_image_note_names(const struct kx_xen_notes *n, char *buf, size_t size)
{
	static const struct { int type; const char *name; } names[] = {
		{ KX_XEN_ELFNOTE_ENTRY, "ENTRY" },
		{ KX_XEN_ELFNOTE_HYPERCALL_PAGE, "HYPERCALL_PAGE" },
		{ KX_XEN_ELFNOTE_GUEST_OS, "GUEST_OS" },
		{ KX_XEN_ELFNOTE_FEATURES, "FEATURES" },
		{ KX_XEN_ELFNOTE_PHYS32_ENTRY, "PHYS32_ENTRY" },
	};
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n->present & (1u << names[i].type))
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						len ? " " : "", names[i].name);
	if (!len)
		snprintf(buf, size, "none");
	return buf;
}
