/* SPDX-License-Identifier: MIT */
/* commands.h - the sub-commands of kxen-config (one function each). */
#ifndef KX_CLI_COMMANDS_H
#define KX_CLI_COMMANDS_H

#include <stdbool.h>

struct kx_session;

/* `conf [conf's options] Kconfig`: drop-in for scripts/kconfig/conf */
int kx_cmd_conf(struct kx_session *s, int argc, char **argv);
/* olddefconfig, allnoconfig, ... (argv[0] is the command) */
int kx_cmd_config(struct kx_session *s, const char *cmd, int argc, char **argv);
bool kx_is_config_command(const char *cmd);
/* dump [--json] and find PATTERN */
int kx_cmd_dump(struct kx_session *s, int argc, char **argv);
int kx_cmd_find(struct kx_session *s, int argc, char **argv);

/* build a kernel with a generated config (cmd_build.c) */
int kx_cmd_build(struct kx_session *s, int argc, char **argv);
/* write an xl domain configuration (cmd_xlcfg.c) */
int kx_cmd_xlcfg(struct kx_session *s, int argc, char **argv);

/* why / why-not / check / preflight (cmd_analyze.c), merge (cmd_merge.c) */
int kx_cmd_why(struct kx_session *s, int argc, char **argv);
int kx_cmd_why_not(struct kx_session *s, int argc, char **argv);
int kx_cmd_check(struct kx_session *s, int argc, char **argv);
int kx_cmd_preflight(struct kx_session *s, int argc, char **argv);
int kx_cmd_merge(struct kx_session *s, int argc, char **argv);

/* generate a slim domU config, prune hardware (cmd_generate.c) */
int kx_cmd_generate(struct kx_session *s, int argc, char **argv);
int kx_cmd_prune(struct kx_session *s, int argc, char **argv);

/* closure SYM=VAL... */
int kx_cmd_closure(struct kx_session *s, int argc, char **argv);

struct kx_target;
/* Parses SYM=VAL (CONFIG_ prefix optional; SYM alone means y): 0; 1 for a
 * symbol this tree lacks (reported, with similar names); -1 bad value. */
int kx_parse_target(struct kx_session *s, const char *arg, struct kx_target *t);
/* The symbol name of a SYM=VAL argument, without CONFIG_ (malloc'd). */
char *kx_target_name(const char *arg);

/*
 * Loads the base configuration for an analysis (see kx_base_load): 'spec',
 * or the --config/.config file when it exists, else defconfig (with a note
 * on stderr; a --config file that does not exist is an error).  *text gets
 * the base .config text and s->base_used names what was loaded.  Returns 0
 * or prints an error and returns -1.
 */
int kx_session_base(struct kx_session *s, const char *spec, char **text);

#endif /* KX_CLI_COMMANDS_H */
