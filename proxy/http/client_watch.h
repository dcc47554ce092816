#pragma once
// Noticing that a client has left while levee waits on the service for it, without reading
// from its connection and without a syscall per request: each waiting exchange registers
// itself (ClientWatch, RAII) in its worker's ClientWatchList, and the worker sweeps the list
// every client_watch_interval with one non-consuming peek per entry. A socket with nothing to read
// that reports end-of-stream is a closed peer; data (a pipelined request) means the client is
// still there and stays in the kernel buffer for the session.
//
// When a client is found gone, the exchange's upstream stream is cancelled, so the exchange
// stops at once and the service's connection is closed (HAProxy's abortonclose): the service
// learns the work is wasted. (An async_wait on every client socket would find it sooner, but
// costs an epoll_ctl and a handler per request, which halved keep-alive throughput.)
//
// The sweeps run only while something is watched: a worker with no request at a service
// sleeps instead of waking ten times a second for nothing. The list tells its owner when the
// first watch joins a list whose sweeps have stopped (on_first_watch), and a sweep that leaves
// the list empty says so, so the owner stops sweeping until the next one.
//
// Worker thread only: the list, the sessions and the upstream streams of one worker all live
// on its io_context. Intrusive, so registering allocates nothing.

#include "proxy/http/client_gone.h"
#include "proxy/http/maybe_tls_stream.h"

#include <chrono>
#include <functional>

namespace levee::http {

// How often a worker looks for clients that left (ClientWatchList::sweep).
inline constexpr std::chrono::milliseconds client_watch_interval{100};

// The peer of `fd` has closed (or the socket failed); false while it is open or sent data.
bool peer_closed(int fd);

// The peer of `fd` has closed its side (or the socket failed), even with bytes it sent before
// still unread in the kernel: a queued request's body or the next pipelined request must not
// hide that its client left. (peer_closed cannot see past unread bytes: its peek returns them.)
// A client that half-closes after sending counts as gone, as it does for peer_closed.
bool peer_hung_up(int fd);

class ClientWatchList;

class ClientWatch {
 public:
  // `list` may be null: nothing is watched. `stream_gone`: a client without a socket of its
  // own (an HTTP/2 stream) is watched through it instead, at once rather than at a sweep.
  ClientWatch(ClientWatchList* list, int client_fd, MaybeTlsStream& target, ClientGone* stream_gone = nullptr);
  ~ClientWatch();
  ClientWatch(const ClientWatch&) = delete;
  ClientWatch& operator=(const ClientWatch&) = delete;

  // The client left, and the target was cancelled.
  bool client_gone() const { return gone_; }

 private:
  friend class ClientWatchList;
  ClientWatchList* list_;
  ClientGone* stream_gone_;
  int client_fd_;
  MaybeTlsStream& target_;
  bool gone_ = false;
  ClientWatch* prev_ = nullptr;
  ClientWatch* next_ = nullptr;
};

class ClientWatchList {
 public:
  // `start_sweeps` is called when a watch joins while no sweep is due: the owner then sweeps
  // after client_watch_interval, and again while sweep() returns true. Set it before the
  // first watch; null (the default, and at teardown) calls nothing.
  void on_first_watch(std::function<void()> start_sweeps) { start_sweeps_ = std::move(start_sweeps); }

  // Checks every registered client once; cancels the target of each one that left. Returns
  // whether anything is still watched: false means the sweeps stop, and the next watch to
  // join calls on_first_watch's function again.
  bool sweep();

 private:
  friend class ClientWatch;
  void joined();

  ClientWatch* head_ = nullptr;
  bool sweeping_ = false;
  std::function<void()> start_sweeps_;
};

}  // namespace levee::http
