#!/usr/bin/env python3
"""Summarise bench/overhead results: parse the saved wrk outputs, print the table and verdicts.

    report.py --dir RESULTS [--strict] [--min-throughput-ratio 0.9] [--max-p99-ratio 1.2]
              [--max-rss-mib 30] [--idle-only]

RESULTS holds <target>.<round>.txt (wrk --latency output, targets nginx/levee/haproxy) and,
optionally, idle-<target>.txt (the line idle_conns.py prints). Each figure in the table is the
median over the rounds. Exits 1 only with --strict and a FAIL (or a round with errors).
--idle-only (run.sh --only idle): no wrk rounds are expected; levee's idle RSS must be at most
HAProxy's (issue 14), and the 30 MiB bound applies only to 1,000 connections or fewer.
"""
import argparse
import pathlib
import re
import statistics
import sys

TARGETS = ("nginx", "levee", "haproxy")
TIME_UNITS_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}


def parse_time_us(text):
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"unrecognised wrk time {text!r}")
    return float(match.group(1)) * TIME_UNITS_US[match.group(2)]


def parse_wrk(text):
    """Returns {rps, p50_us, p99_us, requests, errors} from one `wrk --latency` output."""
    result = {"errors": 0}
    match = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    if not match:
        raise ValueError("no Requests/sec line (did wrk fail?)")
    result["rps"] = float(match.group(1))
    for pct, key in (("50", "p50_us"), ("99", "p99_us")):
        match = re.search(rf"^\s+{pct}(?:\.0+)?%\s+(\S+)", text, re.M)
        if not match:
            raise ValueError(f"no {pct}% latency line (was --latency given?)")
        result[key] = parse_time_us(match.group(1))
    match = re.search(r"^\s*(\d+) requests in", text, re.M)
    result["requests"] = int(match.group(1)) if match else 0
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if match:
        result["errors"] += int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if match:
        result["errors"] += sum(int(g) for g in match.groups())
    return result


