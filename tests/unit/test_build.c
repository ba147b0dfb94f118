// SPDX-License-Identifier: MIT
/*
 * test_build.c - analyzer/build.c: the build plan (make targets, the file
 * shipped, the checks per arch, target, Xen version and guest type, and
 * the refusals), and its run against a fake make: the steps reported in
 * order, the log, the environment and variables make gets, the
 * conf-stability diff, the domU file (copied, stripped, gzip'd), the Xen
 * note check, and the failures (make failing or missing, a tree that
 * becomes unclean, an image without the entry note).
 *
 * The fake make (a shell script first on PATH) writes kbuild-like lines,
 * and a vmlinux assembled with gcc whose .note.Xen section holds the note
 * types of $FAKE_NOTES; it also needs strip and gzip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/fixture.h"
#include "analyzer/build.h"
#include "parser/env.h"
#include "util/util.h"

static const char fake_make[] =
"#!/bin/sh\n"
"obj= tree= next= goal=\n"
"for a in \"$@\"; do\n"
"  case $a in\n"
"  -C) next=C ;;\n"
"  O=*) obj=${a#O=} ;;\n"
"  -j*|*=*) ;;\n"
"  *) if [ \"$next\" = C ]; then tree=$a; next=; else goal=\"$goal $a\"; fi ;;\n"
"  esac\n"
"done\n"
"echo \"fake make:$goal KCONFIG_CONFIG=${KCONFIG_CONFIG-unset} KX_T=${KX_T-unset}\"\n"
"echo \"args: $*\" >&2\n"
"if [ \"$goal\" = ' olddefconfig' ]; then\n"
"  echo '  HOSTCC  scripts/basic/fixdep'\n"
"  [ \"$FAKE_OLDDEF\" = fail ] && exit 2\n"
"  [ \"$FAKE_OLDDEF\" = change ] && echo 'CONFIG_ADDED=y' >>\"$obj/.config\"\n"
"  exit 0\n"
"fi\n"
"echo '  CC      init/main.o'\n"
"echo '  CC      init/version.o'\n"
"echo '  LD [M]  fs/x.ko'\n"
"echo 'make: not a step'\n"
"if [ \"$FAKE_BUILD\" = fail ]; then\n"
"  touch \"$tree/.config\"; echo 'error: it broke' >&2; exit 2\n"
"fi\n"
"mkdir -p \"$obj/arch/x86/boot\" \"$obj/arch/arm64/boot\"\n"
"{ echo '.section .note.Xen,\"a\",@note'\n"
"  for t in ${FAKE_NOTES-1 6 18}; do\n"
"    printf '.balign 4\\n.long 4, 8, %s\\n.asciz \"Xen\"\\n.balign 4\\n.quad 0x1000\\n' $t\n"
"  done; } >\"$obj/notes.S\"\n"
"gcc -c -o \"$obj/vmlinux\" \"$obj/notes.S\" || exit 3\n"
"printf bzImage >\"$obj/arch/x86/boot/bzImage\"\n"
"printf Image >\"$obj/arch/arm64/boot/Image\"\n"
"printf 'last line without newline'\n";

static const char config_pv[] =
"#\n# a config\n#\nCONFIG_XEN=y\nCONFIG_XEN_PV=y\nCONFIG_KERNEL_GZIP=y\n"
"# CONFIG_B is not set\n";
/* both entries: a config for the pvh cases */
static const char config_pvh[] =
"#\n# a config\n#\nCONFIG_XEN=y\nCONFIG_XEN_PV=y\nCONFIG_XEN_PVH=y\n"
"CONFIG_KERNEL_GZIP=y\n";
/* 32-bit x86: PVH only */
static const char config_i386[] =
"#\n# a config\n#\nCONFIG_X86_32=y\nCONFIG_XEN=y\nCONFIG_XEN_PVH=y\n"
"CONFIG_KERNEL_GZIP=y\n";

