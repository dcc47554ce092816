#!/usr/bin/env bash
# promtool check rules + promtool test rules on deploy/prometheus (argument: that folder).
set -euo pipefail
dir=$1
command -v promtool >/dev/null || { echo "promtool not installed (apt-get install prometheus): skipped"; exit 77; }
promtool check rules "$dir/levee-rules.yaml"
cd "$dir"  # the test file names its rule file relative to itself
promtool test rules levee-rules.test.yaml
