# kxen-config - plain GNU make build.
#
#   make                      build ./kxen-config (and build/libkxen.a)
#   make CC=clang             same with clang
#   make check                unit tests, plain and under ASan+UBSan
#   make SANITIZE=address,undefined check   only the sanitizer build
#   make test                 everything the README documents (.ci/run)
#   make deps                 install build/test dependencies (Debian, root)
#   make conformance          conf conformance on the CI subset
#   make bench                benchmarks (hyperfine), see docs/PERFORMANCE.md
#   make bench-kernels        build four kernel configs side by side (about 1.5 h)
#
# Objects go to build/ (build/san/ for the sanitizer build).

CC       ?= cc
ifeq ($(origin CC),default)
CC       := gcc
endif
FLEX     ?= flex
BISON    ?= bison
PKG_CONFIG ?= pkg-config
PICOSAT_LIBS ?= -lpicosat
PICOSAT_CFLAGS ?= -I/usr/include/picosat

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla \
            -Wno-format-nonliteral
OPT      ?= -O2 -g
CFLAGS   ?=
CPPFLAGS += -D_GNU_SOURCE -I. -Ibuild/gen $(PICOSAT_CFLAGS) \
            $(shell $(PKG_CONFIG) --cflags libgit2 2>/dev/null)
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(CFLAGS)
# libgit2 is not linked: parser/tree.c loads it (dlopen) for the first git
# tree, by the soname of the library the headers belong to.
GIT2_SONAME ?= $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir libgit2 2>/dev/null)/libgit2.so" \
                 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')
ifneq ($(GIT2_SONAME),)
CPPFLAGS += -DKX_GIT2_SONAME='"$(GIT2_SONAME)"'
endif
LDLIBS   += $(PICOSAT_LIBS) -lm -ldl
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

SANITIZE ?=
BUILD    := build
ifneq ($(SANITIZE),)
BUILD    := build/san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
OPT      := -O1 -g
endif

LIB_SRCS := $(wildcard util/*.c parser/*.c analyzer/*.c)
CLI_SRCS := $(wildcard cli/*.c)
ifneq ($(wildcard parser/parser.y),)
GEN_SRCS := build/gen/lexer.c build/gen/parser.c
GEN_HDRS := build/gen/parser.h build/gen/lexer.h
endif
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS)) \
            $(patsubst build/gen/%.c,$(BUILD)/gen/%.o,$(GEN_SRCS))
CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS))
LIB      := $(BUILD)/libkxen.a
# the cli objects but main.o, for the unit tests of cli/ (CLI_TESTS)
CLI_LIB  := $(BUILD)/libkxcli.a

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_HELPERS := $(wildcard tests/unit/helpers/*.c)
TEST_HELPER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(TEST_HELPERS))
CLI_TESTS := $(BUILD)/tests/test_report

ifeq ($(SANITIZE),)
PROGRAM := kxen-config
else
PROGRAM := $(BUILD)/kxen-config
endif

.PHONY: mutation-check all clean check check-unit check-sanitize-unit test deps conformance \
        conformance-full bench bench-kernels fuzz boot-test xen-test check-sanitize install \
        readme-examples

all: $(PROGRAM)

$(PROGRAM): $(CLI_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(CLI_LIB): $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJS))
	@rm -f $@
	ar rcs $@ $^

# Generated scanner and parser (shared by every build flavour).
build/gen/parser.c build/gen/parser.h &: parser/parser.y
	@mkdir -p build/gen
	$(BISON) -Wall -Werror --defines=build/gen/parser.h -o build/gen/parser.c $<

build/gen/lexer.c build/gen/lexer.h &: parser/lexer.l build/gen/parser.h
	@mkdir -p build/gen
	$(FLEX) --header-file=build/gen/lexer.h -o build/gen/lexer.c $<

# The generated code gets only the relaxations it needs.
GEN_RELAX := -Wno-unused-function -Wno-sign-compare -Wno-missing-prototypes \
             -Wno-unused-parameter -Wno-shadow
$(BUILD)/gen/%.o: build/gen/%.c $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(GEN_RELAX) -MMD -MP -c -o $@ $<

$(BUILD)/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(TEST_HELPER_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(TEST_HELPER_OBJS) $(TEST_CLI_LIB) $(LIB) $(LDLIBS) $(CMOCKA_LIBS)

# tests of cli/ code link the cli objects (before the library they call)
$(CLI_TESTS): $(CLI_LIB)
$(CLI_TESTS): TEST_CLI_LIB := $(CLI_LIB)

# Unit tests run from the repository root so fixtures are found.
check-unit: $(TEST_BINS) $(PROGRAM)
	@fail=0; for t in $(TEST_BINS); do \
		echo "== $$t"; \
		KX_TEST_PROGRAM=$(abspath $(PROGRAM)) ./$$t || fail=1; \
	done; \
	if [ $$fail -ne 0 ]; then echo "unit tests FAILED ($(BUILD))"; exit 1; fi; \
	echo "unit tests passed ($(BUILD))"

check:
ifeq ($(SANITIZE),)
	$(MAKE) check-unit
	$(MAKE) SANITIZE=address,undefined check-unit
else
	$(MAKE) check-unit
endif

test:
	./.ci/run

deps:
	scripts/install-deps.sh

conformance: all
	scripts/conformance.sh --subset ci

conformance-full: all
	scripts/conformance.sh --subset full

bench: all
	scripts/bench-all.sh

# the kernel table of docs/PERFORMANCE.md: four configs built (about 1.5 h)
bench-kernels: all
	scripts/build-compare.sh

check-sanitize:
	scripts/check-sanitize.sh

# The tests can fail: each deliberate bug of tests/mutations.list must be caught.
mutation-check: all
	scripts/mutation-check.sh

boot-test: all
	tests/kernel/boot-test.sh

xen-test: all
	tests/kernel/xen-test.sh

# The README's examples against the current code (needs the 6.12 tree).
readme-examples: all
	scripts/readme-examples.py README.md $$(scripts/fetch-trees.sh 6.12)

# make install [PREFIX=/usr/local] [DESTDIR=...]: the binary, the man page
# and the fragments (found as ../share/kxen-config/fragments from the binary).
PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/kxen-config/fragments
	install -m 755 kxen-config $(DESTDIR)$(PREFIX)/bin/kxen-config
	install -m 644 docs/kxen-config.1 $(DESTDIR)$(PREFIX)/share/man/man1/kxen-config.1
	install -m 644 fragments/*.config fragments/*.conf fragments/README.md \
		$(DESTDIR)$(PREFIX)/share/kxen-config/fragments/

clean:
	rm -rf build kxen-config

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- fuzzing (tests/fuzz) ----
# make fuzz FUZZ_SECONDS=N   build the libFuzzer harnesses tests/fuzz/fuzz_*.c
#                            (clang, ASan+UBSan) into build/fuzz/ and run each
#                            for N seconds on its corpus (see tests/fuzz/run.sh)
# make fuzz-build            only build them
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build/fuzz
FUZZ_NAMES   := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_NAMES))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -O1 -g $(WARN) $(FUZZ_SAN)
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(LIB_SRCS)) \
                 $(patsubst build/gen/%.c,$(FUZZ_BUILD)/obj/gen/%.o,$(GEN_SRCS))

$(FUZZ_BUILD)/obj/gen/%.o: build/gen/%.c $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(GEN_RELAX) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/obj/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libkxen.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_BUILD)/libkxen.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_BUILD)/libkxen.a $(LDLIBS)

.PHONY: fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)
# ---- end fuzzing ----
