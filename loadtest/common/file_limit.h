#pragma once
// Raising the process's descriptor limit: every connection is a descriptor, and both the
// generator under a retry storm and the collapsing backend hold thousands. The soft limit is
// often 1024 while the hard limit allows far more.

#include <cstddef>

namespace levee::load {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the resulting soft limit
// (0 if it cannot be read; SIZE_MAX when unlimited).
std::size_t raise_file_limit();

}  // namespace levee::load
