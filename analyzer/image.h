/* SPDX-License-Identifier: MIT */
/*
 * image.h - which kernel file a Xen toolstack can boot as a domU, per Xen
 * version, guest type and kernel compression; and a reader for the Xen
 * ELF notes of a built vmlinux.
 *
 * The rules are the Xen project's guidance for pv_ops domU kernels, kept
 * as data (a table of decompressors with the first Xen release whose
 * libxenguest has each) plus one function, kx_image_plan():
 *
 *   - Xen 3.2 and newer load a bzImage domU (boot protocol 2.08: the
 *     bzImage carries the compressed ELF vmlinux as its payload, which the
 *     toolstack decompresses and loads like an ELF kernel).
 *   - Older toolstacks need the ELF vmlinux, stripped, optionally gzip
 *     compressed (they always read gzip'd kernels).
 *   - A bzImage payload compressed with bzip2 or lzma needs Xen 3.4.2 or
 *     newer built with libbz2/liblzma; xz, lzo, lz4 and zstd need newer
 *     releases (see the table in image.c, which says how sure each is).
 *   - libxenguest has no case for an uncompressed payload
 *     (CONFIG_KERNEL_UNCOMPRESSED): such a bzImage is refused with
 *     "unknown compression format" by every version; ship vmlinux.
 *   - PVH guests (Xen 4.10+) are booted from the ELF vmlinux through its
 *     XEN_ELFNOTE_PHYS32_ENTRY note (direct kernel boot).
 *
 * The rules are for x86 guests; Arm guests boot the arch's Image.
 */
#ifndef KX_ANALYZER_IMAGE_H
#define KX_ANALYZER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kx_guest_type {
	KX_GUEST_PV,
	KX_GUEST_PVH,
};

/* The payload compression of a bzImage (the kernel's KERNEL_* choice). */
enum kx_compression {
	KX_COMP_GZIP,
	KX_COMP_BZIP2,
	KX_COMP_LZMA,
	KX_COMP_XZ,
	KX_COMP_LZO,
	KX_COMP_LZ4,
	KX_COMP_ZSTD,
	KX_COMP_NONE,		/* CONFIG_KERNEL_UNCOMPRESSED */
};

/* The file to ship to the Xen host. */
enum kx_image_file {
	KX_IMAGE_BZIMAGE,	/* arch/x86/boot/bzImage as built */
	KX_IMAGE_VMLINUX,	/* the ELF vmlinux (see strip/gzip) */
};

/* A Xen version: 4.17 is {4, 17, 0}. */
struct kx_xen_version {
	int major, minor, patch;
};

/* The Xen version assumed when none is given ("today's Xen"). */
#define KX_XEN_DEFAULT_MAJOR 4
#define KX_XEN_DEFAULT_MINOR 17

#define KX_IMAGE_MAX_MSGS 6
#define KX_IMAGE_MSG_LEN 240

struct kx_image_plan {
	struct kx_xen_version xen;	/* as parsed, or the default */
	bool xen_given;			/* false: xen_version was NULL */
	enum kx_guest_type type;
	enum kx_compression compression;
	bool compression_given;		/* false: NULL, gzip assumed */

	bool bootable;		/* false: this Xen cannot boot this guest type */
	enum kx_image_file file;
	bool strip;		/* strip the vmlinux (symbols, debug info) */
	bool gzip;		/* gzip -9 the stripped vmlinux */
	const char *output_name;	/* "bzImage", "vmlinux", "vmlinux.gz" */
	const char *reason;	/* one sentence: why this file (static) */

	/* problems: the plan avoids something this Xen cannot boot */
	size_t nwarnings;
	char warnings[KX_IMAGE_MAX_MSGS][KX_IMAGE_MSG_LEN];
	/* conditions the plan relies on (toolstack libraries, unsure dates) */
	size_t nnotes;
	char notes[KX_IMAGE_MAX_MSGS][KX_IMAGE_MSG_LEN];
};

/*
 * Parses "3.4.2", "4.17", "4.19.1" or "4" (missing parts are 0); a
 * distribution suffix after '-', '+' or '~' is ignored ("4.17.3+10-deb12u1").
 * Returns 0, or KX_EINVAL for anything else (out untouched).
 */
