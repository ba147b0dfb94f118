// SPDX-License-Identifier: MIT
/* fixture.c - see fixture.h */
#include "fixture.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/eval.h"
#include "analyzer/solve.h"
#include "analyzer/workspace.h"

static void mkdirs(const char *path)
{
	char *tmp = kx_xstrdup(path);

	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(tmp, 0755);
		*p = '/';
	}
	free(tmp);
}

void fx_write(struct fx *fx, const char *name, const char *text)
{
	char *path = kx_xasprintf("%s/%s", fx->dir, name);
	FILE *f;

	mkdirs(path);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(path);
}

static void info_cb(void *ctx, const char *line)
{
	struct kx_buf *b = ctx;

	kx_buf_puts(b, line);
	kx_buf_putc(b, '\n');
}

static int load_common(struct fx *fx, const char *version);

int fx_load(struct fx *fx, const char *version, const struct fx_file *files)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kx-test-XXXXXX");
	if (!mkdtemp(fx->dir))
		return KX_EIO;
	for (; files && files->path; files++)
		fx_write(fx, files->path, files->text);
	return load_common(fx, version);
}

int fx_load_dir(struct fx *fx, const char *version, const char *dir)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "%s", dir);
	return load_common(fx, version);
}

static bool next_no_help;	/* fx_load1_no_help: for the next load only */
const char *fx_next_cache;
const char *const *fx_next_env;
const struct kx_semantics *fx_next_sem;
bool fx_next_pick_rules;

static int load_common(struct fx *fx, const char *version)
{
	struct kx_shell_opts so = { 0 };
	struct kx_load_opts lo = { 0 };
	struct kx_workspace w;
	char *probes = NULL, *models = NULL;
	struct kx_semantics sem;
	int major = 6, minor = 12;

	kx_diags_init(&fx->diags);
	if (kx_tree_open_dir(&fx->tree, fx->dir) < 0)
		return KX_EIO;
	fx->env = kx_env_new();
	kx_env_set(fx->env, "srctree", fx->dir);
	kx_env_set(fx->env, "PATH", "/usr/bin:/bin");
	kx_env_set(fx->env, "ARCH", "x86_64");
	kx_env_set(fx->env, "SRCARCH", "x86");
	kx_env_set(fx->env, "KERNELVERSION", version);
	for (const char *const *e = fx_next_env; e && e[0]; e += 2)
		kx_env_set(fx->env, e[0], e[1]);
	so.policy = KX_PROBES_RUN;
	so.cwd = fx->dir;
	if (fx_next_cache) {
		so.cache_dir = probes = kx_xasprintf("%s/probes", fx_next_cache);
		lo.snapshot_dir = models = kx_xasprintf("%s/models", fx_next_cache);
	}
	kx_parse_kernelversion(version, &major, &minor);
	kx_semantics_for_version(&sem, major, minor);
	if (fx_next_sem)
		sem = *fx_next_sem;
	lo.diags = &fx->diags;
	lo.info = info_cb;
	lo.info_ctx = &fx->info;
	lo.sem = fx_next_pick_rules ? NULL : &sem;
	fx_next_sem = NULL;
	fx_next_pick_rules = false;
	lo.no_help = next_no_help;
	next_no_help = false;
	/* the load sequence of every command (cli/session.c) */
	w.tree = fx->tree;
	w.env = fx->env;
	fx->load_err = kx_workspace_load(&w, &so, &lo);
	fx->shell = w.shell;
	fx->kc = w.kc;
	free(probes);
	free(models);
	fx_next_cache = NULL;
	fx_next_env = NULL;
	if (fx->kc) {
		fx->kc->info = info_cb;
		fx->kc->info_ctx = &fx->info;
		fx->io = w.io;
		fx->io.message = NULL;
		fx->io.prefix = "CONFIG_";
		fx->io.warn_unknown = true;
	}
	return fx->load_err;
}

int fx_load1_no_help(struct fx *fx, const char *version, const char *kconfig)
{
	next_no_help = true;
	return fx_load1(fx, version, kconfig);
}

int fx_load1(struct fx *fx, const char *version, const char *kconfig)
{
	struct fx_file files[] = { { "Kconfig", kconfig }, { NULL, NULL } };

	return fx_load(fx, version, files);
}

int fx_remove_dir(const char *dir)
{
	char *cmd = kx_xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	return rc;
}

void fx_free(struct fx *fx)
{
	kx_kconfig_free(fx->kc);
	kx_shell_free(fx->shell);
	kx_env_free(fx->env);
	kx_tree_free(fx->tree);
	kx_diags_free(&fx->diags);
	kx_buf_free(&fx->info);
	if (fx->dir[0] && !strncmp(fx->dir, "/tmp/kx-test-", 13)) {
		fx_remove_dir(fx->dir);
	}
	memset(fx, 0, sizeof(*fx));
}

size_t fx_targets(struct fx *fx, const char *spec, struct kx_target *t)
{
	char *copy = kx_xstrdup(spec ? spec : ""), *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq = 0;
		t[n].sym = kx_sym_find(fx->kc, tok);
		t[n].value = kx_arena_strdup(fx->kc->arena, eq ? eq + 1 : "y");
		n++;
	}
	free(copy);
	return n;
}

int fx_read_config(struct fx *fx, const char *text)
{
	char *path = kx_xasprintf("%s/.config.in", fx->dir);
	int err;

	fx_write(fx, ".config.in", text);
	err = kx_conf_read(&fx->io, path);
	free(path);
	return err;
}

char *fx_format(struct fx *fx)
{
	struct kx_buf b = KX_BUF_INIT;

	kx_conf_format(&fx->io, &b);
	return kx_buf_detach(&b);
}

char *fx_format_defconfig(struct fx *fx)
{
	struct kx_buf b = KX_BUF_INIT;

	kx_conf_format_defconfig(&fx->io, &b);
	return kx_buf_detach(&b);
}

const char *fx_value(struct fx *fx, const char *name)
{
	struct kx_sym *s = kx_sym_find(fx->kc, name);

	if (!s)
		return "";
	kx_sym_calc_value(fx->kc, s);
	return kx_sym_string_value(fx->kc, s);
}

char *fx_diags_text(struct fx *fx)
{
	struct kx_buf b = KX_BUF_INIT;

	for (size_t i = 0; i < fx->diags.n; i++) {
		kx_buf_puts(&b, fx->diags.v[i].text);
		kx_buf_putc(&b, '\n');
	}
	return kx_buf_detach(&b);
}

bool fx_config_has(struct fx *fx, const char *needle)
{
	char *t = fx_format(fx);
	bool r = strstr(t, needle) != NULL;

	free(t);
	return r;
}

/*
 * Whether a live (not zombie) process of group 'pgid' exists.  Zombies do
 * not count: reaping orphans is init's job, and some container inits are
 * slow at it.
 */
bool fx_group_alive(long pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool alive = false;

	if (!d)
		abort();	/* no /proc: the tests cannot tell */
	while ((de = readdir(d)) != NULL) {
		char path[300], buf[512], *rp, state;
		long ppid, pgrp;
		FILE *f;
		size_t n;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		rp = strrchr(buf, ')');
		if (!rp || sscanf(rp + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3)
			continue;
		if (pgrp == pgid && state != 'Z')
			alive = true;
	}
	closedir(d);
	return alive;
}
