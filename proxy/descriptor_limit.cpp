#include "proxy/descriptor_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace levee {
namespace {

// Listeners, the admin server, log files, the event loop's own descriptors, a reload's reads.
constexpr std::uint64_t reserved_descriptors = 64;

}  // namespace

DescriptorBudget raise_descriptor_limit(const config::Config& config) {
  DescriptorBudget budget;
  budget.needed = config.listener.max_connections + reserved_descriptors;
  // Idle pooled connections come on top of those in use (upstream_pool.h): count both.
  for (const auto& upstream : config.upstreams) budget.needed += 2 * upstream.max_connections;

  rlimit limits{};
  if (::getrlimit(RLIMIT_NOFILE, &limits) != 0) {
    budget.raise_error = std::strerror(errno);
    return budget;
  }
  if (limits.rlim_cur < limits.rlim_max) {
    const rlim_t previous = limits.rlim_cur;
    limits.rlim_cur = limits.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limits) != 0) {
      budget.raise_error = std::strerror(errno);
      limits.rlim_cur = previous;
    }
  }
  budget.limit = limits.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(limits.rlim_cur);
  return budget;
}

}  // namespace levee