struct t {
	char dir[64];
	char *tree, *config, *objdir, *bin;
	char *old_path;
	struct kx_build_opts o;
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static int setup(void **state)
{
	struct t *t = kx_xcalloc(1, sizeof(*t));
	char *p;

	snprintf(t->dir, sizeof(t->dir), "/tmp/kx-build-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	t->tree = kx_xasprintf("%s/tree", t->dir);
	t->config = kx_xasprintf("%s/config", t->dir);
	t->objdir = kx_xasprintf("%s/obj", t->dir);
	t->bin = kx_xasprintf("%s/bin", t->dir);
	mkdir(t->tree, 0755);
	mkdir(t->bin, 0755);
	p = kx_xasprintf("%s/Makefile", t->tree);
	write_file(p, "# a kernel tree\n", 0644);
	free(p);
	p = kx_xasprintf("%s/make", t->bin);
	write_file(p, fake_make, 0755);
	free(p);
	write_file(t->config, config_pv, 0644);
	/* the fake make first: the runner searches this process's PATH */
	t->old_path = kx_xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	p = kx_xasprintf("%s:%s", t->bin, t->old_path);
	setenv("PATH", p, 1);
	free(p);
	unsetenv("FAKE_OLDDEF");
	unsetenv("FAKE_BUILD");
	unsetenv("FAKE_NOTES");
	memset(&t->o, 0, sizeof(t->o));
	t->o.srctree = t->tree;
	t->o.arch = "x86_64";
	t->o.config = t->config;
	t->o.objdir = t->objdir;
	t->o.jobs = 2;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	fx_remove_dir(t->dir);
	setenv("PATH", t->old_path, 1);
	free(t->tree);
	free(t->config);
	free(t->objdir);
	free(t->bin);
	free(t->old_path);
	free(t);
	return 0;
}

/* ---- the plan ------------------------------------------------------------------ */

struct plan_case {
	const char *arch, *target, *xen;
	enum kx_guest_type type;
	const char *targets;	/* joined by spaces */
	enum kx_build_ship ship;
	const char *ship_name, *image_file;
	int need_note;
};

static void joined(const struct kx_build_plan *p, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; p->targets[i]; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? " " : "", p->targets[i]);
}

static void test_build__plan_per_arch_target_and_xen(void **state)
{
	static const struct plan_case cases[] = {
		{ "x86_64", NULL, NULL, KX_GUEST_PV, "vmlinux bzImage", KX_BUILD_SHIP_COPY,
		  "bzImage", "arch/x86/boot/bzImage", KX_XEN_ELFNOTE_ENTRY },
		{ "i386", NULL, "3.1", KX_GUEST_PV, "vmlinux bzImage", KX_BUILD_SHIP_STRIP_GZIP,
		  "vmlinux.gz", "arch/x86/boot/bzImage", KX_XEN_ELFNOTE_ENTRY },
		{ "x86_64", NULL, NULL, KX_GUEST_PVH, "vmlinux bzImage", KX_BUILD_SHIP_STRIP,
		  "vmlinux", "arch/x86/boot/bzImage", KX_XEN_ELFNOTE_PHYS32_ENTRY },
		{ "x86_64", "vmlinux", NULL, KX_GUEST_PV, "vmlinux", KX_BUILD_SHIP_STRIP,
		  "vmlinux", NULL, KX_XEN_ELFNOTE_ENTRY },
		{ "x86_64", "bzImage", "4.19.1", KX_GUEST_PV, "bzImage", KX_BUILD_SHIP_COPY,
		  "bzImage", "arch/x86/boot/bzImage", KX_XEN_ELFNOTE_ENTRY },
		{ "arm64", NULL, NULL, KX_GUEST_PV, "vmlinux Image", KX_BUILD_SHIP_COPY,
		  "Image", "arch/arm64/boot/Image", 0 },
		{ "arm64", "Image", NULL, KX_GUEST_PV, "Image", KX_BUILD_SHIP_COPY,
		  "Image", "arch/arm64/boot/Image", 0 },
		{ "arm64", "vmlinux", NULL, KX_GUEST_PV, "vmlinux", KX_BUILD_SHIP_STRIP,
		  "vmlinux", NULL, 0 },
		{ "riscv", NULL, NULL, KX_GUEST_PV, "vmlinux", KX_BUILD_SHIP_STRIP,
		  "vmlinux", NULL, 0 },
	};
	struct t *t = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct plan_case *c = &cases[i];
		struct kx_build_plan p;
		char buf[64];

		t->o.arch = c->arch;
		t->o.target = c->target;
		t->o.xen_version = c->xen;
		t->o.type = c->type;
		write_file(t->config, c->type == KX_GUEST_PVH ? config_pvh : config_pv, 0644);
		assert_int_equal(kx_build_plan(&p, &t->o), 0);
		joined(&p, buf, sizeof(buf));
		assert_string_equal(buf, c->targets);
		assert_int_equal(p.ship, c->ship);
		assert_string_equal(p.ship_name, c->ship_name);
		if (c->image_file)
			assert_string_equal(p.image_file, c->image_file);
		else
			assert_null(p.image_file);
		assert_int_equal(p.need_note, c->need_note);
		assert_int_equal(p.x86, !strcmp(c->arch, "x86_64") || !strcmp(c->arch, "i386"));
		assert_true(p.have_compression);
		assert_int_equal(p.compression, KX_COMP_GZIP);
		assert_null(p.error);
		kx_build_plan_free(&p);
	}
}

