#include "proxy/health/health_checker.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace levee::health {
namespace asio = boost::asio;

HealthChecker::HealthChecker(asio::io_context& context, const policy::Clock& clock,
                             std::vector<CheckedUpstream> upstreams)
    : context_(context), clock_(clock) {
  const auto now = clock_.now();
  for (auto& upstream : upstreams) {
    const policy::HealthThresholds thresholds{upstream.settings.healthy_threshold,
                                              upstream.settings.unhealthy_threshold};
    if (upstream.healthy_gauge) upstream.healthy_gauge->Set(0);  // not ready until a probe passes
    checks_.push_back(std::make_unique<Check>(
        Check{std::move(upstream), policy::UpstreamHealth(thresholds, now), asio::steady_timer(context_)}));
  }
}

void HealthChecker::start() {
  for (auto& check : checks_) {
    asio::co_spawn(context_, check_loop(*check), [name = check->upstream.name](const std::exception_ptr& error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::error("health checks of upstream {} stopped: {}", name, e.what());
      }
    });
  }
}

void HealthChecker::stop() {
  asio::post(context_, [this] {
    stopped_ = true;
    for (auto& check : checks_) check->pause.cancel();
  });
}

http::Awaitable<void> HealthChecker::check_loop(Check& check) {
  while (!stopped_) {
    const ProbeResult result = co_await probe(check.upstream.target);
    if (stopped_) break;
    const bool changed = check.health.record(result.passed, result.failure, clock_.now());
    if (changed) {
      if (check.health.healthy())
        spdlog::info("upstream {} is healthy (GET {} passed)", check.upstream.name, check.upstream.target.path);
      else
        spdlog::warn("upstream {} is not healthy: {}", check.upstream.name, check.health.last_failure());
    } else if (!result.passed && !check.health.healthy()) {
      spdlog::debug("upstream {} still not healthy: {}", check.upstream.name, result.failure);
    }
    if (check.upstream.healthy_gauge) check.upstream.healthy_gauge->Set(check.health.healthy() ? 1 : 0);
    check.pause.expires_after(check.upstream.settings.interval);
    co_await check.pause.async_wait(asio::as_tuple(asio::deferred));
  }
}

std::optional<std::string> HealthChecker::not_ready(policy::TimePoint now) const {
  std::string reasons;
  for (const auto& check : checks_) {
    if (check->health.healthy()) continue;
    reasons += fmt::format("upstream {} is not healthy: {} (for {:.1f} s)\n", check->upstream.name,
                           check->health.last_failure(), policy::to_seconds(check->health.verdict_age(now)));
  }
  if (reasons.empty()) return std::nullopt;
  return reasons;
}

}  // namespace levee::health
