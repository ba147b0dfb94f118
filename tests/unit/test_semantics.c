// SPDX-License-Identifier: MIT
/*
 * test_semantics.c - the evaluator, the loader and the conf drop-in against
 * the outputs of each release's own conf.
 *
 * Every case under tests/fixtures/semantics/<case>/ is a small Kconfig
 * exercising one rule (tristate arithmetic, select, choices, menus, and one
 * case per Kconfig rule that changed between releases: docs/KCONFIG-RULES.md).
 * The expected outputs in expected/<release>/ were produced by the conf of
 * Linux 5.10, 6.1, 6.12 and 7.3 with scripts/semantics-golden.sh (the file
 * formats and the per-case files versions, env, cli are described there).
 *
 * Here, for every case and release:
 *  - the library runs the modes conf's main() runs (alldefconfig,
 *    allnoconfig, allyesconfig, allmodconfig, olddefconfig of input.config,
 *    savedefconfig) in a temporary directory: load, read, set, write the
 *    .config and auto.conf; the .config (or defconfig) must equal conf's,
 *    and the diagnostics (load errors and warnings in conf's words, read
 *    warnings, unmet dependencies, "exit N" where conf stops) must equal
 *    what conf printed on stderr;
 *  - a 'cli' entry that is --syncconfig is also run through the library
 *    (kx_conf_read, kx_conf_write, kx_conf_write_autoconf): auto.conf,
 *    auto.conf.cmd, autoconf.h, rustc_cfg and the touch files must be conf's;
 *  - every 'cli' entry is run with the built program as conf
 *    ($KX_TEST_PROGRAM conf ..., which `make check-unit` exports) with the
 *    golden script's environment; stdout, stderr and every file must match.
 *
 * The rules of a release are those its tree's own sources show
 * (kx_semantics_detect on the cached tree, as the golden script gives the
 * drop-in KX_KCONFIG_RULES_FROM): Debian's trees carry backports.  Without
 * the cached tree the release number decides, and a case that lists the
 * release in its 'needs-sources' file is skipped for it, loudly.
 *
 * All differences are listed before the test fails, one "MISMATCH" block
 * each, so that one run shows every case that conf and kxen-config
 * disagree on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyzer/eval.h"
#include "helpers/fixture.h"
#include "parser/semantics.h"

#define FIXTURES "tests/fixtures/semantics"

static const char *const releases[] = { "5.10", "6.1", "6.12", "7.3", NULL };

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len;

	if (kx_read_file(&data, &len, path) < 0)
		return NULL;
	return data;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* s with every 'from' replaced by 'to' (malloc'd) */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct kx_buf b = KX_BUF_INIT;
	size_t n = strlen(from);
	const char *p;

	if (!n)
		return kx_xstrdup(s);
	while ((p = strstr(s, from))) {
		kx_buf_add(&b, s, (size_t)(p - s));
		kx_buf_puts(&b, to);
		s = p + n;
	}
	kx_buf_puts(&b, s);
	return kx_buf_detach(&b);
}

static char *replace_free(char *s, const char *from, const char *to)
{
	char *r = replace_all(s, from, to);

	free(s);
	return r;
}

/* ---- the rules of a release ------------------------------------------- */

/* the cached Debian tree of a release (fetch-trees.sh), or NULL */
static char *cached_tree(const char *release)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir, *conf;
	struct stat st;

	if (xdg && *xdg)
		dir = kx_xasprintf("%s/kxen-config/src/linux-source-%s", xdg, release);
	else if (home)
		dir = kx_xasprintf("%s/.cache/kxen-config/src/linux-source-%s", home, release);
	else
		return NULL;
	conf = kx_xasprintf("%s/scripts/kconfig/conf.c", dir);
	if (stat(conf, &st)) {
		free(dir);
		dir = NULL;
	}
	free(conf);
	return dir;
}

/* The rules of 'release' as its own conf has them; false: from the number */
static bool release_rules(const char *release, struct kx_semantics *sem)
{
	int major = 0, minor = 0;
	char *dir = cached_tree(release);
	struct kx_tree *tree = NULL;
	bool from_sources = false;

	assert_int_equal(kx_parse_kernelversion(release, &major, &minor), 0);
	kx_semantics_for_version(sem, major, minor);
	if (dir && kx_tree_open_dir(&tree, dir) == 0)
		from_sources = kx_semantics_detect(sem, tree) == KX_R_COUNT;
	kx_tree_free(tree);
	free(dir);
	return from_sources;
}

/* ---- a case -------------------------------------------------------------- */

struct kase {
	const char *name;
	char *dir;			/* absolute */
	struct fx_file *files;		/* the tree: Kconfig and what it sources */
	size_t nfiles;
	char **env;			/* NAME, VALUE, ..., NULL (the env file) */
	char *input;			/* input.config or NULL */
	char *cli;			/* the cli file or NULL */
};

