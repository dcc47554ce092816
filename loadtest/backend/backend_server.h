#pragma once
// `levee-load backend`: binds, prints the one "listening on" line, serves until SIGTERM/SIGINT.

#include "backend/backend_config.h"

namespace levee::load {

// Returns the process exit code: 0 after a signal, 2 when the address cannot be used.
int run_backend(const BackendConfig& config);

}  // namespace levee::load
