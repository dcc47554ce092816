#pragma once
// The plumbing around one admission group (policy::Admission): it turns decisions into waits
// on the request's own worker and wake-ups across workers.
//
// - admit(): asks Admission; when the request must queue, the coroutine sleeps on a timer of
//   its own executor until a grant or a shed for its ticket is delivered, or until its client
//   disconnects (the socket turns readable with end-of-stream; or, when the client sent more
//   than the header, a check every client_watch_interval sees its FIN behind the unread
//   bytes), in which case the ticket is cancelled and never reaches the service.
// - deliver(): Admission returns wake-ups as data (Effects). The gate records each result in
//   the waiter under a mutex and posts the wake-up to the waiter's executor, so no handler
//   runs under the lock and a waiter is only ever touched on its own thread. A grant whose
//   waiter has already left is given back at once (release as `ignored`).
// - PermitGuard: a granted permit, released exactly once with an outcome; the destructor
//   releases it as `ignored` on any path that forgot (exceptions, client gone).
// Thread safety: every public method may be called from any thread.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "proxy/http/client_gone.h"
#include "proxy/http/worker_executor.h"
#include "proxy/observability/admission_metrics.h"
#include "proxy/policy/admission.h"
#include "proxy/policy/clock.h"

namespace levee::http {

class AdmissionGate;

class PermitGuard {
 public:
  PermitGuard() = default;
  PermitGuard(std::shared_ptr<AdmissionGate> gate, const policy::Permit& permit)
      : gate_(std::move(gate)), permit_(permit) {}
  PermitGuard(PermitGuard&& other) noexcept = default;
  PermitGuard& operator=(PermitGuard&& other) noexcept;
  PermitGuard(const PermitGuard&) = delete;
  PermitGuard& operator=(const PermitGuard&) = delete;
  ~PermitGuard() { release(policy::Outcome::ignored); }

  // Hands the permit back with what the service's answer says about its health. Later calls,
  // and the destructor after a call, do nothing.
  void release(policy::Outcome outcome);
  explicit operator bool() const { return gate_ != nullptr; }

 private:
  std::shared_ptr<AdmissionGate> gate_;  // keeps a group replaced by a reload alive
  policy::Permit permit_;
};

struct AdmitResult {
  PermitGuard permit;                                       // held when admitted
  policy::ShedReason reason = policy::ShedReason::over_limit;  // why not, otherwise
  policy::Duration queue_wait{};

  bool admitted() const { return static_cast<bool>(permit); }
};

class AdmissionGate : public std::enable_shared_from_this<AdmissionGate> {
 public:
  // `on_queued` is called (from the request's worker, after the ticket joined the queue) each
  // time a request starts to wait: the ticker then watches the queue at its fast pace.
  AdmissionGate(std::string name, const policy::AdmissionSettings& settings, const policy::Clock& clock,
                observability::AdmissionMetrics metrics, std::function<void()> on_queued = {});
  AdmissionGate(const AdmissionGate&) = delete;
  AdmissionGate& operator=(const AdmissionGate&) = delete;

  const std::string& name() const { return name_; }

  // Most requests are admitted or shed at once: this decides those without a coroutine (a
  // frame allocated, a resumption) on the request path. None: the ticket must queue, and
  // admit() with the same ticket waits for it. `ticket.id` (and an unset arrival) is assigned
  // here.
  std::optional<AdmitResult> admit_now(policy::Ticket& ticket);
  // The whole admission, queue included: admit_now() first unless the ticket has been through
  // it already. `client` is only watched for end-of-stream while queued (no data is read), so a
  // body or a pipelined request behind the header stays intact.
  Awaitable<AdmitResult> admit(policy::Ticket ticket, Socket& client);
  // The same for a client without a socket of its own (an HTTP/2 stream): `client` says when
  // it leaves. Called on the executor that fires `client`.
  Awaitable<AdmitResult> admit(policy::Ticket ticket, ClientGone& client);

  // Maintenance, from one thread at a time (AdmissionTicker). Returns whether the group needs
  // the next tick soon (policy::Admission::needs_fast_ticks()).
  bool tick();
  void reconfigure(const policy::AdmissionSettings& settings);  // reload
  void drain();                                           // shutdown: shed every waiter
  policy::Snapshot snapshot() const { return admission_.snapshot(clock_.now()); }
  // The group's suggested Retry-After (its queue drain time), refreshed by tick(): reading a
  // full snapshot on every shed would contend for the group's lock exactly under overload.
  policy::Duration suggested_retry_after() const {
    return policy::Duration(retry_after_ns_.load(std::memory_order_relaxed));
  }
  void refresh_metrics();                                 // scrape time

 private:
  friend class PermitGuard;
  struct Waiter;

  // How a queued waiter learns that its client left: `watch` starts watching (it sets
  // client_gone and wakes the waiter), `unwatch` stops once the wait is over.
  struct ClientWatcher {
    std::function<void(const std::shared_ptr<Waiter>&)> watch;
    std::function<void()> unwatch;
  };
  Awaitable<AdmitResult> admit_watching(policy::Ticket ticket, const ClientWatcher& watcher);
  void release(const policy::Permit& permit, policy::Outcome outcome);
  void deliver(policy::Effects effects);
  AdmitResult finish_wait(const policy::Ticket& ticket, Waiter& waiter, bool client_gone);

  const std::string name_;
  const policy::Clock& clock_;
  policy::Admission admission_;
  std::atomic<policy::TicketId> next_ticket_{1};
  const std::function<void()> on_queued_;
  policy::TimePoint retry_after_refreshed_{};  // tick()'s own
  std::atomic<policy::Duration::rep> retry_after_ns_;
  std::mutex waiters_mu_;
  std::unordered_map<policy::TicketId, std::shared_ptr<Waiter>> waiters_;
  std::mutex metrics_mu_;
  observability::AdmissionMetrics metrics_;
  std::atomic<policy::Duration::rep> max_wait_ns_;  // queue.max_wait, for the waiter's safety timer
};

}  // namespace levee::http