static const char *const not_tree[] = {
	"expected", "versions", "env", "cli", "needs-sources", "input.config",
};

static void add_files(struct kase *k, const char *rel)
{
	char *path = rel[0] ? kx_xasprintf("%s/%s", k->dir, rel) : kx_xstrdup(k->dir);
	struct dirent **names = NULL;
	int n = scandir(path, &names, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		const char *e = names[i]->d_name;
		char *sub = rel[0] ? kx_xasprintf("%s/%s", rel, e) : kx_xstrdup(e);
		char *full = kx_xasprintf("%s/%s", k->dir, sub);
		struct stat st;
		bool skip = e[0] == '.';

		for (size_t j = 0; !rel[0] && j < sizeof(not_tree) / sizeof(not_tree[0]); j++)
			skip = skip || !strcmp(e, not_tree[j]);
		if (!skip && stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			add_files(k, sub);
		} else if (!skip) {
			k->files = realloc(k->files, (k->nfiles + 2) * sizeof(*k->files));
			assert_non_null(k->files);
			k->files[k->nfiles].path = kx_xstrdup(sub);
			k->files[k->nfiles].text = slurp(full);
			assert_non_null(k->files[k->nfiles].text);
			k->nfiles++;
			k->files[k->nfiles].path = NULL;
			k->files[k->nfiles].text = NULL;
		}
		free(full);
		free(sub);
		free(names[i]);
	}
	free(names);
	free(path);
}

