"""Groups `perf script` output of malloc uprobe samples by their first non-allocator frames.

Reads perf script text on stdin (one block per sample, frames one per line) and prints the 25
most frequent call sites as "share  frame <- caller <- caller's caller".
"""
import collections
import re
import sys

ALLOCATOR = ("malloc", "operator new", "__GI", "_int_malloc", "[unknown]")


def frames_of(block):
    frames = []
    for line in block.strip().split("\n")[1:]:
        parts = line.strip().split(" ", 1)
        if len(parts) < 2:
            continue
        symbol = re.sub(r"\+0x[0-9a-f]+", "", parts[1])
        symbol = re.sub(r"\s*\(.*$", "", symbol).strip()
        if not symbol or symbol.startswith(ALLOCATOR):
            continue
        frames.append(symbol[:100])
    return frames


def main():
    sites = collections.Counter()
    total = 0
    for block in sys.stdin.read().split("\n\n"):
        if not block.strip():
            continue
        total += 1
        sites[" <- ".join(frames_of(block)[:3])] += 1
    for site, count in sites.most_common(25):
        print(f"{100 * count / max(total, 1):5.1f}%  {site}")


if __name__ == "__main__":
    main()
