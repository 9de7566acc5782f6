# Two commands for a newcomer on Debian 12 (as root): `make lab` and `make test`.
SHELL := /bin/bash
APT_PACKAGES := gcc libc6-dev libseccomp-dev libssl-dev openssl libreadline-dev pkg-config zstd busybox-static iproute2 iptables curl debootstrap tmux skopeo docker-registry apache2-utils python3 asciinema
# The differential suite and the benchmarks measure against Debian's Docker, runc and hyperfine.
COMPAT_PACKAGES := docker.io runc python3-yaml
BENCH_PACKAGES := $(COMPAT_PACKAGES) hyperfine skopeo docker-registry apache2-utils
SWIFT ?= swift
BIN = $(shell $(SWIFT) build --show-bin-path)
MONITOR_SRC := $(wildcard Sources/berth-monitor/*.c Sources/CBerth/*.c Sources/CBerth/include/*.h)

.PHONY: setup setup-compat setup-bench build monitor test compat compat-fast lab seed bench clean transcripts

# Installs only what is missing, so a second run costs nothing; `apt-get update` only when the
# install fails without it.
define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing || \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; }; \
	fi
endef

setup:
	$(call apt_install,$(APT_PACKAGES))
setup-compat:
	$(call apt_install,$(COMPAT_PACKAGES))
setup-bench:
	$(call apt_install,$(BENCH_PACKAGES))

build: setup
	$(SWIFT) build
	$(MAKE) --no-print-directory monitor

# The monitor is built with cc, not SwiftPM: SwiftPM links every executable against
# libswiftCore, which would cost each running container about 4 MB of RSS.
monitor: $(BIN)/berth-monitor
$(BIN)/berth-monitor: $(MONITOR_SRC)
	cc -O2 -Wall -Wextra -o $@ Sources/berth-monitor/*.c Sources/CBerth/*.c -ISources/CBerth/include -lseccomp

seed: build
	$(BIN)/berth seed

test: build setup-compat
	$(SWIFT) build --build-tests
	@# Failures and the Swift Testing summary are repeated last, where a truncated CI log shows them.
	$(SWIFT) test --skip-build 2>&1 | tee .build/test.log; status=$${PIPESTATUS[0]}; \
	$(MAKE) --no-print-directory compat-fast 2>&1 | tee .build/compat.log; [ $${PIPESTATUS[0]} -eq 0 ] || status=1; \
	if [ $$status -ne 0 ]; then echo "== failures =="; grep -a -A3 "✘ Test .*recorded an issue\|Fatal error" .build/test.log | tail -60; \
	  grep -a "DIFFERENT\|FAIL" .build/compat.log | tail -20; fi; \
	grep -a "Test run with" .build/test.log | tail -1; \
	exit $$status

# Differential suite against Docker (Compat/): `compat` runs every chapter (debian:12 and the
# Debian mirror included, minutes), `compat-fast` the busybox-only subset that `make test` runs.
# Both start their own dockerd and stop it afterwards, also when the comparison fails, and check
# that berth containers still get out past Docker's iptables rules (Compat/forward-check.sh).
compat: build setup-compat
	Compat/with-dockerd.sh bash -c 'Compat/compat.py --berth $(BIN)/berth $(COMPAT_ARGS); s=$$?; \
	  Compat/forward-check.sh $(BIN)/berth || s=1; exit $$s'
compat-fast: build setup-compat
	Compat/with-dockerd.sh bash -c 'Compat/compat.py --berth $(BIN)/berth --fast $(COMPAT_ARGS); s=$$?; \
	  Compat/forward-check.sh $(BIN)/berth || s=1; exit $$s'

lab: seed
	BERTH_LESSONS=$(CURDIR)/Lessons $(BIN)/berth lab

# Re-records Transcripts/NN-name.cast: each lesson's solution typed into the real lab under tmux
# (chapter 4 needs the Debian mirror and takes minutes). `make test` replays them.
transcripts: build
	Transcripts/record.sh $(BIN)/berth

bench: build setup-bench
	$(SWIFT) build -c release
	cc -O2 -o $$($(SWIFT) build -c release --show-bin-path)/berth-monitor Sources/berth-monitor/*.c Sources/CBerth/*.c -ISources/CBerth/include -lseccomp
	Compat/with-dockerd.sh Benchmarks/run.sh $$($(SWIFT) build -c release --show-bin-path)
	@# Published port against direct with twin containers, busybox httpd and Apache (keep-alive).
	{ echo; echo "## HTTP through a published port (Benchmarks/http.sh)"; echo; \
	  Benchmarks/http.sh $$($(SWIFT) build -c release --show-bin-path) | sed 's/^/- /'; } | tee -a Benchmarks/RESULTS.md

clean:
	rm -rf .build
