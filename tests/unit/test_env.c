// SPDX-License-Identifier: MIT
/*
 * test_env.c - parser/env.c: the environment map and kx_env_derive().
 *
 * Derivation is checked against small fake trees written by the tests (a
 * top Makefile with VERSION..., scripts/Makefile.clang, arch Makefiles)
 * and fake tools in a private PATH directory; when the Debian kernel trees
 * are present, KERNELVERSION is also compared with `make kernelversion`,
 * and CROSS_COMPILE is derived from their real arch Makefiles with fake
 * cross compilers.  The expected values of the precedence tests are what
 * strace showed `make O=... olddefconfig` giving conf on the 6.12 tree, with
 * the same stray variables in make's environment or on its command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/fixture.h"
#include "parser/env.h"
#include "parser/kbuild.h"
#include "parser/tree.h"
#include "util/util.h"

struct t {
	char dir[64];
	struct kx_env *env;
	struct kx_env *cl;	/* make command-line assignments */
	struct kx_diags diags;
	struct kx_tree *tree;
};

static void write_file(struct t *t, const char *name, const char *text,
		       mode_t mode)
{
	char *p = kx_xasprintf("%s/%s", t->dir, name);
	char *s;
	FILE *f;

	for (s = p + strlen(t->dir) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static int setup(void **state)
{
	struct t *t = kx_xcalloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/kx-env-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	t->env = kx_env_new();
	t->cl = kx_env_new();
	kx_diags_init(&t->diags);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	fx_remove_dir(t->dir);
	kx_tree_free(t->tree);
	kx_env_free(t->env);
	kx_env_free(t->cl);
	kx_diags_free(&t->diags);
	free(t);
	return 0;
}

static void open_tree(struct t *t)
{
	kx_tree_free(t->tree);
	t->tree = NULL;
	assert_int_equal(kx_tree_open_dir(&t->tree, t->dir), 0);
}

static const char *get(struct t *t, const char *name)
{
	const char *v = kx_env_get(t->env, name);

	return v ? v : "(unset)";
}

/* A fresh environment and command line. */
static void reset_env(struct t *t)
{
	kx_env_free(t->env);
	kx_env_free(t->cl);
	t->env = kx_env_new();
	t->cl = kx_env_new();
}

/* kx_env_derive() with t->cl as make's command line. */
static int derive(struct t *t, struct kx_env_opts *o)
{
	o->cmdline = t->cl;
	return kx_env_derive(t->env, t->tree, o, &t->diags);
}

static const char makefile_612[] =
	"# SPDX-License-Identifier: GPL-2.0\n"
	"VERSION = 6\n"
	"PATCHLEVEL = 12\n"
	"SUBLEVEL = 117\n"
	"EXTRAVERSION =\n"
	"NAME = Baby Opossum Posse\n"
	"\n"
	"CC_VERSION_TEXT = $(subst $(pound),,$(shell LC_ALL=C $(CC) --version 2>/dev/null | head -n 1))\n"
	"RUSTC_VERSION_TEXT = $(subst $(pound),,$(shell $(RUSTC) --version 2>/dev/null))\n";

static const char makefile_61[] =
	"VERSION = 6\n"
	"PATCHLEVEL = 1\n"
	"SUBLEVEL = 192\n"
	"EXTRAVERSION =\n"
	"CC_VERSION_TEXT = $(subst $(pound),,$(shell LC_ALL=C $(CC) --version 2>/dev/null | head -n 1))\n";

/* ---- the map ------------------------------------------------------------ */

static void test_env__map_keeps_order(void **state)
{
	struct t *t = *state;
	char *const vec[] = { (char *)"A=1", (char *)"B=x=y", (char *)"junk",
			      (char *)"=nothing", (char *)"A=2", (char *)"C=",
			      NULL };
	char *const *v;
	const char *n, *val;

	kx_env_import(t->env, vec);
	assert_int_equal(kx_env_count(t->env), 3);
	assert_string_equal(get(t, "A"), "1");	/* first wins, as getenv */
	assert_string_equal(get(t, "B"), "x=y");
	assert_string_equal(get(t, "C"), "");
	assert_null(kx_env_get(t->env, "junk"));

	kx_env_set(t->env, "D", "4");
	kx_env_set(t->env, "A", "one");		/* replaced in place */
	kx_env_at(t->env, 0, &n, &val);
	assert_string_equal(n, "A");
	assert_string_equal(val, "one");
	kx_env_at(t->env, 3, &n, &val);
	assert_string_equal(n, "D");

	v = kx_env_vector(t->env);
	assert_string_equal(v[0], "A=one");
	assert_string_equal(v[1], "B=x=y");
	assert_string_equal(v[2], "C=");
	assert_string_equal(v[3], "D=4");
	assert_null(v[4]);

	kx_env_unset(t->env, "B");
	kx_env_unset(t->env, "nope");
	v = kx_env_vector(t->env);
	assert_string_equal(v[0], "A=one");
	assert_string_equal(v[1], "C=");
	assert_string_equal(v[2], "D=4");
	assert_null(v[3]);
	assert_int_equal(kx_env_count(t->env), 3);
}

/* ---- architecture names ------------------------------------------------------ */

static void test_env__srcarch_table(void **state)
{
	(void)state;
	assert_string_equal(kx_env_srcarch("x86_64"), "x86");
	assert_string_equal(kx_env_srcarch("i386"), "x86");
	assert_string_equal(kx_env_srcarch("x86"), "x86");
	assert_string_equal(kx_env_srcarch("sparc64"), "sparc");
	assert_string_equal(kx_env_srcarch("sparc32"), "sparc");
	assert_string_equal(kx_env_srcarch("parisc64"), "parisc");
	assert_string_equal(kx_env_srcarch("sh64"), "sh");
	assert_string_equal(kx_env_srcarch("tilegx"), "tile");
	assert_string_equal(kx_env_srcarch("tilepro"), "tile");
	assert_string_equal(kx_env_srcarch("arm64"), "arm64");
	assert_string_equal(kx_env_srcarch("um"), "um");
	assert_string_equal(kx_env_srcarch("riscv"), "riscv");
}

/* The kernel's own rule, run by sh: uname -m | sed ... (6.12 form). */
static void test_env__host_arch_is_subarch(void **state)
{
	char buf[128] = "";
	FILE *p;

	(void)state;
	p = popen("uname -m | sed -e s/i.86/x86/ -e s/x86_64/x86/ "
		  "-e s/sun4u/sparc64/ -e '/^arm64$/!s/arm.*/arm/' "
		  "-e s/sa110/arm/ -e s/s390x/s390/ -e s/ppc.*/powerpc/ "
		  "-e s/mips.*/mips/ -e 's/sh[234].*/sh/' -e s/aarch64.*/arm64/ "
		  "-e s/riscv.*/riscv/ -e s/loongarch.*/loongarch/", "r");
	if (!p || !fgets(buf, sizeof(buf), p)) {
		fprintf(stderr, "SKIP: cannot run uname | sed\n");
		if (p)
			pclose(p);
		skip();
	}
	pclose(p);
	buf[strcspn(buf, "\n")] = '\0';
	assert_string_equal(kx_env_host_arch(), buf);
}

/* ---- derivation ---------------------------------------------------------------- */

static void test_env__derive_defaults(void **state)
{
	struct t *t = *state;
	struct kx_env_opts o = { 0 };
	struct utsname u;
	char *list;

	write_file(t, "Makefile", makefile_612, 0644);
	write_file(t, "arch/x86/Makefile",
		   "ifeq ($(ARCH),x86)\n"
		   "  ifeq ($(shell uname -m | sed -e 's/i.86/i386/'),i386)\n"
		   "        KBUILD_DEFCONFIG := i386_defconfig\n"
		   "  else\n"
		   "        KBUILD_DEFCONFIG := x86_64_defconfig\n"
		   "  endif\n"
		   "else\n"
		   "        KBUILD_DEFCONFIG := $(ARCH)_defconfig\n"
		   "endif\n", 0644);
	open_tree(t);
	kx_env_set(t->env, "LC_ALL", "en_US.UTF-8");
	kx_env_set(t->env, "LC_COLLATE", "de_DE");
	o.arch = "x86_64";
	o.srctree = "/src/linux";
	assert_int_equal(derive(t, &o), 0);

	assert_string_equal(get(t, "ARCH"), "x86_64");
	assert_string_equal(get(t, "SRCARCH"), "x86");
	assert_string_equal(get(t, "srctree"), "/src/linux");
	assert_string_equal(get(t, "KERNELVERSION"), "6.12.117");
	assert_string_equal(get(t, "CROSS_COMPILE"), "");
	assert_string_equal(get(t, "CC"), "gcc");
	assert_string_equal(get(t, "LD"), "ld");
	assert_string_equal(get(t, "AR"), "ar");
	assert_string_equal(get(t, "NM"), "nm");
	assert_string_equal(get(t, "OBJCOPY"), "objcopy");
	assert_string_equal(get(t, "OBJDUMP"), "objdump");
	assert_string_equal(get(t, "READELF"), "readelf");
	assert_string_equal(get(t, "STRIP"), "strip");
	assert_string_equal(get(t, "HOSTCC"), "gcc");
	assert_string_equal(get(t, "HOSTCXX"), "g++");
	assert_string_equal(get(t, "RUSTC"), "rustc");
	assert_string_equal(get(t, "BINDGEN"), "bindgen");
	assert_string_equal(get(t, "PAHOLE"), "pahole");
	assert_string_equal(get(t, "PYTHON3"), "python3");
	assert_string_equal(get(t, "LC_COLLATE"), "C");	/* forced, as make */
	assert_string_equal(get(t, "LC_NUMERIC"), "C");
	assert_null(kx_env_get(t->env, "LC_ALL"));		/* unexported */
	/* without run_tools nothing is run */
	assert_null(kx_env_get(t->env, "CC_VERSION_TEXT"));
	assert_null(kx_env_get(t->env, "RUSTC_VERSION_TEXT"));
	assert_null(kx_env_get(t->env, "CLANG_FLAGS"));
	assert_null(kx_env_get(t->env, "SUBARCH"));
	assert_null(kx_env_get(t->env, "KCONFIG_CONFIG"));
	assert_string_equal(get(t, "KBUILD_DEFCONFIG"), "x86_64_defconfig");

	assert_int_equal(uname(&u), 0);
	list = kx_xasprintf("/lib/modules/%s/.config /etc/kernel-config "
			    "/boot/config-%s arch/x86/configs/x86_64_defconfig",
			    u.release, u.release);
	assert_string_equal(get(t, "KCONFIG_DEFCONFIG_LIST"), list);
	free(list);
}

static void test_env__kernelversion_forms(void **state)
{
	struct t *t = *state;
	static const struct {
		const char *mk, *expected;
	} cases[] = {
		{ "VERSION = 5\nPATCHLEVEL = 10\nSUBLEVEL = 3\nEXTRAVERSION = -rc1\n",
		  "5.10.3-rc1" },
		{ "VERSION = 5\nPATCHLEVEL = 10\nSUBLEVEL =\nEXTRAVERSION = -rc1\n",
		  "5.10-rc1" },
		{ "VERSION = 5\nPATCHLEVEL =\nSUBLEVEL = 3\nEXTRAVERSION =\n", "5" },
		{ "VERSION=4\nPATCHLEVEL=19\nSUBLEVEL=0\nEXTRAVERSION=\n", "4.19.0" },
		{ "# no version\nall:\n", "" },
	};
	struct kx_env_opts o = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(t, "Makefile", cases[i].mk, 0644);
		open_tree(t);
		reset_env(t);
		o.arch = "arm64";
		assert_int_equal(derive(t, &o), 0);
		assert_string_equal(get(t, "KERNELVERSION"), cases[i].expected);
		assert_string_equal(get(t, "SRCARCH"), "arm64");
		/* arm64 sets no KBUILD_DEFCONFIG: "defconfig" */
		assert_non_null(strstr(get(t, "KCONFIG_DEFCONFIG_LIST"),
				       " arch/arm64/configs/defconfig"));
	}
}

static void test_env__toolchain_prefixes(void **state)
{
	struct t *t = *state;
	struct kx_env_opts o = { 0 };

	write_file(t, "Makefile", makefile_612, 0644);
	open_tree(t);
	o.arch = "arm64";

	kx_env_set(t->env, "CROSS_COMPILE", "aarch64-linux-gnu-");
	kx_env_set(t->env, "LD", "my-ld");	/* LD = ...: make ignores it */
	kx_env_set(t->env, "OBJCOPY", "my-objcopy");
	kx_env_set(t->cl, "OBJCOPY", "cl-objcopy");	/* the command line wins */
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CC"), "aarch64-linux-gnu-gcc");
	assert_string_equal(get(t, "LD"), "aarch64-linux-gnu-ld");
	assert_string_equal(get(t, "OBJCOPY"), "cl-objcopy");
	assert_string_equal(get(t, "HOSTCC"), "gcc");

	/* CROSS_COMPILE on the command line wins over the environment's */
	reset_env(t);
	kx_env_set(t->env, "CROSS_COMPILE", "env-");
	kx_env_set(t->cl, "CROSS_COMPILE", "aarch64-linux-gnu-");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "aarch64-linux-gnu-");
	assert_string_equal(get(t, "STRIP"), "aarch64-linux-gnu-strip");

	/* LLVM is only read: the environment's counts */
	reset_env(t);
	kx_env_set(t->env, "LLVM", "1");
	kx_env_set(t->env, "CC", "gcc");	/* ignored */
	kx_env_set(t->env, "CROSS_COMPILE", "aarch64-linux-gnu-");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CC"), "clang");
	assert_string_equal(get(t, "LD"), "ld.lld");
	assert_string_equal(get(t, "AR"), "llvm-ar");
	assert_string_equal(get(t, "NM"), "llvm-nm");
	assert_string_equal(get(t, "STRIP"), "llvm-strip");
	assert_string_equal(get(t, "HOSTCC"), "clang");
	assert_string_equal(get(t, "HOSTCXX"), "clang++");

	reset_env(t);
	kx_env_set(t->env, "LLVM", "/opt/llvm/bin/");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CC"), "/opt/llvm/bin/clang");
	assert_string_equal(get(t, "READELF"), "/opt/llvm/bin/llvm-readelf");
	assert_string_equal(get(t, "HOSTCXX"), "/opt/llvm/bin/clang++");

	reset_env(t);
	kx_env_set(t->env, "LLVM", "-15");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CC"), "clang-15");
	assert_string_equal(get(t, "LD"), "ld.lld-15");
	assert_string_equal(get(t, "HOSTCC"), "clang-15");

	/* LLVM=0 is not "off" in the kernel's Makefile */
	reset_env(t);
	kx_env_set(t->env, "LLVM", "0");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CC"), "clang");
	/* and an empty LLVM is */
	reset_env(t);
	kx_env_set(t->env, "LLVM", "");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CC"), "gcc");
}

