// server.cpu_affinity: the CPU list grammar and how the loader reads the setting.

#include <gtest/gtest.h>

#include "config_test_support.h"
#include "proxy/config/cpu_list.h"

namespace levee::config {
namespace {

using testing::contains;
using testing::load_ok;
using testing::load_one_error;

std::vector<unsigned> cpus_of(std::string_view text) {
  auto parsed = parse_cpu_list(text);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << text << ": " << *error;
    return {};
  }
  return std::get<std::vector<unsigned>>(parsed);
}

std::string error_of(std::string_view text) {
  auto parsed = parse_cpu_list(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  ADD_FAILURE() << text << " parsed as a CPU list";
  return {};
}

TEST(CpuList, ReadsNumbersAndRangesInAnyOrderOnceEach) {
  EXPECT_EQ(cpus_of("3"), (std::vector<unsigned>{3}));
  EXPECT_EQ(cpus_of("0-3,6"), (std::vector<unsigned>{0, 1, 2, 3, 6}));
  EXPECT_EQ(cpus_of("6,2-3,3"), (std::vector<unsigned>{2, 3, 6}));
}

TEST(CpuList, RefusesWhatIsNotAList) {
  EXPECT_TRUE(contains(error_of(""), "got nothing"));
  EXPECT_TRUE(contains(error_of("0-"), "'0-'"));
  EXPECT_TRUE(contains(error_of("1,,2"), "'1,,2'"));
  EXPECT_TRUE(contains(error_of("two"), "'two'"));
  EXPECT_TRUE(contains(error_of("-1"), "'-1'"));
  EXPECT_TRUE(contains(error_of("3-1"), "backwards"));
  EXPECT_TRUE(contains(error_of("0-9000"), "beyond"));
}

TEST(CpuList, WritesRunsAsRanges) {
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 6}), "0-3,6");
  EXPECT_EQ(format_cpu_list({1, 3}), "1,3");
  EXPECT_EQ(format_cpu_list({}), "");
}

TEST(CpuAffinityConfig, OffByDefault) {
  EXPECT_EQ(load_ok("").server.cpu_affinity.mode, CpuAffinity::Mode::off);
  EXPECT_EQ(load_ok("server: {cpu_affinity: off}\n").server.cpu_affinity.mode, CpuAffinity::Mode::off);
  // What a YAML 1.1 tool (PyYAML) writes back for an unquoted off.
  EXPECT_EQ(load_ok("server: {cpu_affinity: false}\n").server.cpu_affinity.mode, CpuAffinity::Mode::off);
}

TEST(CpuAffinityConfig, AutoOrACpuList) {
  EXPECT_EQ(load_ok("server: {cpu_affinity: auto}\n").server.cpu_affinity.mode, CpuAffinity::Mode::automatic);
  const CpuAffinity listed = load_ok("server: {cpu_affinity: \"2-3\"}\n").server.cpu_affinity;
  EXPECT_EQ(listed.mode, CpuAffinity::Mode::listed);
  EXPECT_EQ(listed.cpus, (std::vector<unsigned>{2, 3}));
  // A single number is a list of one, whatever YAML makes of it.
  EXPECT_EQ(load_ok("server: {cpu_affinity: 5}\n").server.cpu_affinity.cpus, (std::vector<unsigned>{5}));
}

TEST(CpuAffinityConfig, ABadValueNamesTheKeyAndWhatIsExpected) {
  const ConfigError e = load_one_error("server:\n  cpu_affinity: all\n");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.key_path, "server.cpu_affinity");
  EXPECT_TRUE(contains(e.message, "expected off, auto or a CPU list")) << e.message;
}

}  // namespace
}  // namespace levee::config