static void case_open(struct kase *k, const char *name)
{
	char cwd[4096], *path, *env;
	size_t n = 0;

	memset(k, 0, sizeof(*k));
	k->name = name;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	k->dir = kx_xasprintf("%s/" FIXTURES "/%s", cwd, name);
	add_files(k, "");
	path = kx_xasprintf("%s/input.config", k->dir);
	k->input = slurp(path);
	free(path);
	path = kx_xasprintf("%s/cli", k->dir);
	k->cli = slurp(path);
	free(path);
	path = kx_xasprintf("%s/env", k->dir);
	env = slurp(path);
	free(path);
	k->env = calloc(1, sizeof(char *));
	for (char *save = NULL, *l = env ? strtok_r(env, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');

		if (l[0] == '#' || !eq)
			continue;
		k->env = realloc(k->env, (n + 3) * sizeof(char *));
		k->env[n++] = kx_xasprintf("%.*s", (int)(eq - l), l);
		k->env[n++] = kx_xstrdup(eq + 1);
		k->env[n] = NULL;
	}
	free(env);
}

static void case_close(struct kase *k)
{
	for (size_t i = 0; i < k->nfiles; i++) {
		free((char *)k->files[i].path);
		free((char *)k->files[i].text);
	}
	for (char **e = k->env; *e; e++)
		free(*e);
	free(k->env);
	free(k->files);
	free(k->input);
	free(k->cli);
	free(k->dir);
}

/* whether the case's file 'file' (absent: 'dflt') lists 'release' */
static bool case_lists(const struct kase *k, const char *file, const char *release,
		       bool dflt)
{
	char *path = kx_xasprintf("%s/%s", k->dir, file);
	char *text = slurp(path);
	bool found = dflt;

	if (text) {
		found = false;
		for (char *save = NULL, *w = strtok_r(text, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save))
			found = found || !strcmp(w, release);
	}
	free(text);
	free(path);
	return found;
}

static char *golden(const struct kase *k, const char *release, const char *file)
{
	char *path = kx_xasprintf("%s/expected/%s/%s", k->dir, release, file);
	char *text = slurp(path);

	free(path);
	return text;
}

/* ---- differences ---------------------------------------------------------- */

static int mismatches, compared;
static struct kx_buf summary = KX_BUF_INIT;

/* 'got' must be the golden file; a difference is shown and counted */
static void expect(const struct kase *k, const char *release, const char *file,
		   const char *how, const char *got)
{
	char *want = golden(k, release, file);

	compared++;
	if (want && !strcmp(want, got)) {
		free(want);
		return;
	}
	mismatches++;
	kx_buf_printf(&summary, "  %s %s %s (%s)\n", k->name, release, file, how);
	fprintf(stderr, "MISMATCH %s %s %s (%s)\n--- conf\n%s--- kxen-config\n%s---\n",
		k->name, release, file, how, want ? want : "(no golden file)\n", got);
	free(want);
}

/* ---- the library: conf's main() for one mode ------------------------------ */

static void setenv_pairs(char *const *env, bool set)
{
	for (; env && env[0]; env += 2) {
		if (set)
			setenv(env[0], env[1], 1);
		else
			unsetenv(env[0]);
	}
}

static char *mkrundir(void)
{
	char tmpl[] = "/tmp/kx-sem-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return kx_xstrdup(tmpl);
}

static void rmrf(const char *dir)
{
	assert_int_equal(fx_remove_dir(dir), 0);
}

/* loads the case as 'release' with 'sem'; the confio from the environment */
static int load(struct fx *fx, const struct kase *k, const char *release,
		const struct kx_semantics *sem)
{
	char *kv = kx_xasprintf("%s.0", release);
	int err;

	fx_next_env = (const char *const *)k->env;
	fx_next_sem = sem;
	err = fx_load(fx, kv, k->files);
	free(kv);
	if (fx->kc) {
		/* KCONFIG_* as conf sees them: the process environment, which
		 * each case sets (setenv_pairs) */
		kx_env_import(fx->env, environ);
		kx_confio_init(&fx->io, fx->kc, fx->env);
		fx->io.message = NULL;
	}
	return err;
}

/* the diagnostics as conf prints them, with "exit N" when it stops */
static char *diags_text(struct fx *fx, int code)
{
	char *t = fx_diags_text(fx), *r;

	if (!code)
		return replace_free(t, fx->dir, "@SRCTREE@");
	r = kx_xasprintf("%sexit %d\n", t, code);
	free(t);
	return replace_free(r, fx->dir, "@SRCTREE@");
}

static bool werror(struct fx *fx)
{
	return KX_SEM(fx->kc, WERROR) && getenv("KCONFIG_WERROR");
}

static const struct {
	const char *mode;
	enum kx_def_mode def;
} all_modes[] = {
	{ "alldefconfig", KX_DEF_DEFAULT },
	{ "allnoconfig", KX_DEF_NO },
	{ "allyesconfig", KX_DEF_YES },
	{ "allmodconfig", KX_DEF_MOD },
	{ "olddefconfig", 0 },
	{ "savedefconfig", 0 },
};

/*
 * One mode as conf's main() runs it, in a fresh directory holding 'config'
 * (NULL: none) as .config: read, set, write .config (and auto.conf when
 * missing) or the defconfig.
 */
static void lib_mode(const struct kase *k, const char *release,
		     const struct kx_semantics *sem, size_t m, const char *config)
{
	const char *mode = all_modes[m].mode;
	char *run = mkrundir(), *out = NULL, *err, *file, *path;
	char cwd[4096];
	int code = 0;
	struct fx fx;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(run), 0);
	if (config)
		spit(".config", config);
	if (load(&fx, k, release, sem)) {
		code = 1;
		goto done;
	}
	if (m >= 4) {
		kx_conf_read(&fx.io, NULL);
		if (fx.io.warnings && werror(&fx)) {
			code = 1;
			goto done;
		}
	} else {
		kx_conf_set_all_new_symbols(fx.kc, all_modes[m].def, NULL, 0, 0, 0);
	}
	if (fx.kc->sym_warnings && werror(&fx)) {
		code = 1;
		goto done;
	}
	if (!strcmp(mode, "savedefconfig")) {
		assert_int_equal(kx_conf_write_defconfig(&fx.io, "defconfig"), 0);
	} else {
		assert_int_equal(kx_conf_write(&fx.io, NULL), 0);
		assert_int_equal(kx_conf_write_autoconf(&fx.io, false), 0);
	}
done:
	err = diags_text(&fx, code);
	if (!code) {
		out = slurp(!strcmp(mode, "savedefconfig") ? "defconfig" : ".config");
		assert_non_null(out);
	} else {
		/* conf stopped before writing: the .config is the one given */
		out = kx_xstrdup(config && strcmp(mode, "savedefconfig") ? config : "");
	}
	assert_int_equal(chdir(cwd), 0);
	file = kx_xasprintf("%s.config", mode);
	expect(k, release, file, "library", out);
	free(file);
	file = kx_xasprintf("%s.stderr", mode);
	path = replace_all(err, run, "@OBJTREE@");
	expect(k, release, file, "library diagnostics", path);
	free(path);
	free(file);
	free(err);
	free(out);
	fx_free(&fx);
	rmrf(run);
	free(run);
}

static void lib_modes(const struct kase *k, const char *release,
		      const struct kx_semantics *sem)
{
	char *src;

	for (size_t m = 0; m < 4; m++)
		lib_mode(k, release, sem, m, NULL);
	if (k->input)
		lib_mode(k, release, sem, 4, k->input);
	/* savedefconfig of what conf wrote (olddefconfig, else alldefconfig) */
	src = golden(k, release, k->input ? "olddefconfig.config" : "alldefconfig.config");
	if (src)
		lib_mode(k, release, sem, 5, src[0] ? src : NULL);
	free(src);
}

/* ---- the outputs of a run directory -------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* every regular file under 'dir' (relative paths, sorted by bytes) */
static void list_files(const char *dir, const char *rel, char ***v, size_t *n)
{
	char *path = rel[0] ? kx_xasprintf("%s/%s", dir, rel) : kx_xstrdup(dir);
	DIR *d = opendir(path);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *sub, *full;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = rel[0] ? kx_xasprintf("%s/%s", rel, e->d_name) : kx_xstrdup(e->d_name);
		full = kx_xasprintf("%s/%s", dir, sub);
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			list_files(dir, sub, v, n);
			free(sub);
		} else if (S_ISREG(st.st_mode)) {
			*v = realloc(*v, (*n + 1) * sizeof(char *));
			(*v)[(*n)++] = sub;
		} else {
			free(sub);
		}
		free(full);
	}
	closedir(d);
	free(path);
}

