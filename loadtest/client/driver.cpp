#include "client/driver.h"

#include "client/user_fate.h"

#include <algorithm>

namespace levee::load {

namespace {

constexpr std::size_t reserve_cap = 4'000'000;  // records reserved up front, at most
// Aggregating while running: finished records are dropped once the window holds this many more
// than twice what stayed open at the last drop, so dropping (a move of the open ones) costs O(1)
// per record.
constexpr std::size_t drop_batch = 4096;

std::vector<const Schedule*> schedules_of(const std::vector<FlowPlan>& flows) {
  std::vector<const Schedule*> schedules;
  for (const FlowPlan& f : flows) schedules.push_back(&f.schedule);
  return schedules;
}

std::vector<RequestMix> mixes_of(const std::vector<FlowPlan>& flows) {
  std::vector<RequestMix> mixes;
  for (const FlowPlan& f : flows) mixes.emplace_back(f.mix);
  return mixes;
}

}  // namespace

Driver::Driver(DriverSetup setup)
    : setup_(std::move(setup)),
      arrivals_(schedules_of(setup_.flows), setup_.arrivals, setup_.thread, setup_.threads, setup_.seed),
      next_key_(setup_.flows.size()),
      mixes_(mixes_of(setup_.flows)),
      idle_(setup_.endpoints.size()),
      aggregates_(setup_.aggregates ? std::optional(setup_.aggregates->total.empty_like()) : std::nullopt),
      rng_(setup_.seed * 7919 + setup_.thread) {
  connection_cap_ = std::max<std::size_t>(1, static_cast<std::size_t>(setup_.max_connections) / setup_.threads);
  const auto expected = static_cast<std::size_t>(arrivals_.expected_count()) + 16;
  int max_retries = 0;
  for (const FlowPlan& f : setup_.flows) max_retries = std::max(max_retries, f.retry.max_retries);
  const std::size_t cap = aggregates_ ? 2 * drop_batch : reserve_cap;
  users_.reserve(std::min(expected, cap));
  attempts_.reserve(std::min(expected * static_cast<std::size_t>(1 + max_retries), cap));
  next_drop_at_ = drop_batch;
  // Sequential keys: thread k sends keys k, k+n, ... so the threads together go through them in turn.
  for (auto& key : next_key_) key = setup_.thread;
  if (setup_.http2) {
    const std::size_t per_target = std::max<std::size_t>(1, connection_cap_ / setup_.endpoints.size());
    for (const auto& endpoint : setup_.endpoints)
      channels_.push_back(std::make_unique<H2Channel>(ioc_, endpoint, *this, per_target, setup_.live));
  }
}

std::uint32_t Driver::key_for(std::uint16_t flow) {
  const auto& keys = setup_.flows[flow].keys;
  if (!keys) return 0;
  if (keys->random) return static_cast<std::uint32_t>(std::uniform_int_distribution<std::uint64_t>(0, keys->count - 1)(rng_));
  const auto key = static_cast<std::uint32_t>(next_key_[flow] % keys->count);
  next_key_[flow] += setup_.threads;
  return key;
}

std::uint8_t Driver::request_for(std::uint16_t flow) {
  const RequestMix& mix = mixes_[flow];
  if (mix.single()) return 0;
  return static_cast<std::uint8_t>(mix.pick(std::uniform_real_distribution<double>(0, 1)(rng_)));
}

std::int64_t Driver::now_ns() const {
  return std::chrono::duration_cast<Nanos>(Clock::now() - setup_.start).count();
}

void Driver::run() {
  next_arrival_ = arrivals_.next();
  arm();
  ioc_.run();
  file_open_users();
  setup_.live.finished.store(true, std::memory_order_relaxed);
}

void Driver::arm() {
  std::optional<std::int64_t> due;
  if (next_arrival_) due = next_arrival_->at.count();
  if (!retries_.empty()) due = due ? std::min(*due, retries_.top().due_ns) : retries_.top().due_ns;
  if (!due) return;  // nothing left to send; the io_context ends with the last answer
  // Re-arming reprograms the kernel timer: skip it when the armed wake-up is early enough.
  if (armed_ns_ && *armed_ns_ <= *due) return;
  armed_ns_ = *due;
  timer_.expires_at(setup_.start + Nanos{*due});
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    armed_ns_.reset();
    on_timer();
  });
}

