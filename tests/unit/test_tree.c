// SPDX-License-Identifier: MIT
/*
 * test_tree.c - parser/tree.c: the directory and git back ends.
 *
 * The group setup builds a small fake kernel tree in a mkdtemp() directory
 * (Kconfig files in subdirectories, executable scripts, symlinks to a file,
 * to a directory, across directories, a loop and one leaving the tree),
 * then records it with the git command line in a separate bare repository
 * (so the directory tree has no .git): commit 1 (annotated tag v1, branch
 * "old"), commit 2 changing init/Kconfig's help (lightweight tag v2, branch
 * "main" = HEAD); "work" is a clone of it with a work tree.  The directory
 * then equals HEAD, so both back ends must agree byte for byte.
 * XDG_CACHE_HOME points into the temporary directory so materialized files
 * never reach the real cache.  Without git every test skips loudly.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "parser/tree.h"
#include "util/util.h"

struct fixture {
	char *tmp;		/* the mkdtemp() directory */
	char *src;		/* the plain directory tree (no .git) */
	char *bare;		/* bare repository made from src */
	char *work;		/* a clone of it with a work tree */
	char *cache;		/* XDG_CACHE_HOME */
	char *c1, *c2;		/* full commit ids */
	const char *why_skip;	/* non-NULL: every test skips */
};

/* ---- helpers ------------------------------------------------------------- */

static void mkdir_parents(const char *path)
{
	char *p = kx_xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	free(p);
}

