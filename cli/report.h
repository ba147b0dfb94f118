/* SPDX-License-Identifier: MIT */
/* report.h - printing analysis results (text for people, JSON for tools). */
#ifndef KX_CLI_REPORT_H
#define KX_CLI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "analyzer/solve.h"

struct kx_session;

void kx_report_closure(struct kx_session *s, const struct kx_closure *cl,
		       const struct kx_target *t, size_t nt, const char *base);
/* with 'unknown': the targets' names the tree lacks; cl NULL: nothing solved */
void kx_report_closure_json(struct kx_session *s, const struct kx_closure *cl,
			    const struct kx_target *t, size_t nt,
			    char *const *unknown, size_t nunknown);
/* the closure as a JSON object (no trailing newline) */
void kx_closure_json(struct kx_session *s, struct kx_buf *b,
		     const struct kx_closure *cl, const struct kx_target *t,
		     size_t nt);
/* the human lines of a closure, each prefixed with 'indent' */
/* 'v' as a .config line has it: strings quoted and escaped */
void kx_put_value(struct kx_buf *b, const struct kx_sym *sym, const char *v);
void kx_closure_text(struct kx_session *s, struct kx_buf *b,
		     const struct kx_closure *cl, const char *indent);

/*
 * Targets that cannot hold (a closure's unmet list, or some of it): the one
 * way every command shows them, under a heading of its own.  Text, one
 * entry per target:
 *
 *   "  SYM=VAL (CAUSE)"                 or, with 'origin' and a target that
 *   "  SYM=VAL (CAUSE; from ORIGIN)"    says where it was asked for
 *   "    conflicts with: A=y, B=m"      a conflict: the other targets
 *   "    SYM REASON  (FILE:LINE)"       the chain, from the target down to
 *                                       what blocks it (FILE:LINE if known)
 *
 * CAUSE is kx_unmet_cause_text(): "fixed by the architecture or
 * toolchain", "excluded by other targets or choices", "not found: ..."
 * (the search gave up without a proof) or "cause unknown".
 *
 * JSON: an array with one object per target: "symbol", "value", "cause"
 * ("fixed", "conflict", "not-found" or "unknown"), "conflicts_with" (string or null)
 * and "chain" (objects "symbol", "needs", "reason", "file", "line",
 * "fixed"); docs/json-schema.md.
 */
void kx_unmet_text(struct kx_buf *b, const struct kx_unmet *u, size_t n,
		   bool origin);
void kx_unmet_json(struct kx_buf *b, const struct kx_unmet *u, size_t n);
const char *kx_unmet_cause_text(enum kx_cause c);

#endif
