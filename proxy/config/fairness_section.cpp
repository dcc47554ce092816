#include "proxy/config/fairness_section.h"

#include <array>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "proxy/config/sections.h"

namespace levee::config::detail {
namespace {

using policy::FlowKeyPart;

// The YAML key of each source is the part's name (policy::name), so the list stays in sync
// with the enum.
std::vector<std::string> source_words() {
  std::vector<std::string> words;
  for (const FlowKeyPart part : policy::all_flow_key_parts) words.emplace_back(policy::name(part));
  return words;
}

// One part of the key: exactly one source, and whether to show it hashed.
policy::FlowKeySource read_key_part(MapReader& r) {
  policy::FlowKeySource source;
  std::vector<std::string> present;
  for (const FlowKeyPart part : policy::all_flow_key_parts) {
    if (r.has(policy::name(part))) present.emplace_back(policy::name(part));
  }
  // No source but a key finish() will call unknown ("heder:"): that error, with its suggestion,
  // says it better.
  const bool misspelt = present.empty() && r.key_count() > (r.has("hash") ? 1u : 0u);
  if (present.size() != 1 && !misspelt) {
    // Two sources in one map is most likely a list written without its dashes: say so.
    const std::string got = present.empty() ? "none" : fmt::format("{}", fmt::join(present, " and "));
    std::string message =
        fmt::format("a key part needs exactly one source ({}); got {}", fmt::join(source_words(), ", "), got);
    if (present.size() > 1) message += "; to combine parts, list each as its own item (- header: ...)";
    r.context().error_at(r.path(), std::move(message));
  }
  if (!present.empty()) source.part = policy::parse_flow_key_part(present.front()).value_or(FlowKeyPart::header);
  switch (source.part) {
    case FlowKeyPart::header:
      r.string("header", source.name, check_header_name);
      break;
    case FlowKeyPart::query:
      r.string("query", source.name);
      break;
    case FlowKeyPart::cookie:
      r.string("cookie", source.name);
      break;
    case FlowKeyPart::path_segment:
      r.integer<std::uint32_t>("path_segment", source.segment, 1, 1000);
      break;
    case FlowKeyPart::client_address: {
      bool on = true;
      r.boolean("client_address", on);
      // `false` would read as a part that is never there: a key that silently never matches.
      if (!on) r.context().error_at(r.path() + ".client_address", "write `client_address: true`, or drop the part");
      break;
    }
  }
  r.boolean("hash", source.hash);
  return source;
}

void read_named_flow(MapReader& r, policy::NamedFlowSettings& flow) {
  r.require("name");
  r.require("key");
  r.string("name", flow.name, check_name);
  r.string("key", flow.key);
  r.integer<std::uint32_t>("weight", flow.weight, 1, 1000);
  r.integer<std::uint32_t>("cap", flow.cap, 0, 1'000'000);
}

}  // namespace

void read_fairness(MapReader& r, policy::FairnessSettings& fairness) {
  if (r.has("key")) {
    std::vector<policy::FlowKeySource> key;
    r.map_or_list("key", [&](MapReader& part, std::size_t) { key.push_back(read_key_part(part)); });
    fairness.key = std::move(key);  // `key: ~` or `key: []` turns fairness off for this group
  }
  if (r.has("flows")) {
    std::vector<policy::NamedFlowSettings> flows;
    r.list("flows", [&](MapReader& item, std::size_t) { read_named_flow(item, flows.emplace_back()); });
    fairness.flows = std::move(flows);
  }
  r.integer<std::uint32_t>("top_flows", fairness.top_flows, 0, 100);
  r.integer<std::uint32_t>("recent_keys", fairness.recent_keys, 1024, 1u << 24);
}

std::string fairness_problem_path(std::string_view problem, const std::string& path) {
  // Messages start with the field they are about: "fairness.key: ...", "fairness.flows needs ...".
  return fmt::format("{}.{}", path, problem.substr(0, problem.find_first_of(": ")));
}

}  // namespace levee::config::detail
