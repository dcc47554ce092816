#!/usr/bin/env bash
# The main job, from a fresh Debian machine: install what is missing, build levee and
# levee-load (Release), then show what levee is for: a capacity-limited service overloaded
# with and without levee in front, compared side by side (scripts/overload-demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== building (Release) into build/release"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target levee levee-load

scripts/overload-demo.sh --build-dir build/release --out build/demo
cat <<'TXT'

Where to look next:
  build/demo/levee.html, build/demo/direct.html   the two runs, charted (open in a browser)
  config/levee.yaml                                the shipped config, commented
  build/release/proxy/levee --config config/levee.yaml
      then: curl -i localhost:8080/   and   curl localhost:9901/metrics | grep levee_
  README.md                                        tuning, metrics, shed reasons, Docker, Kubernetes
TXT
