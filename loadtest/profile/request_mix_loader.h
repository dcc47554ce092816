#pragma once
// Reads a profile's `requests:` list, a request mix:
//   requests:
//     - {weight: 8, path: /items}
//     - {weight: 2, method: POST, path: /orders, headers: {Content-Type: application/json},
//        body_file: bodies/order.json}
// Each entry starts from the run's request (`request:` and --header: method, headers, and how
// retries and deadlines are marked) and overrides what it names; its headers are added to the
// shared ones. body_file is read whole, relative to the profile's folder. Errors throw PlanError
// naming the line and key ("line 9: requests[1].body_file: cannot read ...").

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <vector>

#include "client/request_mix.h"

namespace levee::load {

// At most this many templates (the user record keeps the index in a byte).
inline constexpr std::size_t max_mix_requests = 100;

std::vector<WeightedRequest> read_request_mix(const YAML::Node& list, const RequestTemplate& defaults,
                                              const std::filesystem::path& profile_folder);

}  // namespace levee::load