static void put_file(const char *root, const char *rel, const char *data,
		     size_t len, mode_t mode)
{
	char *path = kx_xasprintf("%s/%s", root, rel);
	int fd;

	mkdir_parents(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static void put_text(const char *root, const char *rel, const char *text)
{
	put_file(root, rel, text, strlen(text), 0644);
}

static void put_link(const char *root, const char *rel, const char *target)
{
	char *path = kx_xasprintf("%s/%s", root, rel);

	mkdir_parents(path);
	assert_int_equal(symlink(target, path), 0);
	free(path);
}

/* Runs a shell command; returns its exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	struct kx_buf b = KX_BUF_INIT;
	va_list ap;
	int st;

	va_start(ap, fmt);
	kx_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	st = system(b.s);
	kx_buf_free(&b);
	return st;
}

/* First line of a command's output (malloc'd), or NULL. */
static char *capture(const char *cmd)
{
	char line[4096];
	FILE *p = popen(cmd, "r");
	char *ret = NULL;

	if (!p)
		return NULL;
	if (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		ret = kx_xstrdup(line);
	}
	pclose(p);
	return ret;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void skip_if_needed(void **state)
{
	struct fixture *f = *state;

	if (f->why_skip) {
		fprintf(stderr, "SKIP: %s\n", f->why_skip);
		skip();
	}
}

static struct kx_tree *open_dir(const struct fixture *f)
{
	struct kx_tree *t = NULL;
	int err = kx_tree_open_dir(&t, f->src);

	if (err)
		fprintf(stderr, "open_dir: %s\n", kx_tree_last_error(t));
	assert_int_equal(err, 0);
	return t;
}

static struct kx_tree *open_git(const char *repo, const char *rev)
{
	struct kx_tree *t = NULL;
	int err = kx_tree_open_git(&t, repo, rev);

	if (err)
		fprintf(stderr, "open_git(%s, %s): %s\n", repo,
			rev ? rev : "NULL", kx_tree_last_error(t));
	assert_int_equal(err, 0);
	return t;
}

/* ---- the fixture ------------------------------------------------------ */

static const char init_v1[] =
	"config INIT_ENV_ARG_LIMIT\n"
	"\tint\n"
	"\tdefault 32\n"
	"\thelp\n"
	"\t  Version one.\n";

static const char init_v2[] =
	"config INIT_ENV_ARG_LIMIT\n"
	"\tint\n"
	"\tdefault 32\n"
	"\thelp\n"
	"\t  Version two.\n";

/* "lib/Kconfig.debug": a NUL byte and no final newline */
static const char debug_bytes[] = "config DEBUG\n\tbool\n#\0tail";

static const char run_sh[] = "#!/bin/sh\necho run-ok\n";

static void make_tree(const char *src)
{
	put_text(src, "Kconfig",
		 "mainmenu \"Test\"\n"
		 "source \"init/Kconfig\"\n"
		 "source \"arch/$(SRCARCH)/Kconfig\"\n");
	put_text(src, "Makefile", "VERSION = 6\nPATCHLEVEL = 12\n");
	put_text(src, "init/Kconfig", init_v1);
	put_text(src, "arch/x86/Kconfig", "config X86\n\tdef_bool y\n");
	put_text(src, "arch/x86/Kconfig.cpu", "config M686\n\tbool\n");
	put_text(src, "kernel/configs/xen.config", "CONFIG_XEN=y\n");
	put_file(src, "lib/Kconfig.debug", debug_bytes,
		 sizeof(debug_bytes) - 1, 0644);
	put_file(src, "scripts/run.sh", run_sh, strlen(run_sh), 0755);
	put_file(src, "scripts/sibling.sh", "#!/bin/sh\necho sib\n", 19, 0755);
	put_text(src, "scripts/data.txt", "plain data\n");
	put_text(src, "scripts/Kconfig.include", "cc-option = y\n");
	put_file(src, "scripts/sub/deep.sh", "#!/bin/sh\n", 10, 0755);
	put_text(src, "scripts/sub.txt", "git sorts me before sub/\n");
	put_link(src, "scripts/link.sh", "run.sh");
	put_link(src, "arch/um", "x86");			/* dir */
	put_link(src, "arch/x86/configs/xen.config",		/* across */
		 "../../../kernel/configs/xen.config");
	put_link(src, "loop", "loop");
	put_link(src, "escape", "../outside");		/* leaves */
	put_link(src, "abs", "/Kconfig");		/* absolute */
}

/* Removes the temporary directory of a failed setup; returns -1. */
static int setup_failed(struct fixture *f)
{
	nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->tmp);
	f->tmp = NULL;
	return -1;
}

static int setup(void **state)
{
	struct fixture *f = kx_xcalloc(1, sizeof(*f));
	char tmpl[] = "/tmp/kx-test-tree.XXXXXX";
	char *cmd;

	*state = f;
	if (run("git --version >/dev/null 2>&1") != 0) {
		f->why_skip = "the git command line is not installed";
		return 0;
	}
	assert_non_null(mkdtemp(tmpl));
	f->tmp = kx_xstrdup(tmpl);
	f->src = kx_xasprintf("%s/src", f->tmp);
	f->bare = kx_xasprintf("%s/bare.git", f->tmp);
	f->work = kx_xasprintf("%s/work", f->tmp);
	f->cache = kx_xasprintf("%s/cache", f->tmp);
	setenv("XDG_CACHE_HOME", f->cache, 1);
	/* the user's git configuration must not matter */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_AUTHOR_NAME", "t", 1);
	setenv("GIT_AUTHOR_EMAIL", "t@invalid", 1);
	setenv("GIT_COMMITTER_NAME", "t", 1);
	setenv("GIT_COMMITTER_EMAIL", "t@invalid", 1);
	setenv("GIT_AUTHOR_DATE", "2024-01-01T00:00:00 +0000", 1);
	setenv("GIT_COMMITTER_DATE", "2024-01-01T00:00:00 +0000", 1);
	put_text(f->tmp, "outside", "outside the tree\n");
	make_tree(f->src);
	/* src itself stays a plain directory: the repository is separate.
	 * git failing here (it is installed) is a failure, not a skip. */
	if (run("git init -q --bare -b main '%s' && cd '%s' && "
		"(export GIT_DIR='%s' GIT_WORK_TREE=. && git add -A && "
		"git commit -q -m one && git tag -a -m 'tag one' v1 && "
		"git branch old)", f->bare, f->src, f->bare) != 0) {
		fprintf(stderr, "git could not create the repository\n");
		return setup_failed(f);
	}
	put_text(f->src, "init/Kconfig", init_v2);
	if (run("cd '%s' && (export GIT_DIR='%s' GIT_WORK_TREE=. && "
		"git commit -q -a -m two && git tag v2) && "
		"git clone -q '%s' '%s' && "
		"git -C '%s' branch -q old origin/old",
		f->src, f->bare, f->bare, f->work, f->work) != 0) {
		fprintf(stderr, "git could not create the second commit\n");
		return setup_failed(f);
	}
	cmd = kx_xasprintf("git -C '%s' rev-parse v1^{commit}", f->bare);
	f->c1 = capture(cmd);
	free(cmd);
	cmd = kx_xasprintf("git -C '%s' rev-parse HEAD", f->bare);
	f->c2 = capture(cmd);
	free(cmd);
	assert_non_null(f->c1);
	assert_non_null(f->c2);
	assert_int_equal(strlen(f->c1), 40);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->tmp)
		nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->tmp);
	free(f->src);
	free(f->bare);
	free(f->work);
	free(f->cache);
	free(f->c1);
	free(f->c2);
	free(f);
	return 0;
}