void Driver::on_timer() {
  const std::int64_t now = now_ns();
  while (next_arrival_ && next_arrival_->at.count() <= now) {
    const auto user = static_cast<std::uint32_t>(first_user_ + users_.size());
    const std::uint16_t flow = next_arrival_->flow;
    users_.push_back(UserRecord{next_arrival_->at.count(), 0, UserOutcome::pending, Outcome::not_sent, 0, flow,
                                key_for(flow), request_for(flow)});
    LiveCounters::bump(setup_.live.offered);
    dispatch(user, 0, next_arrival_->at.count(), now);
    next_arrival_ = arrivals_.next();
  }
  while (!retries_.empty() && retries_.top().due_ns <= now) {
    const Retry retry = retries_.top();
    retries_.pop();
    LiveCounters::bump(setup_.live.retries);
    dispatch(retry.user, retry.attempt, retry.due_ns, now);
  }
  arm();
  drop_finished_records();
  close_channels_when_done();
}

void Driver::close_channels_when_done() {
  if (channels_.empty() || next_arrival_ || !retries_.empty() ||
      setup_.live.in_flight.load(std::memory_order_relaxed) > 0)
    return;
  for (auto& channel : channels_) channel->close();
}

// Loopback targets: each connection its own source address, 127.<thread+1>.<n/250>.<n%250+2>,
// so closed connections never crowd one ephemeral port space (see Connection::bind_source).
boost::asio::ip::address Driver::source_for(std::size_t target, std::size_t n) const {
  const auto& address = setup_.endpoints[target].address();
  if (!address.is_v4() || !address.is_loopback()) return {};
  const auto thread = static_cast<std::uint32_t>(setup_.thread % 254 + 1);
  const auto index = static_cast<std::uint32_t>(n % (250 * 256));
  return boost::asio::ip::address_v4((127u << 24) | (thread << 16) | ((index / 250) << 8) | (index % 250 + 2));
}

Connection* Driver::take_connection(std::size_t target) {
  auto& idle = idle_[target];
  if (!idle.empty()) {
    Connection* connection = idle.back();
    idle.pop_back();
    return connection;
  }
  if (connections_.size() >= connection_cap_) {
    // At the cap the attempt is not sent. Queueing it inside the generator would disguise the
    // target's slowness as schedule lag; "not_sent" is counted and can invalidate the run.
    return nullptr;
  }
  connections_.push_back(
      std::make_unique<Connection>(ioc_, setup_.endpoints[target], *this, target, source_for(target, connections_.size()),
                                   setup_.tls.empty() ? nullptr : &setup_.tls[target]));
  setup_.live.connections.fetch_add(1, std::memory_order_relaxed);
  return connections_.back().get();
}

void Driver::dispatch(std::uint32_t user, std::uint8_t attempt, std::int64_t intended_ns, std::int64_t now) {
  UserRecord& u = user_at(user);
  u.attempts = static_cast<std::uint8_t>(attempt + 1);
  const auto index = static_cast<std::uint32_t>(first_attempt_ + attempts_.size());
  AttemptRecord& record = attempts_.emplace_back();
  if (aggregates_) record.end_ns = -1;  // open until settled: drop_finished_records() keeps it
  record.intended_ns = intended_ns;
  record.dispatch_ns = now;
  record.user = user;
  record.attempt = attempt;
  const std::int64_t lag = now - intended_ns;
  if (lag > setup_.live.lag_max_ns.load(std::memory_order_relaxed))
    setup_.live.lag_max_ns.store(lag, std::memory_order_relaxed);

  const std::size_t target = user % setup_.endpoints.size();
  // The caller's patience runs from when it meant to send, so generator lag cannot buy the target
  // extra time. The user's deadline is not a cut-off here: a 2xx after it is recorded as late.
  const std::int64_t attempt_deadline = intended_ns + setup_.flows[u.flow].client.timeout.count();
  const RequestParts& request = setup_.requests[u.flow].get(u.request, target, attempt);
  const auto deadline = setup_.start + Nanos{attempt_deadline};
  Connection* connection = setup_.http2 ? nullptr : take_connection(target);
  // An HTTP/2 stream starts here or not at all (no callback follows a refusal).
  const bool sent = setup_.http2 ? channels_[target]->start(request, deadline, index, u.key) : connection != nullptr;
  if (!sent) {
    LiveCounters::bump(setup_.live.not_sent);
    settle(index, ExchangeResult{Outcome::not_sent, 0, std::nullopt}, now);
    return;
  }
  record.sent_ns = now;
  LiveCounters::bump(setup_.live.sent);
  setup_.live.in_flight.fetch_add(1, std::memory_order_relaxed);
  if (connection != nullptr) connection->start(request, deadline, index, u.key);
}