def fmt_us(us):
    if us >= 1e6:
        return f"{us / 1e6:.2f}s"
    if us >= 1e3:
        return f"{us / 1e3:.2f}ms"
    return f"{us:.0f}us"


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=pathlib.Path)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--min-throughput-ratio", type=float, default=0.9)
    parser.add_argument("--max-p99-ratio", type=float, default=1.2)
    parser.add_argument("--max-rss-mib", type=float, default=30.0)
    parser.add_argument("--idle-only", action="store_true", help="no wrk rounds were run")
    args = parser.parse_args()

    runs = {t: [] for t in TARGETS}
    problems = []
    for target in TARGETS:
        for path in sorted(args.dir.glob(f"{target}.*.txt"), key=lambda p: int(p.suffixes[0][1:])):
            try:
                run = parse_wrk(path.read_text())
            except ValueError as error:
                problems.append(f"{path.name}: {error}")
                continue
            if run["errors"]:
                problems.append(f"{path.name}: {run['errors']} non-2xx responses or socket errors")
            cpu = path.with_suffix(".cpu")
            if cpu.exists() and run["requests"]:
                fields = dict(re.findall(r"(\w+)=(\d+)", cpu.read_text()))
                run["cpu_us"] = int(fields["cpu_ticks"]) / int(fields["clk_tck"]) * 1e6 / run["requests"]
            runs[target].append(run)

    summary = {}
    print()
    print(f"{'target':<9} {'req/s':>10} {'p50':>9} {'p99':>9}   rounds (req/s | p99)")
    print(f"{'-' * 9} {'-' * 10} {'-' * 9} {'-' * 9}   {'-' * 40}")
    for target in TARGETS:
        if not runs[target]:
            print(f"{target:<9} {'n/a':>10}")
            continue
        s = {k: statistics.median(r[k] for r in runs[target]) for k in ("rps", "p50_us", "p99_us")}
        summary[target] = s
        rounds = "  ".join(f"{r['rps']:.0f}|{fmt_us(r['p99_us'])}" for r in runs[target])
        print(f"{target:<9} {s['rps']:>10.0f} {fmt_us(s['p50_us']):>9} {fmt_us(s['p99_us']):>9}   {rounds}")
    print()

    failed = bool(problems)
    if "levee" in summary and "haproxy" in summary:
        lv, hp = summary["levee"], summary["haproxy"]
        tput = lv["rps"] / hp["rps"]
        p99 = lv["p99_us"] / hp["p99_us"]
        ok_tput = tput >= args.min_throughput_ratio
        ok_p99 = p99 <= args.max_p99_ratio
        failed |= not (ok_tput and ok_p99)
        print(f"levee/haproxy throughput  {tput:5.2f}x  (target >= {args.min_throughput_ratio:.2f}x)  "
              f"{verdict(ok_tput)}")
        print(f"levee/haproxy p99         {p99:5.2f}x  (target <= {args.max_p99_ratio:.2f}x)  "
              f"{verdict(ok_p99)}")
        if "nginx" in summary:
            direct = summary["nginx"]
            for name in ("levee", "haproxy"):
                s = summary[name]
                print(f"{name + ' vs direct':<25} {s['rps'] / direct['rps']:5.2f}x throughput, "
                      f"p50 {fmt_us(s['p50_us'] - direct['p50_us'])} added (informational)")
        # CPU time the proxy process used per request (user + system, all threads): much less
        # sensitive than req/s to other load on the machine, which steals wall time, not CPU.
        cpu = {t: [r["cpu_us"] for r in runs[t] if "cpu_us" in r] for t in ("levee", "haproxy")}
        if cpu["levee"] and cpu["haproxy"]:
            lv_cpu, hp_cpu = statistics.median(cpu["levee"]), statistics.median(cpu["haproxy"])
            print(f"CPU per request           levee {lv_cpu:.1f}us, haproxy {hp_cpu:.1f}us: "
                  f"{lv_cpu / hp_cpu:5.2f}x (informational)")
    elif not args.idle_only:
        failed = True
        problems.append("no levee and/or haproxy results to compare")

    idle_rss = {}
    for target in TARGETS:
        path = args.dir / f"idle-{target}.txt"
        if not path.exists():
            continue
        fields = dict(re.findall(r"(\w+)=(\d+)", path.read_text()))
        if "rss_kib" not in fields:
            problems.append(f"{path.name}: no RSS reading")
            continue
        rss = int(fields["rss_kib"]) / 1024
        connections = int(fields["connections"])
        idle_rss[target] = rss
        per_connection = (int(fields["rss_kib"]) - int(fields["baseline_kib"])) / max(connections, 1)
        line = (f"{target} RSS with {fields['open']}/{fields['connections']} idle keep-alive connections: "
                f"{rss:.1f} MiB (before: {int(fields['baseline_kib']) / 1024:.1f} MiB, "
                f"peak: {int(fields['hwm_kib']) / 1024:.1f} MiB, {per_connection:.2f} KiB per connection)")
        if target == "levee":
            ok = fields["open"] == fields["connections"] and fields["failed"] == "0"
            if connections <= 1000:
                ok &= rss < args.max_rss_mib
                line += f"  (target < {args.max_rss_mib:.0f} MiB)"
            failed |= not ok
            line += f"  {verdict(ok)}"
        else:
            line += "  (reference)"
        print(line)
    if "levee" in idle_rss and "haproxy" in idle_rss:
        ok = idle_rss["levee"] <= idle_rss["haproxy"]
        failed |= args.idle_only and not ok
        print(f"levee/haproxy idle RSS    {idle_rss['levee'] / idle_rss['haproxy']:5.2f}x  (target <= 1.00x)  "
              f"{verdict(ok)}")

    for problem in problems:
        print(f"problem: {problem}")
    print()
    if failed and args.strict:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