/* Fake gcc/clang/rustc in a private PATH directory. */
static void fake_tools(struct t *t)
{
	char *path;

	write_file(t, "bin/fake-gcc",
		   "#!/bin/sh\n[ \"$1\" = --version ] || exit 1\n"
		   "echo \"fake-gcc (#1 Build) 1.2.3 LC_ALL=$LC_ALL\"\n"
		   "echo 'Copyright line 2'\n", 0755);
	write_file(t, "bin/fake-clang",
		   "#!/bin/sh\necho 'Fake clang version 14.0.6'\necho 'Target: x'\n",
		   0755);
	write_file(t, "bin/fake-rustc",
		   "#!/bin/sh\necho 'rustc 1.80.0 (#abc 2024)'\necho second\n", 0755);
	write_file(t, "bin/aarch64-linux-gnu-elfedit", "#!/bin/sh\n", 0755);
	path = kx_xasprintf("%s/bin:/usr/bin:/bin", t->dir);
	kx_env_set(t->env, "PATH", path);
	free(path);
}

static void test_env__version_texts(void **state)
{
	struct t *t = *state;
	struct kx_env_opts o = { 0 };

	write_file(t, "Makefile", makefile_612, 0644);
	open_tree(t);
	fake_tools(t);
	kx_env_set(t->cl, "CC", "fake-gcc");
	kx_env_set(t->cl, "RUSTC", "fake-rustc");
	kx_env_set(t->env, "LC_ALL", "xx");	/* make unexports it... */
	o.arch = "x86_64";
	o.run_tools = true;
	assert_int_equal(derive(t, &o), 0);
	/* first line, '#' removed, run with LC_ALL=C */
	assert_string_equal(get(t, "CC_VERSION_TEXT"), "fake-gcc (1 Build) 1.2.3 LC_ALL=C");
	/* the whole output, newlines folded, '#' removed */
	assert_string_equal(get(t, "RUSTC_VERSION_TEXT"), "rustc 1.80.0 (abc 2024) second");
	assert_null(kx_env_get(t->env, "CLANG_FLAGS"));

	/* a missing rustc gives "" (not unset) on trees that export it */
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->cl, "CC", "fake-gcc");
	kx_env_set(t->cl, "RUSTC", "kx-no-such-rustc");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "RUSTC_VERSION_TEXT"), "");

	/* 6.1 does not export RUSTC_VERSION_TEXT at all */
	write_file(t, "Makefile", makefile_61, 0644);
	open_tree(t);
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->cl, "CC", "fake-gcc");
	kx_env_set(t->cl, "RUSTC", "fake-rustc");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "KERNELVERSION"), "6.1.192");
	assert_non_null(kx_env_get(t->env, "CC_VERSION_TEXT"));
	assert_null(kx_env_get(t->env, "RUSTC_VERSION_TEXT"));

	/* a missing compiler: empty text, as make's $(shell) gives */
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->env, "CROSS_COMPILE", "kx-none-");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CC"), "kx-none-gcc");
	assert_string_equal(get(t, "CC_VERSION_TEXT"), "");
}

