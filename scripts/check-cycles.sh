#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scripts/check-cycles.sh - fails when source files include or call each other in a loop.
#
# A module is a source file and its header (parser/env.c + parser/env.h = parser/env; a
# header alone, such as parser/parse_internal.h, is a module too). The scanner and the
# grammar (parser/lexer.l, parser/parser.y, generated into build/gen/) are one module,
# parser/grammar: flex's scanner returns the tokens bison's grammar defines, and the
# grammar calls the scanner, by design of both tools. Module A depends on B when a file of A
# includes a header of B ("dir/name.h" or, inside one folder, "name.h"), or when A's object
# file uses a symbol that B's object file defines (nm on build/, so run `make` first).
# The dependencies must form no loop: tsort(1) finds one and prints its members. And no
# folder depends on one above it: cli/ -> analyzer/ -> parser/ -> util/ (ARCHITECTURE.md).
# The same checks on a deliberately looping pair are run by the self-test (--self-test).
#
# Usage: scripts/check-cycles.sh [--self-test] [--edges]
#   --edges       also print every dependency "A B" (A depends on B)
# Exit: 0 no loop, 1 a loop (its modules are printed), 2 setup (no build, no nm).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

usage() {
	sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'
}

src_dirs=(util parser analyzer cli)
obj_dir=build
show_edges=0 self_test=0
for a in "$@"; do
	case $a in
	--edges) show_edges=1 ;;
	--self-test) self_test=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
kx_need_cmd nm tsort join

# include_edges DIR...: "A B" for every #include "x/y.h" of a source file in DIR.
include_edges() {
	local f m inc dir
	while IFS= read -r f; do
		m=${f%.*}
		dir=${f%/*}
		# the scanner and grammar are generated into gen/ under their own names
		case $f in
		*/lexer.l | */parser.y) m=parser/grammar ;;
		esac
		while IFS= read -r inc; do
			[[ $inc == */* ]] || inc=$dir/$inc
			inc=${inc%.h}
			# "parser.h"/"lexer.h" are the generated headers
			case $inc in
			*/parser | */lexer) [[ -e $inc.h ]] || inc=parser/grammar ;;
			esac
			[[ $inc != "$m" ]] && echo "$m $inc"
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1.h/p' "$f")
	done < <(find "$@" -type f \( -name '*.[ch]' -o -name '*.l' -o -name '*.y' \) | sort)
}

# symbol_edges OBJDIR: "A B" for every symbol A's object uses and B's object defines.
symbol_edges() {
	local dir=$1 o m defs uses
	defs=$(mktemp) uses=$(mktemp)
	while IFS= read -r o; do
		m=${o#"$dir"/}
		m=${m%.o}
		[[ $m == gen/* ]] && m=parser/grammar
		nm -g --defined-only "$o" | awk -v m="$m" 'NF == 3 && $2 ~ /[TDBRCV]/ { print $3, m }' >>"$defs"
		nm -u "$o" | awk -v m="$m" '{ print $NF, m }' >>"$uses"
	done < <(find "$dir" -name '*.o' -not -path "$dir/san/*" -not -path "$dir/fuzz/*" \
		-not -path "$dir/tests/*" | sort)
	sort -o "$defs" "$defs"
	sort -o "$uses" "$uses"
	join "$uses" "$defs" | awk '$2 != $3 { print $2, $3 }'
	rm -f "$defs" "$uses"
}

# check EDGES_FILE: 0 when the graph has no loop and no upward dependency, else 1 with
# each loop and each upward dependency printed.
check() {
	local edges=$1 out up
	up=$(awk 'BEGIN { r["util"] = 0; r["parser"] = 1; r["analyzer"] = 2; r["cli"] = 3 }
		{ split($1, a, "/"); split($2, b, "/")
		  if ((a[1] in r) && (b[1] in r) && r[a[1]] < r[b[1]]) print "  " $1 " -> " $2 }' "$edges")
	if [[ -n $up ]]; then
		echo "check-cycles: dependencies that run upward (cli -> analyzer -> parser -> util):"
		echo "$up"
		return 1
	fi
	out=$(tsort "$edges" 2>&1 >/dev/null || true)
	if [[ -n $out ]]; then
		echo "check-cycles: modules that depend on each other in a loop:"
		sed -n 's/^tsort: \([^:]*\)$/  \1/p' <<<"$out" | sort -u
		return 1
	fi
	return 0
}

if ((self_test)); then
	# the checker must see a loop of two modules, by include and by call
	t=$(kx_mktemp_dir)
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t/src/a" "$t/obj/a"
	printf '#include "a/y.h"\nint x(void) { return 1; }\n' >"$t/src/a/x.c"
	printf '#include "a/x.h"\nint y(void) { return 2; }\n' >"$t/src/a/y.c"
	: >"$t/src/a/x.h"
	: >"$t/src/a/y.h"
	if check <(echo "parser/x util/y"; echo "util/y parser/z") >"$t/out" ||
		! grep -q 'util/y -> parser/z' "$t/out"; then
		echo "check-cycles: self-test FAILED: an upward dependency was not found"
		exit 1
	fi
	(cd "$t/src" && include_edges a) | sort -u >"$t/inc"
	printf 'int y(void);\nint x(void) { return y(); }\n' >"$t/x.c"
	printf 'int x(void);\nint y(void) { return x(); }\n' >"$t/y.c"
	cc -c -o "$t/obj/a/x.o" "$t/x.c"
	cc -c -o "$t/obj/a/y.o" "$t/y.c"
	symbol_edges "$t/obj" | sort -u >"$t/sym"
	rc=0
	for g in inc sym; do
		if check "$t/$g" >"$t/out"; then
			echo "check-cycles: self-test FAILED: no loop found in the $g graph"
			rc=1
		elif ! grep -q 'a/x' "$t/out" || ! grep -q 'a/y' "$t/out"; then
			echo "check-cycles: self-test FAILED: the $g loop was not named"
			rc=1
		fi
	done
	((rc == 0)) && echo "check-cycles: self-test passed (include and call loops, an upward dependency found)"
	exit "$rc"
fi

[[ -e $obj_dir/cli/main.o ]] || kx_die "no objects under $obj_dir/: run make first"
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
{ include_edges "${src_dirs[@]}"; symbol_edges "$obj_dir"; } | sort -u >"$edges"
((show_edges)) && cat "$edges"
if check "$edges"; then
	echo "check-cycles: no loop among $(tr ' ' '\n' <"$edges" | sort -u | wc -l) modules" \
		"($(wc -l <"$edges") dependencies)"
	exit 0
fi
exit 1