/* ---- tests ------------------------------------------------------------ */

/* Paths (some in unusual spellings) and the bytes they must hold. */
static const struct {
	const char *path;
	const char *data;	/* NULL: only compare the back ends */
	size_t len;
} files[] = {
	{ "Kconfig", NULL, 0 },
	{ "init/Kconfig", init_v2, sizeof(init_v2) - 1 },
	{ "./arch//x86/Kconfig", "config X86\n\tdef_bool y\n", 23 },
	{ "arch/x86/../x86/Kconfig.cpu", "config M686\n\tbool\n", 18 },
	{ "arch/um/Kconfig", "config X86\n\tdef_bool y\n", 23 },
	{ "arch/x86/configs/xen.config", "CONFIG_XEN=y\n", 13 },
	{ "lib/Kconfig.debug", debug_bytes, sizeof(debug_bytes) - 1 },
	{ "scripts/link.sh", run_sh, sizeof(run_sh) - 1 },
	{ "scripts/sub/deep.sh", "#!/bin/sh\n", 10 },
};

static void test_tree__same_bytes_from_both_back_ends(void **state)
{
	struct fixture *f = *state;
	struct kx_tree *d, *g, *b;
	size_t i;

	skip_if_needed(state);
	d = open_dir(f);
	g = open_git(f->work, NULL);
	b = open_git(f->bare, "main");
	assert_int_equal(kx_tree_kind(d), KX_TREE_DIR);
	assert_int_equal(kx_tree_kind(g), KX_TREE_GIT);
	assert_null(kx_tree_commit(d));
	assert_string_equal(kx_tree_commit(g), f->c2);
	assert_string_equal(kx_tree_commit(b), f->c2);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *dd = NULL, *gd = NULL, *bd = NULL;
		size_t dl = 0, gl = 0, bl = 0;

		assert_int_equal(kx_tree_read(d, files[i].path, &dd, &dl), 0);
		if (kx_tree_read(g, files[i].path, &gd, &gl) != 0)
			fail_msg("git %s: %s", files[i].path,
				 kx_tree_last_error(g));
		assert_int_equal(kx_tree_read(b, files[i].path, &bd, &bl), 0);
		assert_int_equal(dl, gl);
		assert_int_equal(dl, bl);
		assert_memory_equal(dd, gd, dl);
		assert_memory_equal(dd, bd, dl);
		assert_int_equal(gd[gl], '\0');
		if (files[i].data) {
			assert_int_equal(dl, files[i].len);
			assert_memory_equal(dd, files[i].data, dl);
		}
		free(dd);
		free(gd);
		free(bd);
	}
	kx_tree_free(d);
	kx_tree_free(g);
	kx_tree_free(b);
}