static const char makefile_clang_612[] =
	"CLANG_TARGET_FLAGS_arm64\t:= aarch64-linux-gnu\n"
	"CLANG_TARGET_FLAGS_x86\t\t:= x86_64-linux-gnu\n"
	"CLANG_TARGET_FLAGS_um\t\t:= $(CLANG_TARGET_FLAGS_$(SUBARCH))\n"
	"CLANG_TARGET_FLAGS\t\t:= $(CLANG_TARGET_FLAGS_$(SRCARCH))\n"
	"\n"
	"ifeq ($(CLANG_TARGET_FLAGS),)\n"
	"$(error add '--target=' option to scripts/Makefile.clang)\n"
	"else\n"
	"CLANG_FLAGS\t+= --target=$(CLANG_TARGET_FLAGS)\n"
	"endif\n"
	"\n"
	"ifeq ($(LLVM_IAS),0)\n"
	"CLANG_FLAGS\t+= -fno-integrated-as\n"
	"GCC_TOOLCHAIN_DIR := $(dir $(shell which $(CROSS_COMPILE)elfedit))\n"
	"CLANG_FLAGS\t+= --prefix=$(GCC_TOOLCHAIN_DIR)$(notdir $(CROSS_COMPILE))\n"
	"else\n"
	"CLANG_FLAGS\t+= -fintegrated-as\n"
	"endif\n"
	"CLANG_FLAGS\t+= -Werror=unknown-warning-option\n"
	"CLANG_FLAGS\t+= -Werror=ignored-optimization-argument\n"
	"CLANG_FLAGS\t+= -Werror=option-ignored\n"
	"CLANG_FLAGS\t+= -Werror=unused-command-line-argument\n"
	"KBUILD_CPPFLAGS\t+= $(CLANG_FLAGS)\n"
	"export CLANG_FLAGS\n";

