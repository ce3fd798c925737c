# virtevent: build the library and header, run the tests, install.
CARGO   ?= cargo
PREFIX  ?= /usr/local
VERSION := 0.1.0
OUT     := target/release
LIB     := $(OUT)/libvirtevent.so
BUILD   := build
CC      ?= cc
CFLAGS  ?= -g -O1
CTEST_CFLAGS := $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -pthread
CTEST_LDFLAGS := -L$(OUT) -Wl,-rpath,$(abspath $(OUT)) -lvirtevent -pthread
CTEST_SRCS := $(wildcard ctests/test_*.c)
CTEST_BINS := $(patsubst ctests/%.c,$(BUILD)/ctests/%,$(CTEST_SRCS))

# Fuzzers (fuzz/*.c) and soaks (soak/*.c) are built like the C tests. With no argument each
# makes a short fixed-seed run that prints PASS/FAIL lines (part of `make check`, the soak for
# CHECK_SOAK_SECONDS); `--seconds N [--seed S]` makes a long one (`make fuzz`, `make soak`).
FUZZ_BINS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard fuzz/*.c))
SOAK_BINS := $(patsubst soak/%.c,$(BUILD)/soak/%,$(wildcard soak/*.c))
FUZZ_SECONDS ?= 60
SECONDS ?= 60
CHECK_SOAK_SECONDS := 10
VALGRIND_SOAK_SECONDS := 5
# The programs ctests/run.sh runs, as built under build directory $(1), the soak for $(2) s.
program_runs = $(patsubst $(BUILD)/%,$(1)/%,$(CTEST_BINS) $(FUZZ_BINS)) \
  $(foreach s,$(patsubst $(BUILD)/%,$(1)/%,$(SOAK_BINS)),"$(s) --seconds $(2)")
PROGRAM_DEPS := ctests/harness.h $(wildcard fuzz/*.h soak/*.h) $(LIB) include/virtevent.h

# The same programs built with AddressSanitizer and UBSan (the library itself is not
# instrumented; ASan still intercepts its malloc/free). ctests/lsan.supp says why each
# suppression is there.
ASAN := $(BUILD)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_BINS := $(patsubst $(BUILD)/%,$(ASAN)/%,$(CTEST_BINS) $(FUZZ_BINS) $(SOAK_BINS))
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:check_initialization_order=1 \
  LSAN_OPTIONS=suppressions=$(abspath ctests/lsan.supp):print_suppressions=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Benchmarks (never part of `make check`): each program in bench/ is built against virtevent
# and, when pkg-config finds it, against libvirt; bench/run.py runs both and prints the table.
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_NAMES := $(patsubst bench/%.c,%,$(BENCH_SRCS))
BENCH_CFLAGS := -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread
BENCH_OURS := $(patsubst %,$(BUILD)/bench/ours/%,$(BENCH_NAMES))
HAVE_LIBVIRT := $(shell pkg-config --exists libvirt 2>/dev/null && echo yes)
BENCH_LIBVIRT := $(if $(HAVE_LIBVIRT),$(patsubst %,$(BUILD)/bench/libvirt/%,$(BENCH_NAMES)))
BENCH_REPS ?= 5
BENCH_SECONDS ?= 0.5

.PHONY: all lib monitor compat docs docs-check header header-check python-header check-python ctests check check-valgrind check-asan fuzz soak bench bench-history bench-python demo compare install uninstall clean FORCE

all: lib header-check docs-check compat monitor

# The event monitor, `virsh event` for virtevent (tools/virtevent-event.c).
MONITOR := $(BUILD)/virtevent-event
monitor: $(MONITOR)
$(MONITOR): tools/virtevent-event.c $(LIB) include/virtevent.h
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) -o $@ $< $(CTEST_LDFLAGS)

lib:
	$(CARGO) build --release
	ln -sf libvirtevent.so $(OUT)/libvirtevent.so.0

# The committed header must equal what cbindgen generates from the sources; the Python
# package's enums and ctypes structures are generated from it in turn (its tests check them).
header: lib
	cp $(OUT)/virtevent.h include/virtevent.h
	$(MAKE) --no-print-directory python-header

python-header:
	python3 python/tools/gen_from_header.py include/virtevent.h python/virtevent

header-check: lib
	@diff -u include/virtevent.h $(OUT)/virtevent.h > /dev/null || \
	  { echo "include/virtevent.h is stale: run 'make header' and commit it"; diff -u include/virtevent.h $(OUT)/virtevent.h | head -40; exit 1; }

# docs/api.md lists every libvirt 9.0 function with its status here; it must be current.
docs: lib
	python3 tools/api_status.py src/abi/libvirt-9.0.0.symbols include/virtevent.h docs/api.md

docs-check: header-check
	@python3 tools/api_status.py src/abi/libvirt-9.0.0.symbols include/virtevent.h $(OUT)/api.md
	@diff -u docs/api.md $(OUT)/api.md > /dev/null || \
	  { echo "docs/api.md is stale: run 'make docs' and commit it"; diff -u docs/api.md $(OUT)/api.md | head -20; exit 1; }

$(CTEST_BINS) $(FUZZ_BINS) $(SOAK_BINS): $(BUILD)/%: %.c $(PROGRAM_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) $(CTEST_INC) -o $@ $< $(CTEST_LDFLAGS)

$(ASAN_BINS): $(ASAN)/%: %.c $(PROGRAM_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) $(CTEST_INC) $(ASAN_FLAGS) -o $@ $< $(CTEST_LDFLAGS) $(ASAN_FLAGS)

# test_abi's assertions come from libvirt's installed headers: generated on every build (the
# file is rewritten only when it changes), a skip when libvirt-dev is missing.
$(BUILD)/ctests/abi_asserts.h: ctests/gen_abi.py include/virtevent.h FORCE
	python3 ctests/gen_abi.py $@ --cc $(CC)
$(BUILD)/ctests/test_abi $(ASAN)/ctests/test_abi: $(BUILD)/ctests/abi_asserts.h
$(BUILD)/ctests/test_abi $(ASAN)/ctests/test_abi: CTEST_INC := -I$(BUILD)/ctests

# Generated from the header, so that every exported function is covered: a call that fails
# has set the last error.
EVERY_FAILURE := $(BUILD)/ctests/gen/test_every_failure
$(EVERY_FAILURE).c: ctests/every_failure.py include/virtevent.h
	@mkdir -p $(dir $@)
	python3 ctests/every_failure.py include/virtevent.h $@

$(EVERY_FAILURE): $(EVERY_FAILURE).c ctests/harness.h $(LIB)
	$(CC) $(CTEST_CFLAGS) -Ictests -o $@ $< $(CTEST_LDFLAGS)

$(ASAN)/ctests/gen/test_every_failure: $(EVERY_FAILURE).c ctests/harness.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) -Ictests $(ASAN_FLAGS) -o $@ $< $(CTEST_LDFLAGS) $(ASAN_FLAGS)

CTEST_BINS += $(EVERY_FAILURE)
ASAN_BINS += $(ASAN)/ctests/gen/test_every_failure

ctests: lib $(CTEST_BINS)

# The binary drop-in: libvirt.so.0 with every public symbol of libvirt 9.0 under libvirt's symbol
# versions, linked from the static library with the version script build.rs derives (a cdylib
# cannot take a second version script).
COMPAT_DIR := $(OUT)/compat
compat: lib
	@mkdir -p $(COMPAT_DIR)
	$(CC) -shared -o $(COMPAT_DIR)/libvirt.so.0 -Wl,-soname,libvirt.so.0 -Wl,--version-script=$(OUT)/libvirt.map \
	  -Wl,--whole-archive $(OUT)/libvirtevent.a -Wl,--no-whole-archive -lpthread -ldl -lm -lgcc_s

# Programs built against the real libvirt, run on it and on our libvirt.so.0 by ctests/dropin/check.sh;
# the same sources built against our header and libvirtevent.so, whose output must equal that of
# the libvirt build running on our libvirt.so.0.
DROPIN_BINS := $(if $(HAVE_LIBVIRT),$(patsubst ctests/dropin/%.c,$(BUILD)/dropin/%,$(wildcard ctests/dropin/*.c)))
DROPIN_OURS_BINS := $(if $(HAVE_LIBVIRT),$(patsubst ctests/dropin/%.c,$(BUILD)/dropin-ours/%,$(wildcard ctests/dropin/*.c)))
$(BUILD)/dropin/%: ctests/dropin/%.c ctests/dropin/dropin.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libvirt) -o $@ $< $(shell pkg-config --libs libvirt)
$(BUILD)/dropin-ours/%: ctests/dropin/%.c ctests/dropin/dropin.h $(LIB) include/virtevent.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -Iinclude -o $@ $< -L$(OUT) -Wl,-rpath,$(abspath $(OUT)) -lvirtevent

check: header-check docs-check ctests compat monitor $(DROPIN_BINS) $(DROPIN_OURS_BINS) $(FUZZ_BINS) $(SOAK_BINS)
	$(CARGO) test --release
	CC="$(CC)" CXX="$(CXX)" VIRTEVENT_COMPAT_DIR=$(COMPAT_DIR) VIRTEVENT_DROPIN_DIR=$(BUILD)/dropin VIRTEVENT_DROPIN_OURS_DIR=$(BUILD)/dropin-ours bash ctests/run.sh \
	  ctests/headers.sh $(call program_runs,$(BUILD),$(CHECK_SOAK_SECONDS)) "ctests/test_event_monitor.sh $(MONITOR)" \
	  ctests/dropin/check.sh ctests/install_check.sh python/pytest_check.sh

# The Python package's pytest suite alone, against the library just built (make check runs it too).
check-python: lib
	bash ctests/run.sh python/pytest_check.sh

# xml_fuzz is left out here: it flags a document that takes seconds (a sign of work worse than
# linear), which every large document does at valgrind's speed; check-asan covers its memory.
check-valgrind: ctests monitor $(FUZZ_BINS) $(SOAK_BINS)
	VALGRIND=1 bash ctests/run.sh $(filter-out $(BUILD)/fuzz/xml_fuzz,$(call program_runs,$(BUILD),$(VALGRIND_SOAK_SECONDS))) \
	  "ctests/test_event_monitor.sh $(MONITOR)"

check-asan: lib $(ASAN_BINS)
	$(ASAN_ENV) bash ctests/run.sh $(call program_runs,$(ASAN),$(CHECK_SOAK_SECONDS))

# Long runs, never part of `make check`: each program prints its seed and a summary.
fuzz: lib $(FUZZ_BINS)
	@test -n "$(FUZZ_BINS)" || { echo "no fuzz/*.c yet"; exit 1; }
	@status=0; for f in $(FUZZ_BINS); do \
	  echo "== $$f --seconds $(FUZZ_SECONDS) $(if $(SEED),--seed $(SEED))"; \
	  ./$$f --seconds $(FUZZ_SECONDS) $(if $(SEED),--seed $(SEED)) || status=1; \
	done; exit $$status

soak: lib $(SOAK_BINS)
	@test -n "$(SOAK_BINS)" || { echo "no soak/*.c yet"; exit 1; }
	@status=0; for f in $(SOAK_BINS); do \
	  echo "== $$f --seconds $(SECONDS) $(if $(SEED),--seed $(SEED))"; \
	  ./$$f --seconds $(SECONDS) $(if $(SEED),--seed $(SEED)) || status=1; \
	done; exit $$status

$(BUILD)/bench/ours/%: bench/%.c bench/bench.h bench/probe.h $(LIB) include/virtevent.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -Iinclude -o $@ $< -L$(OUT) -Wl,-rpath,$(abspath $(OUT)) -lvirtevent

$(BUILD)/bench/libvirt/%: bench/%.c bench/bench.h bench/probe.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libvirt) -o $@ $< $(shell pkg-config --libs libvirt)

bench: lib
	$(MAKE) --no-print-directory $(BENCH_OURS) $(BENCH_LIBVIRT)
	python3 bench/run.py --reps $(BENCH_REPS) --seconds $(BENCH_SECONDS) --json $(BUILD)/bench/results.json \
	  --ours $(BUILD)/bench/ours $(if $(HAVE_LIBVIRT),--libvirt $(BUILD)/bench/libvirt)
	$(MAKE) --no-print-directory bench-history
	$(MAKE) --no-print-directory bench-python

# Events/s delivered to Python (churn): libvirt-python on libvirt, our callbacks, our stream.
# Debian's interpreter, which has python3-libvirt.
BENCH_PYTHON ?= /usr/bin/python3
bench-python: lib
	@mkdir -p $(BUILD)/bench
	VIRTEVENT_LIBRARY=$(abspath $(LIB)) $(BENCH_PYTHON) bench/python_events.py --reps $(BENCH_REPS) \
	  --json $(BUILD)/bench/python_events.json

# Extensions libvirt does not have, measured on their own.
$(BUILD)/bench/history_rss: bench/extensions/history_rss.c $(LIB) include/virtevent.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -Iinclude -o $@ $< -L$(OUT) -Wl,-rpath,$(abspath $(OUT)) -lvirtevent

bench-history: lib $(BUILD)/bench/history_rss
	./$(BUILD)/bench/history_rss

# A scripted session watched by the monitor: every kind of event the test hypervisor plays.
demo: monitor
	./$(MONITOR) --all --loop --timeout 1 --run examples/demo/session

# The old job API driven by one program built against libvirt (when pkg-config finds it) and
# against virtevent; the two outputs side by side (never part of `make check`).
compare: lib
	@mkdir -p $(BUILD)/compare
	$(CC) $(BENCH_CFLAGS) -Iinclude -o $(BUILD)/compare/old_job_api.ours compare/old_job_api.c -L$(OUT) -Wl,-rpath,$(abspath $(OUT)) -lvirtevent
	./$(BUILD)/compare/old_job_api.ours > $(BUILD)/compare/ours.txt
	$(if $(HAVE_LIBVIRT),$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libvirt) -o $(BUILD)/compare/old_job_api.libvirt compare/old_job_api.c $(shell pkg-config --libs libvirt) && ./$(BUILD)/compare/old_job_api.libvirt > $(BUILD)/compare/libvirt.txt && diff -y -W 160 $(BUILD)/compare/libvirt.txt $(BUILD)/compare/ours.txt || true)

# Headers go under include/virtevent/ and libvirt.so.0 under lib/virtevent/, so that installing
# virtevent never shadows a real libvirt: only programs that ask for us (pkg-config virtevent,
# LD_LIBRARY_PATH) get us. The installed libraries are stripped of debug info.
INSTALLED := bin/virtevent-event lib/libvirtevent.so.$(VERSION) lib/libvirtevent.so.0 lib/libvirtevent.so lib/virtevent/libvirt.so.0 \
  lib/pkgconfig/virtevent.pc include/virtevent/virtevent.h include/virtevent/libvirt/libvirt.h \
  include/virtevent/libvirt/virterror.h
INSTALLED_DIRS := include/virtevent/libvirt include/virtevent lib/virtevent

install: all
	@mkdir -p $(BUILD)/install
	$(CC) $(CTEST_CFLAGS) -o $(BUILD)/install/virtevent-event tools/virtevent-event.c -L$(OUT) -Wl,-rpath,$(PREFIX)/lib -lvirtevent -pthread
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 -s $(BUILD)/install/virtevent-event $(DESTDIR)$(PREFIX)/bin/virtevent-event
	install -d $(DESTDIR)$(PREFIX)/lib/virtevent $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/virtevent/libvirt
	install -m 755 -s $(LIB) $(DESTDIR)$(PREFIX)/lib/libvirtevent.so.$(VERSION)
	ln -sf libvirtevent.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libvirtevent.so.0
	ln -sf libvirtevent.so.0 $(DESTDIR)$(PREFIX)/lib/libvirtevent.so
	install -m 755 -s $(COMPAT_DIR)/libvirt.so.0 $(DESTDIR)$(PREFIX)/lib/virtevent/libvirt.so.0
	install -m 644 include/virtevent.h $(DESTDIR)$(PREFIX)/include/virtevent/virtevent.h
	install -m 644 include/libvirt/libvirt.h include/libvirt/virterror.h $(DESTDIR)$(PREFIX)/include/virtevent/libvirt/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' virtevent.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/virtevent.pc

# Removes exactly what install put there (and the directories it made, once empty).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))
	-rmdir $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED_DIRS)) 2>/dev/null
	-rmdir $(addprefix $(DESTDIR)$(PREFIX)/,lib/pkgconfig include lib bin) 2>/dev/null

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
