// SPDX-License-Identifier: MIT
/*
 * test_image.c - the domU image rules per Xen version (analyzer/image.c):
 * each boundary of the table on both sides, version and compression
 * parsing, and the Xen ELF note reader on hand-made ELF files (and on a
 * real vmlinux when KX_TEST_VMLINUX names one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/image.h"
#include "util/util.h"

/* ---- versions ------------------------------------------------------------ */

static void check_version(const char *s, int ma, int mi, int pa)
{
	struct kx_xen_version v;

	assert_int_equal(kx_image_parse_version(&v, s), 0);
	assert_int_equal(v.major, ma);
	assert_int_equal(v.minor, mi);
	assert_int_equal(v.patch, pa);
}

static void test_image__parse_version(void **state)
{
	static const char *const bad[] = {
		"", "x", "4.", ".4", "4..1", "4.17.1.2", "4.17rc1", "-4", "0.9",
		"4.17 ", "v4.17", "12345.1", "4,17",
	};
	struct kx_xen_version v = { 7, 7, 7 };

	(void)state;
	check_version("3.4.2", 3, 4, 2);
	check_version("4.17", 4, 17, 0);
	check_version("4.19.1", 4, 19, 1);
	check_version("4", 4, 0, 0);
	check_version("4.17.3+10-deb12u1", 4, 17, 3);
	check_version("4.20-rc", 4, 20, 0);
	check_version("4.18~pre", 4, 18, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (kx_image_parse_version(&v, bad[i]) != KX_EINVAL)
			fail_msg("'%s' was accepted as a Xen version", bad[i]);
		assert_int_equal(v.major, 7);	/* untouched */
	}
	assert_int_equal(kx_image_parse_version(&v, NULL), KX_EINVAL);
}

static void test_image__version_order(void **state)
{
	struct kx_xen_version a, b;

	(void)state;
	assert_int_equal(kx_image_parse_version(&a, "3.4.2"), 0);
	assert_int_equal(kx_image_parse_version(&b, "3.4.10"), 0);
	assert_true(kx_image_version_cmp(&a, &b) < 0);
	assert_int_equal(kx_image_parse_version(&b, "4.9"), 0);
	assert_int_equal(kx_image_parse_version(&a, "4.10"), 0);
	assert_true(kx_image_version_cmp(&a, &b) > 0);	/* numeric, not text */
	assert_int_equal(kx_image_parse_version(&b, "4.10.0"), 0);
	assert_int_equal(kx_image_version_cmp(&a, &b), 0);
}

/* ---- compressions ------------------------------------------------------- */

static void test_image__parse_compression(void **state)
{
	enum kx_compression c;

	(void)state;
	assert_int_equal(kx_image_parse_compression(&c, "gzip"), 0);
	assert_int_equal(c, KX_COMP_GZIP);
	assert_int_equal(kx_image_parse_compression(&c, "LZMA"), 0);
	assert_int_equal(c, KX_COMP_LZMA);
	assert_int_equal(kx_image_parse_compression(&c, "KERNEL_XZ"), 0);
	assert_int_equal(c, KX_COMP_XZ);
	assert_int_equal(kx_image_parse_compression(&c, "CONFIG_KERNEL_LZ4"), 0);
	assert_int_equal(c, KX_COMP_LZ4);
	assert_int_equal(kx_image_parse_compression(&c, "Zstd"), 0);
	assert_int_equal(c, KX_COMP_ZSTD);
	assert_int_equal(kx_image_parse_compression(&c, "KERNEL_UNCOMPRESSED"), 0);
	assert_int_equal(c, KX_COMP_NONE);
	assert_int_equal(kx_image_parse_compression(&c, "none"), 0);
	assert_int_equal(c, KX_COMP_NONE);
	assert_string_equal(kx_image_compression_name(KX_COMP_BZIP2), "bzip2");
	assert_int_equal(kx_image_parse_compression(&c, "zip"), KX_EINVAL);
	assert_int_equal(kx_image_parse_compression(&c, ""), KX_EINVAL);
	assert_int_equal(kx_image_parse_compression(&c, "KERNEL_"), KX_EINVAL);
	assert_int_equal(kx_image_parse_compression(&c, NULL), KX_EINVAL);
}

