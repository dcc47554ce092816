"""bench/fairness: one table from the runs' JSON reports (run.sh writes them into OUT)."""
import json
import os
import sys

out, capacity = sys.argv[1], float(sys.argv[2])


def flow(report, name):
    return next(f for f in report["flows"] if f["name"] == name)


def phase(f, name):
    return next(p for p in f["phases"] if p["name"] == name)


def total_over(report, name):
    """All flows' goodput per second during phase `name`, as a share of capacity."""
    good = sum(phase(f, name)["stats"]["goodput"] for f in report["flows"])
    p = phase(report["flows"][0], name)
    return good / (p["end_s"] - p["start_s"]) / capacity


def ratio(v):
    return "-" if v is None else f"{v:.3f}"


def memory(base):
    try:
        before_rss, _, after_rss, after_hwm = (int(x) for x in open(base + ".mem").read().split())
    except (OSError, ValueError):
        return ""
    if after_rss == 0:
        return ""
    return f"RSS {before_rss/1024:.0f}->{after_rss/1024:.0f} MB (+{(after_rss-before_rss)/1024:.0f}), peak {after_hwm/1024:.0f} MB"


rows = []
for scenario in ["two-tenants", "many-tenants", "key-explosion"]:
    for proxy in ["levee-fair", "levee", "haproxy", "direct"]:
        base = os.path.join(out, f"{scenario}-{proxy}")
        if not os.path.exists(base + ".json"):
            continue
        r = json.load(open(base + ".json"))
        if "skipped" in r:
            rows.append((scenario, proxy, f"skipped: {r['skipped']}", "", "", "", ""))
            continue
        if scenario == "two-tenants":
            a, b = flow(r, "a"), flow(r, "b")
            flows = f"B {ratio(phase(b, 'flood')['goodput_ratio'])} (flood), A {ratio(phase(a, 'flood')['goodput_ratio'])}"
            extra = f"A alone {phase(a, 'alone')['stats']['goodput_per_s'] / capacity:.2f} C"
        elif scenario == "many-tenants":
            light, hog = flow(r, "light"), flow(r, "hog")
            lp = phase(light, "flood")
            flows = (f"worst light {ratio(lp['worst_goodput_ratio'])} ({lp['worst']}), "
                     f"lights {ratio(lp['goodput_ratio'])}, hog {ratio(phase(hog, 'flood')['goodput_ratio'])}")
            extra = ""
        else:
            b = flow(r, "b")
            flows = f"B {ratio(phase(b, 'flood')['goodput_ratio'])} (flood)"
            extra = memory(base)
        status = r["verdict"] if r["valid"] else "invalid: " + "; ".join(r["invalid_reasons"])
        exit_path = base + ".exit"
        if os.path.exists(exit_path) and open(exit_path).read().strip() not in ("0", ""):
            status += f", proxy exit {open(exit_path).read().strip()}"
        rows.append((scenario, proxy, flows, f"{total_over(r, 'flood'):.2f}", extra,
                     f"{r['metrics']['lag_p99'] * 1000:.1f}ms", status))

header = ("scenario", "proxy", "per-flow goodput ratio (during the flood)", "total/C", "notes", "lag p99", "run")
widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
for row in [header] + rows:
    print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
print(f"\ncapacity C = {capacity:.0f} req/s; total/C = all flows' goodput per second during the flood / C")
