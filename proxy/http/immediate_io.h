#pragma once
// A write that never waits: one non-blocking system call on a plain socket, made in the
// coroutine that asked, with no operation queued in Asio.
//
// Used for the answer to the client (a buffered one, and each read of a streamed one). Asio's
// asynchronous write makes the same system call at once ("speculative"), but even when it
// succeeds the completion is posted: the coroutine goes round the worker's queue, and each trip
// round that queue costs an epoll_wait. An answer that ends its connection (Connection:
// close) then makes no trip at all. One that keeps the connection makes the trip on purpose
// (yield_before_reply in sized_relay.h says why). The request to the service keeps Asio's
// write, which makes the same trip. Reads stay asynchronous: one tried here first costs, when
// nothing is there yet, a failed system call and then Asio's own attempt; measured with the
// reads of the service's answer and of the next request tried here after that trip, they
// failed often enough (a fifth to half of the time on this loopback bench, more with a real
// service's latency) to cost more system time than the trips they saved.
//
// The socket is Asio's and stays registered with its reactor; a call here must not overlap an
// asynchronous write on the same socket.

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <sys/uio.h>

#include <cstddef>
#include <span>

namespace levee::http {

// Sends what the socket takes now of `buffers` (MSG_DONTWAIT | MSG_NOSIGNAL). Returns the bytes
// sent; `ec` is set on a failure (the peer reset or closed), never for would-block or EINTR
// (nothing sent: the caller's asynchronous write tries again).
std::size_t send_now(int fd, std::span<const iovec> buffers, boost::system::error_code& ec);

// The first buffers of a sequence as iovecs, for send_now: up to `out`'s size (a write sends
// "some" of the sequence; the rest goes on later).
template <class ConstBufferSequence>
std::span<const iovec> iovecs_of(const ConstBufferSequence& buffers, std::span<iovec> out) {
  std::size_t count = 0;
  for (auto it = boost::asio::buffer_sequence_begin(buffers), end = boost::asio::buffer_sequence_end(buffers);
       it != end && count < out.size(); ++it) {
    const boost::asio::const_buffer buffer(*it);
    if (buffer.size() == 0) continue;
    out[count++] = iovec{const_cast<void*>(buffer.data()), buffer.size()};
  }
  return out.first(count);
}

}  // namespace levee::http
