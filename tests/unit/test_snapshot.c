// SPDX-License-Identifier: MIT
/*
 * test_snapshot.c - the model cache (parser/snapshot.c).
 *
 * A tree that uses every kind of object the model has (menus, choices,
 * if blocks, sourced files, select/imply, ranges, int/hex/string values,
 * help texts, a probe, an environment variable, $(info) and a warning) is
 * loaded with a cache directory: the first load runs the probe and writes
 * no snapshot, the second (probe from the cache) writes it, the third must
 * come from the snapshot and be indistinguishable from a parse (the model printed in
 * full, the .config, diagnostics and info lines).  Then each input is
 * changed in turn (a sourced file, an environment variable set that was
 * unset, a probe's answer) and the next load must parse again and see the
 * change.  A damaged snapshot (a flipped byte, truncation, garbage) is a
 * miss, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers/fixture.h"

static const struct fx_file tree[] = {
	{ "Kconfig",
	  "mainmenu \"Test $(KXT_SET) kernel\"\n"
	  "$(info,hello from $(filename))\n"
	  "$(warning-if,y,a warning)\n"
	  "config MODULES\n\tbool \"modules\"\n\tmodules\n\tdefault y\n"
	  "config CC_HAS_X\n\tdef_bool $(shell,cat $(srctree)/answer)\n"
	  "config FROM_ENV\n\tstring\n\tdefault \"$(KXT_UNSET)\"\n"
	  "source \"sub/Kconfig\"\n" },
	{ "sub/Kconfig",
	  "menu \"Sub\"\n"
	  "config A\n\ttristate \"A\"\n\tdepends on CC_HAS_X\n\tselect B\n"
	  "\timply C\n\thelp\n\t  Help for A.\n\n\t  Second paragraph.\n"
	  "config B\n\tbool\n"
	  "config C\n\ttristate \"C\" if !B || A\n"
	  "config N\n\tint \"N\"\n\trange 1 10\n\tdefault 4\n"
	  "config H\n\thex \"H\"\n\tdefault 0x10 if A\n\tdefault 0x20\n"
	  "config S\n\tstring \"S\"\n\tdefault \"a \\\"quoted\\\" word\"\n"
	  "choice\n\tprompt \"Pick\"\n\tdefault P2\n"
	  "config P1\n\tbool \"P1\"\nconfig P2\n\tbool \"P2\"\n\tdepends on A\n"
	  "endchoice\n"
	  "if A\nconfig UNDER_IF\n\tbool \"under if\"\n\tdefault y\nendif\n"
	  "menuconfig MC\n\tbool \"menuconfig\"\n"
	  "config MC_CHILD\n\tbool \"child\"\n\tdepends on MC\n"
	  "comment \"a comment\"\n\tdepends on A = m\n"
	  "config A\n\tdefault m\n"
	  "endmenu\n" },
	{ "answer", "y\n" },
	{ NULL, NULL },
};

static const char *const env_set[] = { "KXT_SET", "first", NULL };

/* Everything the model holds, printed in a fixed order. */
static void put_expr(struct kx_buf *b, const char *what, const struct kx_expr *e)
{
	kx_buf_printf(b, " %s=", what);
	if (e)
		kx_expr_print(b, e, NULL, NULL);
	else
		kx_buf_puts(b, "-");
}

