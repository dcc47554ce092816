#pragma once
// "The client of this request left", for a request that has no socket of its own: an HTTP/2
// stream (its client sends RST_STREAM, or the connection dies). Whoever waits for the request's
// client (AdmissionGate::admit while it queues) registers a hook instead of watching a socket.
// Touched only on the connection's executor (the worker's one thread): no locks.

#include <functional>
#include <utility>

namespace levee::http {

class ClientGone {
 public:
  bool gone() const { return gone_; }

  // The client left: runs the hook once (it is dropped first, so it may register another).
  void fire() {
    if (gone_) return;
    gone_ = true;
    if (auto hook = std::exchange(hook_, nullptr)) hook();
  }

  // `hook` runs when the client leaves, at once if it already has; replaces an earlier one.
  void on_gone(std::function<void()> hook) {
    if (gone_) {
      hook();
      return;
    }
    hook_ = std::move(hook);
  }
  void forget() { hook_ = nullptr; }

 private:
  bool gone_ = false;
  std::function<void()> hook_;
};

}  // namespace levee::http
