# vstm32 — build, test and demo.
#
#   make            build/vstm32, build/libvstm32models.a, build/usbfs/libvstm32-usbfs.so
#   make check      install the Debian packages (as root), run every test tier
#   make demo       flash an image into a virtual chip with the real dfu-util
#   make bench      performance figures (never part of a test)
#
# Sources are found by wildcard: a new .c file in a module directory is built
# without touching this file.

CC      ?= gcc
BUILD   ?= build
# The one version of vstm32: `vstm32 --version` prints it, and the pytest
# tier (host-tests/pytest/test_version.py) fails when debian/changelog's
# top entry says another.
VERSION := 0.1.0
OPT     ?= -O2
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
                 -Wshadow -Wvla -g -I. -MMD -MP
CFLAGS  ?= $(OPT)
# CPPFLAGS and LDFLAGS come from the environment when a package is built
# (dpkg-buildflags: _FORTIFY_SOURCE, relro, now).
ALL_CFLAGS = $(CFLAGS_COMMON) $(CPPFLAGS) $(CFLAGS)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Every criterion test body runs inside host-tests/harness/test_marks.c,
# which marks each test's start and end for the tier runner.
HARNESS_LIB := $(BUILD)/libvstm32harness.a
CRITERION_LIBS := $(HARNESS_LIB) -Wl,--wrap=criterion_internal_test_main -lcriterion
LIBS    := -ljansson -lunicorn -lpthread -lm
# `vstm32 run` builds its testbed with libumockdev, loaded with dlopen
# (tools/vstm32/usbfs_bed.c says why).  There is no libusb shim: tools keep
# the system's libusb, on the usbfs route (issue 15).

# Debian packages needed to build, test and demo.  `make deps` installs them.
DEB_PACKAGES := build-essential pkg-config libcriterion-dev libusb-1.0-0-dev libjansson-dev \
                libunicorn-dev dfu-util stlink-tools openocd python3-pyocd python3-usb \
                python3 procps gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi \
                tshark clang libclang-rt-14-dev qemu-system-x86 busybox-static usbip usbutils \
                umockdev libumockdev-dev fwupd strace libxml2-utils scdoc python3-pytest debhelper lintian \
                libmicrohttpd-dev chromium chromium-driver python3-selenium stm32flash wireshark-common \
                gdb-multiarch \
                $(if $(shell command -v node),,nodejs npm)

