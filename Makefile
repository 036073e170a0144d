# kairos: a language server with a memory. See README.md.
#   make            build build/kairos (installs missing Debian packages)
#   make test       set up everything, then run every test suite
#   make asan       the suite under AddressSanitizer + UBSan
#   make demo       run the scripted demo on examples/demo
#   make bench      benchmarks against peers (prints figures, asserts nothing)
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
B ?= build
SANITIZE ?=
WERROR ?= $(if $(CI),1,)

PKGS := libgit2 libcurl libutf8proc yaml-0.1
CC ?= cc
WARN := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT := -O2 -g
ifneq ($(SANITIZE),)
OPT := -O1 -g -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude $(CFLAGS)
LDFLAGS_ALL := $(if $(SANITIZE),-fsanitize=$(SANITIZE)) $(LDFLAGS)

# The main binary links only what every session needs; libgit2 and
# libcurl live in plugins loaded on first use: each folder of
# src/plugins/ is one shared object, src/plugins/NAME/*.c -> kairos-NAME.so.
CORE_LIBS = -lutf8proc -lyaml -lstemmer -lm -ldl
GIT_CFLAGS = $(shell pkg-config --cflags libgit2 2>/dev/null)
GIT_LIBS = $(shell pkg-config --libs libgit2 2>/dev/null || echo -lgit2)
CURL_LIBS = $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)

# src/<layer>/<module>.c (README "Architecture"); src/plugins/ are the
# shared objects loaded on first use, src/cli/main.c the binary's entry.
SRC := $(filter-out src/cli/main.c src/plugins/%.c,$(wildcard src/*/*.c))
HDR := $(wildcard include/kairos/*.h src/*/*.h src/plugins/*/*.h)
OBJ := $(SRC:src/%.c=$(B)/obj/%.o)
# prompts: protocol/prompts/*.md compiled in as C strings (scripts/gen-prompts.sh)
PROMPTS := $(sort $(wildcard protocol/prompts/*.md))
OBJ += $(B)/obj/gen_prompts.o
PLUGIN_DIRS := $(patsubst src/plugins/%/,%,$(sort $(dir $(wildcard src/plugins/*/*.c))))
PLUGINS := $(PLUGIN_DIRS:%=$(B)/kairos-%.so)
plugin_obj = $(patsubst src/%.c,$(B)/obj/%.o,$(wildcard src/plugins/$(1)/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(B)/tests/%)
DEPS_STAMP := $(B)/.deps-build

.PHONY: all deps deps-test test test-run asan demo bench install clean units man

all: $(B)/kairos $(PLUGINS)

$(DEPS_STAMP): scripts/deps.sh
	@sh scripts/deps.sh build
	@mkdir -p $(B) && touch $@

deps: $(DEPS_STAMP)

$(B)/obj/%.o: src/%.c $(HDR) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# plugin objects: position independent, and hidden but for the one entry
# symbol each plugin marks visible (a plugin's own names never resolve
# to the host's, or the host's to them)
$(B)/obj/plugins/%.o: src/plugins/%.c $(HDR) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -fvisibility=hidden $(GIT_CFLAGS) -c -o $@ $<

$(B)/gen/prompts.c: $(PROMPTS) scripts/gen-prompts.sh
	@mkdir -p $(dir $@)
	sh scripts/gen-prompts.sh $(PROMPTS) > $@.tmp && mv $@.tmp $@

$(B)/obj/gen_prompts.o: $(B)/gen/prompts.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/libkairos.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/kairos: $(B)/obj/cli/main.o $(B)/libkairos.a
	$(CC) $(LDFLAGS_ALL) -rdynamic -o $@ $^ $(CORE_LIBS)

$(B)/kairos-git.so: $(call plugin_obj,git)
	$(CC) $(LDFLAGS_ALL) -shared -o $@ $^ $(GIT_LIBS)

$(B)/kairos-http.so: $(call plugin_obj,http)
	$(CC) $(LDFLAGS_ALL) -shared -o $@ $^ $(CURL_LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/check.h $(B)/libkairos.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc -Itests/unit -o $@ $< $(B)/libkairos.a $(LDFLAGS_ALL) -rdynamic $(CORE_LIBS)

$(B)/tests/%: tests/tools/%.c $(B)/libkairos.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(B)/libkairos.a $(LDFLAGS_ALL) $(CORE_LIBS)

units: $(UNIT_BIN) $(TOOL_BIN)

deps-test:
	@sh scripts/deps.sh test
	@sh scripts/npm-deps.sh

test: deps-test
	@$(MAKE) --no-print-directory all units
	@$(MAKE) --no-print-directory test-run

test-run:
	@B=$(B) sh tests/run.sh

asan: deps-test
	@$(MAKE) --no-print-directory B=build-asan SANITIZE=address,undefined all units
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(MAKE) --no-print-directory B=build-asan SANITIZE=address,undefined test-run

demo: deps-test
	@$(MAKE) --no-print-directory all
	@B=$(B) sh examples/demo.sh

bench:
	@sh scripts/deps.sh bench
	@sh scripts/npm-deps.sh
	@$(MAKE) --no-print-directory all units
	@B=$(B) sh bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/kairos $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/kairos $(DESTDIR)$(PREFIX)/bin/kairos
	for p in $(PLUGINS); do install -m 644 $$p $(DESTDIR)$(PREFIX)/lib/kairos/; done
	install -m 644 doc/kairos.1 $(DESTDIR)$(PREFIX)/share/man/man1/kairos.1

# doc/kairos.1 is made from the commands' tables (src/cli); the 12-cli
# suite checks that it is up to date
man: all
	$(B)/kairos __man > doc/kairos.1

clean:
	rm -rf build build-asan
