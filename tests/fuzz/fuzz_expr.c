// SPDX-License-Identifier: MIT
/*
 * fuzz_expr.c - libFuzzer harness for the expression grammar and the
 * evaluator.
 *
 * The input is "EXPR" or "EXPR\0CONFIG": EXPR (newlines turned into
 * blanks, so it stays one line) is placed in
 *	config A ... depends on EXPR
 *	config D ... default EXPR
 * of a tree with symbols of every type, which is loaded (6.12, then 6.1
 * semantics), the optional CONFIG text is read as a .config, and every
 * symbol is evaluated and written; the dependency is also printed.
 */
#include "fuzz_common.h"

static const char head[] =
	"config MODULES\n\tbool \"modules\"\n\tmodules\n\tdefault y\n"
	"config B\n\tbool \"b\"\n\tdefault y\n"
	"config N\n\tbool \"n\"\n"
	"config T\n\ttristate \"t\"\n\tdefault m\n"
	"config I\n\tint \"i\"\n\tdefault 42\n"
	"config H\n\thex \"h\"\n\tdefault 0x2a\n"
	"config S\n\tstring \"s\"\n\tdefault \"42\"\n"
	"config A\n\ttristate \"a\"\n\tdefault y\n\tdepends on ";
static const char mid[] =
	"\nconfig D\n\ttristate \"d\"\n\tdefault ";
static const char tail[] =
	"\nconfig E\n\tbool \"e\"\n\tselect A if A\n";

static const char *fz_valfn(void *ctx, struct kx_sym *s)
{
	return kx_sym_string_value(ctx, s);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const int versions[][2] = { { 6, 12 }, { 6, 1 } };
	const unsigned char *nul = memchr(data, 0, size);
	size_t elen = nul ? (size_t)(nul - data) : size;
	const char *config = nul ? (const char *)nul + 1 : NULL;
	size_t clen = nul ? size - elen - 1 : 0;
	struct kx_buf k = KX_BUF_INIT;

	fz_init_world();
	kx_buf_puts(&k, head);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < elen; i++)
			kx_buf_putc(&k, data[i] == '\n' || data[i] == '\r'
				    ? ' ' : (char)data[i]);
		kx_buf_puts(&k, pass ? tail : mid);
	}
	fz_write("Kconfig", kx_buf_cstr(&k), k.len);
	kx_buf_free(&k);
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct kx_kconfig *kc = NULL;
		struct kx_diags diags;

		kx_diags_init(&diags);
		if (fz_load(&kc, &diags, versions[v][0], versions[v][1]) == 0) {
			struct kx_sym *a = kx_sym_find(kc, "A");
			struct kx_buf b = KX_BUF_INIT;

			fz_eval_and_write(kc, config, clen);
			if (a) {
				kx_expr_calc(kc, a->dir_dep);
				kx_expr_print(&b, a->dir_dep, fz_valfn, kc);
			}
			kx_buf_free(&b);
		}
		kx_kconfig_free(kc);
		kx_diags_free(&diags);
	}
	return 0;
}