MODEL_SRCS := $(wildcard models/*.c)
# lib/: what several layers share and no layer owns (USB/IP codec and client,
# DfuSe files, byte order).  It rides in the emulator archive, so every
# binary that links the emulator has it.
LIB_SRCS   := $(wildcard lib/*.c)
EMU_SRCS   := $(wildcard emulator/*/*.c) $(LIB_SRCS)
CLI_SRCS   := $(wildcard tools/vstm32/*.c)
USBFS_SRCS := $(wildcard tools/usbfs-preload/*.c) lib/usbip_proto.c lib/usbip_client.c
UNIT_SRCS  := $(wildcard host-tests/unit/*.c)
USBIP_SRCS := $(wildcard host-tests/usbip/*.c)
# the usbfs probes are programs of their own (build/tests/usbfs-*probe)
USBFS_PROBES := host-tests/tools/usbfs_probe.c host-tests/tools/usbfs_libusb_probe.c \
                host-tests/tools/usb_hotplug_probe.c host-tests/tools/usb_route_probe.c
TOOLS_SRCS := $(filter-out $(USBFS_PROBES),$(wildcard host-tests/tools/*.c))
SCEN_SRCS  := $(wildcard host-tests/scenarios/*.c)
TESTLIB_SRCS := $(wildcard host-tests/lib/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
asanobj = $(patsubst %.c,$(BUILD)/asan/%.o,$(1))

MODELS_LIB := $(BUILD)/libvstm32models.a
EMU_LIB    := $(BUILD)/libvstm32emu.a
VSTM32     := $(BUILD)/vstm32
USBFS      := $(BUILD)/usbfs/libvstm32-usbfs.so

.PHONY: all check models-no-io check-kernel deps demo bench clean install-wireshark test-unit test-unit-asan test-usbip test-usbip-asan test-tools expected-lists readme-parts screenshots

all: $(VSTM32) $(MODELS_LIB) $(USBFS) firmware

# Firmware fixtures (build/firmware/PART/NAME.{elf,bin,hex,dfu}), from source.
include fixtures/firmware/firmware.mk

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -O1 -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(MODELS_LIB): $(call obj,$(MODEL_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(EMU_LIB): $(call obj,$(EMU_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The version is compiled into main.c alone.
$(call obj,tools/vstm32/main.c) $(call asanobj,tools/vstm32/main.c): ALL_CFLAGS += -DVSTM32_VERSION='"$(VERSION)"'
$(call obj,tools/vstm32/main.c) $(call asanobj,tools/vstm32/main.c): Makefile

# `vstm32 parts` counts the source tags of models/parts.c, whose text
# tools/vstm32/parts_sources.c carries (.incbin): rebuild it with the table.
$(call obj,tools/vstm32/parts_sources.c) $(call asanobj,tools/vstm32/parts_sources.c): models/parts.c

# The live view's page files are built into web_page.c (.incbin) likewise.
$(call obj,tools/vstm32/web_page.c) $(call asanobj,tools/vstm32/web_page.c): $(wildcard tools/vstm32/web/*)

# Neither libunicorn nor libmicrohttpd (the live view's HTTP server) is
# linked: the core loads the first when it first runs (emulator/cpu/
# cpu_uc.c), --web the second (tools/vstm32/web_mhd.c); linked, they
# were most of the start-up.
$(VSTM32): $(call obj,$(CLI_SRCS)) $(EMU_LIB) $(MODELS_LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(call obj,$(CLI_SRCS)) $(EMU_LIB) $(MODELS_LIB) $(filter-out -lunicorn,$(LIBS)) -ldl

# The usbfs preload (tools/usbfs-preload/README.md): LD_PRELOAD'ed, it
# exports only the libc calls it interposes.  -z defs: a symbol it needs and
# does not link (a lib/ file missing above) fails here, not when a tool
# loads it.
$(USBFS): $(patsubst %.c,$(BUILD)/pic/%.o,$(USBFS_SRCS))
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -Wl,-z,defs $(LDFLAGS) -o $@ $^ -ldl -pthread

# ---- install ----------------------------------------------------------------
#
#   make install PREFIX=/usr/local DESTDIR=/tmp/root     and  make uninstall
#
# vstm32 finds its usbfs preload, firmware fixtures and mkdfuse beside its own
# binary (route.c, the scenarios' "$(dirname "$VSTM32")/firmware"), so the
# binary lives in $(PKGLIBDIR) with everything it looks for, $(BINDIR)/vstm32
# links to it, and the tree works under any PREFIX, as in build/.
PREFIX     ?= /usr/local
BINDIR      = $(PREFIX)/bin
PKGLIBDIR   = $(PREFIX)/lib/vstm32
PKGDATADIR  = $(PREFIX)/share/vstm32
MANDIR      = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
# Debian's python3 looks in /usr/lib/python3/dist-packages (its own
# packages) and /usr/local/lib/python3.X/dist-packages.
# The system's interpreter decides (a python3 earlier on PATH may be another).
PYTHON3    ?= $(firstword $(wildcard /usr/bin/python3) python3)
PYTHONDIR   = $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(shell $(PYTHON3) -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages)
PYTEST_PLUGIN := python/pytest_vstm32
# The Wireshark DfuSe dissector: always beside the scenarios, and where
# Debian's Wireshark loads Lua plugins when installing into /usr (the .deb).
MULTIARCH  := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || $(CC) -print-multiarch)
WSLUADIR    = $(if $(filter /usr,$(PREFIX)),/usr/lib/$(MULTIARCH)/wireshark/plugins)
FW_INSTALL_EXTS := elf bin hex dfu
MAN_PAGES  := $(BUILD)/man/vstm32.1

.PHONY: man install uninstall
man: $(MAN_PAGES)
$(BUILD)/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@.tmp && mv $@.tmp $@

install: all $(MAN_PAGES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR)/usbfs $(DESTDIR)$(PKGLIBDIR)/tools \
	    $(DESTDIR)$(PKGDATADIR)/firmware $(DESTDIR)$(PKGDATADIR)/scenarios \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(PYTHONDIR)/pytest_vstm32
	install -m 0755 $(VSTM32) $(DESTDIR)$(PKGLIBDIR)/vstm32
	install -m 0644 $(USBFS) $(DESTDIR)$(PKGLIBDIR)/usbfs/
	install -m 0755 $(MKDFUSE) $(DESTDIR)$(PKGLIBDIR)/tools/
	ln -sfn ../lib/vstm32/vstm32 $(DESTDIR)$(BINDIR)/vstm32
	ln -sfn ../../share/vstm32/firmware $(DESTDIR)$(PKGLIBDIR)/firmware
	set -e; for d in $(BUILD)/firmware/*/; do \
	    part=$$(basename $$d); install -d $(DESTDIR)$(PKGDATADIR)/firmware/$$part; \
	    for e in $(FW_INSTALL_EXTS); do \
	        for f in $$d*.$$e; do install -m 0644 $$f $(DESTDIR)$(PKGDATADIR)/firmware/$$part/; done; \
	    done; \
	done
	set -e; cd fixtures/scenarios && for f in $$(find . -type f | LC_ALL=C sort); do \
	    mode=0644; [ -x $$f ] && mode=0755; \
	    install -D -m $$mode $$f $(DESTDIR)$(PKGDATADIR)/scenarios/$$f; \
	done
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 tools/completion/vstm32.bash $(DESTDIR)$(BASHCOMPDIR)/vstm32
	install -D -m 0644 tools/wireshark/vstm32-dfuse.lua $(DESTDIR)$(PKGDATADIR)/wireshark/vstm32-dfuse.lua
	$(if $(WSLUADIR),install -D -m 0644 tools/wireshark/vstm32-dfuse.lua $(DESTDIR)$(WSLUADIR)/vstm32-dfuse.lua)
	install -m 0644 $(PYTEST_PLUGIN)/*.py $(DESTDIR)$(PYTHONDIR)/pytest_vstm32/
	# the entry point that makes pytest load the plugin (pytest11)
	install -d $(DESTDIR)$(PYTHONDIR)/pytest_vstm32-$(VERSION).dist-info
	printf 'Metadata-Version: 2.1\nName: pytest-vstm32\nVersion: %s\nSummary: %s\nLicense: GPL-2.0-or-later\n' \
	    '$(VERSION)' 'pytest fixtures for vstm32 virtual STM32 boards' \
	    >$(DESTDIR)$(PYTHONDIR)/pytest_vstm32-$(VERSION).dist-info/METADATA
	printf '[pytest11]\npytest_vstm32 = pytest_vstm32\n' \
	    >$(DESTDIR)$(PYTHONDIR)/pytest_vstm32-$(VERSION).dist-info/entry_points.txt
	printf 'pytest_vstm32\n' >$(DESTDIR)$(PYTHONDIR)/pytest_vstm32-$(VERSION).dist-info/top_level.txt

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vstm32 $(DESTDIR)$(MANDIR)/man1/vstm32.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/vstm32 $(if $(WSLUADIR),$(DESTDIR)$(WSLUADIR)/vstm32-dfuse.lua)
	rm -rf $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(PYTHONDIR)/pytest_vstm32 \
	    $(DESTDIR)$(PYTHONDIR)/pytest_vstm32-*.dist-info

# ---- test binaries ---------------------------------------------------------

CRITERION_TIERS := unit unit-asan usbip usbip-asan tools scenarios
$(addprefix $(BUILD)/tests/,$(CRITERION_TIERS) selftest): $(HARNESS_LIB)

$(HARNESS_LIB): $(call obj,host-tests/harness/test_marks.c)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/unit: $(call obj,$(UNIT_SRCS) $(TESTLIB_SRCS)) $(EMU_LIB) $(MODELS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CRITERION_LIBS) $(LIBS)

$(BUILD)/tests/unit-asan: $(call asanobj,$(UNIT_SRCS) $(TESTLIB_SRCS) $(EMU_SRCS) $(MODEL_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CRITERION_LIBS) $(LIBS)

$(BUILD)/tests/usbip: $(call obj,$(USBIP_SRCS) $(TESTLIB_SRCS)) $(EMU_LIB) $(MODELS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CRITERION_LIBS) $(LIBS)

$(BUILD)/tests/usbip-asan: $(call asanobj,$(USBIP_SRCS) $(TESTLIB_SRCS) $(EMU_SRCS) $(MODEL_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CRITERION_LIBS) $(LIBS)

$(BUILD)/tests/tools: $(call obj,$(TOOLS_SRCS) $(TESTLIB_SRCS)) $(EMU_LIB) $(MODELS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CRITERION_LIBS) $(LIBS)

# Raw usbfs calls only; and the same through Debian's own libusb.
$(BUILD)/tests/usbfs-probe: $(call obj,host-tests/tools/usbfs_probe.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^
$(BUILD)/tests/usbfs-libusb-probe: $(call obj,host-tests/tools/usbfs_libusb_probe.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lusb-1.0
# Debian libusb's hotplug under `run --route usbfs` (test_usbfs_bed.c).
$(BUILD)/tests/usb-hotplug-probe: $(call obj,host-tests/tools/usb_hotplug_probe.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lusb-1.0
# Debian libusb against real boards under `run` (test_usbfs_libusb.c).
$(BUILD)/tests/usb-route-probe: $(call obj,host-tests/tools/usb_route_probe.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lusb-1.0
$(BUILD)/tests/tools: | $(BUILD)/tests/usbfs-probe $(BUILD)/tests/usbfs-libusb-probe $(USBFS) \
                       $(BUILD)/tests/usb-hotplug-probe $(BUILD)/tests/usb-route-probe

# The scenarios are found from any working directory ($VSTM32_SCENARIOS overrides).
$(call obj,$(SCEN_SRCS)): ALL_CFLAGS += -DVSTM32_SCENARIO_DIR='"$(CURDIR)/fixtures/scenarios"'

$(BUILD)/tests/scenarios: $(call obj,$(SCEN_SRCS) $(TESTLIB_SRCS)) $(EMU_LIB) $(MODELS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(call obj,$(SCEN_SRCS) $(TESTLIB_SRCS)) $(EMU_LIB) $(MODELS_LIB) $(CRITERION_LIBS) $(LIBS)

# The net's self-test (host-tests/ci/run-tiers.sh): planted defects, under ASan.
$(BUILD)/tests/selftest: $(call asanobj,$(wildcard host-tests/selftest/*.c))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CRITERION_LIBS)

# Fuzzing (clang + libFuzzer), benchmarks and the kernel VM tier live in
# their own fragments.
-include fuzz/fuzz.mk

# The live view's picture in the README (docs/live-view.png), taken by the
# tools tier's browser check itself (host-tests/tools/py/live_view_browser.py:
# Debian's chromium, headless, through chromium-driver and python3-selenium)
# after the real dfu-util flashed the board.  Not part of `make check`.
screenshots: $(VSTM32) firmware
	/usr/bin/python3 host-tests/tools/py/live_view_browser.py $(VSTM32) \
	    $(BUILD)/firmware/f407xg/hello.bin --screenshot docs/live-view.png
	sh tools/report-screenshot.sh $(VSTM32) docs/report.png

# ---- check -------------------------------------------------------------------

deps:
	@sh tools/install-deps.sh $(DEB_PACKAGES)
	@$(MAKE) --no-print-directory $(NODE_USB)

# The npm `usb` package (node-usb, libusb built into its N-API prebuild),
# pinned by host-tests/node/package-lock.json, for the tools tier's usbfs
# route tests.  --ignore-scripts: its install script only looks for the
# prebuild, which node-gyp-build finds again at require() time.
NODE_USB := host-tests/node/node_modules/.package-lock.json
$(NODE_USB): host-tests/node/package.json host-tests/node/package-lock.json
	@command -v npm >/dev/null || { echo "vstm32: node is here but npm is not: install npm" >&2; exit 1; }
	cd host-tests/node && npm ci --ignore-scripts --no-audit --no-fund

# Each tier prints criterion's own summary line.  A tier that cannot run
# fails the run: nothing is skipped silently.
JOBS ?= 2
check: deps models-no-io
	$(MAKE) -j$(JOBS) all $(BUILD)/tests/unit $(BUILD)/tests/unit-asan $(BUILD)/tests/usbip $(BUILD)/tests/usbip-asan $(BUILD)/tests/tools $(BUILD)/tests/scenarios $(BUILD)/tests/selftest
	$(MAKE) firmware-check
	sh host-tests/ci/run-tiers.sh $(BUILD)

# DESIGN.md rule 1: models/ does no I/O.  The models library must not
# reference libc's file and stream I/O nor jansson's encoders/decoders;
# persistence is emulator/state/, over models/chip_snapshot.h.
MODELS_IO_SYMS := open open64 openat openat64 creat creat64 fopen fopen64 fdopen freopen \
                  read pread pread64 readv write pwrite pwrite64 writev fread fwrite \
                  fgets fgetc getc getline getdelim fputs fputc putc puts printf fprintf \
                  vprintf vfprintf dprintf vdprintf perror fflush fclose close dup dup2 \
                  fsync fdatasync sync syncfs rename renameat renameat2 link symlink \
                  unlink unlinkat remove mkdir mkdirat rmdir mkstemp mkdtemp tmpfile \
                  opendir fdopendir readdir readdir64 closedir scandir \
                  stat stat64 fstat fstat64 lstat lstat64 fstatat fstatat64 statx \
                  __xstat __fxstat __lxstat __xstat64 __fxstat64 __lxstat64 access \
                  lseek lseek64 ftruncate truncate mmap mmap64 ioctl fcntl \
                  socket connect accept bind listen send recv sendto recvfrom
models-no-io: $(MODELS_LIB)
	@nm -A -u $(MODELS_LIB) | awk -v syms="$(MODELS_IO_SYMS)" ' \
	    BEGIN { n = split(syms, s, " "); for (i = 1; i <= n; i++) io[s[i]] = 1 } \
	    { sym = $$NF; sub(/@.*/, "", sym); obj = $$1; sub(/:$$/, "", obj); sub(/^.*:/, "models/", obj); sub(/\.o$$/, ".c", obj) } \
	    io[sym] || sym ~ /^json_(dump|load)/ { \
	        printf "models-no-io: %s references %s (DESIGN.md rule 1: models/ does no I/O)\n", obj, sym; bad = 1 } \
	    END { if (bad) exit 1; print "models-no-io: $(MODELS_LIB) references no file I/O" }'

