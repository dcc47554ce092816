#include "proxy/http/admission_gate.h"

#include "proxy/http/client_watch.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <optional>
#include <vector>

namespace levee::http {
namespace asio = boost::asio;
using policy::Outcome;
using policy::ShedReason;

namespace {

// The queue sheds a waiter at max_wait on a tick; the waiter's own timer is a safety net for
// a lost tick, so it fires a little later than the queue would.
constexpr auto waiter_grace = std::chrono::milliseconds(250);
// How stale the suggested Retry-After may be: a snapshot takes the group's lock, so not on
// every tick while the queue is watched closely.
constexpr auto retry_after_refresh = std::chrono::milliseconds(50);

}  // namespace

struct AdmissionGate::Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : wake(executor), recheck(executor) {}
  asio::steady_timer wake;     // cancelled to wake the waiting coroutine; its executor owns it
  asio::steady_timer recheck;  // paces the client checks once its socket holds unread bytes
  bool client_gone = false;    // set on the waiter's own thread
  bool waiting = true;         // false once the wait ended: late handlers touch nothing
  // Guarded by waiters_mu_: what was decided for the ticket while it waited.
  std::optional<policy::Permit> granted;
  std::optional<ShedReason> shed;
};

namespace {

// The client's socket turned readable with bytes behind the header (its body, a pipelined
// request). They stay unread until the request is admitted, so another wait for readability
// would complete at once, forever: from here the client is checked every client_watch_interval
// instead (a timer per waiter only in this case), as the worker's ClientWatchList checks
// clients at the service. A template because Waiter is private to the gate.
template <typename WaiterPtr>
void recheck_client(WaiterPtr waiter, int fd) {
  waiter->recheck.expires_after(client_watch_interval);
  waiter->recheck.async_wait([waiter, fd](const boost::system::error_code& ec) {
    if (ec || !waiter->waiting) return;
    if (peer_hung_up(fd)) {
      waiter->client_gone = true;
      waiter->wake.cancel();
      return;
    }
    recheck_client(waiter, fd);
  });
}

}  // namespace

PermitGuard& PermitGuard::operator=(PermitGuard&& other) noexcept {
  if (this != &other) {
    release(Outcome::ignored);
    gate_ = std::move(other.gate_);
    permit_ = other.permit_;
  }
  return *this;
}

void PermitGuard::release(Outcome outcome) {
  if (!gate_) return;
  auto gate = std::move(gate_);
  gate_.reset();
  gate->release(permit_, outcome);
}

AdmissionGate::AdmissionGate(std::string name, const policy::AdmissionSettings& settings,
                             const policy::Clock& clock, observability::AdmissionMetrics metrics,
                             std::function<void()> on_queued)
    : name_(std::move(name)),
      clock_(clock),
      admission_(settings, clock.now()),
      on_queued_(std::move(on_queued)),
      retry_after_ns_(settings.retry_after_min.count()),
      metrics_(std::move(metrics)),
      max_wait_ns_(settings.queue.max_wait.count()) {}

Awaitable<AdmitResult> AdmissionGate::admit(policy::Ticket ticket, Socket& client) {
  // The handler may run after the wait ended; it touches only the waiter it shares and a
  // non-consuming peek, never the session.
  const ClientWatcher watcher{
      [&client](const std::shared_ptr<Waiter>& waiter) {
        client.async_wait(asio::socket_base::wait_read, [waiter, fd = client.native_handle()](
                                                            const boost::system::error_code& ec) {
          if (ec == asio::error::operation_aborted || !waiter->waiting) return;
          if (ec || peer_hung_up(fd)) {
            waiter->client_gone = true;
            waiter->wake.cancel();
            return;
          }
          recheck_client(waiter, fd);  // readable with data: the client is still there, for now
        });
      },
      [&client] {
        boost::system::error_code ignored;
        client.cancel(ignored);  // stop watching; the session reads the socket from here on
      }};
  co_return co_await admit_watching(std::move(ticket), watcher);
}