static void test_build__plan_messages(void **state)
{
	struct t *t = *state;
	struct kx_build_plan p;

	/* why: a vmlinux asked for where the plan is a bzImage */
	t->o.target = "vmlinux";
	assert_int_equal(kx_build_plan(&p, &t->o), 0);
	assert_string_equal(p.why, "--target vmlinux (the plan for this Xen is a bzImage)");
	kx_build_plan_free(&p);
	t->o.target = NULL;
	assert_int_equal(kx_build_plan(&p, &t->o), 0);
	assert_string_equal(p.why, p.image.reason);
	assert_int_equal(p.jobs, 2);
	kx_build_plan_free(&p);

	/* pvh without CONFIG_XEN_PVH=y: refused before building */
	t->o.type = KX_GUEST_PVH;
	assert_int_equal(kx_build_plan(&p, &t->o), KX_EINVAL);
	assert_non_null(p.error);
	assert_non_null(strstr(p.error, "has no CONFIG_XEN_PVH=y"));
	kx_build_plan_free(&p);
	/* pv on 32-bit x86: refused, and told why */
	write_file(t->config, config_i386, 0644);
	t->o.type = KX_GUEST_PV;
	t->o.arch = "i386";
	assert_int_equal(kx_build_plan(&p, &t->o), KX_EINVAL);
	assert_non_null(strstr(p.error, "32-bit x86 has no PV guests"));
	kx_build_plan_free(&p);
	t->o.type = KX_GUEST_PVH;
	assert_int_equal(kx_build_plan(&p, &t->o), 0);
	kx_build_plan_free(&p);
	write_file(t->config, config_pv, 0644);
	t->o.arch = "x86_64";
	t->o.type = KX_GUEST_PVH;

	/* not x86: the Xen version and guest type do not apply */
	t->o.arch = "arm64";
	assert_int_equal(kx_build_plan(&p, &t->o), 0);
	assert_true(p.xen_ignored);
	assert_null(p.why);
	kx_build_plan_free(&p);
	t->o.type = KX_GUEST_PV;
	assert_int_equal(kx_build_plan(&p, &t->o), 0);
	assert_false(p.xen_ignored);
	kx_build_plan_free(&p);
	t->o.jobs = 0;			/* the CPUs */
	assert_int_equal(kx_build_plan(&p, &t->o), 0);
	assert_true(p.jobs >= 1);
	kx_build_plan_free(&p);
}