/*
 * Compares what a cli entry 'name' left in 'run' with the goldens
 * NAME.files and NAME.<file> (as semantics-golden.sh saves them); every
 * golden NAME.* file must have been produced, except those in 'skip'
 * (suffixes the caller compares itself or cannot produce).
 */
static void expect_run_files(const struct kase *k, const char *release, const char *name,
			     const char *run, const char *how, const char *const *skip,
			     const char *tool)
{
	char **v = NULL, *golden_dir, *prefix;
	size_t n = 0;
	struct kx_buf list = KX_BUF_INIT;
	struct dirent **names = NULL;
	int ng;
	struct kx_buf made = KX_BUF_INIT;

	list_files(run, "", &v, &n);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *full = kx_xasprintf("%s/%s", run, v[i]);
		char *data = slurp(full), *flat, *file, *norm;
		struct stat st;
		bool touch = !strncmp(v[i], "include/config/", 15) &&
			     stat(full, &st) == 0 && st.st_size == 0;

		kx_buf_printf(&list, "%s\n", v[i]);
		if (!touch) {
			flat = replace_all(v[i][0] == '.' ? v[i] + 1 : v[i], "/", "_");
			file = kx_xasprintf("%s.%s", name, flat);
			norm = replace_all(data ? data : "", run, "@OBJTREE@");
			norm = replace_free(norm, k->dir, "@SRCTREE@");
			if (tool)
				norm = replace_free(norm, tool, "conf");
			norm = replace_free(norm, "kxen-config conf", "conf");
			expect(k, release, file, how, norm);
			kx_buf_printf(&made, "|%s|", file);
			free(norm);
			free(file);
			free(flat);
		}
		free(data);
		free(full);
		free(v[i]);
	}
	free(v);
	prefix = kx_xasprintf("%s.files", name);
	expect(k, release, prefix, how, kx_buf_cstr(&list));
	free(prefix);
	/* goldens this run did not produce */
	golden_dir = kx_xasprintf("%s/expected/%s", k->dir, release);
	prefix = kx_xasprintf("%s.", name);
	ng = scandir(golden_dir, &names, NULL, alphasort);
	for (int i = 0; i < ng; i++) {
		const char *f = names[i]->d_name;
		char *bar = kx_xasprintf("|%s|", f);
		bool ours = !strncmp(f, prefix, strlen(prefix));
		bool skipped = !ours || !strcmp(f + strlen(prefix), "files");

		for (const char *const *s = skip; ours && s && *s; s++)
			skipped = skipped || !strcmp(f + strlen(prefix), *s);
		if (!skipped && !strstr(kx_buf_cstr(&made), bar)) {
			char *msg = kx_xasprintf("%s: not produced", how);

			expect(k, release, f, msg, "(not produced)\n");
			free(msg);
		}
		free(bar);
		free(names[i]);
	}
	free(names);
	free(prefix);
	free(golden_dir);
	kx_buf_free(&list);
	kx_buf_free(&made);
}

/* ---- cli entries ------------------------------------------------------------ */

struct cli_entry {
	char *name;
	bool noconfig;
	char *config;			/* case file to use as .config */
	char **env;			/* @env: NAME, VALUE, ..., NULL */
	char **args;			/* NULL-terminated */
};

static void cli_free(struct cli_entry *c)
{
	free(c->name);
	free(c->config);
	for (char **e = c->env; e && *e; e++)
		free(*e);
	free(c->env);
	for (char **a = c->args; a && *a; a++)
		free(*a);
	free(c->args);
}

static bool cli_parse(const char *line, struct cli_entry *c)
{
	char *copy = kx_xstrdup(line), *save = NULL, *w;
	size_t ne = 0, na = 0;

	memset(c, 0, sizeof(*c));
	w = strtok_r(copy, " \t", &save);
	if (!w || w[0] == '#') {
		free(copy);
		return false;
	}
	c->name = kx_xstrdup(w);
	c->env = calloc(1, sizeof(char *));
	c->args = calloc(1, sizeof(char *));
	while ((w = strtok_r(NULL, " \t", &save))) {
		if (!na && !strcmp(w, "@noconfig")) {
			c->noconfig = true;
		} else if (!na && !strncmp(w, "@config=", 8)) {
			free(c->config);
			c->config = kx_xstrdup(w + 8);
		} else if (!na && !strncmp(w, "@env=", 5) && strchr(w + 5, '=')) {
			char *eq = strchr(w + 5, '=');

			c->env = realloc(c->env, (ne + 3) * sizeof(char *));
			c->env[ne++] = kx_xasprintf("%.*s", (int)(eq - w - 5), w + 5);
			c->env[ne++] = kx_xstrdup(eq + 1);
			c->env[ne] = NULL;
		} else {
			c->args = realloc(c->args, (na + 2) * sizeof(char *));
			c->args[na++] = kx_xstrdup(w);
			c->args[na] = NULL;
		}
	}
	free(copy);
	return true;
}

