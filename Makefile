# SPDX-License-Identifier: BSD-2-Clause
#
# Top-level build. `make` builds the userland and kernel/kipsec.ko;
# `make check` runs unit tests (ASan+UBSan), brief fuzz runs, then the guest
# tests; `make demo` runs the demo in a guest; `make deps` installs packages.
#
# Userland objects go to $(O) (build/ by default), sanitizer builds of the same
# sources to $(O)/san, libFuzzer builds to $(O)/fuzz.

O        ?= build
CC       ?= cc
FUZZCC   ?= clang
WERROR   ?= -Werror
CSTD     := -std=c11 -D_GNU_SOURCE -Iinclude
CWARN    := -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS   ?= -O2 -g
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
FUZZFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
             -fno-sanitize-recover=all -DKIPSEC_FUZZING
LDLIBS   := -lssl -lcrypto -lmnl

# Each userland component is the set of .c files in its directory; the file
# holding main() is named main.c (or <tool>_main.c) so the rest links into
# unit tests and fuzz targets.
LIBPFKEY_SRCS := $(sort $(wildcard libpfkey/*.c))
SETKEY_SRCS   := $(filter-out setkey/main.c setkey/ipsecstat_main.c, \
                   $(sort $(wildcard setkey/*.c)))
LIB_SRCS      := $(LIBPFKEY_SRCS) $(SETKEY_SRCS)
PROGS         := $(if $(wildcard setkey/main.c),$(O)/bin/setkey) \
                 $(if $(wildcard setkey/ipsecstat_main.c),$(O)/bin/ipsecstat)
UNIT_TESTS    := $(patsubst tests/unit/%.c,$(O)/san/%, \
                   $(sort $(wildcard tests/unit/test_*.c)))
FUZZ_TARGETS  := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%, \
                   $(sort $(wildcard tests/fuzz/fuzz_*.c)))
GUEST_PROGS   := $(patsubst tests/guest/%.c,$(O)/guest/%, \
                   $(sort $(wildcard tests/guest/*.c)))
EXAMPLES      := $(patsubst docs/examples/%.c,$(O)/examples/%, \
                   $(sort $(wildcard docs/examples/*.c)))

KVER_DETECT := $(shell scripts/kver 2>/dev/null)
KDIR     ?= $(if $(wildcard /lib/modules/$(shell uname -r)/build/Makefile), \
              /lib/modules/$(shell uname -r)/build, \
              $(if $(KVER_DETECT),/lib/modules/$(KVER_DETECT)/build))

.PHONY: all userland kernel check unit fuzz fuzz-brief guest demo deps \
        bench clean install help
.DEFAULT_GOAL := all

all: userland kernel

userland: $(PROGS) $(GUEST_PROGS) $(EXAMPLES)

help:
	@echo "make            build userland and kernel/kipsec.ko"
	@echo "make deps       install build/test packages from Debian"
	@echo "make check      unit tests, brief fuzzing, guest tests"
	@echo "make demo       boot a guest and run a real tunnel"
	@echo "make fuzz       run every fuzz target for FUZZ_SECONDS (default 60)"
	@echo "make KDIR=...   build the module against another kernel tree"

# --- userland ---------------------------------------------------------------

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CWARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CWARN) $(SANFLAGS) -MMD -MP -c -o $@ $<

$(O)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZCC) $(CSTD) $(CWARN) $(FUZZFLAGS) -MMD -MP -c -o $@ $<

$(O)/libkipsec.a: $(LIB_SRCS:%.c=$(O)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(O)/san/libkipsec.a: $(LIB_SRCS:%.c=$(O)/san/%.o)
	rm -f $@; ar rcs $@ $^

$(O)/fuzz/libkipsec.a: $(LIB_SRCS:%.c=$(O)/fuzz/%.o)
	rm -f $@; ar rcs $@ $^

$(O)/bin/setkey: $(O)/setkey/main.o $(O)/libkipsec.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bin/ipsecstat: $(O)/setkey/ipsecstat_main.o $(O)/libkipsec.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Helper programs run inside the guest by tests/guest/*.sh.
$(O)/guest/%: $(O)/tests/guest/%.o $(O)/libkipsec.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The example programs of docs/examples (the guest tests use them too).
$(O)/examples/%: $(O)/docs/examples/%.o $(O)/libkipsec.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(O)/san/test_%: $(O)/san/tests/unit/test_%.o $(O)/san/libkipsec.a
	$(CC) $(SANFLAGS) -o $@ $^ -lcmocka $(LDLIBS)

$(O)/fuzz/fuzz_%: $(O)/fuzz/tests/fuzz/fuzz_%.o $(O)/fuzz/libkipsec.a
	$(FUZZCC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

# --- kernel -----------------------------------------------------------------

kernel:
	@test -n "$(KDIR)" || { echo "no kernel headers found: run 'make deps' or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel W=1 \
		KCFLAGS="$(if $(CI),-Werror)" modules

# --- tests ------------------------------------------------------------------

unit: $(UNIT_TESTS)
	@scripts/run-unit $(UNIT_TESTS)

FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_TARGETS)
	@scripts/run-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-brief: $(FUZZ_TARGETS)
	@scripts/run-fuzz 10 $(FUZZ_TARGETS)

guest: all
	tests/vm/run-suite

check: deps-if-missing
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) $(FUZZ_TARGETS)
	@scripts/check

demo: deps-if-missing
	@$(MAKE) --no-print-directory all
	tests/vm/demo

bench: deps-if-missing
	@$(MAKE) --no-print-directory all
	tests/bench/run

deps:
	scripts/deps

.PHONY: deps-if-missing
deps-if-missing:
	@scripts/deps --if-missing

clean:
	rm -rf $(O)
	$(if $(KDIR),-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
