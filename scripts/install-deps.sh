#!/usr/bin/env bash
# Installs the Debian packages levee needs to build and test. Idempotent and quiet when
# everything is already present. Runs as root, or through sudo when not.
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --bench    also the peers the benchmarks compare against
#   scripts/install-deps.sh --fuzz     also clang and its runtime (libFuzzer), for scripts/fuzz.sh
# Flags combine: scripts/install-deps.sh --bench --fuzz
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl python3
  libboost1.81-dev libssl-dev openssl libspdlog-dev libfmt-dev prometheus-cpp-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libcli11-dev libbenchmark-dev jq nlohmann-json3-dev libjemalloc-dev
  libnghttp2-dev  # HTTP/2 (proxy/h2); bookworm's 1.52 carries the rapid-reset and CONTINUATION fixes
  nghttp2-client  # nghttp and h2load: the HTTP/2 integration tests (tests/integration/http2_test.cpp)
  python3-grpcio  # a real gRPC service and client: tests/integration/grpc_test.cpp, bench/grpc
  prometheus  # promtool: tests/deploy checks and unit-tests deploy/prometheus/levee-rules.yaml
)
for flag in "$@"; do
  case "$flag" in
    --bench) packages+=(wrk nginx-light haproxy procps valgrind) ;;
    # libclang-rt-dev holds libFuzzer and the sanitizer runtimes; clang only recommends it.
    --fuzz) packages+=(clang libclang-rt-dev) ;;
    *) echo "install-deps: unknown flag $flag (expected --bench or --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
