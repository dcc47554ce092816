#include "proxy/cpu_quota.h"

#include <gtest/gtest.h>

namespace levee {
namespace {

CgroupCpuFiles v2(std::string cpu_max) {
  CgroupCpuFiles files;
  files.v2_cpu_max = std::move(cpu_max);
  return files;
}
CgroupCpuFiles v1(std::string quota, std::string period) {
  CgroupCpuFiles files;
  files.v1_cfs_quota_us = std::move(quota);
  files.v1_cfs_period_us = std::move(period);
  return files;
}

TEST(CpuQuota, CgroupV2MaxMeansNoQuota) {
  EXPECT_EQ(parse_cpu_quota(v2("max 100000\n")).cpus, std::nullopt);
}

TEST(CpuQuota, CgroupV2QuotaIsRoundedUpToWholeCpus) {
  EXPECT_EQ(parse_cpu_quota(v2("200000 100000\n")).cpus, 2u);
  EXPECT_EQ(parse_cpu_quota(v2("150000 100000")).cpus, 2u);
  EXPECT_EQ(parse_cpu_quota(v2("50000 100000")).cpus, 1u);   // half a CPU still needs a worker
  EXPECT_EQ(parse_cpu_quota(v2("100000 100000")).cpus, 1u);
  EXPECT_EQ(parse_cpu_quota(v2("400000 50000")).cpus, 8u);
}

TEST(CpuQuota, CgroupV2WithoutAPeriodUsesTheKernelDefault) {
  EXPECT_EQ(parse_cpu_quota(v2("300000")).cpus, 3u);
}

TEST(CpuQuota, GarbageIsIgnoredAndSaysSo) {
  for (const char* text : {"", "lots 100000", "100000 0", "-5 100000", "100000 x"}) {
    const CpuQuota quota = parse_cpu_quota(v2(text));
    EXPECT_EQ(quota.cpus, std::nullopt) << text;
    EXPECT_NE(quota.source.find("ignored"), std::string::npos) << quota.source;
  }
}

TEST(CpuQuota, CgroupV1IsTheFallback) {
  EXPECT_EQ(parse_cpu_quota(v1("-1\n", "100000\n")).cpus, std::nullopt);
  EXPECT_EQ(parse_cpu_quota(v1("250000\n", "100000\n")).cpus, 3u);
  EXPECT_EQ(parse_cpu_quota(v1("250000", "")).cpus, std::nullopt);
}

TEST(CpuQuota, CgroupV2WinsOverV1) {
  CgroupCpuFiles both = v1("400000", "100000");
  both.v2_cpu_max = "100000 100000";
  EXPECT_EQ(parse_cpu_quota(both).cpus, 1u);
}

TEST(CpuQuota, NoFilesNoQuota) {
  const CpuQuota quota = parse_cpu_quota({});
  EXPECT_EQ(quota.cpus, std::nullopt);
  EXPECT_NE(quota.source.find("no cgroup"), std::string::npos);
}

TEST(WorkerThreads, AConfiguredCountWins) {
  const WorkerThreads chosen = choose_worker_threads(3, 64, v2("100000 100000"));
  EXPECT_EQ(chosen.count, 3u);
  EXPECT_NE(chosen.reason.find("server.threads: 3"), std::string::npos) << chosen.reason;
}

TEST(WorkerThreads, ZeroTakesTheQuotaWhenBelowTheHardware) {
  const WorkerThreads chosen = choose_worker_threads(0, 64, v2("150000 100000"));
  EXPECT_EQ(chosen.count, 2u);
  EXPECT_NE(chosen.reason.find("quota"), std::string::npos) << chosen.reason;
  EXPECT_NE(chosen.reason.find("150000 100000"), std::string::npos) << chosen.reason;
  EXPECT_NE(chosen.reason.find("64 hardware threads"), std::string::npos) << chosen.reason;
}

TEST(WorkerThreads, ZeroTakesTheHardwareWhenTheQuotaIsLargerOrAbsent) {
  EXPECT_EQ(choose_worker_threads(0, 4, v2("1600000 100000")).count, 4u);
  const WorkerThreads chosen = choose_worker_threads(0, 4, v2("max 100000"));
  EXPECT_EQ(chosen.count, 4u);
  EXPECT_NE(chosen.reason.find("no quota"), std::string::npos) << chosen.reason;
}

TEST(WorkerThreads, AtLeastOneWhenTheHardwareCannotBeTold) {
  EXPECT_EQ(choose_worker_threads(0, 0, {}).count, 1u);
}

TEST(WorkerThreads, TheReaderFindsNothingUnderAMissingRoot) {
  const CgroupCpuFiles files = read_cgroup_cpu_files("/nonexistent-levee-cgroup");
  EXPECT_FALSE(files.v2_cpu_max);
  EXPECT_FALSE(files.v1_cfs_quota_us);
}

}  // namespace
}  // namespace levee
