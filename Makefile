# fleetway build.  `make` builds ./fleetway; `make test` runs every test (unit, TOML
# conformance, end-to-end against real SQLite/PostgreSQL/MariaDB); `make SANITIZE=1 test`
# does the same under AddressSanitizer + UndefinedBehaviorSanitizer.
# `make deps` installs the system packages (Debian) the build and tests need.

PREFIX   ?= /usr/local
CC       ?= cc
PKGS     := sqlite3 libpq libmariadb zlib jansson libpcre2-8
# libpq and libmariadb are opened on first use (src/db/libload.h), not linked
LINKPKGS := sqlite3 zlib jansson libpcre2-8
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(SANITIZE),1)
MODE     := san
OPT      := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
MODE     := rel
OPT      := -O2
endif

B        := build/$(MODE)

# Root building in a tree that a user owns (`sudo make ...`) hands every file and folder it makes back
# to that user, or a later `make` as the user could not replace them.  OWNER is empty otherwise.
OWNER    := $(shell [ "$$(id -u)" = 0 ] && stat -c %u:%g . 2>/dev/null | grep -v '^0:')
give_back = $(if $(OWNER),@chown $(OWNER) $(1))
mkdir_p   = @[ -d $(1) ] || { mkdir -p $(1) $(if $(OWNER),&& chown -R $(OWNER) build); }
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
# Test builds only: the same library with the fault-injection hook of src/db/db.c compiled in
# (FLEETWAY_FAULT_INJECT). The unit tests link it; the end-to-end tests run $(B)/fleetway-faults.
# A release ./fleetway has no hook.
FAULT_OBJ  := $(B)/faults/src/db/db.o
LIBA_FAULT := $(B)/libfleetway-faults.a
FAULT_BIN  := $(B)/fleetway-faults

.PHONY: all faults deps demo test unit-test toml-test cli-test fuzz install clean check-deps bench
all: fleetway build/toml-test-decoder
faults: $(FAULT_BIN)

# ./fleetway and build/toml-test-decoder always reflect the last MODE built
fleetway: $(B)/fleetway
	cp $< $@
	$(call give_back,$@)
build/toml-test-decoder: $(B)/toml-test-decoder
	cp $< $@
	$(call give_back,$@)

$(B)/fleetway: $(CMD_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(LIBA) $(LDLIBS)
	$(call give_back,$@)
$(B)/toml-test-decoder: $(B)/tools/toml-test-decoder.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	$(call give_back,$@)
$(LIBA): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
	$(call give_back,$@)
$(LIBA_FAULT): $(filter-out $(B)/src/db/db.o,$(LIB_OBJ)) $(FAULT_OBJ)
	rm -f $@ && ar rcs $@ $^
	$(call give_back,$@)
$(FAULT_BIN): $(CMD_OBJ) $(LIBA_FAULT)
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(LIBA_FAULT) $(LDLIBS)
	$(call give_back,$@)
$(FAULT_OBJ): src/db/db.c
	$(call mkdir_p,$(dir $@))
	$(CC) $(CPPFLAGS) -DFW_FAULT_INJECT $(CFLAGS) -MMD -MP -c -o $@ $<
	$(call give_back,$@ $(@:.o=.d))
$(B)/%.o: %.c
	$(call mkdir_p,$(dir $@))
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<
	$(call give_back,$@ $(@:.o=.d))
$(B)/tests/%: tests/unit/%.c $(LIBA_FAULT)
	$(call mkdir_p,$(dir $@))
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(LIBA_FAULT) $(LDLIBS) $(TEST_LDLIBS) $(LDFLAGS) -lcmocka
	$(call give_back,$@)

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
	$(MAKE) all $(UNIT_BIN) $(FAULT_BIN)
	tests/run-all.sh $(B)

unit-test: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; $$t || exit 1; done

toml-test: build/toml-test-decoder
	tests/toml-test.sh

fuzz:
	tests/fuzz/build.sh
	$(call give_back,-R build)

bench: fleetway
	bench/run-all.sh

# Always the release build, whatever was built last (./fleetway may be the sanitizer build).
install:
	$(MAKE) SANITIZE=0 build/rel/fleetway
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 build/rel/fleetway $(DESTDIR)$(PREFIX)/bin/fleetway
	install -m 644 man/fleetway.1 $(DESTDIR)$(PREFIX)/share/man/man1/fleetway.1

clean:
	rm -rf build fleetway
