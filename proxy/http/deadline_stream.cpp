#include "proxy/http/deadline_stream.h"

#include <algorithm>

namespace levee::http {

namespace asio = boost::asio;

DeadlineStream::DeadlineStream(socket_type socket) : state_(std::make_shared<State>(std::move(socket))) {}

DeadlineStream::DeadlineStream(asio::io_context& context) : DeadlineStream(socket_type(context)) {}

DeadlineStream::DeadlineStream(const executor_type& executor) : DeadlineStream(socket_type(executor)) {}

DeadlineStream::~DeadlineStream() {
  // The wait (if any) ends now with operation_aborted and lets go of the state; the socket
  // closes with the state, once the pending operations (if any) have completed.
  if (!state_) return;
  state_->timer.cancel();
  boost::system::error_code ignored;
  state_->socket.close(ignored);
}

void DeadlineStream::expires_at(clock::time_point deadline) {
  if (!state_->read.pending) state_->read.deadline = deadline;
  if (!state_->write.pending) state_->write.deadline = deadline;
}

void DeadlineStream::cancel() {
  boost::system::error_code ignored;
  state_->socket.cancel(ignored);
}

void DeadlineStream::close() {
  boost::system::error_code ignored;
  state_->socket.close(ignored);
  state_->timer.cancel();
  state_->armed_for = clock::time_point::max();
}

DeadlineStream::socket_type DeadlineStream::release_socket() {
  state_->timer.cancel();
  state_->armed_for = clock::time_point::max();
  socket_type socket = std::move(state_->socket);
  state_ = std::make_shared<State>(socket_type(socket.get_executor()));
  return socket;
}

void DeadlineStream::start(Direction& direction) {
  direction.pending = true;
  direction.timed_out = false;
  // The timer already fires no later than this deadline: nothing to do, the common case.
  if (direction.deadline >= state_->armed_for) return;
  arm(state_, direction.deadline);
}

void DeadlineStream::arm(const std::shared_ptr<State>& state, clock::time_point at) {
  state->armed_for = at;
  state->timer.expires_at(at);  // a wait for a later time ends with operation_aborted
  state->timer.async_wait([state](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    on_timer(state);
  });
}

void DeadlineStream::on_timer(const std::shared_ptr<State>& state) {
  const auto now = clock::now();
  // A wait that fired just before it was re-armed for later: the newer wait is in charge.
  if (state->armed_for > now) return;
  state->armed_for = clock::time_point::max();
  bool expired = false;
  auto next = clock::time_point::max();
  for (Direction* d : {&state->read, &state->write}) {
    if (!d->pending) continue;
    if (d->deadline <= now) {
      d->timed_out = true;
      expired = true;
    } else {
      next = std::min(next, d->deadline);
    }
  }
  if (expired) {
    // As tcp_stream does: the connection is closed, whatever the other direction was doing.
    boost::system::error_code ignored;
    state->socket.close(ignored);
    return;
  }
  if (next != clock::time_point::max()) arm(state, next);
}

}  // namespace levee::http
