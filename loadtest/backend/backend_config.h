#pragma once
// Typed settings of `levee-load backend`, filled from flags by main and validated there.

#include <cstdint>
#include <string>

#include "common/duration.h"

namespace levee::load {

enum class Distribution { fixed, exponential };
enum class BurnMode { sleep, cpu };

struct ServiceTime {
  Nanos mean{std::chrono::milliseconds(10)};
  Distribution distribution = Distribution::fixed;
};

struct BackendConfig {
  std::string listen = "127.0.0.1:0";
  int workers = 8;
  ServiceTime service_time;
  BurnMode mode = BurnMode::sleep;
  int io_threads = 2;
  double fail_ratio = 0.0;  // share of /work requests answered with fail_status at once
  unsigned fail_status = 503;
  // Injected failures model a broken service, not an overloaded one: no Retry-After unless asked.
  bool fail_retry_after = false;
  // Share of /work requests whose connection is reset (RST, no answer): a crashing service.
  double reset_ratio = 0.0;
  std::uint64_t seed = 1;
};

// Requests per second the workers can finish: workers / mean service time.
inline double capacity_per_second(const BackendConfig& c) {
  double mean = to_seconds(c.service_time.mean);
  return mean > 0 ? c.workers / mean : 0.0;
}

}  // namespace levee::load
