#pragma once
// File descriptors are levee's capacity too: every client and upstream connection is one. The
// soft RLIMIT_NOFILE (often 1024) is far below what listener.max_connections allows, so levee
// raises it to the hard limit at start, and says so clearly when even that cannot hold the
// configured connections (accept would fail with EMFILE under load instead).

#include "proxy/config/config.h"

#include <cstdint>
#include <string>

namespace levee {

struct DescriptorBudget {
  std::uint64_t limit = 0;   // the soft limit in force after raising it
  std::uint64_t needed = 0;  // client connections + upstream connections (in use and idle) + margin
  std::string raise_error;   // why the soft limit could not be raised, "" when it was (or was enough)
};

// Raises the soft limit to the hard one and compares it with what `config` may open.
DescriptorBudget raise_descriptor_limit(const config::Config& config);

}  // namespace levee