static void test_tree__stat_agrees(void **state)
{
	static const struct {
		const char *path;
		int type;
	} cases[] = {
		{ "", KX_FT_DIR },
		{ ".", KX_FT_DIR },
		{ "Kconfig", KX_FT_FILE },
		{ "arch", KX_FT_DIR },
		{ "./arch//x86/", KX_FT_DIR },
		{ "arch/um", KX_FT_DIR },
		{ "arch/um/Kconfig", KX_FT_FILE },
		{ "scripts/link.sh", KX_FT_FILE },
		{ "arch/x86/configs/xen.config", KX_FT_FILE },
		{ "Kconfig/", KX_FT_NONE },
		{ "missing", KX_FT_NONE },
		{ "arch/missing/Kconfig", KX_FT_NONE },
		{ "Kconfig/x", KX_FT_NONE },
		{ "loop", KX_FT_NONE },
		{ "../src/Kconfig", KX_FT_NONE },
	};
	struct fixture *f = *state;
	struct kx_tree *d, *g;
	size_t i;

	skip_if_needed(state);
	d = open_dir(f);
	g = open_git(f->work, "HEAD");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int dt = kx_tree_stat(d, cases[i].path);
		int gt = kx_tree_stat(g, cases[i].path);

		if (dt != cases[i].type || gt != cases[i].type)
			fail_msg("stat(%s): dir %d git %d, expected %d",
				 cases[i].path, dt, gt, cases[i].type);
	}
	kx_tree_free(d);
	kx_tree_free(g);
}

static void test_tree__list_agrees_and_is_sorted(void **state)
{
	static const char *const dirs[] = {
		"", ".", "arch", "arch/x86", "arch/um", "scripts",
		"./scripts/", "arch/x86/configs",
	};
	static const char *const top[] = {
		"Kconfig", "Makefile", "abs", "arch", "escape", "init",
		"kernel", "lib", "loop", "scripts",
	};
	struct fixture *f = *state;
	struct kx_tree *d, *g;
	char **dn = NULL, **gn = NULL;
	size_t i, j, dc = 0, gc = 0;

	skip_if_needed(state);
	d = open_dir(f);
	g = open_git(f->work, NULL);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		assert_int_equal(kx_tree_list(d, dirs[i], &dn, &dc), 0);
		assert_int_equal(kx_tree_list(g, dirs[i], &gn, &gc), 0);
		assert_int_equal(dc, gc);
		assert_true(dc > 0);
		for (j = 0; j < dc; j++) {
			assert_string_equal(dn[j], gn[j]);
			if (j)
				assert_true(strcmp(dn[j - 1], dn[j]) < 0);
		}
		if (i == 0) {
			assert_int_equal(dc, sizeof(top) / sizeof(top[0]));
			for (j = 0; j < dc; j++)
				assert_string_equal(dn[j], top[j]);
		}
		kx_tree_list_free(dn, dc);
		kx_tree_list_free(gn, gc);
	}
	/* git stores directory "sub" as if named "sub/", after "sub.txt";
	 * the list must be in strcmp order all the same */
	assert_int_equal(kx_tree_list(g, "scripts", &gn, &gc), 0);
	assert_int_equal(gc, 7);
	assert_string_equal(gn[5], "sub");
	assert_string_equal(gn[6], "sub.txt");
	kx_tree_list_free(gn, gc);

	assert_int_equal(kx_tree_list(d, "Kconfig", &dn, &dc), KX_ENOTFOUND);
	assert_int_equal(kx_tree_list(g, "Kconfig", &gn, &gc), KX_ENOTFOUND);
	assert_int_equal(kx_tree_list(d, "nope", &dn, &dc), KX_ENOTFOUND);
	assert_int_equal(kx_tree_list(g, "nope", &gn, &gc), KX_ENOTFOUND);
	assert_null(gn);
	assert_int_equal(gc, 0);
	assert_int_equal(kx_tree_list(g, "../x", &gn, &gc), KX_EINVAL);
	kx_tree_free(d);
	kx_tree_free(g);
}

