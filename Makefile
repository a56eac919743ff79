# onegrid - plain Makefile (GNU make), dependencies through pkg-config.
#   make                  build bin/onegrid and the tools
#   make test             install deps (ops/install-deps), build, run unit + integration tests,
#                         the fault suite, replay the fuzz regressions and corpora, fuzz each target
#                         briefly (clang; make fuzz-smoke), then unit + integration
#                         again under ASan + UBSan
#   make -f tests/fuzz/Makefile.fuzz fuzz-run SECONDS=60   fuzz every parser
#   make unit             unit tests only (no server)
#   make bench            the benchmark suite (ops/bench/suite; BENCH_N=records per kind, BENCH_KINDS=csv,xml,...)
#   make faults           the fault suite (tests/faults/README.md); FAULTS_ARGS=--long for the long one
#   make demo             install deps, build, run `onegrid demo`
#   make SANITIZE=address,undefined test
#   make install PREFIX=/usr/local
PREFIX   ?= /usr/local
CC       ?= cc
PKGS     := libpq rdkafka jansson libxml-2.0 libcrypto
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c17 -D_GNU_SOURCE -pthread -I. $(WARN) $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lm -pthread
ifdef SANITIZE
CFLAGS   += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=$(SANITIZE)
BUILD    ?= build-san
else
BUILD    ?= build
endif
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS   += -DOG_VERSION='"$(VERSION)"' -DOG_DATADIR='"$(PREFIX)/share/onegrid"'

