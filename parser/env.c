// SPDX-License-Identifier: MIT
/*
 * env.c - the environment Kconfig sees: an ordered NAME=VALUE map
 * (insertion order; kx_env_set on an existing name replaces the value in
 * place) with a cached execve() vector, the kernel's architecture names,
 * and `command -v` in the map's PATH.  How make derives the environment it
 * gives conf is kbuild.c.
 */
#include "parser/env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/util.h"

struct kx_env {
	char **names;
	char **values;
	size_t n, cap;
	char **vec;		/* cached "NAME=VALUE" vector, or NULL */
	unsigned long gen;	/* changes whenever a variable does */
};

static void drop_vector(struct kx_env *e)
{
	size_t i;

	e->gen++;
	if (!e->vec)
		return;
	for (i = 0; e->vec[i]; i++)
		free(e->vec[i]);
	free(e->vec);
	e->vec = NULL;
}

static long env_find(const struct kx_env *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (!strcmp(e->names[i], name))
			return (long)i;
	return -1;
}

/* Returns a new, empty environment (free with kx_env_free). */
struct kx_env *kx_env_new(void)
{
	return kx_xcalloc(1, sizeof(struct kx_env));
}

/* Frees the environment and every string it owns. */
void kx_env_free(struct kx_env *e)
{
	size_t i;

	if (!e)
		return;
	drop_vector(e);
	for (i = 0; i < e->n; i++) {
		free(e->names[i]);
		free(e->values[i]);
	}
	free(e->names);
	free(e->values);
	free(e);
}

/*
 * Copies NAME=VALUE entries; entries without '=' are skipped, and for a
 * name given twice the first wins, as getenv() would see it.
 */
void kx_env_import(struct kx_env *e, char *const *vec)
{
	size_t i, j;

	for (i = 0; vec && vec[i]; i++) {
		const char *eq = strchr(vec[i], '=');
		size_t len;
		char *name;
		bool dup = false;

		if (!eq || eq == vec[i])
			continue;
		len = eq - vec[i];
		for (j = 0; j < i && !dup; j++)
			dup = !strncmp(vec[j], vec[i], len + 1);
		if (dup)
			continue;
		name = kx_xstrndup(vec[i], len);
		kx_env_set(e, name, eq + 1);
		free(name);
	}
}

/* Value of 'name' or NULL; owned by the env. */
const char *kx_env_get(const struct kx_env *e, const char *name)
{
	long i = env_find(e, name);

	return i < 0 ? NULL : e->values[i];
}

/* Sets name=value (copies), replacing an earlier value in place. */
void kx_env_set(struct kx_env *e, const char *name, const char *value)
{
	long i = env_find(e, name);
	char *v = kx_xstrdup(value);

	drop_vector(e);
	if (i >= 0) {
		free(e->values[i]);
		e->values[i] = v;
		return;
	}
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 32;
		e->names = kx_xrealloc(e->names, e->cap * sizeof(char *));
		e->values = kx_xrealloc(e->values, e->cap * sizeof(char *));
	}
	e->names[e->n] = kx_xstrdup(name);
	e->values[e->n] = v;
	e->n++;
}

/* Removes 'name' (keeps the order of the others). */
void kx_env_unset(struct kx_env *e, const char *name)
{
	long i = env_find(e, name);

	if (i < 0)
		return;
	drop_vector(e);
	free(e->names[i]);
	free(e->values[i]);
	memmove(e->names + i, e->names + i + 1, (e->n - i - 1) * sizeof(char *));
	memmove(e->values + i, e->values + i + 1,
		(e->n - i - 1) * sizeof(char *));
	e->n--;
}

/* NULL-terminated NAME=VALUE vector, owned by the env, valid until changed. */
char *const *kx_env_vector(struct kx_env *e)
{
	size_t i;

	if (e->vec)
		return e->vec;
	e->vec = kx_xcalloc(e->n + 1, sizeof(char *));
	for (i = 0; i < e->n; i++)
		e->vec[i] = kx_xasprintf("%s=%s", e->names[i], e->values[i]);
	return e->vec;
}

unsigned long kx_env_generation(const struct kx_env *e)
{
	return e->gen;
}

/* Number of variables. */
size_t kx_env_count(const struct kx_env *e)
{
	return e->n;
}