# The kernel's own USB/IP client (vhci-hcd + usbip attach) in a QEMU VM.
check-kernel: deps
	$(MAKE) -j$(JOBS) all
	bash host-tests/kernel/vm/run-kernel-tier.sh $(BUILD)

test-unit: $(BUILD)/tests/unit firmware
	$(BUILD)/tests/unit -j$(JOBS)
test-unit-asan: $(BUILD)/tests/unit-asan firmware
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/tests/unit-asan -j$(JOBS)
test-usbip: $(BUILD)/tests/usbip $(VSTM32)
	$(BUILD)/tests/usbip -j$(JOBS)
test-usbip-asan: $(BUILD)/tests/usbip-asan
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/tests/usbip-asan -j$(JOBS)
test-tools: $(BUILD)/tests/tools $(VSTM32) $(USBFS)
	$(BUILD)/tests/tools -j$(JOBS)

# Each criterion tier's host-tests/TIER/EXPECTED: one line per test instance
# (a parameterized test once per parameter), listed by running the binary
# with VSTM32_TEST_LIST set, which skips every test body (see
# host-tests/harness/test_marks.c).  Run it after adding or removing a test
# and commit the lists; host-tests/ci/run-tiers.sh fails a tier whose run differs.
EXPECTED_TIERS := unit usbip tools scenarios
expected-lists: $(addprefix $(BUILD)/tests/,$(EXPECTED_TIERS)) $(VSTM32) $(USBFS)
	@for t in $(EXPECTED_TIERS); do \
	    rm -f $(BUILD)/expected-$$t.tmp; \
	    VSTM32_TEST_LIST=$(BUILD)/expected-$$t.tmp $(BUILD)/tests/$$t -j$(JOBS) >/dev/null 2>&1; \
	    [ -s $(BUILD)/expected-$$t.tmp ] || { echo "expected-lists: $$t listed no test" >&2; exit 1; }; \
	    LC_ALL=C sort $(BUILD)/expected-$$t.tmp >host-tests/$$t/EXPECTED || exit 1; \
	    echo "host-tests/$$t/EXPECTED: $$(wc -l <host-tests/$$t/EXPECTED) tests"; \
	done
	@cd host-tests/pytest && PYTHONPATH=$(CURDIR)/python VSTM32=$(abspath $(VSTM32)) \
	    /usr/bin/python3 -m pytest -p pytest_vstm32 --collect-only -q . >$(abspath $(BUILD))/expected-pytest.tmp \
	    || { echo "expected-lists: pytest could not collect host-tests/pytest" >&2; exit 1; }
	@grep '::' $(BUILD)/expected-pytest.tmp | LC_ALL=C sort >host-tests/pytest/EXPECTED
	@echo "host-tests/pytest/EXPECTED: $$(wc -l <host-tests/pytest/EXPECTED) tests"

