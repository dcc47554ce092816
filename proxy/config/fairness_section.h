#pragma once
// The YAML schema of fair admission: `fairness:` inside `admission:`, a group or a route's
// `admission:` block, onto policy::FairnessSettings (one field per key).
//
//   fairness:
//     key:                      # one part (a map) or a list of parts, joined with '|'
//       - header: X-Tenant      # or client_address: true | query: q | cookie: c | path_segment: 2
//         hash: false
//     flows: [{name: batch, key: "batch-job", weight: 1, cap: 20}]
//     top_flows: 10
//     recent_keys: 131072
//
// Internal to the loader. Like every admission block it merges over the defaults key by key:
// a group that names `key` (or `flows`) replaces the default list whole, since a key that
// appended parts to the defaults' would be read nowhere as written.

#include <string>
#include <string_view>

#include "proxy/config/map_reader.h"
#include "proxy/config/read_context.h"
#include "proxy/policy/fairness_settings.h"

namespace levee::config::detail {

void read_fairness(MapReader& r, policy::FairnessSettings& fairness);

// Where a policy::validate(FairnessSettings) message belongs: the key it names under the
// admission block at `path` ("admission.groups[0]" -> "admission.groups[0].fairness.flows").
std::string fairness_problem_path(std::string_view problem, const std::string& path);

}  // namespace levee::config::detail
