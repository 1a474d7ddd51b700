# Shared by the shell tests that run gdb in batch mode on a program and check what it printed
# (sim/gdb/gdb_test.sh, grading/harness/gdb_inspect_test.sh). Source it, then:
#
#   require_gdb_and PROGRAM TARGET    exit 1 unless gdb is installed and PROGRAM is executable;
#                                     exit 77 (CTest: skipped) when this gdb cannot call functions
#                                     in a program on this machine (see below)
#   log=FILE; failures=0              the gdb output; the count of failed checks
#   section NAME                      the lines between "=== NAME" and the next "=== " marker
#   expect SECTION REGEX WHAT         a line of SECTION matches REGEX
#   expect_log REGEX WHAT             a line anywhere in the log matches REGEX
#   count SECTION REGEX               how many lines of SECTION match
#   check_that CONDITION-EXIT WHAT    records ok/FAIL for the exit status of the last command
#   finish_gdb_checks STATUS TIMEOUT WHAT   timeout and Python-error checks, then the verdict
#
# Checks print "ok:   WHAT" or "FAIL: WHAT (…)"; finish_gdb_checks prints the whole gdb output
# and exits 1 when any check failed.

require_gdb_and() {
  if ! command -v gdb >/dev/null 2>&1; then
    echo "FAIL: gdb is not installed; the debugger test cannot run (apt-get install gdb;" \
         "scripts/install-deps installs it)" >&2
    exit 1
  fi
  if [[ ! -x $1 ]]; then
    echo "FAIL: $1 is not an executable (build the $2 target first)" >&2
    exit 1
  fi
  require_inferior_calls "$1"
}

# The sim-* commands call functions of the stopped program (tinykv_sim_inspect) and restore
# registers after showing a suspended fiber. gdb 13 (Debian 12's) cannot write a program's
# registers on a CPU whose extended state is larger than it knows (AMX on Sapphire Rapids: the
# kernel refuses the short XSAVE buffer, "Couldn't write extended state status: Bad address").
# Nothing installable fixes that on such a machine, so the test is skipped there, saying why;
# anywhere gdb can call functions it runs in full.
require_inferior_calls() {
  local probe
  probe=$(gdb -batch -nx -ex 'break main' -ex run -ex 'print (int) getpid() > 0' -ex kill "$1" \
            </dev/null 2>&1)
  if grep -q "Couldn't write extended state status" <<<"$probe"; then
    echo "SKIPPED: gdb $(gdb --version | head -1 | awk '{print $NF}') cannot call functions in a" \
         "stopped program on this CPU (it cannot write its extended register state:" \
         "\"Couldn't write extended state status\"), and the sim-*" \
         "commands do; see docs/debugging.md" >&2
    exit 77
  fi
}

section() { awk -v name="=== $1" 'index($0, name) == 1 { on = 1; next } /^=== / { on = 0 } on' "$log"; }

expect() {  # expect SECTION REGEX WHAT
  if section "$1" | grep -Eq -- "$2"; then
    echo "ok:   $3"
  else
    echo "FAIL: $3 (no line matching /$2/ in section '$1')"
    failures=$((failures + 1))
  fi
}

expect_log() {  # expect_log REGEX WHAT
  if grep -Eq -- "$1" "$log"; then
    echo "ok:   $2"
  else
    echo "FAIL: $2 (no line matching /$1/)"
    failures=$((failures + 1))
  fi
}

count() { section "$1" | grep -Ec -- "$2"; }  # count SECTION REGEX

check_that() {  # check_that STATUS WHAT: STATUS 0 is ok
  if [[ $1 -eq 0 ]]; then
    echo "ok:   $2"
  else
    echo "FAIL: $2"
    failures=$((failures + 1))
  fi
}

finish_gdb_checks() {  # finish_gdb_checks GDB-STATUS TIMEOUT-SECONDS WHAT
  if [[ $1 -eq 124 ]]; then
    echo "FAIL: gdb did not finish within $2 s"
    failures=$((failures + 1))
  fi
  if grep -Eq "Traceback|Python Exception|Error occurred in Python" "$log"; then
    echo "FAIL: a Python error was printed"
    failures=$((failures + 1))
  fi
  if [[ $failures -ne 0 ]]; then
    echo "---- gdb output ($failures failures) ----"
    cat "$log"
    exit 1
  fi
  echo "$3: all checks passed"
}