static void test_env__clang_flags(void **state)
{
	struct t *t = *state;
	struct kx_env_opts o = { 0 };
	char *expected;

	write_file(t, "Makefile", makefile_612, 0644);
	write_file(t, "scripts/Makefile.clang", makefile_clang_612, 0644);
	open_tree(t);
	fake_tools(t);
	kx_env_set(t->cl, "CC", "fake-clang");
	o.arch = "x86_64";
	o.run_tools = true;
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CC_VERSION_TEXT"), "Fake clang version 14.0.6");
	assert_string_equal(get(t, "CLANG_FLAGS"),
		"--target=x86_64-linux-gnu -fintegrated-as "
		"-Werror=unknown-warning-option -Werror=ignored-optimization-argument "
		"-Werror=option-ignored -Werror=unused-command-line-argument");

	/* LLVM_IAS=0 with a cross prefix */
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->cl, "CC", "fake-clang");
	kx_env_set(t->env, "LLVM_IAS", "0");
	kx_env_set(t->env, "CROSS_COMPILE", "aarch64-linux-gnu-");
	o.arch = "arm64";
	assert_int_equal(derive(t, &o), 0);
	expected = kx_xasprintf("--target=aarch64-linux-gnu -fno-integrated-as "
				"--prefix=%s/bin/aarch64-linux-gnu- "
				"-Werror=unknown-warning-option "
				"-Werror=ignored-optimization-argument "
				"-Werror=option-ignored "
				"-Werror=unused-command-line-argument", t->dir);
	assert_string_equal(get(t, "CLANG_FLAGS"), expected);
	free(expected);

	/* 6.1's form: --target from CROSS_COMPILE when given */
	write_file(t, "scripts/Makefile.clang",
		   "CLANG_TARGET_FLAGS_arm64\t:= aarch64-linux-gnu\n"
		   "CLANG_TARGET_FLAGS\t\t:= $(CLANG_TARGET_FLAGS_$(SRCARCH))\n"
		   "ifeq ($(CROSS_COMPILE),)\n"
		   "CLANG_FLAGS\t+= --target=$(CLANG_TARGET_FLAGS)\n"
		   "else\n"
		   "CLANG_FLAGS\t+= --target=$(notdir $(CROSS_COMPILE:%-=%))\n"
		   "endif\n"
		   "ifeq ($(LLVM_IAS),0)\n"
		   "CLANG_FLAGS\t+= -fno-integrated-as\n"
		   "else\n"
		   "CLANG_FLAGS\t+= -fintegrated-as\n"
		   "endif\n"
		   "CLANG_FLAGS\t+= -Werror=unknown-warning-option\n"
		   "CLANG_FLAGS\t+= -Werror=ignored-optimization-argument\n", 0644);
	open_tree(t);
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->cl, "CC", "fake-clang");
	kx_env_set(t->env, "CROSS_COMPILE", "/opt/x/bin/aarch64-none-linux-gnu-");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CLANG_FLAGS"),
		"--target=aarch64-none-linux-gnu -fintegrated-as "
		"-Werror=unknown-warning-option -Werror=ignored-optimization-argument");
}

/* ---- make's precedence ------------------------------------------------------ */

static const char arch_x86_makefile[] =
	"ifeq ($(ARCH),x86)\n"
	"  ifeq ($(shell uname -m | sed -e 's/i.86/i386/'),i386)\n"
	"        KBUILD_DEFCONFIG := i386_defconfig\n"
	"  else\n"
	"        KBUILD_DEFCONFIG := x86_64_defconfig\n"
	"  endif\n"
	"else\n"
	"        KBUILD_DEFCONFIG := $(ARCH)_defconfig\n"
	"endif\n";

static char *host_defconfig_list(const char *tail)
{
	struct utsname u;

	assert_int_equal(uname(&u), 0);
	return kx_xasprintf("/lib/modules/%s/.config /etc/kernel-config "
			    "/boot/config-%s %s", u.release, u.release, tail);
}

/*
 * Stray values in make's environment: what the Makefiles assign (=, :=)
 * replaces them (and is still exported), what they only read or assign
 * with ?= is kept.  As strace showed for `make O=... ARCH=x86_64
 * olddefconfig` with the same environment.
 */