/* kx_build_plan() fails with 'err' and a message containing 'needle' */
static void expect_refusal(const struct kx_build_opts *o, int err, const char *needle)
{
	struct kx_build_plan p;

	assert_int_equal(kx_build_plan(&p, o), err);
	assert_non_null(p.error);
	if (!strstr(p.error, needle))
		fail_msg("'%s' does not say '%s'", p.error, needle);
	kx_build_plan_free(&p);
}

static void test_build__plan_refusals(void **state)
{
	struct t *t = *state;
	struct kx_build_opts o = t->o;
	char *path;

	o.target = "bzImage";
	o.arch = "arm64";
	expect_refusal(&o, KX_EINVAL, "bzImage is an x86 target (ARCH=arm64)");
	o.target = "Image";
	o.arch = "x86_64";
	expect_refusal(&o, KX_EINVAL, "Image is the arm64 target here (ARCH=x86_64)");
	o.target = "zImage";
	expect_refusal(&o, KX_EINVAL, "unknown target");
	o.target = "bzImage";
	o.xen_version = "3.0";
	expect_refusal(&o, KX_EINVAL, "--target bzImage, but ");
	o = t->o;
	o.type = KX_GUEST_PVH;
	o.xen_version = "4.9";
	expect_refusal(&o, KX_EINVAL, "4.10");
	o = t->o;
	o.config = "/nonexistent/kx-config";
	expect_refusal(&o, KX_EINVAL, "cannot read the config /nonexistent/kx-config");
	path = kx_xasprintf("%s/empty", t->dir);
	write_file(path, "# nothing\n", 0644);
	o.config = path;
	expect_refusal(&o, KX_EINVAL, "has no CONFIG_ lines");
	o = t->o;
	o.srctree = t->dir;
	expect_refusal(&o, KX_EINVAL, "is not a kernel source tree (no Makefile)");
	free(path);

	/* build products in the tree */
	path = kx_xasprintf("%s/tree/arch/x86/include/generated", t->dir);
	assert_int_equal(kx_mkdir_p(path, 0755), 0);
	expect_refusal(&t->o, KX_EINVAL, "is not clean (arch/x86/include/generated exists)");
	free(path);
	path = kx_xasprintf("%s/tree/.config", t->dir);
	write_file(path, "CONFIG_X=y\n", 0644);
	expect_refusal(&t->o, KX_EINVAL, "is not clean (.config exists)");
	free(path);
}

/* ---- the run ----------------------------------------------------------------------- */

struct events {
	char seq[64];		/* one letter per event */
	unsigned long objects_at_built;
	char last_step[256];	/* of the last non-final progress report */
};

static void on_event(void *ctx, enum kx_build_event ev, const struct kx_build_plan *p,
		     const struct kx_build_state *st)
{
	struct events *e = ctx;
	size_t n = strlen(e->seq);

	(void)p;
	if (n + 1 < sizeof(e->seq))
		e->seq[n] = "ocCpb"[ev] - (ev == KX_BUILD_PROGRESS && st->final ? 'p' - 'P' : 0);
	if (ev == KX_BUILD_PROGRESS && !st->final)
		snprintf(e->last_step, sizeof(e->last_step), "%s", st->last_step);
	if (ev == KX_BUILD_BUILT)
		e->objects_at_built = st->objects;
}

static char *read_text(const char *path)
{
	char *data = NULL;
	size_t len;

	assert_int_equal(kx_read_file(&data, &len, path), 0);
	return data;
}

/* Runs the plan of t->o; returns kx_build_run's result. */
static int build(struct t *t, struct kx_build_plan *p, struct kx_build_state *st,
		 struct events *e, double interval)
{
	struct kx_build_hooks h = { on_event, e, interval };