static void test_tree__every_rev_form(void **state)
{
	struct fixture *f = *state;
	char short1[8];
	const struct {
		const char *rev;
		const char *commit;
		const char *init;
	} revs[] = {
		{ NULL, f->c2, init_v2 },
		{ "HEAD", f->c2, init_v2 },
		{ "v1", f->c1, init_v1 },		/* annotated tag */
		{ "v2", f->c2, init_v2 },		/* lightweight tag */
		{ "refs/tags/v1", f->c1, init_v1 },
		{ "main", f->c2, init_v2 },		/* branches */
		{ "old", f->c1, init_v1 },
		{ f->c1, f->c1, init_v1 },		/* full id */
		{ short1, f->c1, init_v1 },		/* abbreviated */
		{ "HEAD~1", f->c1, init_v1 },
		{ "v2^", f->c1, init_v1 },
		{ "v1^{commit}", f->c1, init_v1 },
	};
	struct kx_tree *t;
	size_t i, len;
	char *data, *sub;

	skip_if_needed(state);
	memcpy(short1, f->c1, 7);
	short1[7] = '\0';
	for (i = 0; i < sizeof(revs) / sizeof(revs[0]); i++) {
		char *want;

		t = open_git(f->work, revs[i].rev);
		assert_string_equal(kx_tree_commit(t), revs[i].commit);
		want = kx_xasprintf("%s@%s (%s)", f->work,
				    revs[i].rev ? revs[i].rev : "HEAD",
				    revs[i].commit);
		assert_string_equal(kx_tree_describe(t), want);
		free(want);
		assert_int_equal(kx_tree_read(t, "init/Kconfig", &data, &len),
				 0);
		assert_string_equal(data, revs[i].init);
		free(data);
		kx_tree_free(t);
	}
	/* a bare repository, by tag */
	t = open_git(f->bare, "v1");
	assert_string_equal(kx_tree_commit(t), f->c1);
	kx_tree_free(t);
	/* discovered from a subdirectory of a work tree; paths stay
	 * relative to the top */
	sub = kx_xasprintf("%s/arch/x86", f->work);
	t = open_git(sub, "v2");
	assert_int_equal(kx_tree_stat(t, "init/Kconfig"), KX_FT_FILE);
	kx_tree_free(t);
	free(sub);
}