LIB_SRC  := $(wildcard core/*.c connectors/*.c transform/*.c loader/*.c pipeline/*.c analysis/*.c)
CLI_SRC  := $(wildcard cli/*.c)
# A tool is tools/NAME.c or a folder tools/NAME/*.c; tools/common/*.c is linked into every tool.
TOOL_SRC := $(wildcard tools/*.c)
TOOL_DIRS := $(filter-out common,$(notdir $(patsubst %/,%,$(sort $(dir $(wildcard tools/*/*.c))))))
TOOL_COMMON_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/common/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
SQL_SRC  := $(sort $(wildcard loader/sql/[0-9][0-9][0-9]_*.sql))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libonegrid.a
BIN      := $(BUILD)/bin/onegrid
TOOLS    := $(TOOL_SRC:tools/%.c=$(BUILD)/bin/%) $(TOOL_DIRS:%=$(BUILD)/bin/%) $(BUILD)/bin/og-kafka-dev
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test unit integration faults conformance demo install deps clean format format-check tidy valgrind bench world samples
# keep object files that pattern chains would delete as intermediates (and print "rm ..." after the tests)
.SECONDARY: $(patsubst %.c,$(BUILD)/%.o,$(UNIT_SRC) $(TOOL_SRC) $(wildcard tools/*/*.c))
all: $(BIN) $(TOOLS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/migrations.c: $(SQL_SRC) ops/embed-sql
	@mkdir -p $(dir $@)
	bash ops/embed-sql $@ $(SQL_SRC)

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(CFLAGS) -Wno-overlength-strings -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/bin/%: $(BUILD)/tools/%.o $(TOOL_COMMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TOOL_COMMON_OBJ) $(LIB) $(LDLIBS)

# The development Kafka peer (librdkafka's mock cluster): tests, demo and benchmarks only.
$(BUILD)/bin/og-kafka-dev: ops/kafka-dev/kafka-dev.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

define tool_dir_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/$(1)/*.c)) $(TOOL_COMMON_OBJ) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIB) $$(LDLIBS)
endef
$(foreach t,$(TOOL_DIRS),$(eval $(call tool_dir_rule,$(t))))

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

deps:
	@bash ops/install-deps

# Unit tests: every tests/unit/test_*.c is one cmocka program, run from the repo root.
unit: $(UNITS) $(BIN)
	@bash tests/run-unit $(UNITS)

# Integration tests: a real PostgreSQL (started by the harness) and the real binary.
integration: $(BIN) $(TOOLS)
	@ONEGRID_BIN=$(abspath $(BIN)) ONEGRID_TOOLS=$(abspath $(BUILD)/bin) \
	  KAFKA_DEV_BIN=$(abspath $(BUILD)/bin/og-kafka-dev) bash tests/integration/run

# Faults: kill -9, pg_terminate_backend, PostgreSQL stopped, Kafka errors and a broker down, files cut or
# unreadable mid-run; after each a rerun must equal a clean run (tests/faults/README.md). Bounded by default;
# make faults FAULTS_ARGS=--long runs every fault against every source kind, 4 rounds.
faults: $(BIN) $(TOOLS)
	@ONEGRID_BIN=$(abspath $(BIN)) ONEGRID_TOOLS=$(abspath $(BUILD)/bin) \
	  KAFKA_DEV_BIN=$(abspath $(BUILD)/bin/og-kafka-dev) bash tests/faults/run $(FAULTS_ARGS)

# Conformance: the mapping engine on real published formats in ../shared/data (skipped without it).
conformance: $(BIN)
	@ONEGRID_BIN=$(abspath $(BIN)) bash tests/conformance/run

# The whole suite, twice: a normal build, then under AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps
	@bash tests/tree-state save build/.tree-before
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory unit integration conformance faults
	@$(MAKE) --no-print-directory -f tests/fuzz/Makefile.fuzz fuzz fuzz-regress fuzz-smoke
	@$(MAKE) --no-print-directory BUILD=build-san SANITIZE=address,undefined unit integration conformance
	@bash tests/tree-state compare build/.tree-before

demo: deps
	@$(MAKE) --no-print-directory $(BIN) $(BUILD)/bin/og-kafka-dev
	$(BIN) demo

# Regenerate the shipped Jinping world and the bundled sample feeds (deterministic).
world: $(BUILD)/bin/og-worldgen
	$(BUILD)/bin/og-worldgen --out world/jinping --crosswalks mappings/crosswalks
samples: $(BUILD)/bin/og-feedgen
	$(BUILD)/bin/og-feedgen --world world/jinping --out samples

bench: $(BIN) $(TOOLS)
	ONEGRID_BIN=$(abspath $(BIN)) ONEGRID_TOOLS=$(abspath $(BUILD)/bin) KAFKA_DEV_BIN=$(abspath $(BUILD)/bin/og-kafka-dev) \
	    bash ops/bench/suite $(BENCH_N) $(if $(BENCH_KINDS),--kinds $(BENCH_KINDS))

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/onegrid
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/onegrid
	cp -r mappings world samples docs $(DESTDIR)$(PREFIX)/share/onegrid/
	install -d $(DESTDIR)$(PREFIX)/share/onegrid/ops
	install -m 0755 ops/pg-local ops/install-deps $(DESTDIR)$(PREFIX)/share/onegrid/ops/
	install -m 0644 onegrid.example.json $(DESTDIR)$(PREFIX)/share/onegrid/

valgrind: $(UNITS)
	@for t in $(UNITS); do valgrind -q --error-exitcode=1 --leak-check=full $$t || exit 1; done

# Every C file of the tree, formatted by .clang-format (clang-format 14, Debian 12); `make test` checks it.
FORMAT_SRC := $(sort $(wildcard $(foreach d,core connectors transform loader pipeline analysis cli tools tests,$(d)/*.[ch] $(d)/*/*.[ch])))
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	@clang-format --dry-run -Werror $(FORMAT_SRC) && echo "format: $(words $(FORMAT_SRC)) files as .clang-format has them"

tidy:
	clang-tidy $(LIB_SRC) $(CLI_SRC) -- $(CFLAGS)

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(patsubst %.c,$(BUILD)/%.d,$(wildcard tools/*.c tools/*/*.c tests/unit/*.c))
include tests/fuzz/Makefile.fuzz
