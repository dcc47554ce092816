#include "profile/request_mix_loader.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "profile/yaml_read.h"

namespace levee::load {
namespace {

std::string read_body_file(const YAML::Node& node, const std::string& key, const std::filesystem::path& folder) {
  const std::filesystem::path path = folder / node.as<std::string>();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  if (!in) throw PlanError{fmt::format("{}{}: cannot read {}", where(node), key, path.string())};
  return body.str();
}

WeightedRequest read_entry(const YAML::Node& map, const std::string& prefix, const RequestTemplate& defaults,
                           const std::filesystem::path& folder) {
  if (!map.IsMap()) throw PlanError{fmt::format("{}{}: expected a map (weight, method, path, headers, body, body_file)", where(map), prefix)};
  WeightedRequest entry{defaults, 1};
  bool has_body = false;
  for (const auto& item : map) {
    const auto k = item.first.as<std::string>();
    const YAML::Node& value = item.second;
    const std::string key = prefix + "." + k;
    if (k == "weight") {
      entry.weight = value.as<double>();
      if (!std::isfinite(entry.weight) || entry.weight <= 0)
        throw PlanError{fmt::format("{}{}: expected a positive number, got {}", where(value), key, value.as<std::string>())};
    } else if (k == "method") {
      entry.request.method = value.as<std::string>();
    } else if (k == "path") {
      entry.request.path = value.as<std::string>();
      if (entry.request.path.empty() || entry.request.path.front() != '/')
        throw PlanError{fmt::format("{}{}: expected a path starting with /, got '{}'", where(value), key, entry.request.path)};
    } else if (k == "headers") {
      if (!value.IsMap()) throw PlanError{fmt::format("{}{}: expected a map of header names to values", where(value), key)};
      for (const auto& h : value) entry.request.headers.emplace_back(h.first.as<std::string>(), h.second.as<std::string>());
    } else if (k == "body" || k == "body_file") {
      if (has_body) throw PlanError{fmt::format("{}{}: give body or body_file, not both", where(item.first), key)};
      has_body = true;
      entry.request.body = k == "body" ? value.as<std::string>() : read_body_file(value, key, folder);
    } else {
      throw PlanError{fmt::format("{}{}: unknown key (weight, method, path, headers, body, body_file)", where(item.first), key)};
    }
  }
  return entry;
}

}  // namespace

std::vector<WeightedRequest> read_request_mix(const YAML::Node& list, const RequestTemplate& defaults,
                                              const std::filesystem::path& profile_folder) {
  if (!list.IsSequence() || list.size() == 0)
    throw PlanError{fmt::format("{}requests: expected a list of requests (weight, method, path, headers, body_file)", where(list))};
  if (list.size() > max_mix_requests)
    throw PlanError{fmt::format("{}requests: at most {} requests, got {}", where(list), max_mix_requests, list.size())};
  std::vector<WeightedRequest> mix;
  for (std::size_t i = 0; i < list.size(); ++i)
    mix.push_back(read_entry(list[i], fmt::format("requests[{}]", i), defaults, profile_folder));
  return mix;
}

}  // namespace levee::load