static void test_env__environment_loses_to_makefile(void **state)
{
	static const char *const strays[][2] = {
		{ "CC", "clang" }, { "SUBARCH", "foo" }, { "CLANG_FLAGS", "bar" },
		{ "LC_ALL", "xx" }, { "CONFIG_", "FOO_" }, { "KERNELVERSION", "1" },
		{ "srctree", "/x" }, { "SRCARCH", "y" }, { "CC_VERSION_TEXT", "z" },
		{ "RUSTC_VERSION_TEXT", "r" }, { "KCONFIG_DEFCONFIG_LIST", "q" },
		{ "KBUILD_DEFCONFIG", "kd" }, { "HOSTCC", "h" }, { "RUSTC", "rr" },
		{ "LC_COLLATE", "de" }, { "HEADER_ARCH", "ha" },
		{ "KCONFIG_CONFIG", "kc" }, { "cross_compiling", "" },
		{ "FOOBAR", "1" }, { "USERCFLAGS", "-O1" }, { "LD", "my-ld" },
		{ "PYTHON3", "python2" },
	};
	struct t *t = *state;
	struct kx_env_opts o = { 0 };
	char *list;
	size_t i;

	write_file(t, "Makefile", makefile_612, 0644);
	write_file(t, "arch/x86/Makefile", arch_x86_makefile, 0644);
	open_tree(t);
	fake_tools(t);
	for (i = 0; i < sizeof(strays) / sizeof(strays[0]); i++)
		kx_env_set(t->env, strays[i][0], strays[i][1]);
	kx_env_set(t->env, "CROSS_COMPILE", "fake-");	/* only read */
	o.arch = "x86_64";
	o.srctree = "/src/linux";
	o.run_tools = true;
	assert_int_equal(derive(t, &o), 0);

	/* assigned by the Makefiles: the environment's value is replaced */
	assert_string_equal(get(t, "CC"), "fake-gcc");
	assert_string_equal(get(t, "LD"), "fake-ld");
	assert_string_equal(get(t, "CC_VERSION_TEXT"),
			    "fake-gcc (1 Build) 1.2.3 LC_ALL=C");
	assert_string_equal(get(t, "SUBARCH"), kx_env_host_arch());
	assert_string_equal(get(t, "CLANG_FLAGS"), "");	/* CLANG_FLAGS := */
	assert_string_equal(get(t, "KERNELVERSION"), "6.12.117");
	assert_string_equal(get(t, "srctree"), "/src/linux");
	assert_string_equal(get(t, "SRCARCH"), "x86");
	assert_string_not_equal(get(t, "RUSTC_VERSION_TEXT"), "r");
	assert_string_equal(get(t, "RUSTC"), "rustc");
	assert_string_equal(get(t, "HOSTCC"), "gcc");
	assert_string_equal(get(t, "PYTHON3"), "python3");
	assert_string_equal(get(t, "KBUILD_DEFCONFIG"), "x86_64_defconfig");
	list = host_defconfig_list("arch/x86/configs/x86_64_defconfig");
	assert_string_equal(get(t, "KCONFIG_DEFCONFIG_LIST"), list);
	free(list);
	assert_string_equal(get(t, "LC_COLLATE"), "C");
	/* unexported */
	assert_null(kx_env_get(t->env, "LC_ALL"));
	assert_null(kx_env_get(t->env, "CONFIG_"));
	/* ?= or only read: kept */
	assert_string_equal(get(t, "HEADER_ARCH"), "ha");
	assert_string_equal(get(t, "KCONFIG_CONFIG"), "kc");
	assert_string_equal(get(t, "cross_compiling"), "");
	assert_string_equal(get(t, "FOOBAR"), "1");
	assert_string_equal(get(t, "USERCFLAGS"), "-O1");
	assert_string_equal(get(t, "CROSS_COMPILE"), "fake-");

	/* ARCH ?= $(SUBARCH): the environment's ARCH is kept */
	reset_env(t);
	kx_env_set(t->env, "ARCH", "i386");
	o.arch = NULL;
	o.run_tools = false;
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "ARCH"), "i386");
	assert_string_equal(get(t, "SRCARCH"), "x86");
	assert_string_equal(get(t, "KBUILD_DEFCONFIG"), "i386_defconfig");
	assert_null(kx_env_get(t->env, "SUBARCH"));	/* not for x86 */
}

/* `make NAME=VALUE ...`: the command line wins over everything. */
static void test_env__command_line_wins(void **state)
{
	static const char *const cl[][2] = {
		{ "SUBARCH", "foo" }, { "LC_ALL", "xx" }, { "CONFIG_", "FOO_" },
		{ "LC_COLLATE", "de" }, { "KBUILD_DEFCONFIG", "kd" },
		{ "KCONFIG_DEFCONFIG_LIST", "q" }, { "FOOBAR", "2" },
		{ "CC_VERSION_TEXT", "cvt" }, { "RUSTC_VERSION_TEXT", "rvt" },
		{ "ARCH", "x86_64" }, { "CC", "fake-clang" },
	};
	struct t *t = *state;
	struct kx_env_opts o = { 0 };
	size_t i;

	write_file(t, "Makefile", makefile_612, 0644);
	write_file(t, "arch/x86/Makefile", arch_x86_makefile, 0644);
	write_file(t, "scripts/Makefile.clang", makefile_clang_612, 0644);
	open_tree(t);
	fake_tools(t);
	kx_env_set(t->env, "FOOBAR", "1");
	kx_env_set(t->env, "ARCH", "arm64");
	for (i = 0; i < sizeof(cl) / sizeof(cl[0]); i++)
		kx_env_set(t->cl, cl[i][0], cl[i][1]);
	o.run_tools = true;
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "ARCH"), "x86_64");
	assert_string_equal(get(t, "SUBARCH"), "foo");
	assert_string_equal(get(t, "LC_ALL"), "xx");	/* reaches conf */
	assert_null(kx_env_get(t->env, "CONFIG_"));	/* unexported anyway */
	assert_string_equal(get(t, "LC_COLLATE"), "de");
	assert_string_equal(get(t, "KBUILD_DEFCONFIG"), "kd");
	assert_string_equal(get(t, "KCONFIG_DEFCONFIG_LIST"), "q");
	assert_string_equal(get(t, "FOOBAR"), "2");
	assert_string_equal(get(t, "CC"), "fake-clang");
	/* the command line's text, not `fake-clang --version` */
	assert_string_equal(get(t, "CC_VERSION_TEXT"), "cvt");
	assert_string_equal(get(t, "RUSTC_VERSION_TEXT"), "rvt");
	/* "cvt" has no "clang": Makefile.clang is not included */
	assert_null(kx_env_get(t->env, "CLANG_FLAGS"));

	/* KBUILD_DEFCONFIG from the command line feeds the list */
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->cl, "KBUILD_DEFCONFIG", "my_defconfig");
	kx_env_set(t->cl, "CC", "fake-clang");
	o.arch = "x86_64";
	assert_int_equal(derive(t, &o), 0);
	assert_non_null(strstr(get(t, "KCONFIG_DEFCONFIG_LIST"),
			       " arch/x86/configs/my_defconfig"));
	assert_string_equal(get(t, "CC_VERSION_TEXT"), "Fake clang version 14.0.6");
	assert_non_null(strstr(get(t, "CLANG_FLAGS"), "--target=x86_64-linux-gnu"));

	/* --arch wins over a command-line ARCH */
	reset_env(t);
	kx_env_set(t->cl, "ARCH", "x86_64");
	o.arch = "i386";
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "ARCH"), "i386");
	assert_non_null(strstr(get(t, "KCONFIG_DEFCONFIG_LIST"),
			       " arch/x86/configs/i386_defconfig"));
}

