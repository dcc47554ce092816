#!/usr/bin/env python3
"""Hold N idle keep-alive client connections open to a proxy and report the proxy's RSS.

Each connection sends one GET, reads the whole response (so the proxy has done a full
exchange on it, upstream included), then stays open and idle. With all N open and a short
settle, the script reads VmRSS (and VmHWM) of --pid from /proc and prints one line:

    idle_rss pid=123 connections=1000 open=1000 rss_kib=12345 hwm_kib=23456 baseline_kib=9876 opening_ms=850

baseline is the RSS before the first connection; opening_ms the time taken to open them all (a
proxy's idle timeout shorter than that closes the first ones before the reading). Standard library only.
"""
import argparse
import socket
import sys
import time


def rss_kib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


def read_response(sock):
    """Reads one HTTP/1.1 response with a Content-Length body; returns the status code."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the response header")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed inside the response body")
        body += chunk
    return status


def still_open(sock):
    """True if the peer has not closed the connection (a non-blocking peek finds no EOF)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="process whose RSS is read")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds idle before reading RSS")
    args = parser.parse_args()

    baseline, _ = rss_kib(args.pid)
    request = (f"GET / HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
               "User-Agent: levee-bench-idle\r\n\r\n").encode()
    sockets, failures = [], 0
    opening_started = time.monotonic()
    for _ in range(args.connections):
        sock = socket.create_connection((args.host, args.port), timeout=5)
        try:
            sock.sendall(request)
            if read_response(sock) != 200:
                failures += 1
        except (OSError, ConnectionError, ValueError, IndexError):
            failures += 1
        sockets.append(sock)
    opening_seconds = time.monotonic() - opening_started

    time.sleep(args.settle)
    rss, hwm = rss_kib(args.pid)
    open_count = sum(1 for s in sockets if still_open(s))
    print(f"idle_rss pid={args.pid} connections={args.connections} open={open_count} "
          f"failed={failures} rss_kib={rss} hwm_kib={hwm} baseline_kib={baseline} "
          f"opening_ms={opening_seconds * 1000:.0f}", flush=True)
    for sock in sockets:
        sock.close()
    return 0 if failures == 0 and open_count == args.connections else 1


if __name__ == "__main__":
    sys.exit(main())
