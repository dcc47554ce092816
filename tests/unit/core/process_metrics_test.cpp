#include "proxy/observability/process_metrics.h"

#include <gtest/gtest.h>

namespace levee::observability {
namespace {

// A real /proc/self/stat line (Linux 6.x), command name with a space and a ')'.
constexpr std::string_view stat_line =
    "4242 (levee (w) 1) S 1 4242 4242 0 -1 4194560 1520 0 0 0 137 42 0 0 20 0 3 0 88123 "
    "231124992 2048 18446744073709551615 1 1 0 0 0 0 0 4096 17003 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcStat, ReadsCpuStartAndMemoryFields) {
  const auto stat = parse_proc_stat(stat_line);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->user_ticks, 137u);
  EXPECT_EQ(stat->system_ticks, 42u);
  EXPECT_EQ(stat->start_ticks, 88123u);
  EXPECT_EQ(stat->virtual_bytes, 231124992u);
  EXPECT_EQ(stat->resident_pages, 2048u);
}

TEST(ProcStat, RefusesWhatIsNotAStatLine) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("4242 levee S 1"));
  EXPECT_FALSE(parse_proc_stat("4242 (levee) S 1 2 3"));  // too short
  EXPECT_FALSE(parse_proc_stat("4242 (levee) S 1 4242 4242 0 -1 4194560 1520 0 0 0 x 42 0 0 20 0 3 0 1 2 3"));
}

TEST(BootTime, ReadsTheBtimeLine) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\ncpu0 1 2 3\nintr 5\nctxt 9\nbtime 1764650000\nprocesses 7\n"),
            1764650000u);
  EXPECT_FALSE(parse_boot_time("cpu 1 2 3\n"));
}

TEST(ProcessFamilies, HaveTheConventionalNamesAndTypes) {
  ProcessSample sample;
  sample.cpu_seconds = 1.5;
  sample.resident_bytes = 8e6;
  sample.virtual_bytes = 2e8;
  sample.open_fds = 12;
  sample.max_fds = 1024;
  sample.start_time_seconds = 1764650000.5;
  const auto families = process_families(sample);
  ASSERT_EQ(families.size(), 6u);
  EXPECT_EQ(families[0].name, "process_cpu_seconds_total");
  EXPECT_EQ(families[0].type, prometheus::MetricType::Counter);
  EXPECT_DOUBLE_EQ(families[0].metric.at(0).counter.value, 1.5);
  EXPECT_EQ(families[1].name, "process_resident_memory_bytes");
  EXPECT_DOUBLE_EQ(families[1].metric.at(0).gauge.value, 8e6);
  EXPECT_EQ(families[3].name, "process_open_fds");
  EXPECT_EQ(families[4].name, "process_max_fds");
  EXPECT_EQ(families[5].name, "process_start_time_seconds");
}

TEST(ProcessFamilies, LeaveOutWhatCouldNotBeRead) {
  EXPECT_EQ(process_families(ProcessSample{}).size(), 3u);
}

TEST(ProcessCollector, ReadsThisProcess) {
  const auto families = ProcessCollector().Collect();
  ASSERT_EQ(families.size(), 6u);
  EXPECT_GT(families[1].metric.at(0).gauge.value, 0);  // resident bytes
  EXPECT_GT(families[3].metric.at(0).gauge.value, 2);  // stdin, stdout, stderr at least
  EXPECT_GT(families[5].metric.at(0).gauge.value, 1.6e9);  // started after 2020
}

}  // namespace
}  // namespace levee::observability