static char *model_text(struct kx_kconfig *kc)
{
	struct kx_buf b = KX_BUF_INIT;

	kx_buf_printf(&b, "mainmenu %s files %zu syms %zu\n", kc->mainmenu,
		      kc->nfiles, kc->nsyms);
	for (size_t i = 0; i < kc->nfiles; i++)
		kx_buf_printf(&b, "file %s\n", kc->files[i]);
	for (size_t i = 0; i < kc->nenv; i++)
		kx_buf_printf(&b, "env %s=%s\n", kc->env_names[i], kc->env_values[i]);
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];

		kx_buf_printf(&b, "sym %s type %d flags %#x hash %u seq %u",
			      s->name ? s->name : "<choice>", s->type,
			      s->flags, s->hash, s->seq);
		put_expr(&b, "dir", s->dir_dep);
		put_expr(&b, "rev", s->rev_dep);
		put_expr(&b, "imp", s->implied);
		kx_buf_printf(&b, " choice_sym %s member_of %s\n",
			      s->choice_sym && s->choice_sym->name ? s->choice_sym->name : "-",
			      s->member_of ? kx_menu_prompt_text(s->member_of) : "-");
		for (struct kx_prop *p = s->prop; p; p = p->next) {
			kx_buf_printf(&b, "  prop %s %s:%d text %s",
				      kx_prop_type_name(p->type), p->file, p->line,
				      p->text ? p->text : "-");
			put_expr(&b, "expr", p->expr);
			put_expr(&b, "cond", p->cond);
			put_expr(&b, "vis", p->visible);
			kx_buf_putc(&b, '\n');
		}
	}
	for (struct kx_menu *m = &kc->rootmenu; m; m = kx_menu_next(m, NULL)) {
		kx_buf_printf(&b, "menu %s:%d %s sym %s parent %s flags %#x if %d",
			      m->file ? m->file : "-", m->line,
			      kx_menu_prompt_text(m) ? kx_menu_prompt_text(m) : "-",
			      m->sym && m->sym->name ? m->sym->name : "-",
			      m->parent ? (kx_menu_prompt_text(m->parent) ?
					   kx_menu_prompt_text(m->parent) : "?") : "-",
			      m->flags, m->is_if);
		put_expr(&b, "dep", m->dep);
		put_expr(&b, "written", m->dep_written);
		put_expr(&b, "visibility", m->visibility);
		for (struct kx_dep *d = m->deps; d; d = d->next) {
			kx_buf_printf(&b, " line %d", d->line);
			put_expr(&b, "d", d->expr);
		}
		for (size_t i = 0; i < m->nmembers; i++)
			kx_buf_printf(&b, " member %s", m->members[i]->name);
		for (size_t i = 0; i < m->nprio; i++)
			kx_buf_printf(&b, " prio %s", m->prio[i]->name);
		kx_buf_printf(&b, "\n  help [%s]\n", m->help ? m->help : "-");
	}
	return kx_buf_detach(&b);
}

struct seen {
	char *model, *config, *diags, *info;
	bool from_snapshot;
	int err;
};

static void seen_free(struct seen *s)
{
	free(s->model);
	free(s->config);
	free(s->diags);
	free(s->info);
}

/* Loads fx's tree again with the cache; 'env' for this load. */
static struct seen reload(const char *dir, const char *cache,
			  const char *const *env)
{
	struct fx fx;
	struct seen s = { 0 };

	fx_next_cache = cache;
	fx_next_env = env;
	s.err = fx_load_dir(&fx, "6.12", dir);
	if (!s.err) {
		s.from_snapshot = fx.kc->from_snapshot;
		s.model = model_text(fx.kc);
		s.config = fx_format(&fx);
	}
	s.diags = fx_diags_text(&fx);
	s.info = kx_buf_detach(&fx.info);
	fx.dir[0] = 0;		/* keep the tree: it belongs to the caller */
	fx_free(&fx);
	return s;
}

static void assert_same(const struct seen *a, const struct seen *b)
{
	assert_int_equal(a->err, 0);
	assert_int_equal(b->err, 0);
	assert_string_equal(a->model, b->model);
	assert_string_equal(a->config, b->config);
	assert_string_equal(a->diags, b->diags);
	assert_string_equal(a->info, b->info);
}

struct setup {
	struct fx fx;		/* owns the tree directory */
	char cache[64];
};

static size_t count_snapshots(const char *cache)
{
	char *dir = kx_xasprintf("%s/models", cache);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		n += strstr(de->d_name, ".kxm") != NULL;
	if (d)
		closedir(d);
	free(dir);
	return n;
}

/*
 * The tree, and a cache whose probe cache knows its probe: a load that
 * had to run a probe writes no snapshot (the next one does).
 */
static void setup_tree(struct setup *st)
{
	struct seen s;

	fx_next_env = env_set;
	assert_int_equal(fx_load(&st->fx, "6.12", tree), 0);
	snprintf(st->cache, sizeof(st->cache), "/tmp/kx-snap-XXXXXX");
	assert_non_null(mkdtemp(st->cache));
	s = reload(st->fx.dir, st->cache, env_set);
	assert_int_equal(s.err, 0);
	assert_false(s.from_snapshot);
	assert_int_equal(count_snapshots(st->cache), 0);
	seen_free(&s);
}