static void test_image__config_compression(void **state)
{
	enum kx_compression c = KX_COMP_GZIP;

	(void)state;
	assert_int_equal(kx_image_find_compression(&c,
		"CONFIG_HAVE_KERNEL_GZIP=y\n# CONFIG_KERNEL_GZIP is not set\n"
		"CONFIG_KERNEL_XZ=y\n# CONFIG_KERNEL_LZO is not set\n"), 0);
	assert_int_equal(c, KX_COMP_XZ);
	assert_int_equal(kx_image_find_compression(&c,
		"CONFIG_KERNEL_UNCOMPRESSED=y"), 0);	/* no final newline */
	assert_int_equal(c, KX_COMP_NONE);
	/* HAVE_KERNEL_* are not the choice; =n / is not set are not chosen */
	assert_int_equal(kx_image_find_compression(&c,
		"CONFIG_HAVE_KERNEL_LZMA=y\n# CONFIG_KERNEL_LZMA is not set\n"
		"CONFIG_KERNEL_XZY=y\n"), KX_ENOTFOUND);
	assert_int_equal(kx_image_find_compression(&c, ""), KX_ENOTFOUND);
}

/* ---- the plan -------------------------------------------------------------- */

static bool has_msg(char (*v)[KX_IMAGE_MSG_LEN], size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i], needle))
			return true;
	return false;
}

static struct kx_image_plan plan(const char *xen, enum kx_guest_type t, const char *comp)
{
	struct kx_image_plan p;

	assert_int_equal(kx_image_plan(&p, xen, t, comp), 0);
	assert_non_null(p.output_name);
	assert_non_null(p.reason);
	return p;
}

/* bzImage shipped as built */
static void expect_bzimage(const char *xen, const char *comp)
{
	struct kx_image_plan p = plan(xen, KX_GUEST_PV, comp);

	if (p.file != KX_IMAGE_BZIMAGE)
		fail_msg("Xen %s, %s: expected a bzImage, got %s", xen ? xen : "(default)",
			 comp ? comp : "(default)", p.output_name);
	assert_true(p.bootable);
	assert_false(p.strip);
	assert_false(p.gzip);
	assert_string_equal(p.output_name, "bzImage");
	assert_int_equal(p.nwarnings, 0);
}

/* the fallback: stripped, gzip'd vmlinux with a warning */
static struct kx_image_plan expect_vmlinux_gz(const char *xen, const char *comp)
{
	struct kx_image_plan p = plan(xen, KX_GUEST_PV, comp);

	if (p.file != KX_IMAGE_VMLINUX)
		fail_msg("Xen %s, %s: expected vmlinux.gz, got %s", xen, comp, p.output_name);
	assert_true(p.bootable);
	assert_true(p.strip);
	assert_true(p.gzip);
	assert_string_equal(p.output_name, "vmlinux.gz");
	assert_int_equal(p.nwarnings, 1);
	assert_non_null(strstr(p.warnings[0], "use vmlinux.gz"));
	return p;
}

static void test_image__bzimage_needs_xen_3_2(void **state)
{
	struct kx_image_plan p;

	(void)state;
	p = expect_vmlinux_gz("3.1.4", "gzip");
	assert_string_equal(p.warnings[0], "Xen 3.1.4 cannot boot a bzImage (bzImage "
			    "domUs need Xen 3.2 or newer): use vmlinux.gz");
	expect_vmlinux_gz("3.0", "gzip");
	/* older than 3.2 ships vmlinux.gz whatever the compression */
	expect_vmlinux_gz("3.1", "xz");
	expect_bzimage("3.2", "gzip");
	expect_bzimage("3.2.0", "gzip");
}

static void test_image__bzip2_lzma_need_3_4_2(void **state)
{
	struct kx_image_plan p;

	(void)state;
	p = expect_vmlinux_gz("3.3", "lzma");
	assert_string_equal(p.warnings[0], "Xen 3.3 cannot boot an LZMA bzImage (LZMA "
			    "needs Xen 3.4.2 or newer built with liblzma): use vmlinux.gz");
	expect_vmlinux_gz("3.4.1", "lzma");
	expect_vmlinux_gz("3.4.1", "bzip2");
	expect_bzimage("3.4.2", "lzma");
	expect_bzimage("3.4.2", "bzip2");
	/* gzip is fine in between */
	expect_bzimage("3.4.1", "gzip");
	/* the library condition is a note */
	p = plan("3.4.2", KX_GUEST_PV, "bzip2");
	assert_true(has_msg(p.notes, p.nnotes, "built with libbz2"));
	p = plan("4.17", KX_GUEST_PV, "gzip");
	assert_int_equal(p.nnotes, 0);
}

