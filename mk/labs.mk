# Lab grading, replay, debugging and handouts: included by the root Makefile.
#
#   make lab1 | lab2a | lab2aa | lab2ab | lab2ac | lab2b | lab2c | lab3a | lab3b | lab3c
#        lab4a | lab4b | lab4c | lab4d | lab2 | lab3 | lab4 | grade       [SEEDS=N] [SEED_BASE=S] [JOBS=J]
#        [TEST=Suite.Name or a glob, e.g. TEST='Lab2B.Persist*': only those tests of the part]
#   make replay TEST=Suite.Name SEED=S
#   make debug  TEST=Suite.Name SEED=S [BREAK=event:N|time:T|on:KIND|file.cc:123]
#        (in a Debug build of just that test, in $(BUILD)-debug: DEBUG_BUILD=DIR to move it)
#   make vscode TEST=Suite.Name SEED=S [BREAK=...] [VSCODE_DIR=.vscode]
#        (adds the same debug session to VSCODE_DIR/launch.json: sim/gdb/vscode_launch.py)
#   make handout OUT=DIR [LABS="lab2 lab3"]
#
# Uses BUILD (build directory) and JOBS from the root Makefile, and its `configure` target; each
# target builds only the test binaries it runs.
BUILD ?= build
TINYKV_GRADE = $(BUILD)/grading/runner/tinykv-grade
GRADE_FLAGS = --build-dir $(BUILD) \
  $(if $(TEST),--test '$(TEST)') \
  $(if $(SEEDS),--seeds $(SEEDS)) \
  $(if $(SEED_BASE),--seed-base $(SEED_BASE)) \
  $(if $(JOBS),--jobs $(JOBS))
LAB_TARGETS := lab1 lab2a lab2aa lab2ab lab2ac lab2b lab2c lab3a lab3b lab3c \
  lab4a lab4b lab4c lab4d lab2 lab3 lab4
VSCODE_DIR ?= .vscode
VSCODE_LAUNCH = python3 sim/gdb/vscode_launch.py --test '$(TEST)' --seed '$(SEED)' \
  $(if $(BREAK),--break '$(BREAK)')

.PHONY: $(LAB_TARGETS) grade replay debug vscode handout

# Check the variables before anything is built.
ifneq ($(filter replay debug vscode,$(MAKECMDGOALS)),)
  ifeq ($(and $(TEST),$(SEED)),)
    $(error usage: make replay|debug|vscode TEST=Suite.Name SEED=S [BREAK=event:N|time:T|on:KIND])
  endif
endif
ifneq ($(filter vscode,$(MAKECMDGOALS)),)
  VSCODE_ERROR := $(shell $(VSCODE_LAUNCH) --validate-only 2>&1 >/dev/null)
  ifneq ($(VSCODE_ERROR),)
    $(error $(VSCODE_ERROR))
  endif
endif
ifneq ($(filter handout,$(MAKECMDGOALS)),)
  ifeq ($(OUT),)
    $(error usage: make handout OUT=DIR [LABS="lab2 lab3"])
  endif
endif

# A grade that ran is not a make error: failing tests end in the table (the last thing on the
# screen), not under make's "Error 1". Usage errors and runner failures (exit >= 2) still fail.
# `tinykv-grade run` itself exits 1 when some test failed, for scripts.
GRADE_STATUS = status=$$?; [ $$status -le 1 ] || exit $$status

# Build only what is graded: tinykv-grade, then the test binaries of the selected tests (it
# names them: `tinykv-grade targets`), not the whole tree. A build that fails stops here (2).
# $(1): the selection (a lab part, "all", or --test NAME); $(2): the build directory (default
# $(BUILD)).
LAB_BUILD = cmake --build $(or $(2),$(BUILD)) -j $(JOBS) --target tinykv-grade && \
  cmake --build $(or $(2),$(BUILD)) -j $(JOBS) --target \
    $$($(or $(2),$(BUILD))/grading/runner/tinykv-grade targets $(1) --build-dir $(or $(2),$(BUILD))) \
  || exit 2

# `make debug` steps through a Debug build (-O0 -g: no variable is <optimized out>), kept in its
# own directory so that grading keeps its optimised one; it builds only tinykv-grade and the
# test's binary. A seed replays the same at every optimisation level (DESIGN.md §3).
DEBUG_BUILD ?= $(BUILD)-debug
DEBUG_GRADE = $(DEBUG_BUILD)/grading/runner/tinykv-grade
DEBUG_ARGS = '$(TEST)' --seed '$(SEED)' --build-dir $(DEBUG_BUILD) $(if $(BREAK),--break '$(BREAK)')

$(LAB_TARGETS): configure
	@$(call LAB_BUILD,$@ $(if $(TEST),--test '$(TEST)'))
	@$(TINYKV_GRADE) run $@ $(GRADE_FLAGS); $(GRADE_STATUS)

grade: configure
	@$(call LAB_BUILD,all)
	@$(TINYKV_GRADE) run all $(GRADE_FLAGS); $(GRADE_STATUS)

replay: configure
	@$(call LAB_BUILD,--test '$(TEST)')
	@$(TINYKV_GRADE) replay '$(TEST)' --seed '$(SEED)' --build-dir $(BUILD)

debug: deps
	@cmake -S . -B $(DEBUG_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(DEBUG_BUILD) -j $(JOBS) --target tinykv-grade || exit 2
	@$(DEBUG_GRADE) debug $(DEBUG_ARGS) --print-only >/dev/null
	@$(call LAB_BUILD,--test '$(TEST)',$(DEBUG_BUILD))
	@$(DEBUG_GRADE) debug $(DEBUG_ARGS)

vscode: build
	@$(VSCODE_LAUNCH) --grade $(TINYKV_GRADE) --build-dir $(BUILD) --output $(VSCODE_DIR)/launch.json

# The handout generator needs no build: it works on the git-tracked source tree.
handout:
	@scripts/make-handout --out '$(OUT)' $(if $(LABS),--labs '$(LABS)')
