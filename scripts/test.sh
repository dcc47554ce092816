#!/usr/bin/env bash
# The whole test suite, from a clean clone:
#   1. installs what is missing (scripts/install-deps.sh),
#   2. builds Release with warnings as errors and runs every test (unit, integration, e2e),
#   3. builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit and
#      integration tests again.
# Set LEVEE_SKIP_SANITIZERS=1 for a quick local run.
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
fi
