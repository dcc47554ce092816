#!/usr/bin/env bash
# Runs deploy/ci/github-actions-overload-test.yml's steps as written: each `run:` block in order,
# in a fresh workspace, under bash -eo pipefail (as Actions runs them), with the job's env. Docker
# is replaced by tests/e2e/ci_recipe/docker, which runs the built binaries as the containers would
# (levee-load as the image's uid 10001 unless --user says otherwise). "Your service" is the
# levee-load backend (400 req/s, the workflow's CAPACITY); levee.yaml is the shipped config and
# overload.yaml the 10 s e2e profile. Ports are free ones instead of 8080/8081/9901.
# Checks: every step succeeds (the overload step may also end 1 or 3, thresholds being a
# matter of this machine's load, but never 2: a usage or write error); the reports, the Markdown
# summary (also appended to $GITHUB_STEP_SUMMARY) and the JUnit XML are written and agree with
# the exit status; and the readiness wait fails, in time, when levee never becomes ready.
#   tests/e2e/ci_recipe.sh LEVEE LEVEE_LOAD SOURCE_DIR OUT_DIR
set -euo pipefail
levee=$(realpath "$1") load=$(realpath "$2") source_dir=$(realpath "$3") out=$4
workflow=$source_dir/deploy/ci/github-actions-overload-test.yml
[[ -L $out ]] && rm -rf "$(readlink "$out")"  # an earlier run's directory under /tmp (below)
rm -rf "$out"
mkdir -p "$out"
# The levee "container" runs as uid 10001 (when this runs as root) and reads its files under
# $out. A build tree that uid cannot reach (a clone inside mktemp -d's private 0700 directory)
# would fail the run for a reason that is not levee's: the run then happens in a directory of its
# own under /tmp, and $out links to it.
if [[ $(id -u) == 0 ]] && ! setpriv --reuid=10001 --regid=10001 --clear-groups /usr/bin/test -x "$out"; then
  reachable=$(mktemp -d "${TMPDIR:-/tmp}/levee-ci-recipe.XXXXXX")
  chmod 755 "$reachable"
  rmdir "$out" && ln -s "$reachable" "$out"
fi
out=$(realpath "$out")
workspace=$out/workspace state=$out/containers
mkdir -p "$workspace" "$state"
chmod 755 "$out" "$workspace"  # the levee "container" (uid 10001) reads levee.yaml from here
cp "$source_dir/config/levee.yaml" "$workspace/levee.yaml"
cp "$source_dir/config/loadtest/e2e-short.yaml" "$workspace/overload.yaml"

