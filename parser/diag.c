// SPDX-License-Identifier: MIT
/*
 * diag.c - the parser's diagnostics: messages at the statement being
 * parsed ("FILE:LINE: ..."), with the errors counted: a load that
 * reported one fails, as conf does.  Called by the scanner, the grammar, menu
 * construction and finalisation (parse_internal.h).
 */
#include <stdarg.h>

#include "parser/parse_internal.h"

/* ---- diagnostics ------------------------------------------------------- */

void kx_parse_msg(struct kx_parser *p, enum kx_diag_level lvl,
		  const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kx_diags_vadd(p->diags, lvl, file, line, fmt, ap);
	va_end(ap);
	if (lvl == KX_DIAG_ERROR)
		p->nerrs++;
}

static void located(struct kx_parser *p, enum kx_diag_level lvl,
		    const char *fmt, va_list ap)
{
	struct kx_buf b = KX_BUF_INIT;

	kx_buf_printf(&b, "%s:%d: ", p->cur_file, p->cur_line);
	kx_buf_vprintf(&b, fmt, ap);
	kx_parse_msg(p, lvl, p->cur_file, p->cur_line, "%s", kx_buf_cstr(&b));
	kx_buf_free(&b);
}

int kx_parse_too_deep(struct kx_parser *p, const char *file, int line)
{
	if (!p->deep_reported) {
		p->deep_reported = true;
		kx_parse_msg(p, KX_DIAG_ERROR, file, line,
			     "%s:%d: expression nested too deeply (more than %d levels)",
			     file ? file : "", line, KX_EXPR_MAX_DEPTH);
	}
	return KX_ELIMIT;
}

void kx_parse_error(struct kx_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	located(p, KX_DIAG_ERROR, fmt, ap);
	va_end(ap);
}

void kx_parse_warning(struct kx_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	located(p, KX_DIAG_WARNING, fmt, ap);
	va_end(ap);
}