# README.md's "Supported parts" table is `vstm32 parts --markdown`, and its
# "Fidelity ledger" table `vstm32 parts --fidelity --markdown`, pasted here;
# the tools tier (test_readme.c) fails when they differ.
README_TABLE = awk -v table=$(2) -v heading='$(1)' ' \
	    at == 0 && $$0 == heading { at = 1 } \
	    at == 1 && /^\|/ { while ((getline l < table) > 0) print l; at = 2; next } \
	    at == 2 && /^\|/ { next } \
	    at == 2 { at = 3 } \
	    { print }'
readme-parts: $(VSTM32)
	$(VSTM32) parts --markdown >$(BUILD)/parts.md
	$(VSTM32) parts --fidelity --markdown >$(BUILD)/fidelity.md
	$(call README_TABLE,## Supported parts,$(BUILD)/parts.md) README.md >$(BUILD)/README.md.new
	$(call README_TABLE,## Fidelity ledger,$(BUILD)/fidelity.md) $(BUILD)/README.md.new >$(BUILD)/README.md.new2
	mv $(BUILD)/README.md.new2 README.md
	rm -f $(BUILD)/README.md.new

# The Wireshark DfuSe dissector (tools/wireshark/vstm32-dfuse.lua, issue 18)
# into a folder Wireshark loads Lua plugins from (`tshark -G folders`): by
# default the personal one; a system install passes the global one, e.g.
#   make install-wireshark WIRESHARK_PLUGIN_DIR=$(DESTDIR)/usr/lib/x86_64-linux-gnu/wireshark/plugins
WIRESHARK_PLUGIN_DIR ?= $(HOME)/.local/lib/wireshark/plugins
install-wireshark:
	install -d '$(WIRESHARK_PLUGIN_DIR)'
	install -m 0644 tools/wireshark/vstm32-dfuse.lua '$(WIRESHARK_PLUGIN_DIR)/vstm32-dfuse.lua'

demo: deps
	$(MAKE) all
	sh tools/demo.sh $(BUILD)

bench: all
	sh host-tests/bench/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
