/* SPDX-License-Identifier: MIT */
/* report.h - printing analysis results (text for people, JSON for tools). */
#ifndef KX_CLI_REPORT_H
#define KX_CLI_REPORT_H

#include <stdio.h>

#include "analyzer/solve.h"

struct kx_session;

void kx_report_closure(struct kx_session *s, const struct kx_closure *cl,
		       const struct kx_target *t, size_t nt, const char *base);
void kx_report_closure_json(struct kx_session *s, const struct kx_closure *cl,
			    const struct kx_target *t, size_t nt, const char *base);
/* the closure as a JSON object (no trailing newline) */
void kx_closure_json(struct kx_session *s, struct kx_buf *b,
		     const struct kx_closure *cl, const struct kx_target *t,
		     size_t nt);
/* the human lines of a closure, each prefixed with 'indent' */
/* 'v' as a .config line has it: strings quoted and escaped */
void kx_put_value(struct kx_buf *b, const struct kx_sym *sym, const char *v);
void kx_closure_text(struct kx_session *s, struct kx_buf *b,
		     const struct kx_closure *cl, const char *indent);

#endif
