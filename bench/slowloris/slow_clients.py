#!/usr/bin/env python3
"""Slowloris clients: many connections that each dribble a few bytes per interval.

--kind header (the default): every connection sends a request line and then an endless header
one byte at a time, so it never finishes its header. levee should answer 408 and close once
listener.header_timeout has passed.
--kind upload: a whole POST /echo header with a Content-Length of --body-bytes, then the body
--chunk bytes per interval. Above listener.max_buffered_request_body the body streams with a
permit held, and listener.min_transfer_rate must cut it (408); below, levee reads it before
admission and it costs only its connection.
--kind download: GET /bytes?n=--body-bytes, then reads --chunk bytes per interval through a
small receive buffer. Above listener.max_buffered_response_body the response streams with a
permit held and the rate must cut it; below, levee answers from memory.
--small-share of the upload/download connections use --small-bytes instead (below the
buffering limits). A closed client reconnects (as a real attacker would), so the pressure stays
constant for the whole run. Clients are spread evenly over the interval rather than sending in lockstep,
as independent attackers would be. Single-threaded with selectors, bounded by --duration; loopback only.
Prints one JSON summary on stdout.
"""
import argparse
import heapq
import json
import selectors
import socket
import struct
import time

TCP_CLOSE_WAIT = 8  # tcpi_state once the peer sent its FIN (include/net/tcp_states.h)
TCP_CLOSE = 7


def peer_closed(sock):
    """True once levee closed its side: a downloader reading a few bytes a second would need
    minutes to reach the EOF behind the data still in its receive buffer."""
    try:
        state = struct.unpack("B", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1))[0]
    except OSError:
        return True
    return state in (TCP_CLOSE_WAIT, TCP_CLOSE)


class Slow:
    def __init__(self, sock, opened, small):
        self.sock = sock
        self.opened = opened
        self.small = small
        self.received = b""
        self.sent = 0
        self.closed = False


def open_one(address, selector, now, args, small):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if args.kind == "download":
        # A small receive window, so the kernel does not read the response on the client's behalf.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    sock.connect_ex(address)
    slow = Slow(sock, now, small)
    if args.kind != "download":  # a downloader reads on its own schedule, not when data is there
        selector.register(sock, selectors.EVENT_READ, slow)
    return slow


def request_head(args, small):
    size = args.small_bytes if small else args.body_bytes
    if args.kind == "upload":
        return f"POST /echo HTTP/1.1\r\nHost: slow\r\nContent-Length: {size}\r\n\r\n".encode()
    if args.kind == "download":
        return f"GET /bytes?n={size} HTTP/1.1\r\nHost: slow\r\n\r\n".encode()
    # The first line is whole so levee's header timer starts; the header never ends.
    return b"GET /work HTTP/1.1\r\nHost: slow\r\nX-Slow: "


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between bytes")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds the attack lasts")
    parser.add_argument("--no-reconnect", action="store_true")
    parser.add_argument("--reconnect-delay", type=float, default=0.0,
                        help="seconds before a closed client opens its next connection")
    parser.add_argument("--kind", choices=("header", "upload", "download"), default="header")
    parser.add_argument("--chunk", type=int, default=1, help="bytes sent or read per interval")
    parser.add_argument("--body-bytes", type=int, default=8 << 20, help="upload/download body size")
    parser.add_argument("--small-bytes", type=int, default=16 << 10, help="the small bodies' size")
    parser.add_argument("--small-share", type=float, default=0.0, help="share of small bodies")
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
    opened = [0]

    def next_small():
        opened[0] += 1
        return (opened[0] * args.small_share) % 1.0 < args.small_share and args.kind != "header"

    for i in range(args.connections):
        slow = open_one(address, selector, start, args, next_small())
        live.add(slow)
        heapq.heappush(due, (start + i * args.interval / args.connections, sequence, slow))
        sequence += 1
    # (seconds since start, seconds the connection lived, got 408, was small, was shed)
    closes = []

    def closed(slow, now):
        nonlocal sequence
        closes.append((now - start, now - slow.opened, slow.received.startswith(b"HTTP/1.1 408"), slow.small,
                       slow.received[:12] in (b"HTTP/1.1 429", b"HTTP/1.1 503")))
        if args.kind != "download":
            selector.unregister(slow.sock)
        slow.sock.close()
        slow.closed = True
        live.discard(slow)
        if not args.no_reconnect:
            fresh = open_one(address, selector, now, args, next_small())
            live.add(fresh)
            heapq.heappush(due, (now + args.reconnect_delay, sequence, fresh))
            sequence += 1

    while time.monotonic() < end:
        now = time.monotonic()
        while due and due[0][0] <= now:
            when, _, slow = heapq.heappop(due)
            if slow.closed:
                continue
            if slow.sent == 0 or args.kind != "download":
                chunk = request_head(args, slow.small) if slow.sent == 0 else b"a" * args.chunk
                try:
                    slow.sock.send(chunk)
                    slow.sent += len(chunk)
                except OSError:
                    pass  # not connected yet (tried again next time), or closed: the reader sees it
            else:
                try:
                    data = slow.sock.recv(args.chunk)
                except (BlockingIOError, InterruptedError):
                    data = None
                except OSError:
                    data = b""
                if data and len(slow.received) < 16:
                    slow.received += data
                # Shed (429/503 with keep-alive): an attacker goes again rather than sit idle.
                refused = slow.received[:10] in (b"HTTP/1.1 4", b"HTTP/1.1 5")
                if data == b"" or refused or (data is not None and peer_closed(slow.sock)):
                    closed(slow, now)
                    continue
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
            closed(slow, time.monotonic())

    for slow in live:
        slow.sock.close()
    lived = sorted(c[1] for c in closes if not c[3] and not c[4])
    print(json.dumps({
        "kind": args.kind,
        "connections": args.connections,
        "duration_s": args.duration,
        "closed_by_levee": len(closes),
        "closed_with_408": sum(1 for c in closes if c[2]),
        "refused": sum(1 for c in closes if c[4]),
        "closed_small": sum(1 for c in closes if c[3]),
        "first_close_s": round(min((c[0] for c in closes), default=-1), 3),
        # Of the large-body (or header) connections levee admitted.
        "lifetime_median_s": round(lived[len(lived) // 2], 3) if lived else None,
        "lifetime_max_s": round(lived[-1], 3) if lived else None,
        "open_at_end": len(live),
    }))


if __name__ == "__main__":
    main()
