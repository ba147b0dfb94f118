// SPDX-License-Identifier: MIT
/*
 * kbuild.c - how the kernel's Makefile derives the environment Kconfig
 * sees.
 *
 * kx_env_derive() reproduces what `make [NAME=VALUE...] ARCH=... olddefconfig`
 * exports to scripts/kconfig/conf, measured with strace on Debian's 6.1
 * and 6.12 trees (x86_64, i386, arm64, m68k, arc, sh, loongarch; gcc and
 * LLVM=1; stray values in the environment and on the command line) and
 * read from the top Makefile, scripts/subarch.include,
 * scripts/Makefile.clang, scripts/Makefile.compiler, scripts/kconfig/Makefile
 * and arch/$(SRCARCH)/Makefile.  The variables and their Makefile operators
 * are listed in env.h.
 *
 * make's precedence, which the derivation follows (struct derive,
 * make_set()):
 *   - command-line assignments win over every Makefile assignment (except
 *     `override`, which no variable we derive uses) and are exported,
 *     even through the sub-make that runs conf: a command-line LC_ALL
 *     reaches conf although the top Makefile unexports LC_ALL;
 *   - NAME = / NAME := in a Makefile replaces an environment value, and
 *     make still exports the variable (with the Makefile's value) because
 *     it came from the environment: an environment SUBARCH=foo reaches
 *     conf as the host's SUBARCH, CLANG_FLAGS=x as "" (CLANG_FLAGS :=);
 *   - NAME ?= keeps an environment value (ARCH, KCONFIG_CONFIG);
 *   - variables only read (LLVM, LLVM_IAS, CROSS_COMPILE, cross_compiling,
 *     USERCFLAGS, ...) come from the command line or the environment.
 *
 * The order of evaluation matters in one place: the top Makefile includes
 * scripts/Makefile.clang (CLANG_FLAGS, using CROSS_COMPILE) before
 * arch/$(SRCARCH)/Makefile, which may then set CROSS_COMPILE with
 * cc-cross-prefix (and may change a tool: alpha's NM := $(NM) -B); CC and
 * CC_VERSION_TEXT are recursive variables and are exported with the final
 * CROSS_COMPILE.  The arch Makefile is evaluated by a small make
 * interpreter (conditionals, assignments, foreach, and cc-cross-prefix,
 * which searches PATH for ${prefix}gcc like `command -v`); it never runs a
 * $(shell ...), so what depends on one is not reproduced (6.1 powerpc's
 * NM --synthetic; a CROSS_COMPILE depending on one gets a warning).
 * In 6.1 and 6.12, m68k, mips, parisc, powerpc, sh and xtensa only do so
 * under `ifdef cross_compiling`, which nothing in those trees defines: only
 * cross_compiling=1 in the environment or on the command line enables it
 * (it also drops the host files from KCONFIG_DEFCONFIG_LIST); arc does it
 * whenever CROSS_COMPILE is empty, loongarch when ARCH differs from SUBARCH.
 *
 * srctree is always the tree's absolute directory (make uses "." in-tree,
 * ".." from a subdirectory, the absolute path with O= elsewhere).
 */#include "parser/kbuild.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "parser/env.h"
#include "parser/make.h"
#include "parser/shell.h"
#include "parser/tree.h"
#include "util/util.h"

/* ---- derivation helpers ------------------------------------------------- */