/* the .config the entry starts from (malloc'd) or NULL */
static char *cli_config(const struct kase *k, const struct cli_entry *c)
{
	char *path, *text;

	if (c->noconfig)
		return NULL;
	if (!c->config)
		return k->input ? kx_xstrdup(k->input) : NULL;
	path = kx_xasprintf("%s/%s", k->dir, c->config);
	text = slurp(path);
	free(path);
	return text;
}

/* 'a' quoted for sh */
static void shq(struct kx_buf *b, const char *a)
{
	kx_buf_putc(b, '\'');
	for (; *a; a++) {
		if (*a == '\'')
			kx_buf_puts(b, "'\\''");
		else
			kx_buf_putc(b, *a);
	}
	kx_buf_puts(b, "' ");
}

/* NAME.stdout and NAME.stderr: compared by their runners */
static const char *const std_files[] = { "stdout", "stderr", NULL };

/* the built program as conf, as semantics-golden.sh --candidate runs it */
static void program_run(const struct kase *k, const char *release, const struct cli_entry *c,
			const char *prog)
{
	char *base = mkrundir(), *run = kx_xasprintf("%s/run", base);
	char *config = cli_config(k, c), *tree = cached_tree(release), *kv, *tool;
	char *out_path = kx_xasprintf("%s.stdout", run), *err_path = kx_xasprintf("%s.stderr", run);
	struct kx_buf cmd = KX_BUF_INIT;
	char *text, *file;
	int st;

	assert_int_equal(mkdir(run, 0755), 0);
	if (config) {
		char *p = kx_xasprintf("%s/.config", run);

		spit(p, config);
		free(p);
	}
	kx_buf_puts(&cmd, "cd ");
	shq(&cmd, run);
	kx_buf_puts(&cmd, "&& exec env -i PATH=/usr/bin:/bin ");
	text = kx_xasprintf("srctree=%s", k->dir);
	shq(&cmd, text);
	free(text);
	kv = kx_xasprintf("KERNELVERSION=%s.0", release);
	shq(&cmd, kv);
	free(kv);
	text = kx_xasprintf("HOME=%s", getenv("HOME") ? getenv("HOME") : "/root");
	shq(&cmd, text);
	free(text);
	if (tree) {
		text = kx_xasprintf("KX_KCONFIG_RULES_FROM=%s", tree);
		shq(&cmd, text);
		free(text);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (char **e = pass ? c->env : k->env; e && *e; e += 2) {
			text = kx_xasprintf("%s=%s", e[0], e[1]);
			shq(&cmd, text);
			free(text);
		}
	}
	kx_buf_puts(&cmd, "timeout 20 ");
	shq(&cmd, prog);
	kx_buf_puts(&cmd, "conf ");
	for (char **a = c->args; *a; a++)
		shq(&cmd, *a);
	kx_buf_puts(&cmd, "Kconfig </dev/null >");
	shq(&cmd, out_path);
	kx_buf_puts(&cmd, "2>");
	shq(&cmd, err_path);
	st = system(kx_buf_cstr(&cmd));
	assert_true(st != -1 && WIFEXITED(st));
	if (WEXITSTATUS(st)) {
		FILE *f = fopen(err_path, "a");

		assert_non_null(f);
		fprintf(f, "exit %d\n", WEXITSTATUS(st));
		fclose(f);
	}
	tool = kx_xasprintf("%s conf", prog);
	for (int i = 0; i < 2; i++) {
		text = slurp(i ? err_path : out_path);
		assert_non_null(text);
		text = replace_free(text, run, "@OBJTREE@");
		text = replace_free(text, k->dir, "@SRCTREE@");
		text = replace_free(text, tool, "conf");
		text = replace_free(text, "kxen-config conf", "conf");
		file = kx_xasprintf("%s.%s", c->name, i ? "stderr" : "stdout");
		expect(k, release, file, "program", text);
		free(file);
		free(text);
	}
	expect_run_files(k, release, c->name, run, "program", std_files, tool);
	free(tool);
	kx_buf_free(&cmd);
	free(out_path);
	free(err_path);
	free(tree);
	free(config);
	rmrf(base);
	free(base);
	free(run);
}