static void test_tree__errors(void **state)
{
	struct fixture *f = *state;
	struct kx_tree *t = NULL, *d, *g, *both[2];
	char *path, *data = NULL;
	size_t i, len = 1;

	skip_if_needed(state);

	/* unknown revision, missing or non-repository directory */
	assert_int_equal(kx_tree_open_git(&t, f->work, "no-such-rev"),
			 KX_ENOTFOUND);
	assert_non_null(t);
	assert_true(strstr(kx_tree_last_error(t), "no-such-rev") != NULL);
	assert_int_equal(kx_tree_read(t, "Kconfig", &data, &len), KX_EINVAL);
	kx_tree_free(t);
	t = NULL;
	assert_int_equal(kx_tree_open_git(&t, f->work, "HEAD~5"), KX_ENOTFOUND);
	kx_tree_free(t);
	t = NULL;
	path = kx_xasprintf("%s/no-such-dir", f->tmp);
	assert_int_equal(kx_tree_open_git(&t, path, NULL), KX_ENOTFOUND);
	assert_true(kx_tree_last_error(t)[0] != '\0');
	kx_tree_free(t);
	t = NULL;
	assert_int_equal(kx_tree_open_dir(&t, path), KX_ENOTFOUND);
	kx_tree_free(t);
	t = NULL;
	free(path);
	path = kx_xasprintf("%s/src/Kconfig", f->tmp);
	assert_int_equal(kx_tree_open_dir(&t, path), KX_EINVAL);
	kx_tree_free(t);
	t = NULL;
	free(path);
	path = kx_xasprintf("%s/plain", f->tmp);	/* not a repository */
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(kx_tree_open_git(&t, path, NULL), KX_ENOTFOUND);
	kx_tree_free(t);
	free(path);

	/* files: missing, directories, leaving the tree, symlinks */
	d = open_dir(f);
	g = open_git(f->work, NULL);
	both[0] = d;
	both[1] = g;
	for (i = 0; i < 2; i++) {
		t = both[i];
		assert_int_equal(kx_tree_read(t, "missing", &data, &len),
				 KX_ENOTFOUND);
		assert_null(data);
		assert_int_equal(len, 0);
		assert_true(kx_tree_last_error(t)[0] != '\0');
		assert_int_equal(kx_tree_read(t, "arch/missing/Kconfig", &data,
					      &len), KX_ENOTFOUND);
		assert_int_equal(kx_tree_read(t, "Kconfig/x", &data, &len),
				 KX_ENOTFOUND);
		assert_int_equal(kx_tree_read(t, "arch", &data, &len),
				 KX_ENOTFOUND);
		assert_int_equal(kx_tree_read(t, "arch/um", &data, &len),
				 KX_ENOTFOUND);
		assert_int_equal(kx_tree_read(t, "", &data, &len),
				 KX_ENOTFOUND);
		assert_int_equal(kx_tree_read(t, "Kconfig/", &data, &len),
				 KX_ENOTFOUND);
		assert_int_equal(kx_tree_read(t, "loop", &data, &len),
				 KX_ENOTFOUND);
		assert_int_equal(kx_tree_read(t, "../outside", &data, &len),
				 KX_EINVAL);
		assert_int_equal(kx_tree_read(t, "arch/../../outside", &data,
					      &len), KX_EINVAL);
		assert_int_equal(kx_tree_read(t, "/etc/passwd", &data, &len),
				 KX_EINVAL);
		assert_int_equal(kx_tree_read(t, NULL, &data, &len),
				 KX_EINVAL);
		assert_null(data);
	}
	/* git cannot follow a link out of the commit */
	assert_int_equal(kx_tree_read(g, "escape", &data, &len), KX_ENOTFOUND);
	assert_true(strstr(kx_tree_last_error(g), "outside") != NULL);
	assert_int_equal(kx_tree_stat(g, "escape"), KX_FT_NONE);
	/* an absolute target is not relative to the top of the tree */
	assert_int_equal(kx_tree_read(g, "abs", &data, &len), KX_ENOTFOUND);
	assert_true(strstr(kx_tree_last_error(g), "outside") != NULL);
	assert_int_equal(kx_tree_stat(g, "abs"), KX_FT_NONE);
	kx_tree_free(d);
	kx_tree_free(g);
}

