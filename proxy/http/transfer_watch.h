#pragma once
// Holds a client's streamed body to the listener's minimum transfer rate (policy::TransferRate)
// while its request holds the service's capacity: the upload relayed to the service, or the
// download relayed to the client.
//
// The relay reports each completed read or write on the client's side (completed()); a timer
// also checks the rule at TransferRate::next_check(), so a client that sends or reads nothing
// at all, or one write that never finishes, is judged too. When the rule fails there, the
// client socket's pending operation is cancelled, not the socket closed (what the stream's own
// deadline would do): after a slow upload the client can still be told 408.
//
// Worker thread only: the timer, the socket and the relay all run on the session's
// io_context. The timer's handler holds the state through a weak_ptr, so it never touches the
// socket after the watch is gone. Pausing and resuming (once per relay
// step) cancel nothing: a wait armed before a pause fires early, finds the window moved later
// and waits again, and one that fired while paused is re-armed by resume().

#include "proxy/http/worker_executor.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/transfer_rate.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <memory>

namespace levee::http {

class TransferWatch {
 public:
  // Watching starts now. `clock` must outlive the watch (the process's clock does).
  TransferWatch(Socket& client, const policy::Clock& clock,
                const policy::TransferRateSettings& settings);
  ~TransferWatch();
  TransferWatch(const TransferWatch&) = delete;
  TransferWatch& operator=(const TransferWatch&) = delete;

  // After a read or write on the client's side completed, whatever its result, with the bytes
  // it moved. The verdict: once it is not ok the transfer must stop (it stays so).
  policy::TransferVerdict completed(std::size_t bytes);
  // Whether the rule has failed, by a completion or by the timer.
  policy::TransferVerdict verdict() const { return state_->verdict; }
  // Around the relay's operations on the other side (the service): that time is not the
  // client's (TransferRate::pause).
  void pause();
  void resume();

 private:
  struct State {
    State(Socket& client, const policy::Clock& clock,
          const policy::TransferRateSettings& settings);
    Socket* client;  // null once the watch is gone
    const policy::Clock& clock;
    policy::TransferRate rate;
    boost::asio::steady_timer timer;
    policy::TransferVerdict verdict = policy::TransferVerdict::ok;
    bool waiting = false;  // a timer wait is pending (a paused rule lets it lapse)
  };
  static void wait(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
};

}  // namespace levee::http
