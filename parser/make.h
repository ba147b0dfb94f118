/* SPDX-License-Identifier: MIT */
/*
 * make.h - a small GNU make evaluator, enough to read how an arch Makefile
 * sets CROSS_COMPILE and the toolchain variables (make.c says what it
 * evaluates and what it calls "unknown").
 *
 *	struct kx_mk_input in = { .env = env, .cmdline = given, .ctx = dv };
 *	struct kx_mk *m = kx_mk_new(&in);
 *	kx_mk_seed(m, "SUBARCH", "x86", false);
 *	kx_mk_eval(m, text_of_arch_makefile);
 *	if (kx_mk_assigned(m, "CROSS_COMPILE", &v) == KX_MK_VALUE) ...
 *	kx_mk_free(m);
 *
 * Used by the kbuild environment derivation (kbuild.c); it runs nothing:
 * cc-cross-prefix searches the environment's PATH (kx_env_which).
 */
#ifndef KX_MAKE_H
#define KX_MAKE_H

#include <stdbool.h>

struct kx_env;

struct kx_mk_input {
	/* make's environment, the command line's values included */
	const struct kx_env *env;
	/* whether NAME was given on make's command line (it then wins over
	 * the file's assignments, as in make) */
	bool (*cmdline)(const void *ctx, const char *name);
	const void *ctx;
};

struct kx_mk;

struct kx_mk *kx_mk_new(const struct kx_mk_input *in);
void kx_mk_free(struct kx_mk *m);

/* A variable make has before it reads the file (recursive: '=' flavour). */
void kx_mk_seed(struct kx_mk *m, const char *name, const char *value,
		bool recursive);

/* Evaluates a makefile's text (NUL-terminated). */
void kx_mk_eval(struct kx_mk *m, const char *text);

enum kx_mk_result {
	KX_MK_UNSET,	/* the file did not assign it */
	KX_MK_UNKNOWN,	/* assigned from what the evaluator cannot evaluate */
	KX_MK_VALUE,	/* *value: the expanded value (malloc'd), or NULL
			 * when its expansion cannot be evaluated */
};

/* What the file assigned to NAME. */
enum kx_mk_result kx_mk_assigned(struct kx_mk *m, const char *name,
				 char **value);

#endif /* KX_MAKE_H */