cleanup() {
  for pid_file in "$state"/*.pid; do [[ -f $pid_file ]] && kill "$(cat "$pid_file")" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The job's env and its steps: "NAME<TAB>if<TAB>file" lines, each run block in its own file.
python3 - "$workflow" "$out/steps" >"$out/steps.txt" <<'PY'
import os, sys, yaml
workflow, folder = sys.argv[1:3]
job = next(iter(yaml.safe_load(open(workflow))["jobs"].values()))
os.makedirs(folder, exist_ok=True)
with open(os.path.join(folder, "env"), "w") as env:
    for key, value in job.get("env", {}).items():
        env.write(f"{key}={value}\n")
for i, step in enumerate(job["steps"]):
    if "run" not in step:
        print(f"{step.get('uses', step.get('name'))}\t-\t-")  # actions (checkout, upload) are not run
        continue
    path = os.path.join(folder, f"{i}.sh")
    open(path, "w").write(step["run"])
    print(f"{step['name']}\t{step.get('if', '-')}\t{path}")  # '-': read collapses empty tab fields
PY

set -a
# shellcheck disable=SC1091
source "$out/steps/env"
# What a user sets for their own service: free ports, and the demo service's endpoint.
SERVICE=127.0.0.1:$(free_port) LEVEE=127.0.0.1:$(free_port) LEVEE_ADMIN=127.0.0.1:$(free_port) TARGET_PATH=/work
GITHUB_STEP_SUMMARY=$out/step_summary.md
FAKE_DOCKER_STATE=$state FAKE_DOCKER_IMAGE_FILES=$source_dir/config FAKE_DOCKER_SERVICE_IMAGE=my-service
LEVEE_BIN=$levee LEVEE_LOAD_BIN=$load
PATH=$source_dir/tests/e2e/ci_recipe:$PATH
set +a
: >"$GITHUB_STEP_SUMMARY"
[[ $(command -v docker) == "$source_dir/tests/e2e/ci_recipe/docker" ]]

# Runs the steps as Actions does: after a failure, only `if: always()` steps run.
run_steps() {
  local failed=0 name condition file status
  while IFS=$'\t' read -r name condition file; do
    [[ $file == - ]] && { echo "== $name: an action, not run here"; continue; }
    if [[ $failed == 1 && $condition != "always()" ]]; then echo "== $name: skipped"; continue; fi
    echo "== $name"
    set +e
    (cd "$workspace" && bash --noprofile --norc -eo pipefail "$file")
    status=$?
    set -e
    echo "$name	$status" >>"$out/status.txt"
    [[ $status == 0 ]] || failed=1
  done <"$out/steps.txt"
}
started=$SECONDS
run_steps 2>&1 | tee "$out/run.log"
echo "workflow steps took $((SECONDS - started)) s"

status_of() { awk -F'\t' -v n="$1" '$1 == n {print $2}' "$out/status.txt"; }
fail() { echo "FAIL: $*"; exit 1; }
for step in "Start the service" "Start levee in front of it" "Summary on the run's page" "levee's view"; do
  [[ $(status_of "$step") == 0 ]] || fail "step '$step' ended $(status_of "$step")"
done
overload=$(status_of "Overload and recover")
case $overload in
  0) ;;
  1|3) echo "note: the overload step ended $overload (thresholds or validity on this machine); the recipe itself ran" ;;
  *) fail "the overload step ended ${overload:-never run} (2 is a usage or write error)" ;;
esac

report=$workspace/report
for file in report.json report.html summary.md junit.xml; do
  [[ -s $report/$file ]] || fail "report/$file was not written"
  [[ $(stat -c %u "$report/$file") == $(id -u) ]] || fail "report/$file is not owned by the runner's user"
done
python3 - "$report" "$GITHUB_STEP_SUMMARY" "$overload" <<'PY'
import json, sys, xml.etree.ElementTree as ET
report, step_summary, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
run = json.load(open(f"{report}/report.json"))
expected = {0: "passed", 1: "failed", 3: "invalid"}[status]
assert run["verdict"] == expected, (run["verdict"], status)
asserts = [t["assert"] for t in run["thresholds"]]
assert asserts == ["recovery_time<=3s", "overload_goodput>=0.8", "late_ratio<=0.01"], asserts
suite = ET.parse(f"{report}/junit.xml").getroot()
cases = suite.findall("./testsuite/testcase")
assert [c.get("name") for c in cases] == ["valid run"] + asserts, [c.get("name") for c in cases]
failed = [c.get("name") for c in cases if c.find("failure") is not None]
assert failed == [t["assert"] for t in run["thresholds"] if not t["passed"]], failed
assert int(suite.get("errors")) == (0 if run["valid"] else 1)
summary = open(f"{report}/summary.md").read()
assert summary.startswith("### "), summary[:80]
assert f": {expected}\n" in summary.splitlines()[0] + "\n", summary.splitlines()[0]
for t in run["thresholds"]:
    assert t["assert"].replace("<", "&lt;").replace(">", "&gt;") in summary, t["assert"]
assert "`report.html`" in summary
assert open(step_summary).read() == summary, "the summary step must append summary.md to $GITHUB_STEP_SUMMARY"
print("reports agree:", run["verdict"], "-", ", ".join(f"{m}={run['metrics'].get(m)}" for m in ("overload_goodput", "recovery_time", "late_ratio")))
PY

# The readiness wait must fail when levee never becomes ready (a config it refuses), within
# READY_TIMEOUT, and show levee's log.
cleanup
echo "server: [" >"$workspace/levee.yaml"
started=$SECONDS
set +e
(cd "$workspace" && READY_TIMEOUT=3 bash --noprofile --norc -eo pipefail \
  "$(awk -F'\t' '$1 == "Start levee in front of it" {print $3}' "$out/steps.txt")") >"$out/not-ready.log" 2>&1
status=$?
set -e
[[ $status != 0 ]] || fail "the readiness wait passed although levee never became ready"
(( SECONDS - started <= 20 )) || fail "the readiness wait took $((SECONDS - started)) s with READY_TIMEOUT=3"
grep -q "levee was not ready within 3 s" "$out/not-ready.log" || fail "no message: $(cat "$out/not-ready.log")"
echo "ci_recipe: PASS"