static void diag(struct kx_diags *d, enum kx_diag_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void diag(struct kx_diags *d, enum kx_diag_level level,
		 const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	kx_diags_vadd(d, level, NULL, 0, fmt, ap);
	va_end(ap);
}

/*
 * The value of the first "NAME = value" (or :=, ?=) line of a Makefile:
 * leading blanks skipped, cut at '#', trailing blanks kept (make keeps
 * them).  Returns a malloc'd string or NULL.
 */
static char *makefile_var(const char *text, const char *name)
{
	size_t nl = strlen(name);
	const char *p = text;

	while (p && *p) {
		const char *q = p, *v, *eol;

		if (!strncmp(q, name, nl)) {
			q += nl;
			while (*q == ' ' || *q == '\t')
				q++;
			if (q[0] == ':' || q[0] == '?')
				q++;
			if (q[0] == '=') {
				v = q + 1;
				while (*v == ' ' || *v == '\t')
					v++;
				eol = v + strcspn(v, "#\n");
				return kx_xstrndup(v, eol - v);
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* make's $(if X,...) test: X with surrounding white space removed */
static bool make_nonempty(const char *s)
{
	if (!s)
		return false;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return true;
	return false;
}

static char *kernelversion(const char *mk)
{
	char *v = makefile_var(mk, "VERSION");
	char *pl = makefile_var(mk, "PATCHLEVEL");
	char *sl = makefile_var(mk, "SUBLEVEL");
	char *ev = makefile_var(mk, "EXTRAVERSION");
	struct kx_buf b = KX_BUF_INIT;

	kx_buf_puts(&b, v ? v : "");
	if (make_nonempty(pl)) {
		kx_buf_printf(&b, ".%s", pl);
		if (make_nonempty(sl))
			kx_buf_printf(&b, ".%s", sl);
	}
	kx_buf_puts(&b, ev ? ev : "");
	free(v);
	free(pl);
	free(sl);
	free(ev);
	return kx_buf_detach(&b);
}

/* Runs 'cmd' like make's $(shell) for a one-line answer; "" on failure. */
static char *run_tool(struct kx_env *e, const char *cmd, const char *cache_dir)
{
	struct kx_shell_opts so;
	struct kx_shell *sh = NULL;
	char *out = NULL;

	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_RUN;
	so.timeout = 60;
	so.cache_dir = cache_dir;
	if (kx_shell_new(&sh, e, &so) < 0)
		return kx_xstrdup("");
	if (kx_shell_run(sh, cmd, &out) < 0)
		out = kx_xstrdup("");
	kx_shell_free(sh);
	return out;
}

/* $(subst #,,...) */
static void remove_pound(char *s)
{
	char *d = s;

	for (; *s; s++)
		if (*s != '#')
			*d++ = *s;
	*d = '\0';
}

static const char *notdir(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

/*
 * CLANG_FLAGS as scripts/Makefile.clang builds it.  Returns a malloc'd
 * string, or NULL when the file is missing or has no --target for the arch
 * (make would stop with an error there).
 */
static char *clang_flags(struct kx_env *e, struct kx_tree *t,
			 struct kx_diags *d)
{
	const char *srcarch = kx_env_get(e, "SRCARCH");
	const char *cross = kx_env_get(e, "CROSS_COMPILE");
	const char *ias = kx_env_get(e, "LLVM_IAS");
	struct kx_buf b = KX_BUF_INIT;
	char *mk = NULL, *target = NULL, *name = NULL, *p;
	size_t len;

	if (kx_tree_read(t, "scripts/Makefile.clang", &mk, &len) < 0)
		return NULL;
	if (!cross)
		cross = "";
	if (srcarch && !strcmp(srcarch, "um") && kx_env_get(e, "SUBARCH"))
		srcarch = kx_env_get(e, "SUBARCH");
	if (srcarch) {
		name = kx_xasprintf("CLANG_TARGET_FLAGS_%s", srcarch);
		target = makefile_var(mk, name);
		if (target) {
			/* trailing blanks are not part of a --target */
			for (p = target + strlen(target);
			     p > target && (p[-1] == ' ' || p[-1] == '\t'); p--)
				;
			*p = '\0';
		}
	}

	if (strstr(mk, "ifeq ($(CROSS_COMPILE),)") && *cross) {
		/* 6.1: --target=$(notdir $(CROSS_COMPILE:%-=%)) */
		char *c = kx_xstrdup(cross);
		size_t cl = strlen(c);

		if (cl && c[cl - 1] == '-')
			c[cl - 1] = '\0';
		kx_buf_printf(&b, "--target=%s", notdir(c));
		free(c);
	} else if (target && *target) {
		kx_buf_printf(&b, "--target=%s", target);
	} else {
		diag(d, KX_DIAG_WARNING,
			     "scripts/Makefile.clang has no --target for %s; "
			     "CLANG_FLAGS left unset",
			     srcarch ? srcarch : "(no SRCARCH)");
		goto fail;
	}

	if (ias && !strcmp(ias, "0")) {
		char *elfedit = kx_xasprintf("%selfedit", cross);
		char *found = kx_env_which(e, elfedit);
		const char *slash = found ? strrchr(found, '/') : NULL;

		kx_buf_puts(&b, " -fno-integrated-as --prefix=");
		if (found)
			kx_buf_add(&b, found, slash ? (size_t)(slash - found + 1) : 0);
		kx_buf_puts(&b, notdir(cross));
		free(found);
		free(elfedit);
	} else {
		kx_buf_puts(&b, " -fintegrated-as");
	}

	/* the unconditional "CLANG_FLAGS += -Werror=..." lines, in order */
	for (p = mk; p && *p;) {
		const char *q = p;

		if (!strncmp(q, "CLANG_FLAGS", 11)) {
			q += 11;
			while (*q == ' ' || *q == '\t')
				q++;
			if (!strncmp(q, "+=", 2)) {
				q += 2;
				while (*q == ' ' || *q == '\t')
					q++;
				if (!strncmp(q, "-Werror=", 8)) {
					size_t n = strcspn(q, " \t#\n");

					kx_buf_putc(&b, ' ');
					kx_buf_add(&b, q, n);
				}
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	free(mk);
	free(target);
	free(name);
	return kx_buf_detach(&b);
fail:
	kx_buf_free(&b);
	free(mk);
	free(target);
	free(name);
	return NULL;
}

static char *machine(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return kx_xstrdup("");
	return kx_xstrdup(u.machine);
}

/*
 * KBUILD_DEFCONFIG as arch/$(SRCARCH)/Makefile sets it; when the arch does
 * not, 'user' (the environment's value) if non-empty, else "defconfig" as
 * scripts/kconfig/Makefile sets it.  The conditional forms of
 * x86, um, sparc, parisc and powerpc are evaluated; elsewhere a single
 * plain assignment is taken.
 */
static char *kbuild_defconfig(struct kx_env *e, struct kx_tree *t,
			      const char *user)
{
	const char *arch = kx_env_get(e, "ARCH");
	const char *srcarch = kx_env_get(e, "SRCARCH");
	char *path, *mk = NULL, *m = machine(), *res = NULL, *v;
	size_t len;

	if (!arch || !srcarch)
		goto out;
	path = kx_xasprintf("arch/%s/Makefile", srcarch);
	if (kx_tree_read(t, path, &mk, &len) < 0)
		mk = NULL;
	free(path);
	if (!mk || !strstr(mk, "KBUILD_DEFCONFIG")) {
		/* scripts/kconfig/Makefile: ifndef KBUILD_DEFCONFIG */
		res = kx_xstrdup(user && *user ? user : "defconfig");
		goto out;
	}
	if (!strcmp(srcarch, "x86")) {
		bool i386;

		if (strcmp(arch, "x86")) {
			res = kx_xasprintf("%s_defconfig", arch);
			goto out;
		}
		if (strstr(mk, "s/i.86/i386/")) {	/* 6.12 */
			i386 = m[0] == 'i' && m[1] && !strcmp(m + 2, "86");
		} else {				/* 6.1 */
			i386 = strcmp(m, "x86_64") != 0;
		}
		res = kx_xstrdup(i386 ? "i386_defconfig" : "x86_64_defconfig");
	} else if (!strcmp(srcarch, "um")) {
		const char *sub = kx_env_get(e, "SUBARCH");

		if (sub && !strcmp(sub, "x86"))
			res = kx_xstrdup(strcmp(m, "x86_64") ? "i386_defconfig" :
					 "x86_64_defconfig");
		else
			res = kx_xasprintf("%s_defconfig", sub ? sub : "");
	} else if (!strcmp(srcarch, "sparc")) {
		res = kx_xstrdup(strcmp(arch, "sparc64") ? "sparc32_defconfig" :
				 "sparc64_defconfig");
	} else if (!strcmp(srcarch, "parisc")) {
		res = kx_xstrdup(strcmp(arch, "parisc64") ?
				 "generic-32bit_defconfig" :
				 "generic-64bit_defconfig");
	} else if (!strcmp(srcarch, "powerpc") &&
		   (v = strstr(mk, "),$(uname),")) != NULL) {
		const char *fb = v + strlen("),$(uname),");
		size_t n = strcspn(fb, ")\n");

		if (!strncmp(m, "ppc", 3))
			res = kx_xasprintf("%s_defconfig", m);
		else
			res = kx_xasprintf("%.*s_defconfig", (int)n, fb);
	} else {
		v = makefile_var(mk, "KBUILD_DEFCONFIG");
		if (!v) {
			/* indented assignment */
			const char *q = strstr(mk, "KBUILD_DEFCONFIG");

			q += strlen("KBUILD_DEFCONFIG");
			q += strspn(q, " \t");
			if (*q == ':')
				q++;
			if (*q == '=') {
				q++;
				q += strspn(q, " \t");
				v = kx_xstrndup(q, strcspn(q, " \t#\n"));
			}
		}
		if (v) {
			char *end = v + strlen(v);

			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
		}
		res = v && *v && !strchr(v, '$') ? v : kx_xstrdup("defconfig");
		if (res != v)
			free(v);
	}
out:
	free(mk);
	free(m);
	return res;
}

/* ---- make's precedence -------------------------------------------------- */

struct derive {
	struct kx_env *e;		/* the environment being derived */
	const struct kx_env *cl;	/* command-line assignments, or NULL */
	const char *arch_opt;		/* opts->arch: a command-line ARCH */
	struct kx_tree *t;
	struct kx_diags *d;
	const char *topmk;		/* the tree's top Makefile, or NULL */
	char *subarch;			/* make's $(SUBARCH) */
	char *cross_compiling;		/* make's $(cross_compiling) */
	const char *tool_cache;		/* opts->tool_cache_dir */
};

/* Whether 'name' was given on make's command line. */
static bool from_cmdline(const struct derive *dv, const char *name)
{
	if (dv->arch_opt && !strcmp(name, "ARCH"))
		return true;
	return dv->cl && kx_env_get(dv->cl, name);
}

/* A Makefile's "NAME = value" or "NAME := value": the command line wins. */
static void make_set(struct derive *dv, const char *name, const char *value)
{
	if (!from_cmdline(dv, name))
		kx_env_set(dv->e, name, value);
}

/* The toolchain variables of the top Makefile: $(CROSS_COMPILE)gnu, or llvm. */
static const struct {
	const char *name, *gnu, *llvm;
} tools[] = {
	{ "CC", "gcc", "clang" },
	{ "LD", "ld", "ld.lld" },
	{ "AR", "ar", "llvm-ar" },
	{ "NM", "nm", "llvm-nm" },
	{ "OBJCOPY", "objcopy", "llvm-objcopy" },
	{ "OBJDUMP", "objdump", "llvm-objdump" },
	{ "READELF", "readelf", "llvm-readelf" },
	{ "STRIP", "strip", "llvm-strip" },
};

#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

/* What arch/$(SRCARCH)/Makefile changes among the variables we derive. */
struct arch_vars {
	char *cross;		/* CROSS_COMPILE it sets, or NULL */
	char *tool[NTOOLS];	/* CC, ..., NM it sets (alpha: "nm -B"), or NULL */
};

static void arch_vars_free(struct arch_vars *av)
{
	size_t i;

	free(av->cross);
	for (i = 0; i < NTOOLS; i++)
		free(av->tool[i]);
}

/*
 * Evaluates arch/$(SRCARCH)/Makefile (see "a small make evaluator") with
 * the top Makefile's toolchain variables (recursive $(CROSS_COMPILE)gcc
 * ..., or the LLVM names when 'llvm') and fills *av.  A CROSS_COMPILE that
 * cannot be evaluated is kept, with a warning; a tool that cannot (6.1's
 * powerpc sets NM from a $(shell ...) test) keeps the top Makefile's value.
 */
static bool mk_cmdline(const void *dv, const char *name)
{
	return from_cmdline(dv, name);
}

static void arch_makefile(struct derive *dv, bool llvm, struct arch_vars *av)
{
	const char *srcarch = kx_env_get(dv->e, "SRCARCH");
	struct kx_mk_input in = { .env = dv->e, .cmdline = mk_cmdline, .ctx = dv };
	char *path, *mk = NULL, *val;
	struct kx_mk *m;
	size_t len, i;

	memset(av, 0, sizeof(*av));
	if (!srcarch)
		return;
	path = kx_xasprintf("arch/%s/Makefile", srcarch);
	if (kx_tree_read(dv->t, path, &mk, &len) < 0)
		mk = NULL;
	free(path);
	if (!mk)
		return;

	m = kx_mk_new(&in);
	if (!from_cmdline(dv, "SUBARCH"))
		kx_mk_seed(m, "SUBARCH", dv->subarch, false);
	if (!from_cmdline(dv, "cross_compiling") && dv->cross_compiling)
		kx_mk_seed(m, "cross_compiling", dv->cross_compiling, false);
	for (i = 0; i < NTOOLS; i++) {
		if (from_cmdline(dv, tools[i].name))
			continue;
		if (llvm) {
			kx_mk_seed(m, tools[i].name,
				   kx_env_get(dv->e, tools[i].name), false);
			continue;
		}
		val = kx_xasprintf("$(CROSS_COMPILE)%s", tools[i].gnu);
		kx_mk_seed(m, tools[i].name, val, true);
		free(val);
	}
	kx_mk_eval(m, mk);

	switch (kx_mk_assigned(m, "CROSS_COMPILE", &av->cross)) {
	case KX_MK_UNKNOWN:
		diag(dv->d, KX_DIAG_WARNING,
		     "arch/%s/Makefile: cannot evaluate how it sets "
		     "CROSS_COMPILE; keeping \"%s\"", srcarch,
		     kx_env_get(dv->e, "CROSS_COMPILE"));
		break;
	case KX_MK_VALUE:
		if (!av->cross)
			diag(dv->d, KX_DIAG_WARNING,
			     "arch/%s/Makefile: cannot evaluate CROSS_COMPILE",
			     srcarch);
		break;
	case KX_MK_UNSET:
		break;
	}
	for (i = 0; i < NTOOLS; i++)
		kx_mk_assigned(m, tools[i].name, &av->tool[i]);
	kx_mk_free(m);
	free(mk);
}

/* ---- derivation ----------------------------------------------------------- */

/* make's $(cross_compiling): command line, top Makefile, environment. */
static char *cross_compiling(struct derive *dv)
{
	const char *v = kx_env_get(dv->e, "cross_compiling");
	const char *srcarch = kx_env_get(dv->e, "SRCARCH");

	if (from_cmdline(dv, "cross_compiling"))
		return kx_xstrdup(v ? v : "");
	/* newer trees compute it in the top Makefile (never 6.1 or 6.12) */
	if (dv->topmk && (strstr(dv->topmk, "cross_compiling :=") ||
			  strstr(dv->topmk, "cross_compiling =")) &&
	    srcarch && strcmp(srcarch, dv->subarch))
		return kx_xstrdup("1");
	return kx_xstrdup(v ? v : "");
}

static void set_defconfig_list(struct derive *dv)
{
	struct kx_env *e = dv->e;
	const char *srcarch = kx_env_get(e, "SRCARCH");
	char *def = NULL, *kmk = NULL;
	struct kx_buf b = KX_BUF_INIT;
	struct utsname u;
	size_t len;
	bool host = true;

	if (!srcarch)
		return;
	kx_tree_read(dv->t, "scripts/kconfig/Makefile", &kmk, &len);
	if (from_cmdline(dv, "KBUILD_DEFCONFIG")) {
		def = kx_xstrdup(kx_env_get(e, "KBUILD_DEFCONFIG"));
	} else {
		def = kbuild_defconfig(e, dv->t, kx_env_get(e, "KBUILD_DEFCONFIG"));
		if (!def)
			goto out;
		kx_env_set(e, "KBUILD_DEFCONFIG", def);
	}
	/*
	 * Before 5.13 the list was a Kconfig symbol ('option defconfig_list'
	 * in init/Kconfig) and make exported no KCONFIG_DEFCONFIG_LIST.
	 */
	if (kmk && !strstr(kmk, "KCONFIG_DEFCONFIG_LIST"))
		goto out;
	/* scripts/kconfig/Makefile: ifndef cross_compiling ... host files */
	if (kmk && strstr(kmk, "ifndef cross_compiling"))
		host = !*dv->cross_compiling;
	if (host && uname(&u) == 0)
		kx_buf_printf(&b, "/lib/modules/%s/.config /etc/kernel-config "
			      "/boot/config-%s ", u.release, u.release);
	kx_buf_printf(&b, "arch/%s/configs/%s", srcarch, def);
	make_set(dv, "KCONFIG_DEFCONFIG_LIST", kx_buf_cstr(&b));
out:
	kx_buf_free(&b);
	free(kmk);
	free(def);
}

/* Sets CC, LD, ... from CROSS_COMPILE or LLVM (prefix/suffix). */
static void set_tools(struct derive *dv, const char *llvm_pre,
		      const char *llvm_suf)
{
	const char *cross = kx_env_get(dv->e, "CROSS_COMPILE");
	size_t i;

	for (i = 0; i < NTOOLS; i++) {
		char *s;

		if (llvm_pre)
			s = kx_xasprintf("%s%s%s", llvm_pre, tools[i].llvm, llvm_suf);
		else
			s = kx_xasprintf("%s%s", cross ? cross : "", tools[i].gnu);
		make_set(dv, tools[i].name, s);
		free(s);
	}
}

/* $(subst $(pound),,$(shell LC_ALL=C $(CC) --version 2>/dev/null | head -n 1)) */
static char *cc_version_text(struct kx_env *e, const char *cache_dir)
{
	char *cmd = kx_xasprintf("LC_ALL=C %s --version 2>/dev/null | head -n 1",
				 kx_env_get(e, "CC"));
	char *s = run_tool(e, cmd, cache_dir);

	free(cmd);
	remove_pound(s);
	return s;
}

/* Applies the command line: every assignment is exported as given. */
static void apply_cmdline(struct derive *dv)
{
	size_t i, n = dv->cl ? kx_env_count(dv->cl) : 0;

	for (i = 0; i < n; i++) {
		const char *name, *value;

		kx_env_at(dv->cl, i, &name, &value);
		kx_env_set(dv->e, name, value);
	}
	if (dv->arch_opt)
		kx_env_set(dv->e, "ARCH", dv->arch_opt);
}

/* Turns the environment into conf's under make; see env.h and the top. */
/*
 * The top Makefile's locale and ARCH part: LC_COLLATE=C LC_NUMERIC=C
 * exported, LC_ALL unexported (a command-line LC_ALL still reaches conf
 * through the sub-make), CONFIG_ unexported (scripts/kconfig/Makefile);
 * SUBARCH := $(shell uname -m | sed ...); ARCH ?= $(SUBARCH); SRCARCH;
 * um's SUBARCH and HEADER_ARCH.
 */
static void derive_arch(struct derive *dv)
{
	struct kx_env *e = dv->e;
	const char *arch;

	make_set(dv, "LC_COLLATE", "C");
	make_set(dv, "LC_NUMERIC", "C");
	if (!from_cmdline(dv, "LC_ALL"))
		kx_env_unset(e, "LC_ALL");
	kx_env_unset(e, "CONFIG_");
	dv->subarch = kx_xstrdup(from_cmdline(dv, "SUBARCH") ?
				 kx_env_get(e, "SUBARCH") : kx_env_host_arch());
	if (!kx_env_get(e, "ARCH"))
		kx_env_set(e, "ARCH", dv->subarch);
	arch = kx_env_get(e, "ARCH");
	if (!*arch)
		diag(dv->d, KX_DIAG_WARNING, "ARCH is set but empty (make would "
		     "fail to find arch//Makefile)");
	make_set(dv, "SRCARCH", kx_env_srcarch(arch));
	if (!strcmp(arch, "um") || kx_env_get(e, "SUBARCH"))
		make_set(dv, "SUBARCH", dv->subarch);
	if (!strcmp(arch, "um")) {
		const char *sub = dv->subarch;

		make_set(dv, "HEADER_ARCH",
			 !strcmp(sub, "x86") || !strcmp(sub, "x86_64") ||
			 !strcmp(sub, "i386") ? "x86" : sub);
	}
}

/*
 * CROSS_COMPILE (only read; exported even when empty), the host compilers
 * (LLVM=1, LLVM=/path/, LLVM=-15), the target tools and the fixed names.
 * *pre and *suf get LLVM's prefix (NULL without LLVM) and suffix.
 */
static void derive_tools(struct derive *dv, const char **pre, const char **suf)
{
	struct kx_env *e = dv->e;
	const char *llvm = kx_env_get(e, "LLVM");
	char *s;

	*pre = NULL;
	*suf = "";
	if (!kx_env_get(e, "CROSS_COMPILE"))
		kx_env_set(e, "CROSS_COMPILE", "");
	if (llvm && *llvm) {
		size_t ll = strlen(llvm);

		*pre = "";
		if (llvm[ll - 1] == '/')
			*pre = llvm;
		else if (llvm[0] == '-')
			*suf = llvm;
		s = kx_xasprintf("%sclang%s", *pre, *suf);
		make_set(dv, "HOSTCC", s);
		free(s);
		s = kx_xasprintf("%sclang++%s", *pre, *suf);
		make_set(dv, "HOSTCXX", s);
		free(s);
	} else {
		make_set(dv, "HOSTCC", "gcc");
		make_set(dv, "HOSTCXX", "g++");
	}
	set_tools(dv, *pre, *suf);
	make_set(dv, "RUSTC", "rustc");
	make_set(dv, "BINDGEN", "bindgen");
	make_set(dv, "PAHOLE", "pahole");
	make_set(dv, "PYTHON3", "python3");
}

/*
 * The top Makefile includes scripts/Makefile.clang (when $(CC_VERSION_TEXT)
 * contains "clang") before the arch Makefile: CLANG_FLAGS uses
 * CROSS_COMPILE as it is before the arch sets it.
 */
static void derive_clang_flags(struct derive *dv, const char *cc_text)
{
	struct kx_env *e = dv->e;
	char *s;

	if (cc_text && strstr(cc_text, "clang") && !from_cmdline(dv, "CLANG_FLAGS")) {
		s = clang_flags(e, dv->t, dv->d);
		if (s)
			kx_env_set(e, "CLANG_FLAGS", s);
		else
			kx_env_unset(e, "CLANG_FLAGS");
		free(s);
	} else if (kx_env_get(e, "CLANG_FLAGS")) {
		make_set(dv, "CLANG_FLAGS", "");	/* CLANG_FLAGS := */
	}
}

/* make_set(NAME, the output of shell command CMD), cached like a probe */
static void set_from_tool(struct derive *dv, const char *name, const char *cmd,
			  bool pound)
{
	char *s = run_tool(dv->e, cmd, dv->tool_cache);

	if (pound)
		remove_pound(s);
	make_set(dv, name, s);
	free(s);
}

/*
 * The version texts the tools print, when tools may run: CC_VERSION_TEXT
 * (expanded with the final $(CC): 'text0' is the text of 'cc0', the CC
 * before the arch Makefile), RUSTC_VERSION_TEXT, and from 6.19 (7.3 has it)
 * PAHOLE_VERSION, the output of scripts/pahole-version.sh $(PAHOLE) ("0"
 * without pahole) for init/Kconfig's 'default "$(PAHOLE_VERSION)"', its
 * logic run inline so that a git tree needs no checkout.
 */
static void derive_version_texts(struct derive *dv, const char *cc0, const char *text0)
{
	struct kx_env *e = dv->e;
	char *cmd;

	if (!from_cmdline(dv, "CC_VERSION_TEXT")) {
		if (!strcmp(cc0, kx_env_get(e, "CC"))) {
			make_set(dv, "CC_VERSION_TEXT", text0);
		} else {
			char *s = cc_version_text(e, dv->tool_cache);

			make_set(dv, "CC_VERSION_TEXT", s);
			free(s);
		}
	}
	if (strstr(dv->topmk, "RUSTC_VERSION_TEXT") &&
	    !from_cmdline(dv, "RUSTC_VERSION_TEXT")) {
		cmd = kx_xasprintf("%s --version 2>/dev/null", kx_env_get(e, "RUSTC"));
		set_from_tool(dv, "RUSTC_VERSION_TEXT", cmd, true);
		free(cmd);
	}
	if (strstr(dv->topmk, "PAHOLE_VERSION = $(shell") &&
	    !from_cmdline(dv, "PAHOLE_VERSION")) {
		const char *ph = kx_env_get(e, "PAHOLE");

		cmd = kx_xasprintf("if [ ! -x \"$(command -v %s)\" ]; then echo 0; "
				   "else %s --version | sed -E 's/v([0-9]+)\\.([0-9]+)/\\1\\2/'; fi",
				   ph, ph);
		set_from_tool(dv, "PAHOLE_VERSION", cmd, false);
		free(cmd);
	}
}

int kx_env_derive(struct kx_env *e, struct kx_tree *t,
		  const struct kx_env_opts *opts, struct kx_diags *d)
{
	struct derive dv;
	const char *pre, *suf, *cc_text;
	const char *srctree = opts ? opts->srctree : NULL;
	bool run_tools = opts && opts->run_tools;
	char *mk = NULL, *s, *cc0 = NULL, *text0 = NULL;
	struct arch_vars av;
	size_t len, i;
	int err = 0;

	memset(&dv, 0, sizeof(dv));
	memset(&av, 0, sizeof(av));
	dv.e = e;
	dv.cl = opts ? opts->cmdline : NULL;
	dv.arch_opt = opts ? opts->arch : NULL;
	dv.tool_cache = opts ? opts->tool_cache_dir : NULL;
	dv.t = t;
	dv.d = d;
	apply_cmdline(&dv);
	derive_arch(&dv);
	if (!srctree && t)
		srctree = kx_tree_disk_root(t);
	if (srctree)
		make_set(&dv, "srctree", srctree);

	if (!t || kx_tree_read(t, "Makefile", &mk, &len) < 0) {
		diag(d, KX_DIAG_ERROR,
		     "%s: no top-level Makefile; cannot derive "
		     "KERNELVERSION and the toolchain variables",
		     t ? kx_tree_describe(t) : "(no tree)");
		err = KX_ENOTFOUND;
		goto out;
	}
	dv.topmk = mk;
	dv.cross_compiling = cross_compiling(&dv);
	s = kernelversion(mk);
	make_set(&dv, "KERNELVERSION", s);
	free(s);
	derive_tools(&dv, &pre, &suf);

	cc0 = kx_xstrdup(kx_env_get(e, "CC"));
	if (run_tools && !from_cmdline(&dv, "CC_VERSION_TEXT")) {
		text0 = cc_version_text(e, dv.tool_cache);
		cc_text = text0;
	} else {
		cc_text = kx_env_get(e, "CC_VERSION_TEXT");
	}
	derive_clang_flags(&dv, cc_text);

	/*
	 * arch/$(SRCARCH)/Makefile may set CROSS_COMPILE (cc-cross-prefix)
	 * and change a tool (alpha: NM := $(NM) -B)
	 */
	arch_makefile(&dv, pre != NULL, &av);
	if (av.cross && strcmp(av.cross, kx_env_get(e, "CROSS_COMPILE"))) {
		kx_env_set(e, "CROSS_COMPILE", av.cross);
		set_tools(&dv, pre, suf);
	}
	for (i = 0; i < NTOOLS; i++)
		if (av.tool[i])
			make_set(&dv, tools[i].name, av.tool[i]);
	if (run_tools)
		derive_version_texts(&dv, cc0, text0);
	set_defconfig_list(&dv);
out:
	free(dv.subarch);
	free(dv.cross_compiling);
	free(cc0);
	free(text0);
	arch_vars_free(&av);
	free(mk);
	return err;
}
