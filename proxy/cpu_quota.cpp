#include "proxy/cpu_quota.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string_view>

namespace levee {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::optional<std::int64_t> to_integer(std::string_view text) {
  text = trim(text);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ceil(quota / period), for a quota and period that are both positive.
unsigned whole_cpus(std::int64_t quota, std::int64_t period) {
  const std::int64_t cpus = (quota + period - 1) / period;
  return static_cast<unsigned>(std::clamp<std::int64_t>(cpus, 1, 65536));
}

}  // namespace

CpuQuota parse_cpu_quota(const CgroupCpuFiles& files) {
  if (files.v2_cpu_max) {
    const std::string_view text = trim(*files.v2_cpu_max);
    const std::string source = fmt::format("cgroup v2 cpu.max '{}'", text);
    const auto space = text.find(' ');
    const std::string_view quota = text.substr(0, space);
    const auto period = space == std::string_view::npos ? std::optional<std::int64_t>(100000)  // the kernel's default
                                                        : to_integer(text.substr(space + 1));
    if (quota == "max") return {std::nullopt, source + ": no quota"};
    const auto quota_us = to_integer(quota);
    if (!quota_us || !period || *quota_us <= 0 || *period <= 0) return {std::nullopt, source + ": not understood, ignored"};
    return {whole_cpus(*quota_us, *period), fmt::format("{} = {:.2f} CPUs", source, double(*quota_us) / double(*period))};
  }
  if (files.v1_cfs_quota_us && files.v1_cfs_period_us) {
    const auto quota = to_integer(*files.v1_cfs_quota_us);
    const auto period = to_integer(*files.v1_cfs_period_us);
    const std::string source = fmt::format("cgroup v1 cpu.cfs_quota_us {} / cpu.cfs_period_us {}",
                                           trim(*files.v1_cfs_quota_us), trim(*files.v1_cfs_period_us));
    if (quota && *quota == -1) return {std::nullopt, source + ": no quota"};
    if (!quota || !period || *quota <= 0 || *period <= 0) return {std::nullopt, source + ": not understood, ignored"};
    return {whole_cpus(*quota, *period), fmt::format("{} = {:.2f} CPUs", source, double(*quota) / double(*period))};
  }
  return {std::nullopt, "no cgroup CPU quota file"};
}

WorkerThreads choose_worker_threads(unsigned configured, unsigned hardware_threads, const CgroupCpuFiles& files) {
  if (configured > 0) return {configured, fmt::format("server.threads: {}", configured)};
  const unsigned hardware = std::max(1u, hardware_threads);  // 0 when the runtime cannot tell
  const CpuQuota quota = parse_cpu_quota(files);
  if (quota.cpus && *quota.cpus < hardware)
    return {*quota.cpus, fmt::format("server.threads 0: the CPU quota ({}), below the {} hardware threads",
                                     quota.source, hardware)};
  return {hardware, fmt::format("server.threads 0: the {} hardware threads ({})", hardware, quota.source)};
}

CgroupCpuFiles read_cgroup_cpu_files(const std::string& root) {
  const auto read = [](const std::string& path) -> std::optional<std::string> {
    std::ifstream file(path);
    if (!file) return std::nullopt;
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
  };
  CgroupCpuFiles files;
  files.v2_cpu_max = read(root + "/cpu.max");
  if (!files.v2_cpu_max) {
    // cgroup v1 mounts the controller as cpu,cpuacct (and links cpu to it on most systems).
    for (const char* dir : {"/cpu", "/cpu,cpuacct", "/cpuacct,cpu"}) {
      files.v1_cfs_quota_us = read(root + dir + "/cpu.cfs_quota_us");
      files.v1_cfs_period_us = read(root + dir + "/cpu.cfs_period_us");
      if (files.v1_cfs_quota_us && files.v1_cfs_period_us) break;
    }
  }
  return files;
}

}  // namespace levee
