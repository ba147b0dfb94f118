#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the README's examples and compare their output with the README.

Every ```console block of README.md (or another Markdown file: the golden
outputs under tests/golden/) is a shell session: lines starting with
"$ " are commands (run with bash, one shell per block, in a fresh temporary
directory, with the repository's kxen-config first on PATH and KSRC set to
the kernel tree), the lines after a command up to the next "$ " line are its
expected output (stdout and stderr together).  A block may start with a
line "<!-- tree: VERSION -->" just before it, naming the KERNELVERSION the
output was taken from.

Usage: readme-examples.py [--update] README KSRC
  --update   rewrite README with the current output (for developers)
Exit: 0 all match; 1 some differ; 77 the tree is another kernel version
than the README's output was taken from (skipped, said loudly); 2 usage.
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile


def kernelversion(ksrc):
    """VERSION.PATCHLEVEL.SUBLEVEL of the tree's top Makefile."""
    parts = {}
    with open(os.path.join(ksrc, "Makefile"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\S*)", line)
            if m:
                parts[m.group(1)] = m.group(2)
            if len(parts) == 3:
                break
    return "%s.%s.%s" % (parts.get("VERSION", "?"), parts.get("PATCHLEVEL", "?"),
                         parts.get("SUBLEVEL", "?"))


def blocks(lines):
    """(start, end) line indexes of the bodies of ```console blocks."""
    i = 0
    while i < len(lines):
        if lines[i].rstrip("\n") == "```console":
            j = i + 1
            while j < len(lines) and lines[j].rstrip("\n") != "```":
                j += 1
            yield i + 1, j
            i = j
        i += 1


def run_block(body, env, cwd):
    """Runs the commands of one block; returns the block with real output."""
    out = []
    cmds = [(k, l[2:].rstrip("\n")) for k, l in enumerate(body) if l.startswith("$ ")]
    for k, cmd in cmds:
        out.append(body[k])
        p = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, check=False)
        text = p.stdout
        if text and not text.endswith("\n"):
            text += "\n"
        out.extend(l + "\n" for l in text.splitlines())
    return out


def main(argv):
    update = False
    args = argv[1:]
    if args and args[0] == "--update":
        update = True
        args = args[1:]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    readme, ksrc = args
    # the kxen-config of this checkout (scripts/..), whatever file is checked
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(readme, encoding="utf-8") as f:
        lines = f.readlines()
    have = kernelversion(ksrc)
    want = None
    for l in lines:
        m = re.match(r"<!-- tree: (\S+) -->", l)
        if m:
            want = m.group(1)
            break
    if want and want != have and not update:
        print("*" * 72)
        print("* SKIPPED: README examples were taken from Linux %s; this tree is %s." % (want, have))
        print("* Run scripts/readme-examples.py --update README.md KSRC and review the diff.")
        print("*" * 72)
        return 77
    env = dict(os.environ)
    env["PATH"] = repo + os.pathsep + env.get("PATH", "")
    env["KSRC"] = os.path.abspath(ksrc)
    env["LC_ALL"] = "C"
    env.pop("KCONFIG_CONFIG", None)
    new = list(lines)
    failed = 0
    nblocks = 0
    # replace from the end so that earlier indexes stay valid
    for start, end in reversed(list(blocks(lines))):
        nblocks += 1
        body = lines[start:end]
        with tempfile.TemporaryDirectory(prefix="kx-readme.") as tmp:
            got = run_block(body, env, tmp)
        if got != body:
            failed += 1
            sys.stdout.writelines(difflib.unified_diff(
                body, got, "README.md:%d (expected)" % (start + 1), "actual"))
        new[start:end] = got
    if update:
        for i, l in enumerate(new):
            if re.match(r"<!-- tree: \S+ -->", l):
                new[i] = "<!-- tree: %s -->\n" % have
                break
        with open(readme + ".tmp", "w", encoding="utf-8") as f:
            f.writelines(new)
        os.replace(readme + ".tmp", readme)
        print("README examples: %d blocks rewritten from Linux %s" % (nblocks, have))
        return 0
    print("README examples: %d passed, %d failed" % (nblocks - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
