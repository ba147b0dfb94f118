#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make-git-tree.sh SRC DEST - a git repository holding the Kconfig-relevant
# part of kernel tree SRC, for tests that load Kconfig through the git back
# end (parser/tree.c) and compare with the directory SRC.
#
# DEST becomes a bare repository (branch main) with two reproducible
# commits:
#   kx-test    every file named Kconfig*, the top Makefile, arch/*/Makefile,
#              and everything under scripts/, arch/*/configs/,
#              kernel/configs/ and arch/*/tools/ (symlinks stay symlinks,
#              executable bits are kept, as `git add` would record them);
#   kx-test-2  the same with one line added at the start of the first help
#              text of init/Kconfig, so the two revisions differ in a known
#              way.
# Author, committer and dates are fixed, so for the same SRC the commit ids
# are always the same.  SRC is never modified.
#
# Speed: the files are streamed into `git fast-import` (one process, one
# pack, no loose objects and no repack); the slowest part is finding the
# Kconfig* files in the whole tree.
#
# If DEST already exists and holds the marker file written at the end, it
# is reused as is.  The repository is built next to DEST and renamed into
# place, so concurrent runs never see a half-built repository.
# Prints DEST.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 SRC DEST" >&2
	exit 2
fi
dest=$2
marker=kx-tree-complete

if [ -f "$dest/$marker" ]; then
	echo "$dest"
	exit 0
fi
if [ ! -f "$1/Kconfig" ] || [ ! -d "$1/scripts" ]; then
	echo "$0: $1 does not look like a kernel tree" >&2
	exit 1
fi
if [ -e "$dest" ]; then
	echo "$0: $dest exists but is not a finished tree (no $marker)" >&2
	exit 1
fi
src=$(cd "$1" && pwd)

mkdir -p "$(dirname "$dest")"
tmp="$dest.tmp.$$"
trap 'rm -rf "$tmp"' EXIT INT TERM

# Nothing from the user's configuration may change the result.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
git init -q --bare -b main "$tmp"

# The file list: paths relative to SRC, NUL-separated, sorted, unique.
list_files() {
	(
		cd "$src"
		{
			find . -path ./.git -prune -o -name 'Kconfig*' \
				\( -type f -o -type l \) -print0
			for f in Makefile arch/*/Makefile; do
				[ -e "$f" ] && printf './%s\0' "$f"
			done
			# shellcheck disable=SC2046 # the globs must split
			find scripts kernel/configs $(ls -d arch/*/configs \
				arch/*/tools 2>/dev/null) \
				\( -type f -o -type l \) -printf './%p\0'
		} | sed -z 's|^\./||' | sort -zu
	)
}

# Turns the file list (stdin) into a fast-import stream (stdout): commit 1
# with every file, commit 2 with the changed init/Kconfig, two tags.
make_stream() {
	cd "$src" && perl -e '
		use strict;
		use warnings;
		my ($name) = @ARGV;
		my $who = "kxen-config test <kx-test\@invalid> 1704067200 +0000";

		sub data { print "data ", length($_[0]), "\n", $_[0], "\n"; }
		sub slurp {
			open(my $fh, "<:raw", $_[0]) or die "$_[0]: $!\n";
			local $/;
			my $d = <$fh>;
			return defined $d ? $d : "";
		}
		binmode(STDOUT);
		local $/ = "\0";
		my @files = <STDIN>;
		chomp(@files);

		print "commit refs/heads/main\nmark :1\n";
		print "author $who\ncommitter $who\n";
		data("kx-test: Kconfig-relevant files of $name\n");
		for my $f (@files) {
			die "unusual file name: $f\n" if $f =~ /[\n"]/;
			if (-l $f) {
				print "M 120000 inline $f\n";
				data(readlink($f));
			} else {
				my $x = (stat($f))[2] & 0100;
				print "M ", ($x ? "100755" : "100644"),
					" inline $f\n";
				data(slurp($f));
			}
		}

		# one more line at the start of the first help text,
		# indented like the line that follows it
		my $k = slurp("init/Kconfig");
		$k =~ s/^([ \t]+help[ \t]*\n)([ \t]*)/$1$2kx-test-2: this line differs between the test revisions.\n$2/m
			or die "init/Kconfig: no help text\n";
		print "commit refs/heads/main\nmark :2\n";
		print "author $who\ncommitter $who\n";
		data("kx-test-2: change one help text\n");
		print "from :1\nM 100644 inline init/Kconfig\n";
		data($k);

		print "reset refs/tags/kx-test\nfrom :1\n\n";
		print "reset refs/tags/kx-test-2\nfrom :2\n\n";
	' "$(basename "$src")"
}

list_files | make_stream | GIT_DIR="$tmp" git fast-import --quiet
c1=$(git --git-dir="$tmp" rev-parse kx-test)
c2=$(git --git-dir="$tmp" rev-parse kx-test-2)

printf 'src %s\nkx-test %s\nkx-test-2 %s\n' "$src" "$c1" "$c2" >"$tmp/$marker"
if ! mv -T "$tmp" "$dest" 2>/dev/null; then
	# another run finished first: use its repository (the trap removes ours)
	[ -f "$dest/$marker" ] || { echo "$0: cannot create $dest" >&2; exit 1; }
fi
echo "$dest"
