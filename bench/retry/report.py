"""Prints bench/retry's table from the reports run.sh left in OUT."""
import csv
import json
import os
import re
import sys

out = sys.argv[1]


def load(name):
    with open(os.path.join(out, name + ".json")) as f:
        return json.load(f)


def metric_sum(name, metric, label_filter=""):
    total = 0.0
    with open(os.path.join(out, name + "-metrics.txt")) as f:
        for line in f:
            if line.startswith(metric + "{") and label_filter in line:
                total += float(line.rsplit(" ", 1)[1])
    return total


def metric_by(name, metric, label):
    found = {}
    with open(os.path.join(out, name + "-metrics.txt")) as f:
        for line in f:
            if line.startswith(metric + "{"):
                m = re.search(label + r'="([^"]*)"', line)
                if m:
                    found[m.group(1)] = found.get(m.group(1), 0) + float(line.rsplit(" ", 1)[1])
    return found


def backend_work(name):
    before = json.load(open(os.path.join(out, name + "-stats-before.json")))
    after = json.load(open(os.path.join(out, name + "-stats-after.json")))
    return after["work_received"] - before["work_received"], after["work_failed"] - before["work_failed"]


print("Outbound: levee's own retries, backend failing 50% of /work with 503, 300 req/s x 15 s")
print(f"{'scenario':12}{'requests':>10}{'reached backend':>17}{'amplification':>15}{'client 2xx':>12}{'p99':>9}  retries by outcome")
for name in ["failing", "naive"]:
    if not os.path.exists(os.path.join(out, name + ".json")):
        continue
    r = load(name)
    users = r["total"]["offered"]
    work, _ = backend_work(name)
    ok = r["total"]["outcomes"]["ok"]
    outcomes = {k: int(v) for k, v in metric_by(name, "levee_retries_total", "outcome").items() if v}
    print(f"{name:12}{users:>10}{work:>17}{work / users:>15.3f}{ok / users * 100:>11.1f}%"
          f"{r['total']['p99_ms']:>7.1f}ms  {outcomes}")

if os.path.exists(os.path.join(out, "down.json")):
    r = load("down")
    users = r["total"]["offered"]
    attempts = metric_sum("down", "levee_upstream_attempts_total")
    statuses = {k: v for k, v in r["total"]["outcomes"].items() if v}
    # The report's latency covers successful answers only; here every answer is an error.
    rows = list(csv.DictReader(open(os.path.join(out, "down-requests.csv"))))
    times = sorted(float(row["end_ms"]) - float(row["intended_ms"]) for row in rows)
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
    print("\nService down (port closed), 300 req/s x 15 s")
    print(f"  requests {users}, upstream attempts {attempts:.0f} ({attempts / users:.3f} per request), "
          f"answers {statuses}, answer time p50 {p50:.2f} ms, p99 {p99:.2f} ms")


def first_attempt_goodput(name):
    r = load(name)
    hold = next(p for p in r["phases"] if p["name"] == "hold")
    start, end = hold["start_s"] * 1000, hold["end_s"] * 1000
    rows = list(csv.DictReader(open(os.path.join(out, name + "-requests.csv"))))
    first = min(int(row["attempt"]) for row in rows)
    good = sum(1 for row in rows
               if int(row["attempt"]) == first and start <= float(row["intended_ms"]) < end
               and row["outcome"] == "ok" and 200 <= int(row["status"]) < 300)
    return good / (hold["end_s"] - hold["start_s"]), hold


if all(os.path.exists(os.path.join(out, n + ".json")) for n in ["calm-callers", "impatient-callers"]):
    print("\nInbound: callers retrying during a 3x overload (capacity 400 req/s, levee fixed limit 4)")
    print(f"{'callers':19}{'first-try goodput':>19}{'user goodput':>14}{'attempts/user':>15}  shed by reason")
    for name in ["calm-callers", "impatient-callers"]:
        r = load(name)
        first, hold = first_attempt_goodput(name)
        sheds = {k: int(v) for k, v in metric_by(name, "levee_shed_total", "reason").items() if v}
        stats = hold["stats"]
        print(f"{name:19}{first:>15.0f}/s{hold['goodput_per_s']:>12.0f}/s"
              f"{stats['attempts'] / max(stats['offered'], 1):>15.2f}  {sheds}")
