#include "proxy/http/transfer_watch.h"

#include <boost/system/error_code.hpp>

namespace levee::http {

TransferWatch::State::State(Socket& client_socket, const policy::Clock& clock_,
                            const policy::TransferRateSettings& settings)
    : client(&client_socket),
      clock(clock_),
      rate(settings, clock_.now()),
      timer(client_socket.get_executor()) {}

TransferWatch::TransferWatch(Socket& client, const policy::Clock& clock,
                             const policy::TransferRateSettings& settings)
    : state_(std::make_shared<State>(client, clock, settings)) {
  if (settings.enabled()) wait(state_);
}

TransferWatch::~TransferWatch() {
  state_->client = nullptr;
  state_->timer.cancel();
}

policy::TransferVerdict TransferWatch::completed(std::size_t bytes) {
  State& state = *state_;
  if (state.verdict != policy::TransferVerdict::ok) return state.verdict;
  state.rate.record(bytes);
  state.verdict = state.rate.check(state.clock.now());
  return state.verdict;
}

void TransferWatch::pause() { state_->rate.pause(state_->clock.now()); }

void TransferWatch::resume() {
  State& state = *state_;
  state.rate.resume(state.clock.now());
  if (!state.waiting && state.client && state.verdict == policy::TransferVerdict::ok) wait(state_);
}

void TransferWatch::wait(const std::shared_ptr<State>& state) {
  const auto next = state->rate.next_check();
  if (next == policy::TimePoint::max()) return;  // off, or paused: resume() arms it again
  state->waiting = true;
  state->timer.expires_at(next);
  // A weak_ptr: the handler must not own the timer it waits on (an io_context destroyed with the
  // wait pending would then destroy the timer from inside its own teardown).
  state->timer.async_wait([weak = std::weak_ptr<State>(state)](const boost::system::error_code& ec) {
    const auto alive = weak.lock();
    if (!alive) return;  // the watch is gone
    State& watched = *alive;
    watched.waiting = false;
    // Cancelled (the watch ended) or the socket is gone: nothing to judge.
    if (ec || !watched.client || watched.verdict != policy::TransferVerdict::ok) return;
    watched.verdict = watched.rate.check(watched.clock.now());
    if (watched.verdict == policy::TransferVerdict::ok) {
      wait(alive);  // the window passed: judge the next one at its end
      return;
    }
    boost::system::error_code ignored;
    watched.client->cancel(ignored);  // the relay's pending read or write ends; it reads verdict()
  });
}

}  // namespace levee::http
