#!/usr/bin/env python3
"""A rapid-reset client (CVE-2023-44487) for the HTTP/2 integration test: opens streams with
a GET and cancels each at once (HEADERS then RST_STREAM CANCEL), `count` times, on one h2c
connection. Prints the error code of the GOAWAY the server sent ("goaway <code>") or
"no goaway", and "closed" when the server closed the connection. Bounded: 10 s in all.

Usage: h2_rapid_reset.py PORT COUNT
"""
import socket
import struct
import sys
import time


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    # HPACK: :method GET, :scheme http, :path / (static table), :authority "x" (literal).
    block = bytes([0x82, 0x86, 0x84, 0x41, 0x01]) + b"x"
    out = bytearray(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(0x4, 0, 0))
    for i in range(count):
        stream = 2 * i + 1
        out += frame(0x1, 0x5, stream, block)                       # HEADERS, END_STREAM|END_HEADERS
        out += frame(0x3, 0, stream, struct.pack(">I", 0x8))        # RST_STREAM CANCEL
    deadline = time.monotonic() + 10
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        sock.sendall(out)
    except OSError:
        pass  # the server may close before it read everything
    received = b""
    closed = False
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except OSError:
            closed = True
            break
        if not data:
            closed = True
            break
        received += data
    goaway = None
    at = 0
    while at + 9 <= len(received):
        length = int.from_bytes(received[at:at + 3], "big")
        kind = received[at + 3]
        payload = received[at + 9:at + 9 + length]
        if kind == 0x7 and len(payload) >= 8:
            goaway = int.from_bytes(payload[4:8], "big")
        at += 9 + length
    print("goaway %d" % goaway if goaway is not None else "no goaway")
    if closed:
        print("closed")


if __name__ == "__main__":
    main()
