#pragma once
// What the loader does after reading: fill in list defaults, then check the rules that span
// several keys (unique names, routes pointing at real upstreams).
//
// Internal to the loader. Single-value rules (ranges, forms) live with the binders in
// sections.cpp, where the bad value's position is at hand; these checks find positions
// again through ReadContext::error_at.

#include "proxy/config/config.h"
#include "proxy/config/read_context.h"

namespace levee::config::detail {

// With no upstreams: one named "service" at 127.0.0.1:8081. With no routes: one named
// "default" for "/" to the first upstream. A route without `upstream` uses the only
// upstream when there is exactly one. Errors go to context.
void finalize(Config& config, ReadContext& context);

}  // namespace levee::config::detail
