#pragma once
// The YAML schema of the overload guard: `admission:`, `shed_response:`, `request_headers:`
// and the guard keys of a route (priority, timeout, admission_group, admission, retry).
//
// Internal to the loader. Group settings merge key by key: a group's or a route's
// `admission:` block starts from the top-level `admission:` values and overrides only the
// keys it names, so the top level reads as "defaults for every group".

#include "proxy/config/config.h"
#include "proxy/config/map_reader.h"
#include "proxy/config/read_context.h"

namespace levee::config::detail {

// The keys of one group (limit, queue, retry_budget, collapse, ...) onto `settings`.
void read_admission_settings(MapReader& r, policy::AdmissionSettings& settings);
void read_admission(MapReader& r, AdmissionConfig& admission);
void read_shed_response(MapReader& r, ShedResponseConfig& shed);
void read_request_headers(MapReader& r, RequestHeadersConfig& headers);
// Reads the guard keys of one route; `defaults` are the top-level admission settings.
void read_route_guard(MapReader& r, RouteConfig& route, const policy::AdmissionSettings& defaults);

// After reading: one group per route without a shared group, references checked, settings
// validated, the sorry page read (relative to the config file's directory). With admission
// disabled, references are still checked but no group is synthesized and every route's
// admission_group is "".
void finalize_admission(Config& config, ReadContext& context);

}  // namespace levee::config::detail
