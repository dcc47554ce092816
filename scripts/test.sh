#!/usr/bin/env bash
# The whole test suite, from a clean clone:
#   1. installs what is missing (scripts/install-deps.sh),
#   2. builds Release with warnings as errors and runs every test (unit, integration, e2e),
#   3. builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit and
#      integration tests again,
#   4. builds with ThreadSanitizer and runs the concurrency-heavy tests (the policy tests and the
#      integration tests, which run levee with two worker threads),
#   5. fuzzes the request path and the config loader for 60 s each, side by side (scripts/fuzz.sh,
#      clang), from a fixed seed so that two runs of one commit try the same inputs.
# Set LEVEE_SKIP_SANITIZERS=1 (skips 3-5) for a quick local run.
#
# Each stage ends with its wall time (`== done: NAME (N s)`), each build with its slowest
# translation units, and the run with a table of every stage and the total: CI has 90 minutes
# on 2 cores and this suite is kept well inside 35 of them, so a change that makes a stage
# slower shows here first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
run_started=$SECONDS
stage_names=()
stage_seconds=()

# stage NAME COMMAND...: runs one stage and records its wall time.
stage() {
  local name=$1; shift
  printf '\n== %s\n' "$name"
  local started=$SECONDS
  "$@"
  local took=$((SECONDS - started))
  stage_names+=("$name")
  stage_seconds+=("$took")
  printf '== done: %s (%d s)\n' "$name" "$took"
}

# The slowest translation units of the last build in DIR, from ninja's own log.
slowest_units() {
  local log=$1/.ninja_log
  [[ -f $log ]] || return 0
  echo "slowest translation units (s):"
  # awk, not head, takes the first five: head exits early and, under pipefail, sort's SIGPIPE
  # would fail the whole run.
  awk -F'\t' 'NR > 1 && $4 ~ /\.o$/ { printf "%7.1f  %s\n", ($2 - $1) / 1000, $4 }' "$log" \
    | sort -rn | awk 'NR <= 5'
}

build() {
  local dir=$1; shift
  cmake --build "$dir" -j "$jobs" "$@"
  slowest_units "$dir"
}

summary() {
  printf '\n== stage times\n'
  local i
  for i in "${!stage_names[@]}"; do
    printf '%-34s %6d s\n' "${stage_names[$i]}" "${stage_seconds[$i]}"
  done
  printf '%-34s %6d s\n' "total" "$((SECONDS - run_started))"
}
trap summary EXIT

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEVEE_WERROR=ON >/dev/null
stage "release build (-Werror)" build build/release
stage "tests (release)" ctest --test-dir build/release --output-on-failure --no-tests=error -j "$jobs"

if [[ "${LEVEE_SKIP_SANITIZERS:-0}" != 1 ]]; then
  # Sanitizer builds compile at -Og -g1 (cmake/sanitizers.cmake): they exist to run tests.
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEVEE_WERROR=ON -DLEVEE_SANITIZE=ON \
        -DLEVEE_BUILD_BENCH=OFF >/dev/null
  stage "ASan+UBSan build" build build/asan
  stage "tests (ASan+UBSan)" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure --no-tests=error -j "$jobs" -LE e2e

  # Only what this stage runs: the policy tests, the integration tests and levee. levee-load
  # (their origin) is the Release one: the stage checks levee's threads, and compiling the load
  # generator again under TSan was 40% of the stage.
  cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEVEE_WERROR=ON -DLEVEE_TSAN=ON \
        -DLEVEE_BUILD_BENCH=OFF -DLEVEE_TEST_LOAD_BINARY="$PWD/build/release/loadtest/levee-load" >/dev/null
  stage "TSan build" build build/tsan --target policy_tests integration_tests levee
  # The integration tests run in $jobs shards side by side (as ctest -j runs them in the other
  # stages); each shard's output is shown when it fails.
  tsan_tests() (
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
    build/tsan/tests/unit/policy/policy_tests --gtest_brief=1
    local shard shard_pids=() failed=0
    for ((shard = 0; shard < jobs; shard++)); do
      GTEST_TOTAL_SHARDS=$jobs GTEST_SHARD_INDEX=$shard \
        build/tsan/tests/integration/integration_tests --gtest_brief=1 >"build/tsan/integration-$shard.log" 2>&1 &
      shard_pids+=($!)
    done
    for ((shard = 0; shard < jobs; shard++)); do
      if wait "${shard_pids[$shard]}"; then
        tail -n 3 "build/tsan/integration-$shard.log"
      else
        echo "integration tests, shard $shard of $jobs, failed:"; cat "build/tsan/integration-$shard.log"; failed=1
      fi
    done
    return "$failed"
  )
  stage "tests (TSan)" tsan_tests

  stage "fuzz (60 s per harness)" scripts/fuzz.sh --seed 20261203 60
fi