Awaitable<AdmitResult> AdmissionGate::admit(policy::Ticket ticket, ClientGone& client) {
  const ClientWatcher watcher{[&client](const std::shared_ptr<Waiter>& waiter) {
                                client.on_gone([waiter] {
                                  if (!waiter->waiting) return;
                                  waiter->client_gone = true;
                                  waiter->wake.cancel();
                                });
                              },
                              [&client] { client.forget(); }};
  co_return co_await admit_watching(std::move(ticket), watcher);
}

std::optional<AdmitResult> AdmissionGate::admit_now(policy::Ticket& ticket) {
  const auto now = clock_.now();
  ticket.id = next_ticket_.fetch_add(1, std::memory_order_relaxed);
  if (ticket.arrival == policy::TimePoint{}) ticket.arrival = now;
  auto decided = admission_.decide_now(ticket, now);
  if (!decided) return std::nullopt;
  deliver(std::move(decided->effects));
  AdmitResult result;
  if (decided->admitted()) result.permit = PermitGuard(shared_from_this(), decided->permit);
  else result.reason = decided->reason;
  return result;
}

Awaitable<AdmitResult> AdmissionGate::admit_watching(policy::Ticket ticket, const ClientWatcher& watcher) {
  // Ticket ids start at 1: an id means admit_now() has already decided this ticket must queue.
  if (ticket.id == 0) {
    if (auto decided = admit_now(ticket)) co_return std::move(*decided);
  }
  const auto now = clock_.now();

  // Registered before the ticket can be queued, so a grant delivered by another thread between
  // the decision and the wait finds its waiter.
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  {
    std::lock_guard lock(waiters_mu_);
    waiters_.emplace(ticket.id, waiter);
  }
  // However this coroutine ends, its waiter leaves the map: also when its frame is destroyed
  // mid-wait with the worker's io_context (a second stop signal ends the drain at once). A
  // waiter left in the map outlived that io_context and destroyed its timers after their
  // service, from ~AdmissionGate (AddressSanitizer: heap-use-after-free). Erasing twice is
  // harmless: ticket ids are never reused.
  struct Unregister {
    AdmissionGate& gate;
    policy::TicketId id;
    ~Unregister() {
      std::lock_guard lock(gate.waiters_mu_);
      gate.waiters_.erase(id);
    }
  } unregister{*this, ticket.id};
  policy::Decision decision = admission_.admit_or_queue(ticket, now);
  deliver(std::move(decision.effects));
  if (!decision.queued()) {
    {
      std::lock_guard lock(waiters_mu_);
      waiters_.erase(ticket.id);
    }
    AdmitResult result;
    if (decision.admitted()) result.permit = PermitGuard(shared_from_this(), decision.permit);
    else result.reason = decision.reason;
    co_return result;
  }
  if (on_queued_) on_queued_();

  waiter->wake.expires_after(policy::Duration(max_wait_ns_.load(std::memory_order_relaxed)) + waiter_grace);
  watcher.watch(waiter);
  // A client already gone was seen by watch() before there was a wait to cancel.
  if (!waiter->client_gone) co_await waiter->wake.async_wait(asio::as_tuple(asio::deferred));
  waiter->waiting = false;
  watcher.unwatch();
  waiter->recheck.cancel();
  co_return finish_wait(ticket, *waiter, waiter->client_gone);
}