int kx_image_parse_version(struct kx_xen_version *out, const char *s);

/* Compares two versions: <0, 0, >0 like strcmp. */
int kx_image_version_cmp(const struct kx_xen_version *a,
			 const struct kx_xen_version *b);

/*
 * Parses a compression name: "gzip", "bzip2", "lzma", "xz", "lzo", "lz4",
 * "zstd", "none"/"uncompressed", in any case, also as the Kconfig symbol
 * ("KERNEL_XZ", "CONFIG_KERNEL_XZ").  Returns 0 or KX_EINVAL.
 */
int kx_image_parse_compression(enum kx_compression *out, const char *name);

/* Lower-case name of a compression ("xz"); static storage. */
const char *kx_image_compression_name(enum kx_compression c);

/*
 * Finds the kernel compression chosen in .config text (the CONFIG_KERNEL_*
 * choice set to y).  Returns 0, or KX_ENOTFOUND when the text has none
 * (not an x86/arm kernel config, or the choice is absent).
 */
int kx_image_find_compression(enum kx_compression *out, const char *config);

/*
 * Decides which file to ship for a domU booted by Xen 'xen_version' (NULL:
 * today's Xen, 4.17 and newer), as guest 'type', from a kernel whose
 * bzImage payload is compressed with 'kernel_compression' (a name accepted
 * by kx_image_parse_compression; NULL: gzip, the kernel's default).
 * Fills *out completely (all strings are static or inside *out; nothing to
 * free).  A guest type this Xen cannot boot at all (PVH before 4.10) is not
 * an error: out->bootable is false and a warning says why.  Returns 0, or
 * KX_EINVAL for an unparsable version or compression (out is zeroed).
 */
int kx_image_plan(struct kx_image_plan *out, const char *xen_version,
		  enum kx_guest_type type, const char *kernel_compression);

/* ---- Xen ELF notes ------------------------------------------------------ */

/* Note types from Xen's public/elfnote.h, the ones a domU kernel carries. */
enum {
	KX_XEN_ELFNOTE_ENTRY = 1,
	KX_XEN_ELFNOTE_HYPERCALL_PAGE = 2,
	KX_XEN_ELFNOTE_GUEST_OS = 6,
	KX_XEN_ELFNOTE_LOADER = 8,
	KX_XEN_ELFNOTE_FEATURES = 10,
	KX_XEN_ELFNOTE_PHYS32_ENTRY = 18,	/* 0x12: the PVH entry point */
	KX_XEN_ELFNOTE_MAX = 31,
};

struct kx_xen_notes {
	uint32_t present;	/* bit n set: a "Xen" note of type n exists */
	size_t count;		/* number of "Xen" notes */
	uint64_t entry;		/* XEN_ELFNOTE_ENTRY value, when present */
	uint64_t phys32_entry;	/* XEN_ELFNOTE_PHYS32_ENTRY value, when present */
	char guest_os[32];	/* XEN_ELFNOTE_GUEST_OS string ("linux") */
	bool elf64;
};

/*
 * Reads the "Xen" notes of an ELF image in memory (ELF32 or ELF64, little
 * or big endian): from its PT_NOTE segments, else its SHT_NOTE sections.
 * Returns 0 (out->count may be 0: no Xen notes), KX_ESYNTAX when the data
 * is not a well-formed ELF file (a gzip'd or bzImage file, truncated...).
 */
int kx_image_read_notes(struct kx_xen_notes *out, const void *elf, size_t len);

/*
 * The names of the notes present, in note type order, separated by spaces
 * ("ENTRY GUEST_OS FEATURES PHYS32_ENTRY"; of the types above, those a
 * domU kernel's check cares about: ENTRY, HYPERCALL_PAGE, GUEST_OS,
 * FEATURES, PHYS32_ENTRY), or "none".  Writes at most 'size' bytes
 * (truncated) into 'buf' and returns it.
 */
const char *kx_image_note_names(const struct kx_xen_notes *n, char *buf, size_t size);

#endif /* KX_ANALYZER_IMAGE_H */