static void test_tree__materialize_extracts_scripts(void **state)
{
	struct fixture *f = *state;
	struct kx_tree *t;
	const char *root;
	char *want_root, *real_cache, *cmd, *p, *out;
	struct stat st;

	skip_if_needed(state);
	t = open_git(f->bare, "v1");
	root = kx_tree_disk_root(t);
	assert_non_null(root);
	real_cache = realpath(f->cache, NULL);
	assert_non_null(real_cache);
	want_root = kx_xasprintf("%s/kxen-config/git/%s", real_cache, f->c1);
	assert_string_equal(root, want_root);
	assert_int_equal(stat(root, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* nothing is extracted before it is asked for */
	p = kx_xasprintf("%s/scripts", root);
	assert_int_not_equal(stat(p, &st), 0);
	free(p);

	cmd = kx_xasprintf("if %s/scripts/run.sh;then :;fi; "
			   "cat \"%s/init/Kconfig\"", root, root);
	assert_int_equal(kx_tree_materialize(t, cmd), 0);
	free(cmd);

	/* the script, executable, and every file of its directory */
	p = kx_xasprintf("%s/scripts/run.sh", root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	free(p);
	p = kx_xasprintf("%s/scripts/sibling.sh", root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	free(p);
	p = kx_xasprintf("%s/scripts/data.txt", root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(st.st_size, 11);
	free(p);
	/* a symlink to a file becomes a copy of the file */
	p = kx_xasprintf("%s/scripts/link.sh", root);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0755);
	free(p);
	/* not recursive */
	p = kx_xasprintf("%s/scripts/sub", root);
	assert_int_not_equal(stat(p, &st), 0);
	free(p);
	/* the quoted path stopped at the quote; the file is from v1 */
	p = kx_xasprintf("%s/init/Kconfig", root);
	assert_int_equal(kx_read_file(&out, NULL, p), 0);
	assert_string_equal(out, init_v1);
	free(out);
	free(p);
	/* ... and the extracted script really runs (through sh: the mode
	 * was checked above, and /tmp may be mounted noexec) */
	cmd = kx_xasprintf("sh %s/scripts/run.sh", root);
	out = capture(cmd);
	assert_non_null(out);
	assert_string_equal(out, "run-ok");
	free(out);
	free(cmd);

	/* a directory: its files only */
	cmd = kx_xasprintf("ls %s/arch/x86/ >/dev/null", root);
	assert_int_equal(kx_tree_materialize(t, cmd), 0);
	free(cmd);
	p = kx_xasprintf("%s/arch/x86/Kconfig.cpu", root);
	assert_int_equal(stat(p, &st), 0);
	free(p);
	p = kx_xasprintf("%s/arch/x86/configs", root);
	assert_int_not_equal(stat(p, &st), 0);
	free(p);

	/* unknown and escaping paths are not errors: the command fails */
	cmd = kx_xasprintf("%s/nope.sh; %s/../outside; %s/", root, root, root);
	assert_int_equal(kx_tree_materialize(t, cmd), 0);
	free(cmd);
	p = kx_xasprintf("%s/Makefile", root);	/* "%s/": the top files */
	assert_int_equal(stat(p, &st), 0);
	free(p);

	kx_tree_free(t);
	free(want_root);
	free(real_cache);
}

static void test_tree__materialize_reuses_same_commit(void **state)
{
	struct fixture *f = *state;
	struct kx_tree *t;
	char *root, *cmd, *p1, *p2, *data;
	struct stat st1, st2;
	ino_t ino;

	skip_if_needed(state);
	t = open_git(f->work, "old");
	root = kx_xstrdup(kx_tree_disk_root(t));
	cmd = kx_xasprintf("%s/scripts/run.sh", root);
	p1 = kx_xasprintf("%s/scripts/run.sh", root);
	p2 = kx_xasprintf("%s/scripts/data.txt", root);
	assert_int_equal(kx_tree_materialize(t, cmd), 0);
	assert_int_equal(stat(p1, &st1), 0);
	ino = st1.st_ino;
	kx_tree_free(t);
	/* damage one file (wrong size) */
	assert_int_equal(truncate(p2, 0), 0);

	/* the same commit under another name: same directory */
	t = open_git(f->bare, f->c1);
	assert_string_equal(kx_tree_disk_root(t), root);
	assert_int_equal(kx_tree_materialize(t, cmd), 0);
	assert_int_equal(stat(p1, &st2), 0);
	assert_int_equal(st2.st_ino, ino);	/* not rewritten */
	assert_int_equal(kx_read_file(&data, NULL, p2), 0);
	assert_string_equal(data, "plain data\n");	/* repaired */
	free(data);
	kx_tree_free(t);

	/* another commit: another directory */
	t = open_git(f->work, "v2");
	assert_true(strstr(kx_tree_disk_root(t), f->c2) != NULL);
	kx_tree_free(t);
	free(root);
	free(cmd);
	free(p1);
	free(p2);
}

static void test_tree__materialize_noop_for_directories(void **state)
{
	struct fixture *f = *state;
	struct kx_tree *d;
	char *real, *cmd, *p;
	struct stat st;

	skip_if_needed(state);
	d = open_dir(f);
	real = realpath(f->src, NULL);
	assert_string_equal(kx_tree_disk_root(d), real);
	cmd = kx_xasprintf("%s/scripts/run.sh", real);
	assert_int_equal(kx_tree_materialize(d, cmd), 0);
	/* nothing was created in the cache for it */
	p = kx_xasprintf("%s/kxen-config/git", f->cache);
	if (stat(p, &st) == 0) {
		char **names = NULL;
		size_t i, n = 0;
		struct kx_tree *c = NULL;

		assert_int_equal(kx_tree_open_dir(&c, p), 0);
		assert_int_equal(kx_tree_list(c, "", &names, &n), 0);
		for (i = 0; i < n; i++)
			assert_true(strcmp(names[i], f->c1) == 0 ||
				    strcmp(names[i], f->c2) == 0);
		kx_tree_list_free(names, n);
		kx_tree_free(c);
	}
	assert_string_equal(kx_tree_describe(d), f->src);
	free(p);
	free(cmd);
	free(real);
	kx_tree_free(d);
}

static void test_tree__no_leak_into_real_cache(void **state)
{
	struct fixture *f = *state;
	struct kx_tree *t;
	char *cache;

	skip_if_needed(state);
	t = open_git(f->work, NULL);
	cache = realpath(f->cache, NULL);
	assert_non_null(cache);
	assert_true(strncmp(kx_tree_disk_root(t), cache, strlen(cache)) == 0);
	free(cache);
	kx_tree_free(t);
}

/*
 * One cache-home rule for the whole program (util.h kx_cache_home): an
 * absolute $XDG_CACHE_HOME, else $HOME/.cache (a relative XDG_CACHE_HOME is
 * ignored, as the XDG spec says).
 */
static void test_tree__cache_home_rule(void **state)
{
	char *saved_x = getenv("XDG_CACHE_HOME") ? kx_xstrdup(getenv("XDG_CACHE_HOME")) : NULL;
	char *saved_h = getenv("HOME") ? kx_xstrdup(getenv("HOME")) : NULL;
	char *h;

	(void)state;
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	h = kx_cache_home();
	assert_string_equal(h, "/x/cache");
	free(h);
	setenv("XDG_CACHE_HOME", "relative/cache", 1);
	h = kx_cache_home();
	assert_string_equal(h, "/home/u/.cache");
	free(h);
	unsetenv("XDG_CACHE_HOME");
	h = kx_cache_home();
	assert_string_equal(h, "/home/u/.cache");
	free(h);
	if (saved_x)
		setenv("XDG_CACHE_HOME", saved_x, 1);
	if (saved_h)
		setenv("HOME", saved_h, 1);
	else
		unsetenv("HOME");
	free(saved_x);
	free(saved_h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree__cache_home_rule),
		cmocka_unit_test(test_tree__same_bytes_from_both_back_ends),
		cmocka_unit_test(test_tree__stat_agrees),
		cmocka_unit_test(test_tree__list_agrees_and_is_sorted),
		cmocka_unit_test(test_tree__every_rev_form),
		cmocka_unit_test(test_tree__errors),
		cmocka_unit_test(test_tree__materialize_extracts_scripts),
		cmocka_unit_test(test_tree__materialize_reuses_same_commit),
		cmocka_unit_test(test_tree__materialize_noop_for_directories),
		cmocka_unit_test(test_tree__no_leak_into_real_cache),
	};

	return cmocka_run_group_tests_name("tree", tests, setup, teardown);
}