	memset(e, 0, sizeof(*e));
	assert_int_equal(kx_build_plan(p, &t->o), 0);
	return kx_build_run(p, &h, st);
}

static void test_build__run_bzimage(void **state)
{
	struct t *t = *state;
	struct kx_build_plan p;
	struct kx_build_state st;
	struct events e;
	struct kx_env *vars = kx_env_new(), *env = kx_env_new();
	char *log, *ship, *expect;

	kx_env_set(vars, "CC", "gcc");
	kx_env_set(vars, "O", "/elsewhere");
	kx_env_set(vars, "KCONFIG_CONFIG", "other");
	kx_env_set(env, "PATH", getenv("PATH"));
	kx_env_set(env, "KX_T", "from-env");
	kx_env_set(env, "KCONFIG_CONFIG", "/tmp/some.config");
	t->o.make_vars = vars;
	t->o.env = env;
	/* a very short interval: a progress report for every line */
	assert_int_equal(build(t, &p, &st, &e, 1e-9), 0);
	/* configure, checked, compile, progress..., the final one, built */
	assert_int_equal(strncmp(e.seq, "ocCp", 4), 0);
	assert_string_equal(e.seq + strlen(e.seq) - 2, "Pb");
	assert_int_equal(e.objects_at_built, 3);
	assert_string_equal(e.last_step, "  LD [M]  fs/x.ko");
	assert_int_equal(st.objects, 3);
	assert_false(st.config_changed);
	assert_null(st.error);

	expect = kx_xasprintf("%s/domu/bzImage", t->objdir);
	assert_string_equal(st.ship, expect);
	free(expect);
	ship = read_text(st.ship);
	assert_string_equal(ship, "bzImage");
	free(ship);
	assert_int_equal(st.ship_size, 7);
	assert_true(st.vmlinux_size > 0);
	assert_int_equal(st.image_size, 7);
	assert_true(st.notes.present & (1u << KX_XEN_ELFNOTE_ENTRY));

	/* the log: each command, then its output (stdout and stderr) */
	log = read_text(st.log_path);
	expect = kx_xasprintf("\n$ make -C %s O=%s ARCH=x86_64 CC=gcc olddefconfig\n",
			      t->tree, st.objdir);
	assert_non_null(strstr(log, expect));
	free(expect);
	expect = kx_xasprintf("\n$ make -C %s O=%s ARCH=x86_64 CC=gcc -j2 vmlinux bzImage\n",
			      t->tree, st.objdir);
	assert_non_null(strstr(log, expect));
	free(expect);
	/* KCONFIG_CONFIG is not passed on; the rest of the environment is */
	assert_non_null(strstr(log, "fake make: olddefconfig KCONFIG_CONFIG=unset KX_T=from-env\n"));
	assert_non_null(strstr(log, "args: -C"));
	assert_non_null(strstr(log, "  CC      init/main.o\n"));
	assert_string_equal(log + strlen(log) - strlen("last line without newline"),
			    "last line without newline");
	free(log);
	kx_build_state_free(&st);
	kx_build_plan_free(&p);
	kx_env_free(vars);
	kx_env_free(env);
}

static void test_build__run_vmlinux_gz_and_diff(void **state)
{
	struct t *t = *state;
	struct kx_build_plan p;
	struct kx_build_state st;
	struct events e;
	char *data = NULL, *stale;
	size_t len;

	/* a file of an earlier plan goes */
	assert_int_equal(kx_mkdir_p(t->objdir, 0755), 0);
	stale = kx_xasprintf("%s/domu", t->objdir);
	assert_int_equal(kx_mkdir_p(stale, 0755), 0);
	free(stale);
	stale = kx_xasprintf("%s/domu/bzImage", t->objdir);
	write_file(stale, "old", 0644);

	setenv("FAKE_OLDDEF", "change", 1);
	t->o.xen_version = "3.1";
	assert_int_equal(build(t, &p, &st, &e, 0), 0);
	unsetenv("FAKE_OLDDEF");
	assert_true(st.config_changed);
	assert_int_equal(st.ndiff, 1);
	assert_string_equal(st.diff[0], "+ CONFIG_ADDED=y");
	/* the default interval (30 s): only the final report */
	assert_string_equal(e.seq, "ocCPb");
	assert_int_equal(access(stale, F_OK), -1);
	free(stale);
	assert_non_null(strstr(st.ship, "/domu/vmlinux.gz"));
	assert_int_equal(kx_read_file(&data, &len, st.ship), 0);
	assert_true(len > 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b);
	free(data);
	kx_build_state_free(&st);
	kx_build_plan_free(&p);
}

