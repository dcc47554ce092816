#include "bench/limits/sim/simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <queue>
#include <unordered_map>

#include "bench/limits/sim/random.h"
#include "proxy/policy/admission.h"

namespace levee::sim {
namespace {

using policy::TimePoint;

constexpr Duration tick_period = 10ms;
constexpr Duration bucket_length = 100ms;

enum class EventKind : std::uint8_t {
  arrival,           // a new user (id: the arrival generation that scheduled it)
  attempt_deadline,  // an attempt's caller gives up (id: ticket)
  at_service,        // a forwarded request reaches the service (id: job)
  job_done,          // a service slot finishes a job (id: job)
  response,          // the job's answer reaches levee (id: job)
  tick,              // Admission::on_tick and the trace
  step,              // the next script step (id: its index)
};

struct Event {
  TimePoint at;
  std::uint64_t seq = 0;  // FIFO among events at the same instant: determinism
  EventKind kind = EventKind::tick;
  std::uint64_t id = 0;
  bool operator>(const Event& other) const { return at != other.at ? at > other.at : seq > other.seq; }
};

struct User {
  TimePoint deadline;
  int attempts = 0;
};

struct Attempt {
  std::uint64_t user = 0;
  TimePoint sent;
  TimePoint deadline;
  bool forwarded = false;
  std::uint64_t job = 0;
};

struct Job {
  std::uint64_t attempt = 0;  // 0 once its caller has left
  bool fails = false;
  bool started = false;
  std::optional<policy::Permit> permit;  // held by the exchange until levee releases it
};

enum class AttemptEnd : std::uint8_t { shed, failed, timed_out };

class Simulation {
 public:
  Simulation(const Scenario& scenario, const policy::AdmissionSettings& settings, std::uint64_t seed)
      : scenario_(scenario),
        start_(TimePoint{} + std::chrono::hours(1)),
        end_(start_ + scenario.length),
        admission_(settings, start_),
        rng_(seed),
        c0_(base_capacity(scenario)),
        state_(state_at(scenario, Duration::zero())) {
    run_.scenario = scenario.name;
    run_.initial_limit = admission_.snapshot(start_).limit;
    const auto count = static_cast<std::size_t>(scenario.length / bucket_length);
    run_.buckets.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      Bucket& b = run_.buckets[i];
      b.t = policy::to_seconds(bucket_length * static_cast<Duration::rep>(i));
      const ScriptState state = state_at(scenario, bucket_length * static_cast<Duration::rep>(i));
      b.capacity = capacity_per_second(scenario.service, state);
      b.fail_share = state.fail_share;
      b.deliverable = std::min(b.capacity, state.load * c0_ * (1 - state.fail_share));
    }
    for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
      run_.events.emplace_back(policy::to_seconds(scenario.steps[i].at), scenario.steps[i].label);
      schedule(start_ + scenario.steps[i].at, EventKind::step, i);
    }
    schedule(start_ + tick_period, EventKind::tick, 0);
  }

  Run run() {
    while (!events_.empty() && events_.top().at < end_) {
      const Event event = events_.top();
      events_.pop();
      now_ = event.at;
      switch (event.kind) {
        case EventKind::arrival: on_arrival(event.id); break;
        case EventKind::attempt_deadline: on_deadline(event.id); break;
        case EventKind::at_service: on_at_service(event.id); break;
        case EventKind::job_done: on_job_done(event.id); break;
        case EventKind::response: on_response(event.id); break;
        case EventKind::tick: on_tick(); break;
        case EventKind::step: on_step(event.id); break;
      }
    }
    return std::move(run_);
  }

 private:
  void schedule(TimePoint at, EventKind kind, std::uint64_t id) { events_.push(Event{at, seq_++, kind, id}); }

  Bucket& bucket() {
    const auto i = static_cast<std::size_t>((now_ - start_) / bucket_length);
    return run_.buckets[std::min(i, run_.buckets.size() - 1)];
  }

  // ---- the script and the callers -----------------------------------------------------------

  void on_step(std::uint64_t index) {
    state_ = state_at(scenario_, now_ - start_);
    // Arrivals are memoryless, so a new rate simply replaces the pending arrival.
    ++arrival_generation_;
    schedule_arrival();
    if (index < scenario_.steps.size() && scenario_.steps[index].workers) start_jobs();
  }

