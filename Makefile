# pcs — predictive capacity shifting.  Plain make; see README.md.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
VERSION = 0.1.0

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    = -std=c11 -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
          -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DPCS_VERSION='"$(VERSION)"' -Ilib
# The third-party libraries are linked statically: loading and relocating
# them was a quarter of a short run's start-up (bench-nab starts pcs-forecast
# 41 times).  STATIC_DEPS=0 links them as shared libraries (distribution
# packages); libc and libm stay shared either way.
STATIC_DEPS ?= 1
DEP_LIBS = -lcsv -ljansson -lgsl -lgslcblas
ifeq ($(STATIC_DEPS),1)
LDLIBS  = -Wl,-Bstatic $(DEP_LIBS) -Wl,-Bdynamic -lm -lpthread
else
LDLIBS  = $(DEP_LIBS) -lm -lpthread
endif

ifeq ($(SANITIZE),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# Rebuild everything when the flags change (a SANITIZE=1 build after a plain one).
FLAGS_STAMP = .build-flags
BUILD_FLAGS = $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)
$(shell echo '$(BUILD_FLAGS)' | cmp -s - $(FLAGS_STAMP) 2>/dev/null || echo '$(BUILD_FLAGS)' > $(FLAGS_STAMP))
$(FLAGS_STAMP):
	@echo '$(BUILD_FLAGS)' > $@

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:.c=.o)
LIB_HDR = $(wildcard lib/*.h)
CLI_OBJ = cmd/cli.o cmd/cli_streams.o
TOOLS   = pcs-forecast pcs-risk pcs-shadow-plan pcs-route-weights pcs-replay pcs-retrain
BINS    = $(addprefix bin/,$(TOOLS))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:.c=)
MANS    = $(wildcard man/*.[157])

all: lib/libpcs.a $(BINS)

lib/%.o: lib/%.c $(LIB_HDR) $(FLAGS_STAMP)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

cmd/%.o: cmd/%.c cmd/cli.h $(LIB_HDR) $(FLAGS_STAMP)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

lib/libpcs.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

bin/%: cmd/%.o $(CLI_OBJ) lib/libpcs.a
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $< $(CLI_OBJ) lib/libpcs.a $(LDLIBS)

tests/unit/%: tests/unit/%.c tests/unit/tap.h tests/unit/rng.h lib/libpcs.a $(FLAGS_STAMP)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< lib/libpcs.a $(LDLIBS)

deps:
	@sh tools/deps.sh

demo: deps all
	@sh tools/demo.sh

# Every test prints TAP; tools/tally.sh runs them all and ends with "N passed, M failed".
check: deps all $(UNIT_BIN)
	@VALGRIND=$(VALGRIND) sh tools/tally.sh

check-data: all
	@sh tests/data/run.sh

bench: all
	@bash bench/run.sh

bench-m4: all
	@bash bench/m4.sh $(M4_TRAIN) $(M4_TEST)

bench-retrain: all
	@bash bench/retrain.sh $(M4_TRAIN) $(M4_TEST)

bench-throughput: all
	@bash bench/throughput.sh

bench-risk-plan: all
	@bash bench/risk-plan.sh

bench-route: all
	@bash bench/route.sh

bench-replay: all
	@bash bench/replay.sh

bench-memory: all
	@bash bench/memory.sh

bench-nab: all
	@bash bench/nab.sh

bench-nab-cv: all
	@bash bench/nab-cv.sh

bench-events: all
	@bash bench/events.sh

bench-peers: all
	@bash bench/peers.sh

bench-horizons: all
	@bash bench/horizons.sh

bench-onset: all
	@bash bench/onset.sh

# Regenerate the golden outputs in testdata/golden/ from the current binaries.
goldens: all
	@sh tests/make-goldens.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	        $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7
	install -m 644 completions/pcs.bash $(DESTDIR)$(BASHCOMPDIR)/pcs
	for t in $(TOOLS); do ln -sf pcs $(DESTDIR)$(BASHCOMPDIR)/$$t; done
	install -m 644 completions/_pcs $(DESTDIR)$(ZSHCOMPDIR)/_pcs

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(BASHCOMPDIR)/$$t; done
	for m in $(notdir $(MANS)); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$m; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/pcs $(DESTDIR)$(ZSHCOMPDIR)/_pcs

clean:
	rm -f lib/*.o lib/libpcs.a cmd/*.o $(UNIT_BIN) $(FLAGS_STAMP)
	rm -rf bin bench/build

.PHONY: all deps demo check check-data bench bench-m4 bench-retrain bench-throughput bench-risk-plan bench-route bench-replay bench-memory bench-nab bench-nab-cv bench-events bench-peers bench-horizons bench-onset goldens install uninstall clean
.PRECIOUS: cmd/%.o

# libFuzzer harnesses: make fuzz, make fuzz-build (fuzz/README.md)
-include fuzz/fuzz.mk