static void teardown_tree(struct setup *st)
{
	assert_int_equal(fx_remove_dir(st->cache), 0);
	fx_free(&st->fx);
}

static void test_snapshot__second_load_is_identical(void **state)
{
	struct setup st;
	struct seen parsed, cached, nocache;

	(void)state;
	setup_tree(&st);
	parsed = reload(st.fx.dir, st.cache, env_set);
	assert_false(parsed.from_snapshot);
	assert_int_equal(count_snapshots(st.cache), 1);
	cached = reload(st.fx.dir, st.cache, env_set);
	assert_true(cached.from_snapshot);
	assert_same(&parsed, &cached);
	/* and both are what a load without any cache gives */
	nocache = reload(st.fx.dir, NULL, env_set);
	assert_false(nocache.from_snapshot);
	assert_same(&parsed, &nocache);
	/* what the load printed is replayed */
	assert_non_null(strstr(cached.info, "hello from Kconfig"));
	assert_non_null(strstr(cached.diags, "a warning"));
	assert_non_null(strstr(cached.model, "Help for A.\n\nSecond paragraph."));
	seen_free(&parsed);
	seen_free(&cached);
	seen_free(&nocache);
	teardown_tree(&st);
}

static void test_snapshot__changed_file_is_parsed_again(void **state)
{
	struct setup st;
	struct seen a, b, c;

	(void)state;
	setup_tree(&st);
	a = reload(st.fx.dir, st.cache, env_set);
	b = reload(st.fx.dir, st.cache, env_set);
	assert_true(b.from_snapshot);
	/* new content (and size) */
	fx_write(&st.fx, "sub/Kconfig", "config Z\n\tbool \"Z\"\n\tdefault y\n");
	c = reload(st.fx.dir, st.cache, env_set);
	assert_int_equal(c.err, 0);
	assert_false(c.from_snapshot);
	assert_non_null(strstr(c.config, "CONFIG_Z=y"));
	assert_null(strstr(c.config, "CONFIG_A="));
	seen_free(&a);
	seen_free(&b);
	seen_free(&c);
	teardown_tree(&st);
}

static void test_snapshot__environment_change_is_parsed_again(void **state)
{
	static const char *const env_other[] = { "KXT_SET", "second", NULL };
	static const char *const env_newly_set[] = {
		"KXT_SET", "first", "KXT_UNSET", "now set", NULL
	};
	struct setup st;
	struct seen a, b, c, d;

	(void)state;
	setup_tree(&st);
	a = reload(st.fx.dir, st.cache, env_set);
	b = reload(st.fx.dir, st.cache, env_other);
	assert_false(b.from_snapshot);
	assert_non_null(strstr(b.model, "mainmenu Test second kernel"));
	c = reload(st.fx.dir, st.cache, env_set);
	d = reload(st.fx.dir, st.cache, env_newly_set);
	assert_false(d.from_snapshot);
	assert_non_null(strstr(d.config, "CONFIG_FROM_ENV=\"now set\""));
	seen_free(&a);
	seen_free(&b);
	seen_free(&c);
	seen_free(&d);
	teardown_tree(&st);
}

static void test_snapshot__probe_answer_change_is_parsed_again(void **state)
{
	struct setup st;
	struct seen a, b, c, d;

	(void)state;
	setup_tree(&st);
	a = reload(st.fx.dir, st.cache, env_set);
	assert_non_null(strstr(a.config, "CONFIG_CC_HAS_X=y"));
	/* the probe reads this file: its cache entry no longer applies (the
	 * size changes: timestamps alone may not, within one clock tick) */
	fx_write(&st.fx, "answer", "n\n\n");
	b = reload(st.fx.dir, st.cache, env_set);
	assert_false(b.from_snapshot);
	assert_null(strstr(b.config, "CONFIG_CC_HAS_X=y"));
	/* the probe's new answer is now cached: the next load parses (the
	 * snapshot has the old answer) and writes, the one after uses it */
	c = reload(st.fx.dir, st.cache, env_set);
	assert_false(c.from_snapshot);
	d = reload(st.fx.dir, st.cache, env_set);
	assert_true(d.from_snapshot);
	assert_same(&b, &c);
	assert_same(&b, &d);
	seen_free(&a);
	seen_free(&b);
	seen_free(&c);
	seen_free(&d);
	teardown_tree(&st);
}