/* Without run_tools: nothing is run, the environment's texts are used. */
static void test_env__no_tools_run_without_permission(void **state)
{
	struct t *t = *state;
	struct kx_env_opts o = { 0 };
	char *marker, *cc;

	write_file(t, "Makefile", makefile_612, 0644);
	write_file(t, "scripts/Makefile.clang", makefile_clang_612, 0644);
	write_file(t, "bin/marker-cc",
		   "#!/bin/sh\ntouch \"$(dirname \"$0\")/ran\"\necho clang\n", 0755);
	open_tree(t);
	fake_tools(t);
	cc = kx_xasprintf("%s/bin/marker-cc", t->dir);
	marker = kx_xasprintf("%s/bin/ran", t->dir);
	kx_env_set(t->cl, "CC", cc);
	kx_env_set(t->cl, "RUSTC", cc);
	o.arch = "x86_64";
	assert_int_equal(derive(t, &o), 0);
	assert_int_not_equal(access(marker, F_OK), 0);
	assert_null(kx_env_get(t->env, "CC_VERSION_TEXT"));
	assert_null(kx_env_get(t->env, "RUSTC_VERSION_TEXT"));
	assert_null(kx_env_get(t->env, "CLANG_FLAGS"));

	/* values from the environment stay, and decide about CLANG_FLAGS */
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->cl, "CC", cc);
	kx_env_set(t->env, "CC_VERSION_TEXT", "Debian clang version 14.0.6");
	kx_env_set(t->env, "RUSTC_VERSION_TEXT", "rustc 1.80.0");
	assert_int_equal(derive(t, &o), 0);
	assert_int_not_equal(access(marker, F_OK), 0);
	assert_string_equal(get(t, "CC_VERSION_TEXT"), "Debian clang version 14.0.6");
	assert_string_equal(get(t, "RUSTC_VERSION_TEXT"), "rustc 1.80.0");
	assert_non_null(strstr(get(t, "CLANG_FLAGS"), "--target=x86_64-linux-gnu"));

	/* and with run_tools the tool does run */
	o.run_tools = true;
	assert_int_equal(derive(t, &o), 0);
	assert_int_equal(access(marker, F_OK), 0);
	assert_string_equal(get(t, "CC_VERSION_TEXT"), "clang");
	free(cc);
	free(marker);
}

/* An executable script that prints 'version' for --version. */
static void fake_cross(struct t *t, const char *name, const char *version)
{
	char *file = kx_xasprintf("bin/%s", name);
	char *text = kx_xasprintf("#!/bin/sh\necho '%s'\n", version);

	write_file(t, file, text, 0755);
	free(file);
	free(text);
}

/* The arch Makefile evaluator: conditionals, foreach, cc-cross-prefix. */
static void test_env__arch_makefile_sets_cross_compile(void **state)
{
	struct t *t = *state;
	struct kx_env_opts o = { 0 };

	write_file(t, "Makefile", makefile_612, 0644);
	write_file(t, "arch/kxa/Makefile",
		   "# a made-up architecture\n"
		   "KBUILD_DEFCONFIG := kxa_defconfig\n"
		   "define kxa_macro\n"
		   "CROSS_COMPILE := from-define-\n"
		   "endef\n"
		   "prepare-kxa: scripts\n"
		   "\tCROSS_COMPILE := from-recipe-\n"
		   "ifeq ($(shell uname -m),kxa)\n"
		   "  unrelated := 1\n"
		   "endif\n"
		   "ifeq ($(ARCH),kxa64)\n"
		   "  TRIPLES := kxa64\n"
		   "else ifeq ($(ARCH),kxa)\n"
		   "  TRIPLES := kxa kxa2\n"
		   "else\n"
		   "  TRIPLES := none\n"
		   "endif\n"
		   "SUFFIXES = linux-gnu \\\n"
		   "\t   linux   # two of them\n"
		   "NM := $(NM) -B\n"
		   "OBJCOPY = $(CROSS_COMPILE)objcopy --kxa\n"
		   "ifdef cross_compiling\n"
		   "\tifeq ($(CROSS_COMPILE),)\n"
		   "\t\tCROSS_COMPILE := $(call cc-cross-prefix, \\\n"
		   "\t\t\t$(foreach t,$(TRIPLES),$(foreach s,$(SUFFIXES),$(t)-$(s)-)))\n"
		   "\tendif\n"
		   "endif\n", 0644);
	write_file(t, "scripts/kconfig/Makefile",
		   "export KCONFIG_DEFCONFIG_LIST :=\n"
		   "ifndef cross_compiling\n"
		   "KCONFIG_DEFCONFIG_LIST += /boot/config-$(shell uname -r)\n"
		   "endif\n", 0644);
	open_tree(t);
	fake_tools(t);
	fake_cross(t, "kxa2-linux-gcc", "kxa2 gcc 1.0");
	o.arch = "kxa";
	o.run_tools = true;

	/* cross_compiling not set: CROSS_COMPILE stays */
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "");
	assert_string_equal(get(t, "NM"), "nm -B");
	assert_non_null(strstr(get(t, "KCONFIG_DEFCONFIG_LIST"),
			       "/boot/config-"));

	/* set in the environment: the first prefix with a gcc in PATH */
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->env, "cross_compiling", "1");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "kxa2-linux-");
	assert_string_equal(get(t, "CC"), "kxa2-linux-gcc");
	assert_string_equal(get(t, "OBJDUMP"), "kxa2-linux-objdump");
	/* := expanded before CROSS_COMPILE was set, = after */
	assert_string_equal(get(t, "NM"), "nm -B");
	assert_string_equal(get(t, "OBJCOPY"), "kxa2-linux-objcopy --kxa");
	/* CC_VERSION_TEXT is expanded with the final CC */
	assert_string_equal(get(t, "CC_VERSION_TEXT"), "kxa2 gcc 1.0");
	/* and the host's files leave the defconfig list */
	assert_string_equal(get(t, "KCONFIG_DEFCONFIG_LIST"),
			    "arch/kxa/configs/kxa_defconfig");
	assert_string_equal(get(t, "KBUILD_DEFCONFIG"), "kxa_defconfig");
	assert_int_equal(t->diags.nwarnings, 0);

	/* a command-line variable overrides the file's assignment */
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->cl, "cross_compiling", "1");
	kx_env_set(t->cl, "SUFFIXES", "linux-gnu");
	kx_env_set(t->cl, "NM", "my-nm");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "");
	assert_string_equal(get(t, "CC"), "gcc");
	assert_string_equal(get(t, "NM"), "my-nm");

	/* a CROSS_COMPILE given anywhere is not replaced */
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->env, "cross_compiling", "1");
	kx_env_set(t->env, "CROSS_COMPILE", "mine-");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "mine-");
	reset_env(t);
	fake_tools(t);
	kx_env_set(t->env, "cross_compiling", "1");
	kx_env_set(t->cl, "CROSS_COMPILE", "");	/* empty, on the command line */
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "");
	assert_string_equal(get(t, "CC"), "gcc");

	/* no candidate in PATH: empty */
	reset_env(t);
	kx_env_set(t->env, "PATH", "/nonexistent");
	kx_env_set(t->env, "cross_compiling", "1");
	o.run_tools = false;
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "");

	/* the xtensa shape: a recursive variable, ifndef, VARIANT */
	write_file(t, "arch/kxb/Makefile",
		   "variant-y := $(CONFIG_KXB_VARIANT_NAME)\n"
		   "VARIANT = $(variant-y)\n"
		   "ifneq ($(VARIANT),)\n"
		   "  ifdef cross_compiling\n"
		   "    ifndef CROSS_COMPILE\n"
		   "      CROSS_COMPILE = kxb_$(VARIANT)-\n"
		   "    endif\n"
		   "  endif\n"
		   "endif\n", 0644);
	open_tree(t);
	o.arch = "kxb";
	reset_env(t);
	kx_env_set(t->env, "cross_compiling", "1");
	kx_env_set(t->env, "VARIANT", "fsf");	/* VARIANT = ... overrides it */
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "");
	kx_env_set(t->cl, "VARIANT", "dc233c");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "kxb_dc233c-");
	assert_string_equal(get(t, "CC"), "kxb_dc233c-gcc");
	reset_env(t);
	kx_env_set(t->env, "cross_compiling", "1");
	kx_env_set(t->env, "CONFIG_KXB_VARIANT_NAME", "test_kc705");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "kxb_test_kc705-");

	/* what cannot be evaluated is left alone, with a warning */
	write_file(t, "arch/kxc/Makefile",
		   "ifeq ($(shell echo yes),yes)\n"
		   "CROSS_COMPILE := kxc-\n"
		   "endif\n", 0644);
	open_tree(t);
	o.arch = "kxc";
	reset_env(t);
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "CROSS_COMPILE"), "");
	assert_int_equal(t->diags.nwarnings, 1);
}

