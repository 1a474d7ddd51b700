# Thin wrapper over CMake + CTest. Every target that builds first makes sure the system packages
# are there (scripts/install-deps), so `make demo` and `make test` each work on a fresh machine.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=
SOURCES := $(shell git ls-files '*.cc' '*.h' 2>/dev/null)

.PHONY: all deps configure build test demo bench format check-format clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@$(BUILD)/sim/tinykv-sim-demo

bench: build
	@for b in $(BUILD)/bench/bench_*; do echo "== $$b"; $$b; done

format:
	@clang-format -i $(SOURCES)

check-format:
	@clang-format --dry-run --Werror $(SOURCES)

clean:
	@rm -rf $(BUILD)
