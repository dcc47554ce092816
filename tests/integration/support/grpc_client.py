#!/usr/bin/python3
"""gRPC calls through levee for its integration test; one result line per call.

Usage: grpc_client.py TARGET unary|stream N|slow CONCURRENCY MS [DEADLINE_S]|cancel MS AFTER_S
  unary:  Echo(b"hello levee") -> "reply=<bytes> echo-len=<trailer>" or "status=<CODE>"
  stream: Stream(N) -> "messages=<count> last=<last>"
  slow:   CONCURRENCY Slow(MS) calls at once -> one "status=<CODE> pushback=<ms>" per call
  cancel: one Slow(MS) call the client cancels after AFTER_S -> "cancelled=True"; its deadline
          (20 s) is far, so the service does not end the call on its own first
Every call has a deadline (20 s, or DEADLINE_S for slow), so the script always ends.
"""
import sys
import threading
import time

import grpc


def status_line(error):
    pushback = ""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-retry-pushback-ms":
            pushback = value
    return "status=%s pushback=%s" % (error.code().name, pushback)


def main():
    target, mode = sys.argv[1], sys.argv[2]
    identity = lambda b: b
    # No retries in the client: the test counts what levee answered.
    with grpc.insecure_channel(target, options=[("grpc.enable_retries", 0)]) as channel:
        if mode == "unary":
            call = channel.unary_unary("/levee.Test/Echo", identity, identity)
            try:
                reply, info = call.with_call(b"hello levee", timeout=20)
                trailers = dict(info.trailing_metadata())
                print("reply=%s echo-len=%s" % (reply.decode(), trailers.get("echo-len")), flush=True)
            except grpc.RpcError as error:
                print(status_line(error), flush=True)
        elif mode == "stream":
            call = channel.unary_stream("/levee.Test/Stream", identity, identity)
            messages = [m.decode() for m in call(sys.argv[3].encode(), timeout=20)]
            print("messages=%d last=%s" % (len(messages), messages[-1] if messages else ""), flush=True)
        elif mode == "slow":
            concurrency, ms = int(sys.argv[3]), sys.argv[4]
            deadline = float(sys.argv[5]) if len(sys.argv) > 5 else 20
            call = channel.unary_unary("/levee.Test/Slow", identity, identity)
            lines = []
            lock = threading.Lock()

            def one():
                try:
                    call(ms.encode(), timeout=deadline)
                    line = "status=OK pushback="
                except grpc.RpcError as error:
                    line = status_line(error)
                with lock:
                    lines.append(line)

            threads = [threading.Thread(target=one) for _ in range(concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for line in lines:
                print(line, flush=True)
        elif mode == "cancel":
            ms, after = sys.argv[3], float(sys.argv[4])
            call = channel.unary_unary("/levee.Test/Slow", identity, identity)
            future = call.future(ms.encode(), timeout=20)
            time.sleep(after)
            print("cancelled=%s" % future.cancel(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
