#!/usr/bin/env python3
"""Slowloris clients: many connections that each dribble one header byte per interval.

Every connection sends a request line and then an endless header one byte at a time, so it
never finishes its header. levee should answer 408 and close once listener.header_timeout has
passed; a closed client reconnects (as a real attacker would), so the pressure stays constant
for the whole run. Clients are spread evenly over the interval rather than sending in lockstep,
as independent attackers would be. Single-threaded with selectors, bounded by --duration; loopback only.
Prints one JSON summary on stdout.
"""
import argparse
import heapq
import json
import selectors
import socket
import time


class Slow:
    def __init__(self, sock, opened):
        self.sock = sock
        self.opened = opened
        self.received = b""
        self.sent = 0
        self.closed = False


def open_one(address, selector, now):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sock.connect_ex(address)
    slow = Slow(sock, now)
    selector.register(sock, selectors.EVENT_READ, slow)
    return slow


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between bytes")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds the attack lasts")
    parser.add_argument("--no-reconnect", action="store_true")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only")

    address = (args.host, args.port)
    selector = selectors.DefaultSelector()
    start = time.monotonic()
    end = start + args.duration
    live = set()
    due = []  # heap of (time of the next byte, sequence, client)
    sequence = 0
    for i in range(args.connections):
        slow = open_one(address, selector, start)
        live.add(slow)
        heapq.heappush(due, (start + i * args.interval / args.connections, sequence, slow))
        sequence += 1
    closes = []  # (seconds since start, seconds the connection lived, got 408)
    # The header every client dribbles; its first line is whole so levee's header timer starts.
    head = b"GET /work HTTP/1.1\r\nHost: slow\r\nX-Slow: "

    while time.monotonic() < end:
        now = time.monotonic()
        while due and due[0][0] <= now:
            when, _, slow = heapq.heappop(due)
            if slow.closed:
                continue
            chunk = head if slow.sent == 0 else b"a"
            try:
                slow.sock.send(chunk)
                slow.sent += len(chunk)
            except OSError:
                pass  # not connected yet (tried again next time), or closed: the reader sees it
            heapq.heappush(due, (when + args.interval, sequence, slow))
            sequence += 1
        wake = min(due[0][0] if due else end, end)
        for key, _ in selector.select(max(0.0, wake - time.monotonic())):
            slow = key.data
            try:
                data = slow.sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data:
                slow.received += data
                continue
            now = time.monotonic()
            closes.append((now - start, now - slow.opened, slow.received.startswith(b"HTTP/1.1 408")))
            selector.unregister(slow.sock)
            slow.sock.close()
            slow.closed = True
            live.discard(slow)
            if not args.no_reconnect:
                fresh = open_one(address, selector, now)
                live.add(fresh)
                heapq.heappush(due, (now, sequence, fresh))
                sequence += 1

    for slow in live:
        slow.sock.close()
    lived = sorted(c[1] for c in closes)
    print(json.dumps({
        "connections": args.connections,
        "duration_s": args.duration,
        "closed_by_levee": len(closes),
        "closed_with_408": sum(1 for c in closes if c[2]),
        "first_close_s": round(min((c[0] for c in closes), default=-1), 3),
        "lifetime_median_s": round(lived[len(lived) // 2], 3) if lived else None,
        "lifetime_max_s": round(lived[-1], 3) if lived else None,
        "open_at_end": len(live),
    }))


if __name__ == "__main__":
    main()
