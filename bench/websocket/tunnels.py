#!/usr/bin/env python3
"""Holds N upgrade tunnels open through a proxy (or straight to the backend) and measures them.

Each tunnel sends the WebSocket handshake by hand to the levee-load backend's /echo-upgrade,
then every INTERVAL seconds writes a 32-byte message and times its echo, for HOLD seconds;
then it half-closes and waits for the far side to close. Prints one JSON object:
opened, refused (a non-101 answer, with the statuses), errors (resets, timeouts), echoes, echo
p50/p99 ms, clean_closes (the far side closed after our FIN), closed_by_far_side (a FIN before we
were done: a drain), peak_open.
Standard library only (asyncio raw sockets)."""
import argparse
import asyncio
import json
import time

HANDSHAKE = (b"GET /echo-upgrade HTTP/1.1\r\nHost: bench\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
             b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


async def one_tunnel(args, index, stats, rtts):
    await asyncio.sleep(index * args.ramp / max(args.tunnels, 1))  # spread the handshakes
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(args.host, args.port), 10)
        writer.write(HANDSHAKE)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        status = head[9:12].decode(errors="replace")
        if status != "101":
            stats["refused"] += 1
            stats["refused_status"][status] = stats["refused_status"].get(status, 0) + 1
            return
        stats["opened"] += 1
        stats["open_now"] += 1
        stats["peak_open"] = max(stats["peak_open"], stats["open_now"])
        end = time.monotonic() + args.hold
        message = b"%031d\n" % index
        while time.monotonic() < end:
            sent = time.monotonic()
            writer.write(message)
            await writer.drain()
            echoed = await asyncio.wait_for(reader.readexactly(len(message)), 10)
            if echoed != message:
                raise RuntimeError("echo mismatch")
            rtts.append(time.monotonic() - sent)
            stats["echoes"] += 1
            await asyncio.sleep(args.interval)
        writer.write_eof()
        rest = await asyncio.wait_for(reader.read(), 10)  # until the far side closes
        if rest == b"":
            stats["clean_closes"] += 1
        stats["open_now"] -= 1
    except asyncio.IncompleteReadError as error:
        # The far side ended the tunnel first (levee's drain or idle timeout): a FIN, not a reset.
        key = "closed_by_far_side" if error.partial == b"" else "errors"
        stats[key] += 1
    except (OSError, asyncio.TimeoutError, RuntimeError) as error:
        stats["errors"] += 1
        stats["error_kinds"][type(error).__name__] = stats["error_kinds"].get(type(error).__name__, 0) + 1
    finally:
        if writer is not None:
            writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tunnels", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=60, help="seconds each tunnel stays open")
    parser.add_argument("--interval", type=float, default=5, help="seconds between messages")
    parser.add_argument("--ramp", type=float, default=5, help="seconds over which handshakes start")
    args = parser.parse_args()
    stats = {"opened": 0, "refused": 0, "refused_status": {}, "errors": 0, "error_kinds": {}, "echoes": 0,
             "clean_closes": 0, "closed_by_far_side": 0, "open_now": 0, "peak_open": 0}
    rtts = []
    await asyncio.gather(*(one_tunnel(args, i, stats, rtts) for i in range(args.tunnels)))
    rtts.sort()
    pick = lambda q: round(rtts[min(len(rtts) - 1, int(q * len(rtts)))] * 1000, 3) if rtts else None
    del stats["open_now"]
    stats.update({"tunnels": args.tunnels, "echo_p50_ms": pick(0.5), "echo_p99_ms": pick(0.99)})
    print(json.dumps(stats))


if __name__ == "__main__":
    asyncio.run(main())