static void test_image__newer_decompressors(void **state)
{
	struct kx_image_plan p;

	(void)state;
	/* xz and lzo: 4.1 (estimate, said in a note) */
	expect_vmlinux_gz("4.0.4", "xz");
	expect_bzimage("4.1", "xz");
	p = plan("4.1", KX_GUEST_PV, "xz");
	assert_true(has_msg(p.notes, p.nnotes, "estimate"));
	assert_true(has_msg(p.notes, p.nnotes, "liblzma"));
	p = expect_vmlinux_gz("4.0", "xz");
	assert_non_null(strstr(p.warnings[0], "estimated"));
	expect_vmlinux_gz("4.0.4", "lzo");
	expect_bzimage("4.1.0", "lzo");
	/* lz4: 4.4, no library */
	expect_vmlinux_gz("4.3.1", "lz4");
	expect_bzimage("4.4", "lz4");
	p = plan("4.4", KX_GUEST_PV, "lz4");
	assert_false(has_msg(p.notes, p.nnotes, "built with"));
	/* zstd: 4.15, documented, libzstd */
	expect_vmlinux_gz("4.14.6", "zstd");
	expect_bzimage("4.15", "zstd");
	p = plan("4.15", KX_GUEST_PV, "zstd");
	assert_false(has_msg(p.notes, p.nnotes, "estimate"));
	assert_true(has_msg(p.notes, p.nnotes, "libzstd"));
}

static void test_image__uncompressed_payload_never(void **state)
{
	struct kx_image_plan p;

	(void)state;
	p = expect_vmlinux_gz("4.19.1", "KERNEL_UNCOMPRESSED");
	assert_non_null(strstr(p.warnings[0], "uncompressed payload"));
	expect_vmlinux_gz("3.2", "none");
	p = plan(NULL, KX_GUEST_PV, "none");
	assert_string_equal(p.output_name, "vmlinux.gz");
}

static void test_image__default_is_todays_xen(void **state)
{
	struct kx_image_plan p;

	(void)state;
	p = plan(NULL, KX_GUEST_PV, "xz");
	assert_false(p.xen_given);
	assert_int_equal(p.xen.major, KX_XEN_DEFAULT_MAJOR);
	assert_int_equal(p.xen.minor, KX_XEN_DEFAULT_MINOR);
	expect_bzimage(NULL, "zstd");
	expect_bzimage(NULL, "lz4");
	/* no compression given: gzip assumed, and said */
	p = plan(NULL, KX_GUEST_PV, NULL);
	assert_false(p.compression_given);
	assert_int_equal(p.compression, KX_COMP_GZIP);
	assert_int_equal(p.file, KX_IMAGE_BZIMAGE);
	assert_true(has_msg(p.notes, p.nnotes, "gzip (the kernel's default) assumed"));
}

static void test_image__pvh_needs_4_10_and_vmlinux(void **state)
{
	struct kx_image_plan p;

	(void)state;
	p = plan("4.9", KX_GUEST_PVH, "gzip");
	assert_false(p.bootable);
	assert_int_equal(p.nwarnings, 1);
	assert_string_equal(p.warnings[0], "Xen 4.9 cannot boot PVH guests (PVH needs "
			    "Xen 4.10 or newer): use type pv");
	p = plan("4.10", KX_GUEST_PVH, "gzip");
	assert_true(p.bootable);
	assert_int_equal(p.file, KX_IMAGE_VMLINUX);
	assert_true(p.strip);
	assert_false(p.gzip);
	assert_string_equal(p.output_name, "vmlinux");
	assert_int_equal(p.nwarnings, 0);
	assert_non_null(strstr(p.reason, "PHYS32_ENTRY"));
	/* the bzImage compression does not matter for PVH */
	p = plan("4.10", KX_GUEST_PVH, "none");
	assert_true(p.bootable);
	assert_string_equal(p.output_name, "vmlinux");
	p = plan(NULL, KX_GUEST_PVH, "zstd");
	assert_true(p.bootable);
	assert_string_equal(p.output_name, "vmlinux");
}

static void test_image__bad_input(void **state)
{
	struct kx_image_plan p;

	(void)state;
	assert_int_equal(kx_image_plan(&p, "four", KX_GUEST_PV, "gzip"), KX_EINVAL);
	assert_null(p.output_name);	/* zeroed */
	assert_int_equal(kx_image_plan(&p, "4.17", KX_GUEST_PV, "brotli"), KX_EINVAL);
	assert_int_equal(kx_image_plan(&p, "4.17", (enum kx_guest_type)7, "gzip"), KX_EINVAL);
}

/* ---- ELF notes ------------------------------------------------------------ */