/* a --syncconfig entry through the library: read, write, write_autoconf */
static void lib_syncconfig(const struct kase *k, const char *release,
			   const struct kx_semantics *sem, const struct cli_entry *c)
{
	char *run = mkrundir(), *config = cli_config(k, c), *err, *norm;
	char cwd[4096];
	int code = 0;
	struct fx fx;

	setenv_pairs(c->env, true);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(run), 0);
	if (config)
		spit(".config", config);
	if (load(&fx, k, release, sem)) {
		code = 1;
	} else {
		kx_conf_read(&fx.io, NULL);
		if ((fx.io.warnings || fx.kc->sym_warnings) && werror(&fx))
			code = 1;
		else if (kx_conf_write(&fx.io, NULL) || kx_conf_write_autoconf(&fx.io, true))
			code = 1;
	}
	err = diags_text(&fx, code);
	assert_int_equal(chdir(cwd), 0);
	setenv_pairs(c->env, false);
	setenv_pairs(k->env, true);	/* one @env may have shadowed the case's */
	norm = replace_all(err, run, "@OBJTREE@");
	/* conf also prints on stderr what it asks about (none here) */
	{
		char *file = kx_xasprintf("%s.stderr", c->name);

		expect(k, release, file, "library diagnostics", norm);
		free(file);
	}
	expect_run_files(k, release, c->name, run, "library", std_files, NULL);
	free(norm);
	free(err);
	fx_free(&fx);
	free(config);
	rmrf(run);
	free(run);
}

static void cli_entries(const struct kase *k, const char *release,
			const struct kx_semantics *sem, const char *prog)
{
	char *text, *save = NULL;

	if (!k->cli)
		return;
	text = kx_xstrdup(k->cli);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct cli_entry c;

		if (!cli_parse(l, &c))
			continue;
		if (c.args[0] && !strcmp(c.args[0], "--syncconfig") && !c.args[1])
			lib_syncconfig(k, release, sem, &c);
		if (prog)
			program_run(k, release, &c, prog);
		cli_free(&c);
	}
	free(text);
}

/* ---- the tests -------------------------------------------------------------- */

static void test_semantics__every_case_matches_conf(void **state)
{
	struct dirent **names = NULL;
	int n = scandir(FIXTURES, &names, NULL, alphasort), ran = 0, skipped = 0;
	const char *prog = getenv("KX_TEST_PROGRAM");
	struct kx_semantics sem[4];
	bool from_sources[4];

	(void)state;
	assert_true(n > 0);
	for (int r = 0; releases[r]; r++) {
		from_sources[r] = release_rules(releases[r], &sem[r]);
		if (!from_sources[r])
			fprintf(stderr, "NOTE: no cached tree of %s (scripts/fetch-trees.sh): its "
				"rules from the release number; cases needing its sources "
				"are skipped\n", releases[r]);
	}
	if (!prog || !*prog)
		fprintf(stderr, "SKIP (part): KX_TEST_PROGRAM unset, the cli entries are "
			"not run with the program (make check-unit sets it)\n");
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct kase k;

		if (name[0] == '.') {
			free(names[i]);
			continue;
		}
		case_open(&k, name);
		setenv_pairs(k.env, true);
		for (int r = 0; releases[r]; r++) {
			if (!case_lists(&k, "versions", releases[r], true))
				continue;
			if (!from_sources[r] && case_lists(&k, "needs-sources", releases[r], false)) {
				fprintf(stderr, "SKIP (part): %s %s needs the tree's sources\n",
					name, releases[r]);
				skipped++;
				continue;
			}
			lib_modes(&k, releases[r], &sem[r]);
			cli_entries(&k, releases[r], &sem[r], prog && *prog ? prog : NULL);
			ran++;
		}
		setenv_pairs(k.env, false);
		case_close(&k);
		free(names[i]);
	}
	free(names);
	fprintf(stderr, "%d case/release pairs (%d skipped), %d outputs compared, "
		"%d differ from conf\n", ran, skipped, compared, mismatches);
	if (mismatches)
		fprintf(stderr, "differences:\n%s", kx_buf_cstr(&summary));
	kx_buf_free(&summary);
	assert_true(ran >= 150);
	assert_int_equal(mismatches, 0);
}

/* a couple of rules spelled out, so a failure names the rule */

static int load_named(struct fx *fx, const char *name, const char *ver)
{
	char *path = kx_xasprintf(FIXTURES "/%s/Kconfig", name);
	char *text = slurp(path);
	int err;

	free(path);
	assert_non_null(text);
	err = fx_load1(fx, ver, text);
	free(text);
	return err;
}

static void test_semantics__bool_promotes_m_to_y(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(load_named(&fx, "tristate_modules", "6.12"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "TRI_A"), "m");
	assert_string_equal(fx_value(&fx, "BOOL_FROM_M"), "y");
	fx_free(&fx);
}

static void test_semantics__select_overrides_unmet_dependency(void **state)
{
	struct fx fx;
	char *diags;

	(void)state;
	assert_int_equal(load_named(&fx, "select_unmet", "6.12"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "TARGET"), "y");
	diags = fx_diags_text(&fx);
	assert_non_null(strstr(diags, "WARNING: unmet direct dependencies detected for TARGET"));
	free(diags);
	fx_free(&fx);
}

