#!/usr/bin/python3
"""A gRPC service for levee's tests and benchmark: grpcio with generic handlers and raw bytes,
so no protoc is needed.

Usage: grpc_server.py [--capacity C] [--sleep-ms S] [--tls CERT KEY]
Prints "listening on 127.0.0.1:PORT" once serving (over TLS with --tls); stops on SIGTERM.

Methods (service levee.Test):
  Echo   unary: replies with the request bytes; trailing metadata echo-len=<n>
  Slow   unary: sleeps --sleep-ms (or the request as decimal ms) holding one of --capacity
         slots (more calls than slots queue for one), then replies b"done"
  Stream server-streaming: the request is a decimal count n; replies b"msg-0".."msg-(n-1)"
"""
import argparse
import signal
import sys
import threading
import time
from concurrent import futures

import grpc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--capacity", type=int, default=64)
    parser.add_argument("--sleep-ms", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    slots = threading.Semaphore(args.capacity)

    def echo(request, context):
        context.set_trailing_metadata((("echo-len", str(len(request))),))
        return request

    def slow(request, context):
        ms = int(request) if request else args.sleep_ms
        with slots:
            time.sleep(ms / 1000.0)
        return b"done"

    def stream(request, context):
        for i in range(int(request)):
            yield b"msg-%d" % i

    identity = lambda b: b
    handlers = {
        "Echo": grpc.unary_unary_rpc_method_handler(echo, identity, identity),
        "Slow": grpc.unary_unary_rpc_method_handler(slow, identity, identity),
        "Stream": grpc.unary_stream_rpc_method_handler(stream, identity, identity),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=max(16, args.capacity * 4)))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("levee.Test", handlers),))
    if args.tls:
        with open(args.tls[0], "rb") as cert, open(args.tls[1], "rb") as key:
            credentials = grpc.ssl_server_credentials([(key.read(), cert.read())])
        port = server.add_secure_port("127.0.0.1:0", credentials)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("listening on 127.0.0.1:%d" % port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop(1).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
