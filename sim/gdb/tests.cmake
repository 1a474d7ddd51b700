# Tests for the debugging support of sim/: the gdb commands (sim/gdb/tinykv_sim.py), the inspector
# registry (sim/debug_test.cc), the AddressSanitizer annotations of the fiber executor
# (sim/asan_test.cc) and the VS Code launch.json generator (sim/gdb/vscode_launch.py).
#
# Meant to be included from sim/CMakeLists.txt after the targets tinykv_sim and tinykv-sim-demo are
# defined: include(${CMAKE_CURRENT_SOURCE_DIR}/gdb/tests.cmake). Paths are taken from this file's
# own directory, so it works from any including CMakeLists.txt.
set(TINYKV_SIM_GDB_DIR ${CMAKE_CURRENT_LIST_DIR})

# Without ASan the scenario still runs; only the two death tests skip (the detector is absent).
tinykv_add_test(NAME sim_asan_test SOURCES ${TINYKV_SIM_GDB_DIR}/../asan_test.cc LIBS tinykv_sim)

# The inspector registry behind sim-inspect, and breakpoint-spec aliases (sim/debug.h).
tinykv_add_test(NAME sim_debug_test SOURCES ${TINYKV_SIM_GDB_DIR}/../debug_test.cc LIBS tinykv_sim)

# gdb in batch mode on the demo: stops at a crash and checks sim-status, sim-fibers, sim-fiber-bt
# and sim-trace-tail. Without gdb (or without the demo binary) it fails and says why; skipped only
# where gdb cannot call functions in a program at all (gdb_checks.sh, require_inferior_calls).
if(TARGET tinykv-sim-demo)
  add_test(NAME sim_gdb_commands
           COMMAND bash ${TINYKV_SIM_GDB_DIR}/gdb_test.sh $<TARGET_FILE:tinykv-sim-demo>)
else()
  add_test(NAME sim_gdb_commands
           COMMAND sh -c "echo 'FAIL: tinykv-sim-demo was not built (CLI11 not found: install libcli11-dev), so the gdb commands cannot be tested' >&2; exit 1")
endif()
set_tests_properties(sim_gdb_commands PROPERTIES TIMEOUT 180 LABELS "integration;debugger"
                     SKIP_RETURN_CODE 77)

# The same test in an AddressSanitizer side build, run by every `make test`.
if(NOT ASAN)
  add_test(NAME sim_asan_side_build
           COMMAND ${TINYKV_SIM_GDB_DIR}/asan_build_test.sh ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/asan-side-build)
  set_tests_properties(sim_asan_side_build PROPERTIES TIMEOUT 900 LABELS "sanitizer")
endif()
