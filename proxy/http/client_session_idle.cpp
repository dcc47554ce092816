// ClientSession between two requests: the idle wait for the next one (a read, with the
// header deadline's lazy timer), the buffers it keeps or frees meanwhile, and the hand-over of a
// long-idle plain connection to a ParkedConnection (parked_connection.h). The request itself is
// client_session.cpp's.
#include "proxy/http/client_session.h"

#include "proxy/http/parked_connection.h"

namespace levee::http {
namespace asio = boost::asio;
namespace beast = boost::beast;

// Lazy, like DeadlineStream: a keep-alive request arms the header deadline twice (the idle
// wait, then the header read) and disarms it twice. Arming is a clock read; the timer is set
// only when the new deadline is earlier than the one it waits for, and when it fires at a time
// the current deadline has not reached, it waits again for that one.
void ClientSession::arm_header_timer(std::chrono::nanoseconds timeout) {
  header_timed_out_ = false;
  header_armed_ = true;
  header_deadline_ = std::chrono::steady_clock::now() + timeout;
  if (header_timer_waiting_ && header_timer_.expiry() <= header_deadline_) return;  // fires in time
  wait_header_timer();
}

void ClientSession::wait_header_timer() {
  header_timer_waiting_ = true;
  header_timer_.expires_at(header_deadline_);  // a wait for a later time ends, operation_aborted
  header_timer_.async_wait([weak = weak_from_this()](const beast::error_code& ec) {
    if (ec) return;  // superseded by an earlier deadline, or the session is closing
    if (auto self = weak.lock()) self->on_header_timer();
  });
}

void ClientSession::on_header_timer() {
  const auto now = std::chrono::steady_clock::now();
  if (header_timer_.expiry() > now) return;  // fired just before it was set earlier: the new wait decides
  header_timer_waiting_ = false;
  if (!header_armed_) return;  // nothing is waiting on a header; the next arm sets the timer again
  if (header_deadline_ > now) {
    wait_header_timer();
    return;
  }
  header_armed_ = false;
  header_timed_out_ = true;
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

void ClientSession::disarm_header_timer() { header_armed_ = false; }

bool ClientSession::start_wait(std::chrono::nanoseconds timeout) {
  if (buffer_.size() > 0) return false;  // a pipelined request is already here
  // A buffer that grew for one large header or a body relay is not kept for the next request;
  // one of the usual size is, so a steady keep-alive stream reallocates nothing.
  if (buffer_.capacity() > first_read_size) buffer_.shrink_to_fit();
  if (head_buffer_.capacity() > first_read_size) std::string().swap(head_buffer_);
  // A small answer's body buffer is kept while the connection is busy (release_idle_buffers
  // frees it once idle): answers of one size then reuse it without zeroing or reallocating.
  if (body_buffer_.capacity() > kept_body_buffer) std::string().swap(body_buffer_);
  if (request_body_buffer_.capacity() > kept_body_buffer) std::string().swap(request_body_buffer_);
  // The wait is a read, for TLS and plain alike. On a plain socket Asio first tries it at once
  // (a recv that fails with EAGAIN when the next request is not there yet), where a wait for
  // readiness costs an epoll_ctl to re-arm the edge each time, one per keep-alive request. The
  // attempt comes after the answer's write went round the worker's queue (yield_before_reply),
  // which gives the client time to send its next request. The buffer stays tied to the wait
  // until the connection is parked. The session's timer bounds the wait: it cancels it, and the
  // connection closes silently.
  arm_header_timer(timeout);
  idle_ = true;
  idle_ticks_ = 0;
  park_requested_ = false;
  // Under TLS the socket's readiness says nothing about decrypted bytes (OpenSSL may hold some
  // already): the read goes through the TLS layer. The stream's own deadline is the last
  // write's: it must not cut the idle wait short.
  if (stream_.is_tls()) stream_.expires_never();
  return true;
}

ClientSession::Waited ClientSession::end_wait(const beast::error_code& ec, std::size_t n) {
  idle_ = false;
  disarm_header_timer();
  if (!ec) {
    park_requested_ = false;  // the request came before the park's cancel took effect
    buffer_.commit(n);
    return Waited::request;
  }
  // The idle timeout, drain, the tick's cancel to park (operation_aborted), or the client closed.
  if (ec != asio::error::operation_aborted) park_requested_ = false;
  // While draining, close rather than park: drain may already have gone past this session.
  if (park_requested_ && !shared_.draining.load(std::memory_order_relaxed)) return Waited::park;
  return Waited::closed;
}

void ClientSession::on_maintenance_tick() {
  if (!idle_) return;
  if (idle_ticks_ < 2) ++idle_ticks_;  // 1: the first tick of this wait; 2: a later one
  if (idle_ticks_ == 1) {
    release_idle_buffers();
    return;
  }
  // Waited at least a whole tick: park. The wait is cancelled and run() hands the socket over.
  if (!may_park_ || park_requested_) return;
  park_requested_ = true;
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

void ClientSession::release_idle_buffers() {
  // buffer_ is the idle wait's read buffer (start_wait): it goes when the connection is
  // parked, or stays (TLS).
  std::string().swap(head_buffer_);
  std::string().swap(body_buffer_);
  std::string().swap(request_body_buffer_);
}

void ClientSession::park() {
  // The idle deadline stays the one this wait had: parking does not extend idle_timeout.
  const auto idle_deadline = header_deadline_;
  // Cancels the stream's own timers (the last write's deadline is still pending on one).
  auto socket = stream_.tcp().release_socket();
  ParkedConnection::park(std::move(socket), worker_, shared_, std::move(slot_), idle_deadline);
}

}  // namespace levee::http
