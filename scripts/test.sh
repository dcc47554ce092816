#!/usr/bin/env bash
# The whole test suite, from a clean clone:
#   1. installs what is missing (scripts/install-deps.sh),
#   2. builds Release with warnings as errors and runs every test (unit, integration, e2e),
#   3. builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit and
#      integration tests again,
#   4. builds with ThreadSanitizer and runs the concurrency-heavy tests (the policy tests and the
#      integration tests, which run levee with two worker threads),
#   5. fuzzes the request path and the config loader for 60 s each (scripts/fuzz.sh, clang).
# Set LEVEE_SKIP_SANITIZERS=1 (skips 3-5) for a quick local run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
section() { printf '\n== %s\n' "$*"; }

section "release build (-Werror)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEVEE_WERROR=ON >/dev/null
cmake --build build/release -j "$jobs"

section "tests (release)"
ctest --test-dir build/release --output-on-failure --no-tests=error -j "$jobs"

if [[ "${LEVEE_SKIP_SANITIZERS:-0}" != 1 ]]; then
  section "ASan+UBSan build"
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEVEE_WERROR=ON -DLEVEE_SANITIZE=ON \
        -DLEVEE_BUILD_BENCH=OFF >/dev/null
  cmake --build build/asan -j "$jobs"
  section "tests (ASan+UBSan; unit and integration)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure --no-tests=error -j "$jobs" -LE e2e

  section "TSan build"
  cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEVEE_WERROR=ON -DLEVEE_TSAN=ON \
        -DLEVEE_BUILD_BENCH=OFF >/dev/null
  cmake --build build/tsan -j "$jobs" --target policy_tests integration_tests levee levee-load
  section "tests (TSan; policy and integration)"
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
  build/tsan/tests/unit/policy/policy_tests --gtest_brief=1
  build/tsan/tests/integration/integration_tests --gtest_brief=1
  unset TSAN_OPTIONS

  section "fuzz (60 s per harness)"
  scripts/fuzz.sh 60
fi