/*
 * The directory of a Debian tree in the cache scripts/fetch-trees.sh fills
 * ($XDG_CACHE_HOME or ~/.cache, then kxen-config/src/NAME), or NULL.
 */
static char *cached_tree(const char *name)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		return kx_xasprintf("%s/kxen-config/src/%s", xdg, name);
	return home ? kx_xasprintf("%s/.cache/kxen-config/src/%s", home, name) : NULL;
}

/*
 * Open a cached tree; NULL (and a loud SKIP line) when it is not there.  A
 * failed open still hands back a tree object, freed here.
 */
static struct kx_tree *open_cached_tree(const char *name)
{
	struct kx_tree *tree = NULL;
	char *dir = cached_tree(name);

	if (!dir || kx_tree_open_dir(&tree, dir) < 0) {
		fprintf(stderr, "SKIP (part): no kernel tree %s "
			"(scripts/fetch-trees.sh extracts it)\n", dir ? dir : name);
		kx_tree_free(tree);
		tree = NULL;
	}
	free(dir);
	return tree;
}

/* The real arch Makefiles of the Debian trees, with fake cross compilers. */
static void test_env__real_trees_cross_compile(void **state)
{
	static const char *const trees[] = {
		"linux-source-6.1", "linux-source-6.12",
	};
	/* as strace showed `make ARCH=... olddefconfig` giving conf */
	static const struct {
		const char *arch, *env_cross, *cl, *expected;
		bool only_612;
	} cases[] = {
		{ "m68k", NULL, NULL, "", false },
		{ "m68k", "1", NULL, "m68k-linux-gnu-", false },
		{ "m68k", NULL, "cross_compiling", "m68k-linux-gnu-", false },
		{ "arc", NULL, NULL, "arc-linux-", false },
		{ "arc", NULL, "CROSS_COMPILE", "", false },
		{ "sh", "y", NULL, "sh-linux-gnu-", false },
		{ "loongarch", NULL, NULL, "-linux-gnu-", false },
		{ "mips", "1", NULL, "-linux-gnu-", false },
		{ "parisc64", "1", NULL, "hppa64-linux-gnu-", false },
		{ "parisc", "1", NULL, "hppa2.0-linux-", false },
		{ "powerpc", "1", NULL, "powerpc64le-linux-gnu-", true },
		{ "x86_64", "1", NULL, "", false },
		{ "alpha", NULL, NULL, "", false },
	};
	static const char *const fakes[] = {
		"m68k-linux-gnu-gcc", "arc-linux-gcc", "arc-linux-gnu-gcc",
		"-linux-gnu-gcc", "sh-linux-gnu-gcc", "hppa64-linux-gnu-gcc",
		"hppa2.0-linux-gcc", "powerpc64le-linux-gnu-gcc",
	};
	struct t *t = *state;
	size_t i, k;
	int done = 0;

	for (i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++)
		fake_cross(t, fakes[i], "fake");
	for (i = 0; i < 2; i++) {
		struct kx_tree *tree = open_cached_tree(trees[i]);

		if (!tree)
			continue;
		for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			struct kx_env_opts o = { 0 };
			char *cc;

			if (cases[k].only_612 && i == 0)
				continue;
			reset_env(t);
			fake_tools(t);
			if (cases[k].env_cross)
				kx_env_set(t->env, "cross_compiling",
					   cases[k].env_cross);
			if (cases[k].cl && !strcmp(cases[k].cl, "cross_compiling"))
				kx_env_set(t->cl, "cross_compiling", "1");
			if (cases[k].cl && !strcmp(cases[k].cl, "CROSS_COMPILE"))
				kx_env_set(t->cl, "CROSS_COMPILE", "");
			o.arch = cases[k].arch;
			o.cmdline = t->cl;
			assert_int_equal(kx_env_derive(t->env, tree, &o, &t->diags), 0);
			if (strcmp(get(t, "CROSS_COMPILE"), cases[k].expected))
				fprintf(stderr, "%s ARCH=%s: CROSS_COMPILE=%s\n",
					trees[i], cases[k].arch, get(t, "CROSS_COMPILE"));
			assert_string_equal(get(t, "CROSS_COMPILE"), cases[k].expected);
			cc = kx_xasprintf("%sgcc", cases[k].expected);
			assert_string_equal(get(t, "CC"), cc);
			free(cc);
			/* alpha: NM := $(NM) -B */
			cc = kx_xasprintf("%snm%s", cases[k].expected,
					  !strcmp(cases[k].arch, "alpha") ? " -B" : "");
			assert_string_equal(get(t, "NM"), cc);
			free(cc);
		}
		assert_int_equal(t->diags.nwarnings, 0);
		kx_tree_free(tree);
		done++;
	}
	if (!done) {
		fprintf(stderr, "SKIP: no kernel tree (scripts/fetch-trees.sh)\n");
		skip();
	}
}