static void test_build__run_failures(void **state)
{
	struct t *t = *state;
	struct kx_build_plan p;
	struct kx_build_state st;
	struct events e;
	char *old_path = kx_xstrdup(getenv("PATH"));

	/* make olddefconfig fails: its output is the log's tail */
	setenv("FAKE_OLDDEF", "fail", 1);
	assert_int_equal(build(t, &p, &st, &e, 0), 1);
	unsetenv("FAKE_OLDDEF");
	assert_string_equal(e.seq, "o");
	assert_string_equal(st.error, "make olddefconfig failed (exit 2)");
	assert_non_null(st.log_tail);
	assert_non_null(strstr(st.log_tail, "  HOSTCC  scripts/basic/fixdep\n"));
	kx_build_state_free(&st);
	kx_build_plan_free(&p);

	/* the build fails and leaves the tree unclean */
	setenv("FAKE_BUILD", "fail", 1);
	assert_int_equal(build(t, &p, &st, &e, 0), 1);
	unsetenv("FAKE_BUILD");
	assert_string_equal(e.seq, "ocCP");
	assert_non_null(strstr(st.error, "the kernel build failed after "));
	assert_non_null(strstr(st.error, "(make exit 2)"));
	assert_non_null(strstr(st.log_tail, "error: it broke\n"));
	assert_non_null(st.error2);
	assert_non_null(strstr(st.error2, "became unclean during the build (.config appeared)"));
	kx_build_state_free(&st);
	kx_build_plan_free(&p);
	{
		char *cfg = kx_xasprintf("%s/.config", t->tree);

		unlink(cfg);
		free(cfg);
	}

	/* no Xen entry note in the image */
	setenv("FAKE_NOTES", "6 10", 1);
	assert_int_equal(build(t, &p, &st, &e, 0), 1);
	unsetenv("FAKE_NOTES");
	assert_non_null(strstr(st.error, "has no XEN_ELFNOTE_ENTRY note (Xen notes: GUEST_OS "
			       "FEATURES): it cannot boot as a pv guest (CONFIG_XEN_PV=y?)"));
	assert_null(st.log_tail);
	kx_build_state_free(&st);
	kx_build_plan_free(&p);

	/* no make at all: logged as a shell would, exit 127 */
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(build(t, &p, &st, &e, 0), 1);
	setenv("PATH", old_path, 1);
	assert_string_equal(st.error, "make olddefconfig failed (exit 127)");
	assert_non_null(strstr(st.log_tail, "cannot run make: No such file or directory\n"));
	kx_build_state_free(&st);
	kx_build_plan_free(&p);

	/* an object directory that cannot be made */
	t->o.objdir = "/nonexistent/kx-obj";
	assert_int_equal(build(t, &p, &st, &e, 0), KX_EIO);
	assert_string_equal(e.seq, "");
	assert_non_null(strstr(st.error, "cannot create /nonexistent/kx-obj"));
	kx_build_state_free(&st);
	kx_build_plan_free(&p);
	free(old_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build__plan_per_arch_target_and_xen,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_build__plan_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build__plan_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build__run_bzimage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build__run_vmlinux_gz_and_diff, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_build__run_failures, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
