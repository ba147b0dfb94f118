// SPDX-License-Identifier: MIT
/*
 * test_xlcfg.c - analyzer/xlcfg.c and `kxen-config xl-cfg`.
 *
 * The golden tests run the real program (KX_TEST_PROGRAM, set by
 * `make check-unit`) once per directory under tests/fixtures/xlcfg/:
 *   args             the arguments, one per line (@TMP@ stands for a
 *                    scratch directory, @CWD@ for the working directory)
 *   expected.cfg     the file written with -o (absent: nothing is written)
 *   expected_status  the exit status (absent: 0)
 *   expected_stderr  the exact standard error (absent: not compared)
 * KX_UPDATE_GOLDEN=1 rewrites these files from what the program does (for
 * review with git diff, never blindly).
 * The scratch directory holds images and kernels the tests make: fs.img
 * (ext4 superblock magic), part.img (an MBR with one partition), gpt.img,
 * fat.img (a FAT boot sector: a whole-disk filesystem despite its 55aa),
 * zero.img, and vmlinux / vmlinux-pv-only / vmlinux-pvh-only (ELF files
 * whose PT_NOTE carries the Xen entry notes).
 *
 * The library tests check the quoting against what libxlu decodes and the
 * parsing of --disk, sizes and image layouts directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers/fixture.h"
#include "analyzer/xlcfg.h"
#include "util/util.h"

extern char **environ;

#define FIXTURES "tests/fixtures/xlcfg"

/* ---- helpers ------------------------------------------------------------- */

static void write_bytes(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len = 0;

	if (kx_read_file(&data, &len, path) < 0)
		return NULL;
	return data;
}

/* 's' with every 'from' replaced by 'to' (malloc'd). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct kx_buf b = KX_BUF_INIT;
	size_t n = strlen(from);
	const char *p;

	while ((p = strstr(s, from))) {
		kx_buf_add(&b, s, (size_t)(p - s));
		kx_buf_puts(&b, to);
		s = p + n;
	}
	kx_buf_puts(&b, s);
	return kx_buf_detach(&b);
}

static void put_le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A minimal ELF64 file with one PT_NOTE holding Xen notes 'types'. */
static void make_elf(const char *path, const uint32_t *types, int ntypes)
{
	unsigned char f[512] = { 0 };
	unsigned char *ph = f + 64, *note = f + 64 + 56;
	size_t nsize = 0;

	memcpy(f, "\177ELF", 4);
	f[4] = 2;			/* ELFCLASS64 */
	f[5] = 1;			/* little endian */
	f[6] = 1;
	put_le16(f + 16, 2);		/* ET_EXEC */
	put_le16(f + 18, 62);		/* x86-64 */
	put_le32(f + 20, 1);
	put_le64(f + 32, 64);		/* e_phoff */
	put_le16(f + 52, 64);
	put_le16(f + 54, 56);		/* e_phentsize */
	put_le16(f + 56, 1);		/* e_phnum */
	/* a "GNU" note first, then the Xen ones */
	put_le32(note, 4);
	put_le32(note + 4, 4);
	put_le32(note + 8, 3);
	memcpy(note + 12, "GNU", 4);
	nsize = 20;
	for (int i = 0; i < ntypes; i++) {
		unsigned char *n = note + nsize;

		put_le32(n, 4);
		put_le32(n + 4, 8);
		put_le32(n + 8, types[i]);
		memcpy(n + 12, "Xen", 4);
		nsize += 24;
	}
	put_le32(ph, 4);		/* PT_NOTE */
	put_le64(ph + 8, 64 + 56);	/* p_offset */
	put_le64(ph + 32, nsize);	/* p_filesz */
	write_bytes(path, f, 64 + 56 + nsize);
}

