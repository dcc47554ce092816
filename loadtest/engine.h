#pragma once
// Executes a RunPlan: one Driver per sending thread, each on its own io_context and thread, and
// a progress line from the calling thread once a second (the only reader of the drivers' live
// counters). Used by `run` and by each step of `probe`.

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "client/driver.h"
#include "client/target_tls.h"
#include "profile/run_plan.h"

namespace levee::load {

struct EngineOptions {
  bool quiet = false;      // no progress lines
  bool warn_behind = true;  // say loudly when the generator falls behind its schedule
  // Set: each driver aggregates into a copy while running and drops finished records (memory does
  // not grow with the run's length); RunOutput::aggregates is then their sum.
  std::optional<RunAccumulator> aggregate_while_running = std::nullopt;
  std::vector<TargetTls> tls = {};  // one per target (make_target_tls); empty: all plain http
  bool http2 = false;               // h2c by prior knowledge (DriverSetup::http2)
};

class RunOutput {
 public:
  std::vector<ThreadRecords> records() const;

  std::vector<FlowPlan> flows;         // what the drivers send, flow by flow
  std::vector<RequestBytes> requests;  // the drivers' request bytes, one per flow
  std::vector<std::unique_ptr<LiveCounters>> live;
  std::vector<std::unique_ptr<Driver>> drivers;  // own the records
  std::unique_ptr<SharedAggregates> aggregates;  // when EngineOptions asked to aggregate while running
};

// One endpoint per target, or a message naming the target that did not resolve. Runs before the
// schedule starts, so the blocking resolver never delays a request.
std::variant<std::vector<boost::asio::ip::tcp::endpoint>, std::string> resolve_targets(const RunPlan& plan);

// Runs the plan to the end (the last answer or timeout). Blocks the calling thread.
std::unique_ptr<RunOutput> execute(const RunPlan& plan, const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
                                   const EngineOptions& options);

}  // namespace levee::load