static void test_env__um_and_other_arches(void **state)
{
	struct t *t = *state;
	struct kx_env_opts o = { 0 };

	write_file(t, "Makefile", makefile_612, 0644);
	write_file(t, "arch/sparc/Makefile",
		   "ifeq ($(ARCH),sparc64)\n"
		   "        KBUILD_DEFCONFIG := sparc64_defconfig\n"
		   "else\n"
		   "        KBUILD_DEFCONFIG := sparc32_defconfig\n"
		   "endif\n", 0644);
	write_file(t, "arch/riscv/Makefile", "KBUILD_DEFCONFIG := defconfig2\n", 0644);
	write_file(t, "arch/x86/Makefile",
		   "ifeq ($(ARCH),x86)\n"
		   "  ifeq ($(shell uname -m | sed -e 's/i.86/i386/'),i386)\n"
		   "        KBUILD_DEFCONFIG := i386_defconfig\n"
		   "  else\n"
		   "        KBUILD_DEFCONFIG := x86_64_defconfig\n"
		   "  endif\n"
		   "else\n"
		   "        KBUILD_DEFCONFIG := $(ARCH)_defconfig\n"
		   "endif\n", 0644);
	open_tree(t);

	o.arch = "um";
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "SRCARCH"), "um");
	assert_string_equal(get(t, "SUBARCH"), kx_env_host_arch());
	if (!strcmp(kx_env_host_arch(), "x86"))
		assert_string_equal(get(t, "HEADER_ARCH"), "x86");

	reset_env(t);
	o.arch = "sparc64";
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "SRCARCH"), "sparc");
	assert_non_null(strstr(get(t, "KCONFIG_DEFCONFIG_LIST"),
			       " arch/sparc/configs/sparc64_defconfig"));

	reset_env(t);
	o.arch = "riscv";
	assert_int_equal(derive(t, &o), 0);
	assert_non_null(strstr(get(t, "KCONFIG_DEFCONFIG_LIST"),
			       " arch/riscv/configs/defconfig2"));

	reset_env(t);
	o.arch = "i386";
	assert_int_equal(derive(t, &o), 0);
	assert_non_null(strstr(get(t, "KCONFIG_DEFCONFIG_LIST"),
			       " arch/x86/configs/i386_defconfig"));

	/* ARCH from the env, then the host */
	reset_env(t);
	o.arch = NULL;
	kx_env_set(t->env, "ARCH", "x86_64");
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "SRCARCH"), "x86");
	reset_env(t);
	assert_int_equal(derive(t, &o), 0);
	assert_string_equal(get(t, "ARCH"), kx_env_host_arch());
}

static void test_env__no_makefile(void **state)
{
	struct t *t = *state;
	struct kx_env_opts o = { 0 };

	open_tree(t);
	o.arch = "x86_64";
	assert_int_equal(derive(t, &o), KX_ENOTFOUND);
	assert_int_equal(t->diags.nerrors, 1);
	assert_string_equal(get(t, "ARCH"), "x86_64");
	assert_string_equal(get(t, "SRCARCH"), "x86");
	assert_null(kx_env_get(t->env, "KERNELVERSION"));
}

/* KERNELVERSION of the real trees, compared with `make kernelversion`. */
static void test_env__real_trees_kernelversion(void **state)
{
	static const char *const names[] = {
		"linux-source-5.10", "linux-source-6.1", "linux-source-6.12",
		"linux-source-7.3",
	};
	struct t *t = *state;
	size_t i;
	int done = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct kx_env_opts o = { 0 };
		struct kx_tree *tree = open_cached_tree(names[i]);
		char *cmd, *dir, buf[128] = "";
		FILE *p;

		if (!tree)
			continue;
		/* the reference: make itself, without a calling make's flags
		 * (under `make check`, MAKEFLAGS would print directories) */
		dir = cached_tree(names[i]);
		cmd = kx_xasprintf("env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "
				   "make -s --no-print-directory -C %s kernelversion 2>/dev/null",
				   dir);
		free(dir);
		p = popen(cmd, "r");
		free(cmd);
		if (!p || !fgets(buf, sizeof(buf), p) || !*buf) {
			fprintf(stderr, "SKIP (part): make kernelversion failed in %s\n",
				names[i]);
			if (p)
				pclose(p);
			kx_tree_free(tree);
			continue;
		}
		pclose(p);
		buf[strcspn(buf, "\n")] = '\0';
		reset_env(t);
		o.arch = "x86_64";
		assert_int_equal(kx_env_derive(t->env, tree, &o, &t->diags), 0);
		assert_string_equal(get(t, "KERNELVERSION"), buf);
		/* 5.10: no such variable, the list is a Kconfig symbol */
		if (i == 0)
			assert_null(kx_env_get(t->env, "KCONFIG_DEFCONFIG_LIST"));
		else
			assert_non_null(strstr(get(t, "KCONFIG_DEFCONFIG_LIST"),
					       " arch/x86/configs/x86_64_defconfig"));
		assert_string_equal(get(t, "KBUILD_DEFCONFIG"), "x86_64_defconfig");
		kx_tree_free(tree);
		done++;
	}
	if (!done) {
		fprintf(stderr, "SKIP: no kernel tree, or no make "
			"(scripts/fetch-trees.sh extracts the trees)\n");
		skip();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_env__map_keeps_order),
		T(test_env__srcarch_table),
		T(test_env__host_arch_is_subarch),
		T(test_env__derive_defaults),
		T(test_env__kernelversion_forms),
		T(test_env__toolchain_prefixes),
		T(test_env__version_texts),
		T(test_env__clang_flags),
		T(test_env__environment_loses_to_makefile),
		T(test_env__command_line_wins),
		T(test_env__no_tools_run_without_permission),
		T(test_env__arch_makefile_sets_cross_compile),
		T(test_env__real_trees_cross_compile),
		T(test_env__um_and_other_arches),
		T(test_env__no_makefile),
		T(test_env__real_trees_kernelversion),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