static void test_semantics__int_without_default_by_version(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(load_named(&fx, "int_no_default", "6.1"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "NODEF_INT"), "");
	fx_free(&fx);
	assert_int_equal(load_named(&fx, "int_no_default", "6.12"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "NODEF_INT"), "0");
	assert_string_equal(fx_value(&fx, "NODEF_HEX"), "0x0");
	fx_free(&fx);
}

static void test_semantics__choice_input_last_y_wins_on_6_12(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(load_named(&fx, "choice_input", "6.12"), 0);
	fx_read_config(&fx, "CONFIG_LEVEL_1=y\nCONFIG_LEVEL_3=y\n");
	assert_string_equal(fx_value(&fx, "LEVEL_3"), "y");
	assert_string_equal(fx_value(&fx, "LEVEL_1"), "n");
	fx_free(&fx);
}

/* 7.3: the old name's value carries to the new one and is never written */
static void test_semantics__transitional_value_carries_on_7_3(void **state)
{
	struct fx fx;
	char *out;

	(void)state;
	assert_int_equal(load_named(&fx, "transitional", "7.3"), 0);
	fx_read_config(&fx, "CONFIG_OLD_X=y\nCONFIG_OLD_S=\"carried\"\n");
	assert_string_equal(fx_value(&fx, "NEW_X"), "y");
	assert_string_equal(fx_value(&fx, "NEW_S"), "carried");
	out = fx_format(&fx);
	assert_null(strstr(out, "OLD_"));
	free(out);
	fx_free(&fx);
	assert_int_not_equal(load_named(&fx, "transitional", "6.12"), 0);
	fx_free(&fx);
}

/* 7.3: 'depends on X if Y' with Y=m and X=n is n, as conf has it */
static void test_semantics__depends_if_tristate_edge(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(load_named(&fx, "depends_if_tristate", "7.3"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "YM"), "m");
	assert_string_equal(fx_value(&fx, "X"), "n");
	assert_string_equal(fx_value(&fx, "UNDER_M"), "n");
	fx_free(&fx);
}

/* ---- how the rules are chosen --------------------------------------------- */

static const char tiny[] = "config A\n\tbool \"a\"\n\tdefault y\n";

/* a load that picks its rules itself; returns them */
static struct kx_semantics picked(struct fx *fx, const char *kernelversion,
				  const struct fx_file *files)
{
	struct kx_semantics s;

	fx_next_pick_rules = true;
	assert_int_equal(fx_load(fx, kernelversion, files), 0);
	s = fx->kc->sem;
	return s;
}

/* a tree without scripts/kconfig newer than 7.3: 7.3's rules and a warning */
static void test_semantics__newer_release_gets_newest_rules_and_warning(void **state)
{
	const struct fx_file files[] = { { "Kconfig", tiny }, { NULL, NULL } };
	struct kx_semantics s, want;
	struct fx fx;
	char *d;

	(void)state;
	s = picked(&fx, "7.4.1", files);
	kx_semantics_for_version(&want, 7, 3);
	assert_int_equal(s.rules, want.rules);
	assert_int_equal(s.detected, 0);
	d = fx_diags_text(&fx);
	assert_non_null(strstr(d, "Linux 7.4 is newer than the newest release whose "
			       "Kconfig rules this program knows (7.3)"));
	free(d);
	fx_free(&fx);
	/* 7.3 itself: no warning */
	s = picked(&fx, "7.3.4", files);
	assert_int_equal(s.rules, want.rules);
	assert_int_equal(fx.diags.n, 0);
	fx_free(&fx);
}

/* the release number decides where the tree has no scripts/kconfig */
static void test_semantics__release_number_without_sources(void **state)
{
	const struct fx_file files[] = { { "Kconfig", tiny }, { NULL, NULL } };
	struct kx_semantics s, want;
	struct fx fx;

	(void)state;
	s = picked(&fx, "5.10.0", files);
	kx_semantics_for_version(&want, 5, 10);
	assert_int_equal(s.rules, want.rules);
	assert_false(kx_sem_has(&s, KX_R_MODULES_ATTR));
	fx_free(&fx);
	/* KX_KCONFIG_VERSION wins over KERNELVERSION */
	fx_next_env = (const char *const[]){ "KX_KCONFIG_VERSION", "6.1", NULL };
	s = picked(&fx, "7.3.0", files);
	kx_semantics_for_version(&want, 6, 1);
	assert_int_equal(s.rules, want.rules);
	assert_int_equal(s.version, 601);
	fx_free(&fx);
}

/*
 * The sources decide where they exist: a 6.1 tree whose confdata.c has
 * KCONFIG_WARN_UNKNOWN_SYMBOLS (Debian's backport) gets that rule; a rule
 * whose file is missing keeps the release number's value.
 */