/* The i-th variable in insertion order; strings owned by the env. */
void kx_env_at(const struct kx_env *e, size_t i, const char **name,
	       const char **value)
{
	*name = e->names[i];
	*value = e->values[i];
}

/* ---- architecture names ---------------------------------------------------- */

/* SRCARCH for a user ARCH (static string or 'arch' itself). */
const char *kx_env_srcarch(const char *arch)
{
	static const struct { const char *arch, *src; } map[] = {
		{ "i386", "x86" },	{ "x86_64", "x86" },
		{ "sparc32", "sparc" },	{ "sparc64", "sparc" },
		{ "parisc64", "parisc" }, { "sh64", "sh" },
		{ "tilepro", "tile" },	{ "tilegx", "tile" },
	};
	size_t i;

	if (!arch)
		return NULL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(arch, map[i].arch))
			return map[i].src;
	return arch;
}

/*
 * Applies one sed "s/PAT/REPL/" of subarch.include, where PAT is either a
 * literal with '.' wildcards or such a literal followed by ".*".
 */
static void sed_sub(char *s, size_t size, const char *pat, const char *repl)
{
	size_t plen = strlen(pat), slen = strlen(s), i, k;
	bool to_end = plen >= 2 && !strcmp(pat + plen - 2, ".*");
	char tmp[128];

	if (to_end)
		plen -= 2;
	for (i = 0; i + plen <= slen; i++) {
		for (k = 0; k < plen; k++)
			if (pat[k] != '.' && pat[k] != s[i + k])
				break;
		if (k < plen)
			continue;
		snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)i, s, repl,
			 to_end ? "" : s + i + plen);
		snprintf(s, size, "%s", tmp);
		return;
	}
}

/* subarch.include's sed (6.12 form) applied to a uname -m string. */
static void subarch_of(char *m, size_t size)
{
	sed_sub(m, size, "i.86", "x86");
	sed_sub(m, size, "x86_64", "x86");
	sed_sub(m, size, "sun4u", "sparc64");
	if (strcmp(m, "arm64"))
		sed_sub(m, size, "arm.*", "arm");
	sed_sub(m, size, "sa110", "arm");
	sed_sub(m, size, "s390x", "s390");
	sed_sub(m, size, "ppc.*", "powerpc");
	sed_sub(m, size, "mips.*", "mips");
	sed_sub(m, size, "sh2.*", "sh");
	sed_sub(m, size, "sh3.*", "sh");
	sed_sub(m, size, "sh4.*", "sh");
	sed_sub(m, size, "aarch64.*", "arm64");
	sed_sub(m, size, "riscv.*", "riscv");
	sed_sub(m, size, "loongarch.*", "loongarch");
}

/*
 * The host's SUBARCH ("x86" on x86_64 and i?86 hosts), which is make's
 * default ARCH.  Returns a per-thread buffer, valid until the next call
 * in the same thread.
 */
const char *kx_env_host_arch(void)
{
	static _Thread_local char buf[128];
	struct utsname u;

	if (uname(&u) < 0)
		return "";
	snprintf(buf, sizeof(buf), "%s", u.machine);
	subarch_of(buf, sizeof(buf));
	return buf;
}

/* ---- PATH lookup ------------------------------------------------------- */

/* An executable regular file? */
static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

char *kx_env_which_in(const struct kx_env *e, const char *prog, const char *cwd)
{
	const char *path = kx_env_get(e, "PATH"), *p, *end;

	if (!*prog)
		return NULL;
	if (strchr(prog, '/'))
		return is_exec_file(prog) ? kx_xstrdup(prog) : NULL;
	if (!path)
		return NULL;
	for (p = path;; p = end + 1) {
		char *cand;
		int n;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		n = (int)(end - p);
		if (cwd && (!n || p[0] != '/'))
			cand = kx_xasprintf("%s/%.*s/%s", cwd, n ? n : 1, n ? p : ".", prog);
		else
			cand = kx_xasprintf("%.*s%s%s", n, p, n ? "/" : "", prog);
		if (is_exec_file(cand))
			return cand;
		free(cand);
		if (!*end)
			return NULL;
	}
}

char *kx_env_which(const struct kx_env *e, const char *prog)
{
	return kx_env_which_in(e, prog, NULL);
}
