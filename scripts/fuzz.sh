#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/) with clang + ASan + UBSan and runs each one for a
# fixed time on a scratch copy of its seed corpus. Fails on any crash, sanitizer report, leak,
# hang or out-of-memory, and prints the input that reproduces it.
#   scripts/fuzz.sh [--seed N] [seconds-per-harness]    default 60 s, a new random seed each run
# A random seed explores further from run to run (run it long, by hand, to look for bugs); a fixed
# seed makes a run repeatable, which is what the test suite wants: the same commit fuzzed twice
# tries the same inputs, so a pass or a failure belongs to the change and not to the draw.
# Everything it writes stays under build/fuzz/ (the corpus grows there, never in the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: scripts/fuzz.sh [--seed N] [seconds-per-harness]" >&2; exit 2; }
seed=0  # libFuzzer's 0: a seed of its own choosing
if [[ ${1:-} == --seed ]]; then
  [[ ${2:-} =~ ^[0-9]+$ ]] || usage
  seed=$2; shift 2
fi
seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

scripts/install-deps.sh --fuzz
root=$PWD
build=build/fuzz
jobs=$(nproc)

echo "== fuzz build (clang, ASan+UBSan+libFuzzer)"
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEVEE_FUZZ=ON \
  -DLEVEE_BUILD_TESTS=OFF -DLEVEE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target fuzzers

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# run_fuzzer NAME [libFuzzer flags...]: the scratch directory is build/fuzz/run/NAME and is also
# the working directory (the config harness resolves relative sorry_page paths against it). A
# failure leaves the file NAME/failed.
run_fuzzer() {
  local name=$1; shift
  local dir=$root/$build/run/$name
  mkdir -p "$dir/corpus"
  rm -rf "$dir/artifacts" "$dir/failed" && mkdir -p "$dir/artifacts"
  cp "$root/tests/fuzz/corpus/$name/"* "$dir/corpus/"
  echo "== fuzz $name (${seconds} s, seed ${seed}; corpus $dir/corpus)"
  local status=0
  # -timeout: one input running 10 s is a hang, not a slow machine. -error_exitcode keeps the
  # exit status apart from the script's own failures.
  (cd "$dir" && "$root/$build/tests/fuzz/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 -seed="$seed" \
      -error_exitcode=77 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$@" corpus) \
    >"$dir/log" 2>&1 || status=$?
  # libFuzzer's last status line ("#N DONE cov: ... ft: ... corp: ... exec/s: ...") and rate.
  grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/log" | tail -1 || true
  grep -E 'stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$dir/log" || true
  local artifacts
  artifacts=$(find "$dir/artifacts" -type f | sort)
  if [[ $status -ne 0 || -n "$artifacts" ]]; then
    tail -n 60 "$dir/log"
    echo "FAILED: $name (exit $status); full log $dir/log"
    local a
    for a in $artifacts; do
      echo "  reproducer: $a"
      echo "  replay:     $build/tests/fuzz/${name}_fuzzer $a"
    done
    touch "$dir/failed"
  fi
}

# Seeds: the files under tests/fuzz/corpus/NAME, plus (config) every shipped config and the
# sorry page they name, as sorry.html and ../sorry.html relative to the working directory.
config_dir=$root/$build/run/config
mkdir -p "$config_dir/corpus"
cp config/levee.yaml "$config_dir/corpus/levee.yaml"
for f in config/examples/*.yaml; do cp "$f" "$config_dir/corpus/example-$(basename "$f")"; done
cp config/sorry.html "$config_dir/sorry.html"
cp config/sorry.html "$root/$build/run/sorry.html"

# The harnesses run side by side: libFuzzer uses one core per run, and on CI's two cores that
# halves the stage. Each one's report prints once both are done, in order.
run_fuzzer request -dict="$root/tests/fuzz/http.dict" >"$root/$build/run/request.report" 2>&1 &
request_pid=$!
run_fuzzer config >"$root/$build/run/config.report" 2>&1 &
config_pid=$!
wait "$request_pid" "$config_pid" || true
failed=()
for name in request config; do
  cat "$root/$build/run/$name.report"
  if [[ -e $root/$build/run/$name/failed ]]; then failed+=("$name"); fi
done

if [[ ${#failed[@]} -ne 0 ]]; then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds} s per harness"