/* The same as an ELF32 little-endian file (an i386 vmlinux). */
static void make_elf32(const char *path, const uint32_t *types, int ntypes)
{
	unsigned char f[512] = { 0 };
	unsigned char *ph = f + 52, *note = f + 52 + 32;
	size_t nsize = 0;

	memcpy(f, "\177ELF", 4);
	f[4] = 1;			/* ELFCLASS32 */
	f[5] = 1;			/* little endian */
	f[6] = 1;
	put_le16(f + 16, 2);		/* ET_EXEC */
	put_le16(f + 18, 3);		/* i386 */
	put_le32(f + 20, 1);
	put_le32(f + 28, 52);		/* e_phoff */
	put_le16(f + 40, 52);		/* e_ehsize */
	put_le16(f + 42, 32);		/* e_phentsize */
	put_le16(f + 44, 1);		/* e_phnum */
	for (int i = 0; i < ntypes; i++) {
		unsigned char *n = note + nsize;

		put_le32(n, 4);
		put_le32(n + 4, 4);
		put_le32(n + 8, types[i]);
		memcpy(n + 12, "Xen", 4);
		nsize += 20;
	}
	put_le32(ph, 4);		/* PT_NOTE */
	put_le32(ph + 4, 52 + 32);	/* p_offset */
	put_le32(ph + 16, (uint32_t)nsize);	/* p_filesz */
	write_bytes(path, f, 52 + 32 + nsize);
}

struct scratch {
	char dir[64];
};

static void make_images(const char *dir)
{
	size_t size = 70 * 1024;
	unsigned char *b = kx_xcalloc(1, size);
	char *p;
	static const uint32_t both[] = { 1, 2, 18 }, pv[] = { 1, 2 }, pvh[] = { 18 };

	p = kx_xasprintf("%s/zero.img", dir);
	write_bytes(p, b, size);
	free(p);

	put_le16(b + 1080, 0xef53);
	p = kx_xasprintf("%s/fs.img", dir);
	write_bytes(p, b, size);
	free(p);
	memset(b, 0, size);

	b[446] = 0x80;			/* bootable */
	b[446 + 4] = 0x83;		/* Linux */
	b[510] = 0x55;
	b[511] = 0xaa;
	p = kx_xasprintf("%s/part.img", dir);
	write_bytes(p, b, size);
	free(p);
	memset(b, 0, size);

	b[446 + 4] = 0xee;		/* protective MBR */
	b[510] = 0x55;
	b[511] = 0xaa;
	memcpy(b + 512, "EFI PART", 8);
	p = kx_xasprintf("%s/gpt.img", dir);
	write_bytes(p, b, size);
	free(p);
	memset(b, 0, size);

	b[0] = 0xeb;
	memcpy(b + 82, "FAT32   ", 8);
	b[510] = 0x55;
	b[511] = 0xaa;
	p = kx_xasprintf("%s/fat.img", dir);
	write_bytes(p, b, size);
	free(p);
	free(b);

	p = kx_xasprintf("%s/vmlinux", dir);
	make_elf(p, both, 3);
	free(p);
	p = kx_xasprintf("%s/vmlinux-pv-only", dir);
	make_elf(p, pv, 2);
	free(p);
	p = kx_xasprintf("%s/vmlinux-pvh-only", dir);
	make_elf(p, pvh, 1);
	free(p);
	p = kx_xasprintf("%s/vmlinux-i386", dir);
	make_elf32(p, both, 3);
	free(p);
}

static int setup(void **state)
{
	struct scratch *s = kx_xcalloc(1, sizeof(*s));

	snprintf(s->dir, sizeof(s->dir), "/tmp/kx-xlcfg-XXXXXX");
	if (!mkdtemp(s->dir)) {
		free(s);
		return -1;
	}
	make_images(s->dir);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct scratch *s = *state;
	int rc = fx_remove_dir(s->dir);

	free(s);
	return rc == 0 ? 0 : -1;
}

/* ---- library ------------------------------------------------------------- */

