# Two commands for a newcomer on Debian 12 (as root): `make lab` and `make test`.
SHELL := /bin/bash
APT_PACKAGES := gcc libc6-dev libseccomp-dev libssl-dev openssl libreadline-dev pkg-config zstd busybox-static iproute2 iptables curl debootstrap tmux skopeo docker-registry apache2-utils python3 asciinema
SWIFT ?= swift
BIN = $(shell $(SWIFT) build --show-bin-path)
MONITOR_SRC := $(wildcard Sources/berth-monitor/*.c Sources/CBerth/*.c Sources/CBerth/include/*.h)

.PHONY: setup build monitor test lab seed bench clean transcripts

# Installs only what is missing, so a second run costs nothing.
setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

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

test: build
	$(SWIFT) build --build-tests
	@# On failure the failures are repeated last, where a truncated CI log still shows them.
	$(SWIFT) test --skip-build 2>&1 | tee .build/test.log; status=$${PIPESTATUS[0]}; \
	if [ $$status -ne 0 ]; then echo "== failures =="; grep -a -A3 "✘ Test .*recorded an issue\|Fatal error" .build/test.log | tail -60; fi; \
	exit $$status

lab: seed
	BERTH_LESSONS=$(CURDIR)/Lessons $(BIN)/berth lab

# Re-records Transcripts/NN-name.cast: each lesson's solution typed into the real lab under tmux
# (chapter 4 needs the Debian mirror and takes minutes). `make test` replays them.
transcripts: build
	Transcripts/record.sh $(BIN)/berth

bench: build
	$(SWIFT) build -c release
	cc -O2 -o $$($(SWIFT) build -c release --show-bin-path)/berth-monitor Sources/berth-monitor/*.c Sources/CBerth/*.c -ISources/CBerth/include -lseccomp
	Benchmarks/run.sh $$($(SWIFT) build -c release --show-bin-path)

clean:
	rm -rf .build