struct elfw {
	unsigned char d[4096];
	size_t len;
	bool be;
};

static void put(struct elfw *w, size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w->d[off + (w->be ? n - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

/* appends a note at w->len (4-byte alignment); returns its size */
static size_t add_note(struct elfw *w, const char *name, uint32_t type,
		       const void *desc, size_t descsz)
{
	size_t start = w->len, namesz = strlen(name) + 1;

	put(w, w->len, namesz, 4);
	put(w, w->len + 4, descsz, 4);
	put(w, w->len + 8, type, 4);
	w->len += 12;
	memcpy(w->d + w->len, name, namesz);
	w->len += (namesz + 3) & ~(size_t)3;
	memcpy(w->d + w->len, desc, descsz);
	w->len += (descsz + 3) & ~(size_t)3;
	return w->len - start;
}

/* 'v' as n bytes in the file's byte order */
static void enc(const struct elfw *w, unsigned char *b, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[w->be ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static size_t add_vmlinux_notes(struct elfw *w)
{
	unsigned char entry[8], phys[4];
	size_t n = 0;

	enc(w, entry, 0xffffffff81001000ull, 8);
	enc(w, phys, 0x1000000, 4);
	n += add_note(w, "GNU", 3, "\1\2\3\4", 4);	/* build id: not Xen */
	n += add_note(w, "Xen", KX_XEN_ELFNOTE_GUEST_OS, "linux", 6);
	n += add_note(w, "Xen", KX_XEN_ELFNOTE_ENTRY, entry, 8);
	n += add_note(w, "Xen", KX_XEN_ELFNOTE_PHYS32_ENTRY, phys, 4);
	n += add_note(w, "Xen", KX_XEN_ELFNOTE_FEATURES, "!writable_page_tables", 22);
	return n;
}

/* ELF64 little endian, one PT_NOTE program header */
static void make_elf64(struct elfw *w)
{
	size_t notes_off = 64 + 56, notes_size;

	memset(w, 0, sizeof(*w));
	memcpy(w->d, "\177ELF\2\1\1", 7);
	put(w, 16, 2, 2);		/* ET_EXEC */
	put(w, 18, 62, 2);		/* EM_X86_64 */
	put(w, 32, 64, 8);		/* e_phoff */
	put(w, 52, 64, 2);		/* e_ehsize */
	put(w, 54, 56, 2);		/* e_phentsize */
	put(w, 56, 1, 2);		/* e_phnum */
	w->len = notes_off;
	notes_size = add_vmlinux_notes(w);
	put(w, 64, 4, 4);		/* PT_NOTE */
	put(w, 64 + 8, notes_off, 8);
	put(w, 64 + 32, notes_size, 8);
	put(w, 64 + 48, 4, 8);
}

/* ELF32 big endian, no program headers, an SHT_NOTE section */
static void make_elf32_be_sections(struct elfw *w)
{
	size_t notes_off = 52, notes_size, shoff;

	memset(w, 0, sizeof(*w));
	w->be = true;
	memcpy(w->d, "\177ELF\1\2\1", 7);
	put(w, 16, 1, 2);		/* ET_REL */
	put(w, 46, 40, 2);		/* e_shentsize */
	put(w, 48, 2, 2);		/* e_shnum: null + .notes */
	w->len = notes_off;
	notes_size = add_vmlinux_notes(w);
	shoff = (w->len + 3) & ~(size_t)3;
	put(w, 32, shoff, 4);		/* e_shoff */
	put(w, shoff + 40 + 4, 7, 4);	/* sh_type SHT_NOTE */
	put(w, shoff + 40 + 16, notes_off, 4);
	put(w, shoff + 40 + 20, notes_size, 4);
	put(w, shoff + 40 + 32, 4, 4);
	w->len = shoff + 80;
}

static void check_vmlinux_notes(const struct kx_xen_notes *n)
{
	assert_int_equal(n->count, 4);
	assert_true(n->present & (1u << KX_XEN_ELFNOTE_GUEST_OS));
	assert_true(n->present & (1u << KX_XEN_ELFNOTE_ENTRY));
	assert_true(n->present & (1u << KX_XEN_ELFNOTE_PHYS32_ENTRY));
	assert_true(n->present & (1u << KX_XEN_ELFNOTE_FEATURES));
	assert_false(n->present & (1u << KX_XEN_ELFNOTE_HYPERCALL_PAGE));
	assert_false(n->present & (1u << 3));	/* the GNU note's type */
	assert_string_equal(n->guest_os, "linux");
	assert_true(n->phys32_entry == 0x1000000);
}

static void test_image__xen_notes_elf64(void **state)
{
	struct elfw w;
	struct kx_xen_notes n;

	(void)state;
	make_elf64(&w);
	assert_int_equal(kx_image_read_notes(&n, w.d, w.len), 0);
	check_vmlinux_notes(&n);
	assert_true(n.elf64);
	assert_true(n.entry == 0xffffffff81001000ull);
}

static void test_image__xen_notes_elf32_be_sections(void **state)
{
	struct elfw w;
	struct kx_xen_notes n;

	(void)state;
	make_elf32_be_sections(&w);
	assert_int_equal(kx_image_read_notes(&n, w.d, w.len), 0);
	check_vmlinux_notes(&n);
	assert_false(n.elf64);
	assert_true(n.entry == 0xffffffff81001000ull);
}

static void test_image__xen_notes_malformed(void **state)
{
	static const unsigned char gz[64] = { 0x1f, 0x8b, 8 };
	struct elfw w;
	struct kx_xen_notes n;

	(void)state;
	/* a gzip'd kernel is not ELF */
	assert_int_equal(kx_image_read_notes(&n, gz, sizeof(gz)), KX_ESYNTAX);
	assert_int_equal(kx_image_read_notes(&n, NULL, 0), KX_ESYNTAX);
	/* truncated inside the notes */
	make_elf64(&w);
	assert_int_equal(kx_image_read_notes(&n, w.d, w.len - 8), KX_ESYNTAX);
	/* truncated inside the program headers */
	assert_int_equal(kx_image_read_notes(&n, w.d, 100), KX_ESYNTAX);
	/* a descriptor size running past the area */
	make_elf64(&w);
	put(&w, 64 + 56 + 4, 0xfffffff0u, 4);
	assert_int_equal(kx_image_read_notes(&n, w.d, w.len), KX_ESYNTAX);
	/* no notes at all is not an error */
	make_elf64(&w);
	put(&w, 64, 1, 4);		/* PT_LOAD instead of PT_NOTE */
	assert_int_equal(kx_image_read_notes(&n, w.d, w.len), 0);
	assert_int_equal(n.count, 0);
	/* bad class */
	make_elf64(&w);
	w.d[4] = 3;
	assert_int_equal(kx_image_read_notes(&n, w.d, w.len), KX_ESYNTAX);
}

static void test_image__xen_notes_real_vmlinux(void **state)
{
	const char *path = getenv("KX_TEST_VMLINUX");
	struct kx_xen_notes n;
	char *data = NULL;
	size_t len = 0;

	(void)state;
	if (!path || !*path) {
		fprintf(stderr, "SKIP test_image__xen_notes_real_vmlinux: set "
			"KX_TEST_VMLINUX to a vmlinux built with CONFIG_XEN_PVH=y "
			"(tests/kernel/boot-test.sh prints one)\n");
		skip();
	}
	/* not kx_read_file: a vmlinux may be larger than its 64 MiB input limit */
	{
		FILE *f = fopen(path, "rb");
		long size;

		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		size = ftell(f);
		assert_true(size > 0);
		rewind(f);
		len = (size_t)size;
		data = kx_xmalloc(len);
		assert_int_equal(fread(data, 1, len, f), len);
		fclose(f);
	}
	assert_int_equal(kx_image_read_notes(&n, data, len), 0);
	assert_true(n.present & (1u << KX_XEN_ELFNOTE_PHYS32_ENTRY));
	assert_true(n.present & (1u << KX_XEN_ELFNOTE_GUEST_OS));
	assert_string_equal(n.guest_os, "linux");
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image__parse_version),
		cmocka_unit_test(test_image__version_order),
		cmocka_unit_test(test_image__parse_compression),
		cmocka_unit_test(test_image__config_compression),
		cmocka_unit_test(test_image__bzimage_needs_xen_3_2),
		cmocka_unit_test(test_image__bzip2_lzma_need_3_4_2),
		cmocka_unit_test(test_image__newer_decompressors),
		cmocka_unit_test(test_image__uncompressed_payload_never),
		cmocka_unit_test(test_image__default_is_todays_xen),
		cmocka_unit_test(test_image__pvh_needs_4_10_and_vmlinux),
		cmocka_unit_test(test_image__bad_input),
		cmocka_unit_test(test_image__xen_notes_elf64),
		cmocka_unit_test(test_image__xen_notes_elf32_be_sections),
		cmocka_unit_test(test_image__xen_notes_malformed),
		cmocka_unit_test(test_image__xen_notes_real_vmlinux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
