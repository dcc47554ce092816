#pragma once
// A read or write that never waits: one non-blocking system call on a plain socket, done in
// the coroutine that asked, with no operation queued in Asio.
//
// Why: Asio's asynchronous read and write already try the system call at once ("speculative"
// operations), but even when it succeeds the completion is posted: the coroutine suspends, the
// operation goes round the scheduler's queue, and every trip round that queue costs an
// epoll_wait. A keep-alive request made two such trips (the request to the service, the answer
// to the client), a new connection three (its first read as well). HAProxy's way is to make the
// system call and wait only when it would block; so does levee where the call nearly always
// succeeds: writing an answer or a request that fits the socket's buffer, and a new
// connection's first read (the request is nearly always there when accept() returns).
//
// Where it would block, the caller goes on with the asynchronous operation for what is left.
// Reads where the data is often not there yet (a keep-alive connection's next request, the
// service's answer) stay asynchronous: a read tried here first would fail and be tried again
// by Asio, one system call more.
//
// The socket is Asio's and stays registered with its reactor; a call here must not overlap an
// asynchronous operation in the same direction. Edge-triggered readiness loses nothing: Asio
// tries every new operation at once before it waits for an edge.

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

// Receives what the socket holds now, at most `size` bytes. Returns the bytes read; 0 with `ec`
// clear means nothing is there yet; the peer's orderly close is asio::error::eof.
std::size_t receive_now(int fd, void* data, std::size_t size, boost::system::error_code& ec);

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