void Driver::on_exchange_done(Connection& connection, const ExchangeResult& result) {
  idle_[connection.target()].push_back(&connection);  // closed ones reconnect on their next use
  attempt_done(connection.tag(), result);
}

void Driver::on_stream_done(std::uint32_t tag, const ExchangeResult& result) { attempt_done(tag, result); }

void Driver::attempt_done(std::uint32_t attempt_index, const ExchangeResult& result) {
  const std::int64_t now = now_ns();
  setup_.live.in_flight.fetch_sub(1, std::memory_order_relaxed);
  settle(attempt_index, result, now);
  arm();  // a retry may now be due earlier than the armed wake-up
  drop_finished_records();
  close_channels_when_done();
}

void Driver::settle(std::uint32_t attempt_index, const ExchangeResult& result, std::int64_t now) {
  AttemptRecord& record = attempts_[attempt_index - first_attempt_];
  record.end_ns = now;
  record.status = static_cast<std::uint16_t>(result.status);
  record.outcome = result.outcome;
  UserRecord& user = user_at(record.user);
  user.end_ns = now;
  user.last_outcome = result.outcome;
  auto& live = setup_.live;
  switch (result.outcome) {
    case Outcome::ok: break;
    case Outcome::shed: LiveCounters::bump(live.shed); break;
    case Outcome::timeout: LiveCounters::bump(live.timeouts); break;
    case Outcome::not_sent: break;
    default: LiveCounters::bump(live.errors); break;
  }
  const FlowPlan& flow = setup_.flows[user.flow];
  const UserFate fate = settle_user(user, record, result.outcome, result.retry_after, now, flow.client.deadline,
                                    flow.retry, rng_);
  user.outcome = fate.outcome;
  if (aggregates_) {
    // Both records are final now (a user once its fate is): nothing writes them again.
    aggregates_->add_attempt(record);
    if (fate.outcome != UserOutcome::pending) aggregates_->add_user(user);
  }
  if (fate.retry_at_ns) {
    retries_.push(Retry{*fate.retry_at_ns, record.user, static_cast<std::uint8_t>(record.attempt + 1)});
  } else if (fate.outcome == UserOutcome::good || fate.outcome == UserOutcome::late) {
    LiveCounters::bump(fate.outcome == UserOutcome::good ? live.good : live.late);
  }
}

// Drops the finished prefix of both windows: users whose fate is known and settled attempts (all
// filed already). An open record keeps the ones after it, so the windows span about the longest
// time a user stays open (deadline and retries), not the run.
void Driver::drop_finished_records() {
  if (!aggregates_ || users_.size() + attempts_.size() < next_drop_at_) return;
  const auto open_user = std::find_if(users_.begin(), users_.end(),
                                      [](const UserRecord& u) { return u.outcome == UserOutcome::pending; });
  const auto open_attempt =
      std::find_if(attempts_.begin(), attempts_.end(), [](const AttemptRecord& a) { return a.end_ns < 0; });
  first_user_ += static_cast<std::uint32_t>(open_user - users_.begin());
  first_attempt_ += static_cast<std::uint32_t>(open_attempt - attempts_.begin());
  users_.erase(users_.begin(), open_user);
  attempts_.erase(attempts_.begin(), open_attempt);
  next_drop_at_ = 2 * (users_.size() + attempts_.size()) + drop_batch;
  // Nothing is filed before the oldest open user's arrival any more: its attempts are due after
  // it, and later users arrive after it.
  const std::int64_t horizon = !users_.empty() ? users_.front().arrival_ns
                               : next_arrival_ ? next_arrival_->at.count()
                                               : now_ns();
  const std::scoped_lock lock(setup_.aggregates->mutex);
  aggregates_->hand_over_before(horizon, setup_.aggregates->total);
}

void Driver::file_open_users() {
  if (!aggregates_) return;
  for (const UserRecord& u : users_) {
    if (u.outcome == UserOutcome::pending) aggregates_->add_user(u);
  }
}

}  // namespace levee::load