static void test_semantics__sources_decide_over_release(void **state)
{
	const struct fx_file files[] = {
		{ "Kconfig", tiny },
		{ "scripts/kconfig/confdata.c",
		  "\tif (line[1] != ' ')\n"
		  "\tenv = getenv(\"KCONFIG_WARN_UNKNOWN_SYMBOLS\");\n" },
		{ NULL, NULL },
	};
	const struct fx_file elsewhere[] = {
		{ "Kconfig", tiny },
		{ "scripts/kconfig/lexer.l", "\"transitional\"\treturn T_TRANSITIONAL;\n" },
		{ NULL, NULL },
	};
	struct kx_semantics s, base;
	struct fx fx, other;

	(void)state;
	kx_semantics_for_version(&base, 6, 1);
	s = picked(&fx, "6.1.0", files);
	assert_true(kx_sem_has(&s, KX_R_WARN_UNKNOWN));
	assert_false(kx_sem_has(&base, KX_R_WARN_UNKNOWN));
	assert_true(kx_sem_has(&s, KX_R_NOTSET_SPACE));
	/* markers absent from this confdata.c: judged absent */
	assert_false(kx_sem_has(&s, KX_R_WERROR));
	assert_true(s.detected >> KX_R_WARN_UNKNOWN & 1);
	/* conf.c is missing: the release number's value */
	assert_true(kx_sem_has(&s, KX_R_CONF_HELP_OPT));
	assert_false(s.detected >> KX_R_CONF_HELP_OPT & 1);
	fx_free(&fx);
	/* KX_KCONFIG_RULES_FROM: another tree's sources instead */
	assert_int_equal(fx_load(&other, "6.12", elsewhere), 0);
	fx_next_env = (const char *const[]){ "KX_KCONFIG_RULES_FROM", other.dir, NULL };
	s = picked(&fx, "6.12.0", files);
	assert_true(kx_sem_has(&s, KX_R_TRANSITIONAL));
	assert_true(kx_sem_has(&s, KX_R_NO_OPTION));	/* lexer.l has no "option" */
	assert_true(kx_sem_has(&s, KX_R_WERROR));	/* no confdata.c there */
	fx_free(&fx);
	fx_free(&other);
}

/*
 * The real trees (when cached): what their sources show, as
 * docs/KCONFIG-RULES.md lists it.  Debian's 6.1 has 6.8's
 * KCONFIG_WARN_UNKNOWN_SYMBOLS; 7.2.12 has 7.3's KCONFIG_WARN_CHANGED_INPUT
 * and usage text; every other rule follows the release.
 */
static void test_semantics__real_trees_detected_rules(void **state)
{
	static const struct {
		const char *release;
		int major, minor;
		uint64_t extra;		/* backports: rules beyond the release's */
	} trees[] = {
		{ "5.10", 5, 10, 0 },
		{ "6.1", 6, 1, UINT64_C(1) << KX_R_WARN_UNKNOWN },
		{ "6.12", 6, 12, 0 },
		{ "7.2", 7, 2, (UINT64_C(1) << KX_R_WARN_CHANGED_INPUT) |
				(UINT64_C(1) << KX_R_USAGE_ARGS) },
		{ "7.3", 7, 3, 0 },
	};
	int done = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		char *dir = cached_tree(trees[i].release);
		struct kx_tree *tree = NULL;
		struct kx_semantics s, want;

		if (!dir || kx_tree_open_dir(&tree, dir) < 0) {
			fprintf(stderr, "SKIP (part): no cached tree %s\n", trees[i].release);
			kx_tree_free(tree);
			free(dir);
			continue;
		}
		kx_semantics_for_version(&s, trees[i].major, trees[i].minor);
		want = s;
		assert_int_equal(kx_semantics_detect(&s, tree), KX_R_COUNT);
		want.rules |= trees[i].extra;
		for (int r = 0; r < KX_R_COUNT; r++)
			if (kx_sem_has(&s, r) != kx_sem_has(&want, r))
				fail_msg("%s: rule %s is %s in its sources", trees[i].release,
					 kx_rule_name(r), kx_sem_has(&s, r) ? "on" : "off");
		kx_tree_free(tree);
		free(dir);
		done++;
	}
	if (!done)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_semantics__every_case_matches_conf),
		cmocka_unit_test(test_semantics__bool_promotes_m_to_y),
		cmocka_unit_test(test_semantics__select_overrides_unmet_dependency),
		cmocka_unit_test(test_semantics__int_without_default_by_version),
		cmocka_unit_test(test_semantics__choice_input_last_y_wins_on_6_12),
		cmocka_unit_test(test_semantics__transitional_value_carries_on_7_3),
		cmocka_unit_test(test_semantics__depends_if_tristate_edge),
		cmocka_unit_test(test_semantics__newer_release_gets_newest_rules_and_warning),
		cmocka_unit_test(test_semantics__release_number_without_sources),
		cmocka_unit_test(test_semantics__sources_decide_over_release),
		cmocka_unit_test(test_semantics__real_trees_detected_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
