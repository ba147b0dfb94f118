// SPDX-License-Identifier: MIT
/*
 * session.c - global options, and loading a tree for a command.
 *
 * The environment of the native commands is the one `make [NAME=VALUE...]
 * ARCH=... olddefconfig` gives conf: the process environment, turned by
 * kx_env_derive() with the NAME=VALUE arguments as make's command line.
 * The `conf` drop-in uses the process environment as given (NAME=VALUE
 * arguments before it only add to that environment).
 */
#include "cli/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/eval.h"
#include "analyzer/workspace.h"

extern char **environ;

const char kx_global_options_help[] =
"Global options:\n"
"  -C, --srctree DIR     kernel source tree (default: the current directory)\n"
"      --git REPO        read the tree from git repository REPO (no checkout)\n"
"      --rev REV         revision for --git: tag, branch or commit (default HEAD)\n"
"      --arch ARCH       ARCH as given to make (x86_64, i386, arm64, ...);\n"
"                        sets ARCH and SRCARCH as the kernel Makefile does\n"
"      --config FILE     the .config to read/write (default $KCONFIG_CONFIG or .config)\n"
"      --kconfig FILE    top Kconfig file, relative to the tree (default Kconfig)\n"
"      --json            machine-readable output (docs/json-schema.md); the\n"
"                        commands without one (preflight, build, xl-cfg, the\n"
"                        conf modes) refuse it with exit 2\n"
"  -q, --quiet           fewer messages;  -v, --verbose: more\n"
"      --no-cache        do not use the persistent $(shell,...) probe cache nor\n"
"                        the model cache (also: KX_NO_CACHE=1; KX_PROBE_CACHE_MAX=N\n"
"                        keeps at most N probes, least recently used dropped;\n"
"                        default 20000; KX_MODEL_CACHE=0 turns off only the model\n"
"                        cache, KX_MODEL_CACHE_MAX=N keeps N models, default 16)\n"
"      --probes=POLICY   run (default) | cache-only | deny: whether Kconfig's\n"
"                        $(shell,...) commands may run (see kxen-config(1), SECURITY)\n"
"      --record-probes FILE   append every probe command and answer to FILE\n"
"      --replay-probes FILE   answer probes from FILE (recorded elsewhere)\n"
"      --probe-timeout SECS   time limit per probe (default 60)\n"
"  NAME=VALUE            a make variable, as on make's command line (CC=clang,\n"
"                        LLVM=1, CROSS_COMPILE=aarch64-linux-gnu-): it wins over\n"
"                        the kernel Makefiles' own assignments, while a stray CC\n"
"                        etc. in the environment is overridden, as make does;\n"
"                        with `conf` it is only added to the environment\n";