  void schedule_arrival() {
    const double rate = state_.load * c0_;
    if (rate <= 0) return;
    const auto gap = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(rng_.exponential(1 / rate)));
    schedule(now_ + gap, EventKind::arrival, arrival_generation_);
  }

  void on_arrival(std::uint64_t generation) {
    if (generation != arrival_generation_) return;  // superseded by a step
    ++bucket().offered;
    const std::uint64_t id = next_id_++;
    users_[id] = User{now_ + scenario_.callers.patience, 0};
    start_attempt(id);
    schedule_arrival();
  }

  void start_attempt(std::uint64_t user_id) {
    User& user = users_.at(user_id);
    ++user.attempts;
    ++bucket().attempts;
    const std::uint64_t id = next_id_++;
    const TimePoint deadline = std::min(now_ + scenario_.callers.timeout, user.deadline);
    policy::Ticket ticket;
    ticket.id = id;
    ticket.is_retry = user.attempts > 1 && scenario_.callers.retry_header;
    if (scenario_.callers.deadline_header) ticket.deadline = deadline;
    ticket.arrival = now_;
    attempts_[id] = Attempt{user_id, now_, deadline, false, 0};
    schedule(deadline, EventKind::attempt_deadline, id);

    policy::Decision decision = admission_.try_admit(ticket, now_);
    if (decision.admitted()) forward(id, decision.permit);
    else if (decision.rejected()) end_attempt(id, AttemptEnd::shed);
    deliver(std::move(decision.effects));
  }

  void end_attempt(std::uint64_t id, AttemptEnd how) {
    const auto it = attempts_.find(id);
    const std::uint64_t user_id = it->second.user;
    attempts_.erase(it);
    if (how == AttemptEnd::shed) ++bucket().shed;
    const User& user = users_.at(user_id);
    if (user.attempts <= scenario_.callers.max_retries && now_ < user.deadline) {
      start_attempt(user_id);  // an impatient user: at once
    } else {
      users_.erase(user_id);
    }
  }

  void on_deadline(std::uint64_t id) {
    const auto it = attempts_.find(id);
    if (it == attempts_.end()) return;  // answered or shed already
    if (!it->second.forwarded) {
      deliver(admission_.cancel(id, now_));
      end_attempt(id, AttemptEnd::timed_out);
      return;
    }
    // The caller leaves while its request is at the service.
    Job& job = jobs_.at(it->second.job);
    job.attempt = 0;
    ++bucket().late;
    if (scenario_.abort_on_leave) {
      const policy::Permit permit = *job.permit;
      job.permit.reset();
      deliver(admission_.release(permit, abandoned(), now_));
    }
    end_attempt(id, AttemptEnd::timed_out);
  }

  // ---- levee -> service -> levee -----------------------------------------------------------

  policy::Outcome abandoned() const {
    return scenario_.report_abandoned ? policy::Outcome::abandoned : policy::Outcome::ignored;
  }

  void deliver(policy::Effects effects) {
    for (const policy::Permit& permit : effects.granted) {
      if (attempts_.contains(permit.ticket)) {
        forward(permit.ticket, permit);
      } else {  // cannot happen: a caller who leaves is cancelled first; be safe anyway
        deliver(admission_.release(permit, policy::Outcome::ignored, now_));
      }
    }
    for (const policy::Shed& shed : effects.shed) {
      if (attempts_.contains(shed.ticket)) end_attempt(shed.ticket, AttemptEnd::shed);
    }
  }

  void forward(std::uint64_t attempt_id, const policy::Permit& permit) {
    const std::uint64_t job_id = next_id_++;
    Attempt& attempt = attempts_.at(attempt_id);
    attempt.forwarded = true;
    attempt.job = job_id;
    jobs_[job_id] = Job{attempt_id, false, false, permit};
    schedule(now_ + scenario_.service.network_delay, EventKind::at_service, job_id);
  }

  void on_at_service(std::uint64_t job_id) {
    service_queue_.push_back(job_id);
    start_jobs();
  }

  void start_jobs() {
    const ServiceModel& service = scenario_.service;
    while (busy_ < state_.workers && !service_queue_.empty()) {
      const std::uint64_t job_id = service_queue_.front();
      service_queue_.pop_front();
      Job& job = jobs_.at(job_id);
      if (job.attempt == 0 && service.cancels_abandoned) {
        finish_orphan(job_id);
        continue;
      }
      ++busy_;
      job.started = true;
      job.fails = rng_.chance(state_.fail_share);
      double seconds = policy::to_seconds(service.fail_time);
      if (!job.fails) {
        const Duration base = rng_.chance(service.slow_share) ? service.slow_time : service.service_time;
        seconds = rng_.lognormal(policy::to_seconds(base), service.spread) * state_.slowdown;
      }
      const auto time = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
      schedule(now_ + time, EventKind::job_done, job_id);
    }
  }

  void on_job_done(std::uint64_t job_id) {
    --busy_;
    schedule(now_ + scenario_.service.network_delay, EventKind::response, job_id);
    start_jobs();
  }

  // A job whose caller left: levee releases its permit now if it still holds it (no abort).
  void finish_orphan(std::uint64_t job_id) {
    const auto it = jobs_.find(job_id);
    std::optional<policy::Permit> permit = it->second.permit;
    jobs_.erase(it);
    if (permit) deliver(admission_.release(*permit, abandoned(), now_));
  }

  void on_response(std::uint64_t job_id) {
    Job& job = jobs_.at(job_id);
    if (job.attempt == 0) {
      finish_orphan(job_id);
      return;
    }
    const std::uint64_t attempt_id = job.attempt;
    const policy::Permit permit = *job.permit;
    const bool fails = job.fails;
    jobs_.erase(job_id);
    if (fails) {
      ++bucket().failed;
      deliver(admission_.release(permit, policy::Outcome::dropped, now_));
      end_attempt(attempt_id, AttemptEnd::failed);
      return;
    }
    ++bucket().goodput;
    const Attempt& attempt = attempts_.at(attempt_id);
    run_.success_at.push_back(static_cast<float>(policy::to_seconds(now_ - start_)));
    run_.success_ms.push_back(static_cast<float>(policy::to_seconds(now_ - attempt.sent) * 1e3));
    const std::uint64_t user_id = attempt.user;
    attempts_.erase(attempt_id);
    users_.erase(user_id);
    deliver(admission_.release(permit, policy::Outcome::success, now_));
  }

  // ---- periodic work and the trace ---------------------------------------------------------

  void on_tick() {
    deliver(admission_.on_tick(now_));
    const policy::Snapshot s = admission_.snapshot(now_);
    Bucket& b = bucket();
    const double per_bucket = static_cast<double>(tick_period.count()) / bucket_length.count();
    b.limit_mean += s.limit * per_bucket;
    b.limit_max = std::max(b.limit_max, s.limit);
    b.in_flight_mean += s.in_flight * per_bucket;
    b.service_queue_mean += static_cast<double>(service_queue_.size()) * per_bucket;
    b.recovery = b.recovery || s.mode == policy::Mode::recovery;
    run_.limit_ticks.push_back(s.limit);
    schedule(now_ + tick_period, EventKind::tick, 0);
  }

  const Scenario& scenario_;
  const TimePoint start_;
  const TimePoint end_;
  policy::Admission admission_;
  SimRandom rng_;
  const double c0_;
  ScriptState state_;
  Run run_;

  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t seq_ = 0;
  TimePoint now_;
  std::uint64_t arrival_generation_ = 0;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, User> users_;
  std::unordered_map<std::uint64_t, Attempt> attempts_;
  std::unordered_map<std::uint64_t, Job> jobs_;
  std::deque<std::uint64_t> service_queue_;
  std::uint32_t busy_ = 0;
};

}  // namespace

Run simulate(const Scenario& scenario, const policy::AdmissionSettings& settings, std::uint64_t seed) {
  const auto wall_start = std::chrono::steady_clock::now();
  Run run = Simulation(scenario, settings, seed).run();
  run.wall_seconds = policy::to_seconds(std::chrono::steady_clock::now() - wall_start);
  return run;
}

}  // namespace levee::sim