AdmitResult AdmissionGate::finish_wait(const policy::Ticket& ticket, Waiter& waiter, bool client_gone) {
  auto decided = [&] {
    std::lock_guard lock(waiters_mu_);
    return waiter.granted.has_value() || waiter.shed.has_value();
  };
  if (!decided()) {
    // Woken by the client leaving or by the safety timer: take the ticket out of the queue.
    // If it was granted meanwhile, the grant is (or will be) recorded in the waiter or, once
    // the waiter is gone from the map, handed back by deliver().
    deliver(admission_.cancel(ticket.id, clock_.now()));
    std::lock_guard lock(waiters_mu_);
    waiters_.erase(ticket.id);
  }

  AdmitResult result;
  std::optional<policy::Permit> granted;
  {
    std::lock_guard lock(waiters_mu_);
    granted = waiter.granted;
    result.reason = waiter.shed.value_or(client_gone ? ShedReason::client_gone : ShedReason::queue_timeout);
  }
  const auto now = clock_.now();
  result.queue_wait = now - ticket.arrival;
  if (granted) {
    PermitGuard permit(shared_from_this(), *granted);
    if (client_gone) {
      result.reason = ShedReason::client_gone;
      return result;  // the guard gives the permit back unused
    }
    metrics_.observe_queue_wait(policy::to_seconds(result.queue_wait));
    result.permit = std::move(permit);
  }
  return result;
}

void AdmissionGate::release(const policy::Permit& permit, Outcome outcome) {
  deliver(admission_.release(permit, outcome, clock_.now()));
}

void AdmissionGate::deliver(policy::Effects effects) {
  // Giving back a grant whose waiter left can grant the next waiter: loop, don't recurse.
  while (!effects.empty()) {
    std::vector<policy::Permit> orphaned;
    std::vector<std::shared_ptr<Waiter>> wake;
    {
      std::lock_guard lock(waiters_mu_);
      for (const auto& permit : effects.granted) {
        auto it = waiters_.find(permit.ticket);
        if (it == waiters_.end()) {
          orphaned.push_back(permit);
          continue;
        }
        it->second->granted = permit;
        wake.push_back(std::move(it->second));
        waiters_.erase(it);
      }
      for (const auto& shed : effects.shed) {
        auto it = waiters_.find(shed.ticket);
        if (it == waiters_.end()) continue;  // its coroutine cancelled it and already left
        it->second->shed = shed.reason;
        wake.push_back(std::move(it->second));
        waiters_.erase(it);
      }
    }
    for (auto& waiter : wake) {
      // The timer belongs to the waiter's worker. On that worker already (a release or tick
      // there), cancel it now: a post would add a trip through the worker's queue to every
      // hand-off, and the slot stays idle meanwhile.
      const auto* own = waiter->wake.get_executor().target<asio::io_context::executor_type>();
      if (own != nullptr && own->running_in_this_thread()) {
        waiter->wake.cancel();
        continue;
      }
      auto executor = waiter->wake.get_executor();
      asio::post(executor, [waiter = std::move(waiter)] { waiter->wake.cancel(); });
    }
    effects = {};
    const auto now = clock_.now();
    for (const auto& permit : orphaned) {
      policy::Effects more = admission_.release(permit, Outcome::ignored, now);
      effects.granted.insert(effects.granted.end(), more.granted.begin(), more.granted.end());
      effects.shed.insert(effects.shed.end(), more.shed.begin(), more.shed.end());
    }
  }
}

bool AdmissionGate::tick() {
  const auto now = clock_.now();
  deliver(admission_.on_tick(now));
  if (now - retry_after_refreshed_ >= retry_after_refresh) {
    retry_after_refreshed_ = now;
    retry_after_ns_.store(snapshot().retry_after.count(), std::memory_order_relaxed);
  }
  return admission_.needs_fast_ticks();
}

void AdmissionGate::reconfigure(const policy::AdmissionSettings& settings) {
  max_wait_ns_.store(settings.queue.max_wait.count(), std::memory_order_relaxed);
  deliver(admission_.reconfigure(settings, clock_.now()));
}

void AdmissionGate::drain() { deliver(admission_.drain(clock_.now())); }

void AdmissionGate::refresh_metrics() {
  const policy::Snapshot now = snapshot();
  std::lock_guard lock(metrics_mu_);
  metrics_.refresh(now);
}

}  // namespace levee::http