void kx_errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("kxen-config: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Prints a diagnostic as it is added.  conf's own messages keep conf's form
 * (in the drop-in and for located diagnostics: "FILE:LINE:..."); an error
 * the tool adds without a location gets the "kxen-config: " of every other
 * error line.
 */
static void echo_diag(const struct kx_diag *d, void *ctx)
{
	const struct kx_session *s = ctx;

	if (!s->dropin && d->level == KX_DIAG_ERROR && !d->file)
		fputs("kxen-config: ", stderr);
	kx_diags_echo_file(d, stderr);
}

int kx_write_user_file(const char *path, const char *text, unsigned flags)
{
	int err = kx_write_output_text(path, text, flags);

	if (err == 0)
		return 0;
	kx_errorf("cannot write %s: %s", path, kx_output_strerror(err));
	return KX_EXIT_USAGE;
}

void kx_session_init(struct kx_session *s)
{
	const char *nc = getenv("KX_NO_CACHE");

	memset(s, 0, sizeof(*s));
	kx_diags_init(&s->diags);
	s->diags.echo = echo_diag;
	s->diags.echo_ctx = s;
	s->probes = KX_PROBES_RUN;
	s->no_cache = nc && *nc && strcmp(nc, "0");
}

void kx_session_free(struct kx_session *s)
{
	kx_kconfig_free(s->kc);
	kx_shell_free(s->shell);
	kx_env_free(s->env);
	kx_env_free(s->cmdline);
	kx_tree_free(s->tree);
	kx_diags_free(&s->diags);
}

/* NAME=VALUE with NAME a make variable name: [A-Za-z_][A-Za-z0-9_]* */
bool kx_is_assignment(const char *a)
{
	const char *p = a;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
		return false;
	for (p++; *p && *p != '='; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return *p == '=';
}

void kx_session_assign(struct kx_session *s, const char *a)
{
	const char *eq = strchr(a, '=');
	char *name = kx_xstrndup(a, eq - a);

	if (!s->cmdline)
		s->cmdline = kx_env_new();
	kx_env_set(s->cmdline, name, eq + 1);
	/* make exports command-line variables to conf */
	setenv(name, eq + 1, 1);
	free(name);
}

const char kx_global_shortopts[] = "C:qv";

const struct option kx_global_longopts[] = {
	{ "srctree", required_argument, NULL, 'C' },
	{ "git", required_argument, NULL, KX_GOPT_GIT },
	{ "rev", required_argument, NULL, KX_GOPT_REV },
	{ "arch", required_argument, NULL, KX_GOPT_ARCH },
	{ "config", required_argument, NULL, KX_GOPT_CONFIG },
	{ "kconfig", required_argument, NULL, KX_GOPT_KCONFIG },
	{ "json", no_argument, NULL, KX_GOPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "no-cache", no_argument, NULL, KX_GOPT_NO_CACHE },
	{ "probes", required_argument, NULL, KX_GOPT_PROBES },
	{ "record-probes", required_argument, NULL, KX_GOPT_RECORD },
	{ "replay-probes", required_argument, NULL, KX_GOPT_REPLAY },
	{ "probe-timeout", required_argument, NULL, KX_GOPT_PROBE_TIMEOUT },
	{ NULL, 0, NULL, 0 }
};

int kx_session_setopt(struct kx_session *s, int opt, const char *v)
{
	char *end;

	switch (opt) {
	case 'C':
		s->srctree = v;
		return 1;
	case KX_GOPT_GIT:
		s->git_repo = v;
		return 1;
	case KX_GOPT_REV:
		s->git_rev = v;
		return 1;
	case KX_GOPT_ARCH:
		s->arch = v;
		return 1;
	case KX_GOPT_CONFIG:
		s->config = v;
		return 1;
	case KX_GOPT_KCONFIG:
		s->kconfig = v;
		return 1;
	case KX_GOPT_JSON:
		s->json = true;
		return 1;
	case 'q':
		s->verbose = -1;
		return 1;
	case 'v':
		s->verbose = 1;
		return 1;
	case KX_GOPT_NO_CACHE:
		s->no_cache = true;
		return 1;
	case KX_GOPT_PROBES:
		if (!strcmp(v, "run"))
			s->probes = KX_PROBES_RUN;
		else if (!strcmp(v, "cache-only"))
			s->probes = KX_PROBES_CACHE_ONLY;
		else if (!strcmp(v, "deny"))
			s->probes = KX_PROBES_DENY;
		else {
			kx_errorf("--probes must be run, cache-only or deny, not '%s'", v);
			return -1;
		}
		return 1;
	case KX_GOPT_RECORD:
		s->record_probes = v;
		return 1;
	case KX_GOPT_REPLAY:
		s->replay_probes = v;
		return 1;
	case KX_GOPT_PROBE_TIMEOUT:
		s->probe_timeout = strtod(v, &end);
		if (end == v || *end || !(s->probe_timeout > 0)) {
			kx_errorf("--probe-timeout needs a positive number of seconds");
			return -1;
		}
		return 1;
	}
	return 0;
}

char *kx_cache_dir(const char *sub)
{
	char *home = kx_cache_home(), *dir;

	if (!home)
		return NULL;
	dir = kx_xasprintf("%s/kxen-config/%s", home, sub);
	free(home);
	return dir;
}

const char *kx_session_config_path(const struct kx_session *s)
{
	const char *c = getenv("KCONFIG_CONFIG");

	if (s->config)
		return s->config;
	return c ? c : ".config";
}

int kx_session_open(void *ctx, const char *name, char **data, size_t *len)
{
	struct kx_session *s = ctx;
	int err = kx_read_file(data, len, name);

	if (err != KX_ENOTFOUND || name[0] == '/' || !s->tree)
		return err;
	return kx_tree_read(s->tree, name, data, len);
}

void kx_session_message(void *ctx, const char *msg)
{
	(void)ctx;
	printf("#\n# %s\n#\n", msg);
	fflush(stdout);
}

static void info_stdout(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
	fflush(stdout);
}

static int prepare_probe(void *ctx, const char *cmd)
{
	return kx_tree_materialize(ctx, cmd);
}

/* Opens the tree (once); returns 0 or an exit code (message printed unless quiet). */
static int open_tree(struct kx_session *s, bool quiet)
{
	int err;

	if (s->tree)
		return 0;
	/* contradictions are errors, never a silent choice */
	if (s->git_rev && !s->git_repo) {
		kx_errorf("--rev %s needs --git REPO (the repository to read it from)", s->git_rev);
		return KX_EXIT_USAGE;
	}
	if (s->git_repo && s->srctree) {
		kx_errorf("--git %s and -C %s name two trees: give one", s->git_repo, s->srctree);
		return KX_EXIT_USAGE;
	}
	if (s->git_repo) {
		err = kx_tree_open_git(&s->tree, s->git_repo, s->git_rev);
		if (err < 0) {
			if (!quiet)
				kx_errorf("cannot read %s%s%s: %s", s->git_repo,
					  s->git_rev ? " at " : "", s->git_rev ? s->git_rev : "",
					  s->tree ? kx_tree_last_error(s->tree) : kx_strerror(err));
			return KX_EXIT_USAGE;
		}
	} else {
		const char *dir = s->srctree;

		if (!dir && s->dropin)
			dir = getenv("srctree");
		if (!dir)
			dir = ".";
		err = kx_tree_open_dir(&s->tree, dir);
		if (err < 0) {
			if (!quiet)
				kx_errorf("cannot open kernel tree '%s': %s", dir, kx_strerror(err));
			return KX_EXIT_USAGE;
		}
	}
	return 0;
}

void kx_session_semantics(struct kx_session *s, struct kx_semantics *sem)
{
	if (s->kc) {
		*sem = s->kc->sem;
		return;
	}
	if (open_tree(s, true)) {
		kx_tree_free(s->tree);
		s->tree = NULL;
	}
	if (s->env) {
		kx_semantics_pick(sem, s->tree, s->env);
	} else {
		struct kx_env *env = kx_env_new();

		kx_env_import(env, environ);
		kx_semantics_pick(sem, s->tree, env);
		kx_env_free(env);
	}
}

int kx_session_load(struct kx_session *s)
{
	struct kx_shell_opts so;
	struct kx_load_opts lo;
	struct kx_workspace w;
	char *cache = NULL, *models = NULL;
	int err;

	err = open_tree(s, false);
	if (err)
		return err;
	s->env = kx_env_new();
	kx_env_import(s->env, environ);
	if (!s->dropin) {
		struct kx_env_opts eo = { 0 };

		eo.arch = s->arch;
		eo.srctree = kx_tree_disk_root(s->tree);
		eo.cmdline = s->cmdline;
		/* CC/RUSTC --version only when probes may run at all */
		eo.run_tools = s->probes == KX_PROBES_RUN;
		if (!s->no_cache)
			eo.tool_cache_dir = cache = kx_cache_dir("probes");
		kx_env_derive(s->env, s->tree, &eo, &s->diags);
		free(cache);
		cache = NULL;
	}

	memset(&so, 0, sizeof(so));
	so.policy = s->probes;
	if (!s->no_cache)
		so.cache_dir = cache = kx_cache_dir("probes");
	so.record_file = s->record_probes;
	so.replay_file = s->replay_probes;
	so.timeout = s->probe_timeout;
	if (kx_tree_kind(s->tree) == KX_TREE_GIT) {
		so.prepare = prepare_probe;
		so.prepare_ctx = s->tree;
	}
	memset(&lo, 0, sizeof(lo));
	lo.kconfig = s->kconfig;
	lo.diags = &s->diags;
	lo.info = info_stdout;
	lo.strict = !s->dropin;
	lo.no_help = s->no_help;
	/* the model cache rests on the probe cache; a record file must see
	 * every probe; KX_MODEL_CACHE=0 turns it off alone (benchmarks) */
	if (!s->no_cache && s->probes != KX_PROBES_DENY && !s->record_probes &&
	    !(getenv("KX_MODEL_CACHE") && !strcmp(getenv("KX_MODEL_CACHE"), "0")))
		lo.snapshot_dir = models = kx_cache_dir("models");
	w.tree = s->tree;
	w.env = s->env;
	err = kx_workspace_load(&w, &so, &lo);
	s->shell = w.shell;
	s->kc = w.kc;
	free(cache);
	free(models);
	if (err < 0 && !w.shell) {
		kx_errorf("cannot set up probes: %s", kx_strerror(err));
		return KX_EXIT_INTERNAL;
	}
	if (err < 0) {
		if (err == KX_EDENIED || err == KX_ELIMIT) {
			const char *why = kx_shell_last_error(s->shell);

			if (why && *why && !s->diags.nerrors)
				kx_errorf("%s", why);
		}
		return s->dropin ? 1 : KX_EXIT_USAGE;
	}
	if (s->verbose > 0) {
		struct kx_shell_stats st;

		kx_shell_stats(s->shell, &st);
		fprintf(stderr, "kxen-config: Kconfig model %s (%zu files, %zu symbols); "
			"probes: %u, %u from the cache, %u run\n",
			s->kc->from_snapshot ? "loaded from the model cache" : "parsed",
			s->kc->nfiles, s->kc->nsyms, st.calls,
			st.cache_hits + st.replay_hits, st.spawned);
		{
			struct kx_buf b = KX_BUF_INIT;

			kx_semantics_describe(&s->kc->sem, &b);
			fprintf(stderr, "kxen-config: %s\n", kx_buf_cstr(&b));
			kx_buf_free(&b);
		}
	}
	/* what conf reads from the environment make gives it (the drop-in's
	 * own, kx_workspace_load), and --config */
	s->io = w.io;
	s->io.config_name = kx_session_config_path(s);
	s->io.open = kx_session_open;
	s->io.open_ctx = s;
	s->io.message = s->verbose < 0 ? NULL : kx_session_message;
	return 0;
}

const char *kx_session_profile_arch(struct kx_session *s)
{
	const char *a = kx_env_get(s->env, "ARCH");

	/* ARCH=x86 builds either word size: 64BIT decides, as in Kconfig */
	if (a && !strcmp(a, "x86")) {
		struct kx_sym *b64 = kx_sym_find(s->kc, "64BIT");

		if (b64) {
			kx_sym_calc_value(s->kc, b64);
			return b64->curr.tri == KX_YES ? "x86_64" : "i386";
		}
	}
	return a ? a : "x86_64";
}