static void test_xlcfg__quote_escapes_quotes_and_backslashes(void **state)
{
	struct kx_buf b = KX_BUF_INIT;

	(void)state;
	assert_int_equal(kx_xlcfg_quote(&b, "a\"b\\c,d'e"), 0);
	assert_string_equal(kx_buf_cstr(&b), "\"a\\\"b\\\\c,d'e\"");
	kx_buf_reset(&b);
	/* control characters cannot be written (libxlu's \x is broken) */
	assert_int_equal(kx_xlcfg_quote(&b, "a\nb"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_quote(&b, "a\tb"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_quote(&b, "a\177b"), KX_EINVAL);
	assert_string_equal(kx_buf_cstr(&b), "");
	/* UTF-8 passes through */
	assert_int_equal(kx_xlcfg_quote(&b, "d\xc3\xa9j\xc3\xa0"), 0);
	assert_string_equal(kx_buf_cstr(&b), "\"d\xc3\xa9j\xc3\xa0\"");
	kx_buf_free(&b);
}

static void check_disk(const char *spec, const char *target, const char *vdev,
		       const char *format, bool ro)
{
	struct kx_xl_disk d;
	struct kx_diags diags;

	kx_diags_init(&diags);
	assert_int_equal(kx_xlcfg_parse_disk(&d, spec, &diags), 0);
	assert_int_equal(diags.nerrors, 0);
	assert_string_equal(d.target, target);
	if (vdev)
		assert_string_equal(d.vdev, vdev);
	else
		assert_null(d.vdev);
	if (format)
		assert_string_equal(d.format, format);
	else
		assert_null(d.format);
	assert_int_equal(d.ro, ro);
	kx_xlcfg_disk_free(&d);
	kx_diags_free(&diags);
}

static void bad_disk(const char *spec, const char *msg)
{
	struct kx_xl_disk d;
	struct kx_diags diags;
	const char *e;

	kx_diags_init(&diags);
	assert_int_equal(kx_xlcfg_parse_disk(&d, spec, &diags), KX_EINVAL);
	e = kx_diags_first(&diags, KX_DIAG_ERROR);
	assert_non_null(e);
	if (!strstr(e, msg))
		fail_msg("'%s': got '%s', want '%s'", spec, e, msg);
	assert_null(d.target);
	kx_diags_free(&diags);
}

static void test_xlcfg__parse_disk_forms(void **state)
{
	(void)state;
	check_disk("/srv/a.img", "/srv/a.img", NULL, NULL, false);
	check_disk("/srv/a.img,ro", "/srv/a.img", NULL, NULL, true);
	check_disk("/srv/a.img,vdev=xvdc,ro", "/srv/a.img", "xvdc", NULL, true);
	check_disk("/srv/a.img,ro,vdev=/dev/xvdc", "/srv/a.img", "xvdc", NULL, true);
	check_disk("/dev/vg/lv,format=raw,rw", "/dev/vg/lv", NULL, "raw", false);
	/* commas in the path: options are taken from the right only */
	check_disk("/srv/a,b.img", "/srv/a,b.img", NULL, NULL, false);
	check_disk("/srv/a,b.img,ro", "/srv/a,b.img", NULL, NULL, true);
	check_disk("/srv/x,ro,y.img", "/srv/x,ro,y.img", NULL, NULL, false);
	/* the explicit form: the target is the rest, even ",ro" */
	check_disk("vdev=xvdb,ro,target=/srv/odd,ro", "/srv/odd,ro", "xvdb", NULL, true);
	check_disk("target=/srv/a b \"c\".img", "/srv/a b \"c\".img", NULL, NULL, false);
	check_disk("xvd.img", "xvd.img", NULL, NULL, false);
	/* a per-partition disk, as xen-tools makes them */
	check_disk("/dev/vg/root,vdev=xvda2", "/dev/vg/root", "xvda2", NULL, false);

	bad_disk("", "no target");
	bad_disk(",ro", "no target");
	bad_disk("/srv/a.img,vdev=hda", "not an xvd device name");
	bad_disk("/srv/a.img,vdev=xvd", "not an xvd device name");
	bad_disk("/srv/a.img,vdev=xvdb0", "not an xvd device name");
	bad_disk("/srv/a.img,format=iso", "unknown format 'iso'");
	bad_disk("vdev=xvda,vdev=xvdb,target=/x", "two different vdev");
	bad_disk("target=/srv/a.img,", "trailing ','");
	bad_disk("/srv/a\nb.img", "control character");
}

static void test_xlcfg__parse_sizes(void **state)
{
	long v = 0;

	(void)state;
	assert_int_equal(kx_xlcfg_parse_memory(&v, "512"), 0);
	assert_int_equal(v, 512);
	assert_int_equal(kx_xlcfg_parse_memory(&v, "2G"), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(kx_xlcfg_parse_memory(&v, "768MiB"), 0);
	assert_int_equal(v, 768);
	assert_int_equal(kx_xlcfg_parse_memory(&v, "0"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_parse_memory(&v, "-5"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_parse_memory(&v, "1T"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_parse_memory(&v, "lots"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_parse_memory(&v, ""), KX_EINVAL);
	assert_int_equal(kx_xlcfg_parse_memory(&v, "99999999999999999999"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_parse_count(&v, "4"), 0);
	assert_int_equal(v, 4);
	assert_int_equal(kx_xlcfg_parse_count(&v, "0"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_parse_count(&v, "4x"), KX_EINVAL);
	assert_int_equal(kx_xlcfg_parse_count(&v, " 4"), KX_EINVAL);
}

static void probe(struct scratch *s, const char *name, enum kx_xl_image want)
{
	char *p = kx_xasprintf("%s/%s", s->dir, name);
	enum kx_xl_image k = KX_XL_IMAGE_UNKNOWN;

	assert_int_equal(kx_xlcfg_probe_image(&k, p), 0);
	if (k != want)
		fail_msg("%s: layout %d, want %d", name, k, want);
	free(p);
}

static void test_xlcfg__probe_image_layouts(void **state)
{
	struct scratch *s = *state;
	enum kx_xl_image k;
	unsigned caps = 0;
	char *p;

	probe(s, "fs.img", KX_XL_IMAGE_FS);
	probe(s, "part.img", KX_XL_IMAGE_PARTITIONED);
	probe(s, "gpt.img", KX_XL_IMAGE_PARTITIONED);
	probe(s, "fat.img", KX_XL_IMAGE_FS);
	probe(s, "zero.img", KX_XL_IMAGE_UNKNOWN);
	assert_int_equal(kx_xlcfg_probe_image(&k, "/nonexistent/x.img"), KX_EIO);

	p = kx_xasprintf("%s/vmlinux", s->dir);
	assert_int_equal(kx_xlcfg_probe_kernel(&caps, p), 0);
	assert_int_equal(caps, KX_XL_KERNEL_ELF | KX_XL_KERNEL_PV | KX_XL_KERNEL_PVH);
	free(p);
	p = kx_xasprintf("%s/vmlinux-pv-only", s->dir);
	assert_int_equal(kx_xlcfg_probe_kernel(&caps, p), 0);
	assert_int_equal(caps, KX_XL_KERNEL_ELF | KX_XL_KERNEL_PV);
	free(p);
	/* an i386 vmlinux is ELF32: its notes are read too */
	p = kx_xasprintf("%s/vmlinux-i386", s->dir);
	assert_int_equal(kx_xlcfg_probe_kernel(&caps, p), 0);
	assert_int_equal(caps, KX_XL_KERNEL_ELF | KX_XL_KERNEL_PV | KX_XL_KERNEL_PVH);
	free(p);
	p = kx_xasprintf("%s/fs.img", s->dir);
	assert_int_equal(kx_xlcfg_probe_kernel(&caps, p), 0);
	assert_int_equal(caps, 0);
	free(p);
}

static void test_xlcfg__build_assigns_vdevs_in_order(void **state)
{
	struct kx_xl_disk disks[4] = {
		{ .target = (char *)"/a", .layout = KX_XL_IMAGE_FS },
		{ .target = (char *)"/b", .vdev = (char *)"xvda2" },
		{ .target = (char *)"/c" },
		{ .target = (char *)"/d", .vdev = (char *)"xvdc" },
	};
	struct kx_xl_opts o = { .kernel = "/k", .disks = disks, .ndisks = 4 };
	struct kx_diags d;
	char *text = NULL;

	(void)state;
	kx_diags_init(&d);
	assert_int_equal(kx_xlcfg_build(&text, &o, &d), 0);
	/* xvda is taken by xvda2, xvdc explicitly: /a gets xvdb, /c xvdd */
	assert_non_null(strstr(text, "vdev=xvdb, access=rw, target=/a\""));
	assert_non_null(strstr(text, "vdev=xvda2, access=rw, target=/b\""));
	assert_non_null(strstr(text, "vdev=xvdd, access=rw, target=/c\""));
	assert_non_null(strstr(text, "vdev=xvdc, access=rw, target=/d\""));
	assert_non_null(strstr(text, "root = \"/dev/xvdb\"\n"));
	free(text);

	/* 27 disks: xvda .. xvdz, then xvdaa */
	{
		struct kx_xl_disk many[27];
		struct kx_xl_opts o2 = { .kernel = "/k", .disks = many,
					 .ndisks = 27, .root = "none" };

		memset(many, 0, sizeof(many));
		for (int i = 0; i < 27; i++)
			many[i].target = (char *)"/x";
		assert_int_equal(kx_xlcfg_build(&text, &o2, &d), 0);
		assert_non_null(strstr(text, "vdev=xvdz,"));
		assert_non_null(strstr(text, "vdev=xvdaa,"));
		assert_null(strstr(text, "root ="));
		free(text);
	}
	kx_diags_free(&d);
}

static void test_xlcfg__build_errors_fail_without_text(void **state)
{
	struct kx_xl_disk disks[2] = {
		{ .target = (char *)"/a", .vdev = (char *)"xvdb" },
		{ .target = (char *)"/b", .vdev = (char *)"xvdb" },
	};
	struct kx_xl_opts o = { .kernel = "/k", .disks = disks, .ndisks = 2 };
	struct kx_diags d;
	char *text = (char *)"sentinel";

	(void)state;
	kx_diags_init(&d);
	assert_int_equal(kx_xlcfg_build(&text, &o, &d), KX_EINVAL);
	assert_null(text);
	assert_non_null(strstr(kx_diags_first(&d, KX_DIAG_ERROR), "two disks on xvdb"));
	kx_diags_free(&d);

	kx_diags_init(&d);
	o.ndisks = 0;
	o.kernel = NULL;
	o.memory = 8;
	o.vcpus = 100000;
	assert_int_equal(kx_xlcfg_build(&text, &o, &d), KX_EINVAL);
	assert_int_equal(d.nerrors, 3);		/* kernel, memory, vcpus */
	kx_diags_free(&d);
}

/* ---- golden tests through the program ----------------------------------- */

static const char *program(void)
{
	const char *p = getenv("KX_TEST_PROGRAM");

	if (p && *p)
		return p;
	return access("./kxen-config", X_OK) == 0 ? "./kxen-config" : NULL;
}

/* Runs PROGRAM xl-cfg ARGS..., stdout/stderr to files; returns the status. */
static int run(const char *prog, char **args, size_t n, const char *out,
	       const char *err)
{
	char **argv = kx_xcalloc(n + 3, sizeof(*argv));
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = -1;

	argv[0] = (char *)prog;
	argv[1] = (char *)"xl-cfg";
	for (size_t i = 0; i < n; i++)
		argv[i + 2] = args[i];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawn(&pid, prog, &fa, NULL, argv, environ), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *subst(const char *s, const char *tmp, const char *cwd)
{
	char *a = replace_all(s, "@TMP@", tmp);
	char *b = replace_all(a, "@CWD@", cwd);

	free(a);
	return b;
}

static char *unsubst(const char *s, const char *tmp, const char *cwd)
{
	char *a = replace_all(s, tmp, "@TMP@");
	char *b = replace_all(a, cwd, "@CWD@");

	free(a);
	return b;
}

/* Returns the number of failed cases; prints each difference. */
static int golden_case(const char *prog, const char *name, struct scratch *s,
		       const char *cwd)
{
	char *dir = kx_xasprintf(FIXTURES "/%s", name);
	char *args_path = kx_xasprintf("%s/args", dir);
	char *want_cfg_path = kx_xasprintf("%s/expected.cfg", dir);
	char *want_status_path = kx_xasprintf("%s/expected_status", dir);
	char *want_err_path = kx_xasprintf("%s/expected_stderr", dir);
	char *out_cfg = kx_xasprintf("%s/out.cfg", s->dir);
	char *out_stdout = kx_xasprintf("%s/stdout", s->dir);
	char *out_stderr = kx_xasprintf("%s/stderr", s->dir);
	char *args_text = slurp(args_path);
	char *want_cfg = slurp(want_cfg_path);
	char *want_status = slurp(want_status_path);
	char *want_err = slurp(want_err_path);
	char **args = NULL;
	size_t n = 0;
	char *save = NULL, *got = NULL, *got_err = NULL, *t = NULL;
	int status, fails = 0;

	if (!args_text) {
		print_error("xlcfg/%s: no args file\n", name);
		fails = 1;
		goto out;
	}
	t = subst(args_text, s->dir, cwd);
	args = kx_xcalloc(strlen(t) + 4, sizeof(*args));
	for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		args[n++] = l;
	args[n++] = (char *)"-o";
	args[n++] = out_cfg;
	unlink(out_cfg);
	status = run(prog, args, n, out_stdout, out_stderr);
	if (getenv("KX_UPDATE_GOLDEN")) {
		char *raw_err = slurp(out_stderr), *raw_cfg = slurp(out_cfg);
		char *e = unsubst(raw_err ? raw_err : "", s->dir, cwd);
		char *st = kx_xasprintf("%d\n", status);

		kx_write_file_atomic(want_err_path, e, strlen(e), NULL);
		if (status)
			kx_write_file_atomic(want_status_path, st, strlen(st), NULL);
		else
			unlink(want_status_path);
		if (raw_cfg) {
			char *c = unsubst(raw_cfg, s->dir, cwd);

			kx_write_file_atomic(want_cfg_path, c, strlen(c), NULL);
			free(c);
		} else {
			unlink(want_cfg_path);
		}
		free(raw_err);
		free(raw_cfg);
		free(e);
		free(st);
		goto out;
	}
	if (status != (want_status ? atoi(want_status) : 0)) {
		print_error("xlcfg/%s: exit status %d, want %s\n", name, status,
			    want_status ? want_status : "0");
		fails = 1;
	}
	if (want_err) {
		char *raw = slurp(out_stderr);

		got_err = unsubst(raw ? raw : "", s->dir, cwd);
		free(raw);
		if (strcmp(got_err, want_err)) {
			print_error("xlcfg/%s: stderr differs:\n--- got\n%s--- want\n%s",
				    name, got_err, want_err);
			fails = 1;
		}
	}
	if (want_cfg) {
		char *raw = slurp(out_cfg);

		if (!raw) {
			print_error("xlcfg/%s: no file written\n", name);
			fails = 1;
		} else {
			got = unsubst(raw, s->dir, cwd);
			free(raw);
			if (strcmp(got, want_cfg)) {
				print_error("xlcfg/%s: output differs:\n--- got\n%s--- want\n%s",
					    name, got, want_cfg);
				fails = 1;
			}
		}
	} else if (access(out_cfg, F_OK) == 0) {
		print_error("xlcfg/%s: a file was written despite the error\n", name);
		fails = 1;
	}
out:
	free(dir);
	free(args_path);
	free(want_cfg_path);
	free(want_status_path);
	free(want_err_path);
	free(out_cfg);
	free(out_stdout);
	free(out_stderr);
	free(args_text);
	free(want_cfg);
	free(want_status);
	free(want_err);
	free(args);
	free(t);
	free(got);
	free(got_err);
	return fails;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_xlcfg__golden(void **state)
{
	struct scratch *s = *state;
	const char *prog = program();
	char cwd[4096];
	char **names = NULL;
	size_t n = 0, cap = 0;
	int fails = 0;
	DIR *d;
	struct dirent *e;

	if (!prog) {
		print_message("SKIP: KX_TEST_PROGRAM is not set and ./kxen-config "
			      "does not exist: the xl-cfg golden tests did not run\n");
		skip();
	}
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	d = opendir(FIXTURES);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = kx_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = kx_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		fails += golden_case(prog, names[i], s, cwd);
		free(names[i]);
	}
	free(names);
	print_message("xl-cfg golden cases: %zu run, %d failed\n", n, fails);
	assert_int_equal(fails, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xlcfg__quote_escapes_quotes_and_backslashes),
		cmocka_unit_test(test_xlcfg__parse_disk_forms),
		cmocka_unit_test(test_xlcfg__parse_sizes),
		cmocka_unit_test(test_xlcfg__probe_image_layouts),
		cmocka_unit_test(test_xlcfg__build_assigns_vdevs_in_order),
		cmocka_unit_test(test_xlcfg__build_errors_fail_without_text),
		cmocka_unit_test(test_xlcfg__golden),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
