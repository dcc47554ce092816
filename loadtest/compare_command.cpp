#include "compare_command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <optional>

#include "report/compare_report.h"

namespace levee::load {
namespace {

struct CompareFlags {
  std::string first, second, output;
};

std::optional<nlohmann::json> read_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    fmt::print(stderr, "levee-load compare: cannot read {}\n", path);
    return std::nullopt;
  }
  auto doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded()) {
    fmt::print(stderr, "levee-load compare: {} is not JSON\n", path);
    return std::nullopt;
  }
  return doc;
}

int compare(const CompareFlags& flags) {
  const auto a = read_report(flags.first);
  const auto b = read_report(flags.second);
  if (!a || !b) return 2;
  const ComparePage page = compare_report(*a, *b);
  if (!page.error.empty()) {
    fmt::print(stderr, "levee-load compare: {}: {}\n", flags.first + " / " + flags.second, page.error);
    return 2;
  }
  std::ofstream out(flags.output, std::ios::trunc);
  out << page.html;
  if (!out) {
    fmt::print(stderr, "levee-load compare: cannot write {}\n", flags.output);
    return 2;
  }
  return 0;
}

}  // namespace

std::function<int()> add_compare_command(CLI::App& app) {
  auto flags = std::make_shared<CompareFlags>();
  auto* cmd = app.add_subcommand("compare", "Overlay two runs' JSON reports on one HTML page (goodput, shed, latency)");
  cmd->add_option("first", flags->first, "JSON report of the first run (drawn red), e.g. the service alone")->required();
  cmd->add_option("second", flags->second, "JSON report of the second run (drawn green), e.g. behind levee")->required();
  cmd->add_option("-o,--output", flags->output, "Write the HTML page here")->required();
  return [flags] { return compare(*flags); };
}

}  // namespace levee::load
