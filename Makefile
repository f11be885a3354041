# fleetway build.  `make` builds ./fleetway; `make test` runs every test (unit, TOML
# conformance, end-to-end against real SQLite/PostgreSQL/MariaDB); `make SANITIZE=1 test`
# does the same under AddressSanitizer + UndefinedBehaviorSanitizer.
# `make deps` installs the system packages (Debian) the build and tests need.

PREFIX   ?= /usr/local
CC       ?= cc
PKGS     := sqlite3 libpq libmariadb zlib jansson
# libpq and libmariadb are opened on first use (src/db/libload.h), not linked
LINKPKGS := sqlite3 zlib jansson
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(SANITIZE),1)
MODE     := san
OPT      := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
MODE     := rel
OPT      := -O2
endif

B        := build/$(MODE)
WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS += -Isrc -D_GNU_SOURCE -DFW_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS   += -std=c11 -g $(OPT) $(WARN) -pthread
SANFLAGS := -fsanitize=address,undefined
LDFLAGS  += $(if $(filter san,$(MODE)),$(SANFLAGS)) -pthread
LDLIBS   += $(shell pkg-config --libs $(LINKPKGS) 2>/dev/null) -lm -ldl
# driver unit tests also call libpq directly (PQtrace, PQpipelineStatus)
TEST_LDLIBS := $(shell pkg-config --libs libpq libmariadb 2>/dev/null)

LIB_SRC  := $(sort $(wildcard src/util/*.c src/db/*.c src/config/*.c src/sql/*.c src/engine/*.c src/ops/*.c src/fleet/*.c src/schema/*.c))
CMD_SRC  := $(sort $(wildcard src/cmd/*.c)) src/main.c
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
LIBA     := $(B)/libfleetway.a

.PHONY: all deps demo test unit-test toml-test cli-test fuzz install clean check-deps bench
all: fleetway build/toml-test-decoder

# ./fleetway and build/toml-test-decoder always reflect the last MODE built
fleetway: $(B)/fleetway
	cp $< $@
build/toml-test-decoder: $(B)/toml-test-decoder
	cp $< $@

$(B)/fleetway: $(CMD_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(LIBA) $(LDLIBS)
$(B)/toml-test-decoder: $(B)/tools/toml-test-decoder.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(LIBA): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<
$(B)/tests/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(LIBA) $(LDLIBS) $(TEST_LDLIBS) $(LDFLAGS) -lcmocka

-include $(shell find build -name '*.d' 2>/dev/null)

deps:
	scripts/install-deps.sh

check-deps:
	@scripts/install-deps.sh --check

demo:
	scripts/install-deps.sh --check --build-only
	$(MAKE) fleetway
	scripts/demo.sh

test: check-deps
	$(MAKE) all $(UNIT_BIN)
	tests/run-all.sh $(B)

unit-test: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; $$t || exit 1; done

toml-test: build/toml-test-decoder
	tests/toml-test.sh

fuzz:
	tests/fuzz/build.sh

bench: fleetway
	bench/run-all.sh

install: fleetway
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 fleetway $(DESTDIR)$(PREFIX)/bin/fleetway
	install -m 644 man/fleetway.1 $(DESTDIR)$(PREFIX)/share/man/man1/fleetway.1

clean:
	rm -rf build fleetway
