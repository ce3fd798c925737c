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

.PHONY: all lib header header-check ctests check check-valgrind bench bench-history demo compare install clean

all: lib header-check

lib:
	$(CARGO) build --release
	ln -sf libvirtevent.so $(OUT)/libvirtevent.so.0

# The committed header must equal what cbindgen generates from the sources.
header: lib
	cp $(OUT)/virtevent.h include/virtevent.h

header-check: lib
	@diff -u include/virtevent.h $(OUT)/virtevent.h > /dev/null || \
	  { echo "include/virtevent.h is stale: run 'make header' and commit it"; diff -u include/virtevent.h $(OUT)/virtevent.h | head -40; exit 1; }

$(BUILD)/ctests/%: ctests/%.c ctests/harness.h $(LIB) include/virtevent.h
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) -o $@ $< $(CTEST_LDFLAGS)

# Generated from the header, so that every exported function is covered: a call that fails
# has set the last error.
EVERY_FAILURE := $(BUILD)/ctests/gen/test_every_failure
$(EVERY_FAILURE).c: ctests/every_failure.py include/virtevent.h
	@mkdir -p $(dir $@)
	python3 ctests/every_failure.py include/virtevent.h $@

$(EVERY_FAILURE): $(EVERY_FAILURE).c ctests/harness.h $(LIB)
	$(CC) $(CTEST_CFLAGS) -Ictests -o $@ $< $(CTEST_LDFLAGS)

CTEST_BINS += $(EVERY_FAILURE)

ctests: lib $(CTEST_BINS)

check: header-check ctests
	$(CARGO) test --release
	bash ctests/run.sh $(CTEST_BINS)

check-valgrind: ctests
	VALGRIND=1 bash ctests/run.sh $(CTEST_BINS)

$(BUILD)/bench/ours/%: bench/%.c bench/bench.h $(LIB) include/virtevent.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -Iinclude -o $@ $< -L$(OUT) -Wl,-rpath,$(abspath $(OUT)) -lvirtevent

$(BUILD)/bench/libvirt/%: bench/%.c bench/bench.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libvirt) -o $@ $< $(shell pkg-config --libs libvirt)

bench: lib
	$(MAKE) --no-print-directory $(BENCH_OURS) $(BENCH_LIBVIRT)
	python3 bench/run.py --reps $(BENCH_REPS) --seconds $(BENCH_SECONDS) --json $(BUILD)/bench/results.json \
	  --ours $(BUILD)/bench/ours $(if $(HAVE_LIBVIRT),--libvirt $(BUILD)/bench/libvirt)
	$(MAKE) --no-print-directory bench-history

# Extensions libvirt does not have, measured on their own.
$(BUILD)/bench/history_rss: bench/extensions/history_rss.c $(LIB) include/virtevent.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -Iinclude -o $@ $< -L$(OUT) -Wl,-rpath,$(abspath $(OUT)) -lvirtevent

bench-history: lib $(BUILD)/bench/history_rss
	./$(BUILD)/bench/history_rss

demo: lib
	@mkdir -p $(BUILD)
	$(CC) $(CTEST_CFLAGS) -o $(BUILD)/event-log examples/event-log.c $(CTEST_LDFLAGS)
	./$(BUILD)/event-log

# The old job API driven by one program built against libvirt (when pkg-config finds it) and
# against virtevent; the two outputs side by side (never part of `make check`).
compare: lib
	@mkdir -p $(BUILD)/compare
	$(CC) $(BENCH_CFLAGS) -Iinclude -o $(BUILD)/compare/old_job_api.ours compare/old_job_api.c -L$(OUT) -Wl,-rpath,$(abspath $(OUT)) -lvirtevent
	./$(BUILD)/compare/old_job_api.ours > $(BUILD)/compare/ours.txt
	$(if $(HAVE_LIBVIRT),$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libvirt) -o $(BUILD)/compare/old_job_api.libvirt compare/old_job_api.c $(shell pkg-config --libs libvirt) && ./$(BUILD)/compare/old_job_api.libvirt > $(BUILD)/compare/libvirt.txt && diff -y -W 160 $(BUILD)/compare/libvirt.txt $(BUILD)/compare/ours.txt || true)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/libvirt $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/libvirtevent.so.$(VERSION)
	ln -sf libvirtevent.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libvirtevent.so.0
	ln -sf libvirtevent.so.0 $(DESTDIR)$(PREFIX)/lib/libvirtevent.so
	install -m 644 include/virtevent.h $(DESTDIR)$(PREFIX)/include/virtevent.h
	install -m 644 include/libvirt/libvirt.h include/libvirt/virterror.h $(DESTDIR)$(PREFIX)/include/libvirt/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' virtevent.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/virtevent.pc

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