/*
 * The cache keeps KX_MODEL_CACHE_MAX models (taken from the load's
 * environment), the newest: a load under a fourth ARCH evicts the oldest.
 */
static void test_snapshot__cache_keeps_at_most_max_models(void **state)
{
	static const char *const arches[] = { "a1", "a2", "a3", "a4" };
	const char *env[] = { "KXT_SET", "first", "ARCH", NULL,
			      "KX_MODEL_CACHE_MAX", "3", NULL };
	struct setup st;
	struct seen s;

	(void)state;
	setup_tree(&st);
	assert_int_equal(count_snapshots(st.cache), 0);
	for (size_t i = 0; i < 4; i++) {
		env[3] = arches[i];
		/* the first load under a new ARCH runs the probe: no model yet */
		for (int k = 0; k < 2; k++) {
			s = reload(st.fx.dir, st.cache, env);
			assert_int_equal(s.err, 0);
			seen_free(&s);
		}
		assert_int_equal(count_snapshots(st.cache), i < 3 ? i + 1 : 3);
	}
	/* the newest are kept: a4's model is there, a1's was evicted */
	env[3] = "a4";
	s = reload(st.fx.dir, st.cache, env);
	assert_true(s.from_snapshot);
	seen_free(&s);
	env[3] = "a1";
	s = reload(st.fx.dir, st.cache, env);
	assert_false(s.from_snapshot);
	seen_free(&s);
	teardown_tree(&st);
}

/* the one snapshot file in CACHE/models */
static char *snapshot_file(const char *cache)
{
	char *dir = kx_xasprintf("%s/models", cache), *path = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".kxm")) {
			assert_null(path);
			path = kx_xasprintf("%s/%s", dir, de->d_name);
		}
	closedir(d);
	free(dir);
	assert_non_null(path);
	return path;
}

static void damage(const char *path, int how, size_t at)
{
	char *data;
	size_t len;
	FILE *f;

	assert_int_equal(kx_read_file(&data, &len, path), 0);
	at %= len;
	f = fopen(path, "w");
	assert_non_null(f);
	switch (how) {
	case 0:		/* one flipped bit */
		data[at] ^= 0x10;
		fwrite(data, 1, len, f);
		break;
	case 1:		/* truncated */
		fwrite(data, 1, at & ~(size_t)3, f);
		break;
	default:	/* garbage of the same size */
		for (size_t i = 0; i < len; i++)
			fputc((int)(i * 2654435761u >> 13), f);
		break;
	}
	fclose(f);
	free(data);
}

static void test_snapshot__damaged_file_is_a_miss(void **state)
{
	struct setup st;
	struct seen ref;

	(void)state;
	setup_tree(&st);
	ref = reload(st.fx.dir, st.cache, env_set);
	for (int how = 0; how < 3; how++) {
		for (size_t at = 0; at < 4000; at += 397) {
			struct seen warm = reload(st.fx.dir, st.cache, env_set), s;
			char *path = snapshot_file(st.cache);

			assert_true(warm.from_snapshot);
			damage(path, how, at * 7919);
			s = reload(st.fx.dir, st.cache, env_set);
			assert_false(s.from_snapshot);
			assert_same(&ref, &s);	/* parsed, and rewritten */
			seen_free(&s);
			seen_free(&warm);
			free(path);
		}
	}
	seen_free(&ref);
	teardown_tree(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot__second_load_is_identical),
		cmocka_unit_test(test_snapshot__changed_file_is_parsed_again),
		cmocka_unit_test(test_snapshot__environment_change_is_parsed_again),
		cmocka_unit_test(test_snapshot__probe_answer_change_is_parsed_again),
		cmocka_unit_test(test_snapshot__damaged_file_is_a_miss),
		cmocka_unit_test(test_snapshot__cache_keeps_at_most_max_models),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
