#include "proxy/observability/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace levee::observability {
namespace {

std::optional<std::string> read_file(const char* path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::optional<std::uint64_t> to_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) metric.counter.value = value;
  else metric.gauge.value = value;
  return prometheus::MetricFamily{name, help, type, {metric}};
}

// Entries of /proc/self/fd, less the one the directory listing itself holds open.
std::optional<double> count_open_fds() {
  std::error_code ec;
  std::filesystem::directory_iterator entries("/proc/self/fd", ec);
  if (ec) return std::nullopt;
  double count = 0;
  for (auto it = entries; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return std::nullopt;
    ++count;
  }
  return count > 0 ? count - 1 : 0;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // Fields from 3 (state) on, separated by single spaces.
  std::vector<std::string_view> fields;
  std::string_view rest = text.substr(close + 1);
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  const auto field = [&](std::size_t number) -> std::optional<std::uint64_t> {  // 1-based, as in proc(5)
    if (number < 3 || number - 3 >= fields.size()) return std::nullopt;
    return to_number(fields[number - 3]);
  };
  const auto user = field(14), system = field(15), start = field(22), vsize = field(23), rss = field(24);
  if (!user || !system || !start || !vsize || !rss) return std::nullopt;
  return ProcStat{*user, *system, *start, *vsize, *rss};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat) {
  std::size_t at = 0;
  while (at < proc_stat.size()) {
    const auto end = proc_stat.find('\n', at);
    const std::string_view line = proc_stat.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.rfind("btime ", 0) == 0) return to_number(line.substr(6));
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

std::vector<prometheus::MetricFamily> process_families(const ProcessSample& sample) {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> families{
      family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::Counter,
             sample.cpu_seconds),
      family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
             sample.resident_bytes),
      family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge, sample.virtual_bytes),
  };
  if (sample.open_fds)
    families.push_back(family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, *sample.open_fds));
  if (sample.max_fds)
    families.push_back(
        family("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge, *sample.max_fds));
  if (sample.start_time_seconds)
    families.push_back(family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                              MetricType::Gauge, *sample.start_time_seconds));
  return families;
}

ProcessCollector::ProcessCollector()
    : ticks_per_second_(static_cast<double>(sysconf(_SC_CLK_TCK))),
      page_bytes_(static_cast<double>(sysconf(_SC_PAGESIZE))) {
  const auto self = read_file("/proc/self/stat");
  const auto system = read_file("/proc/stat");
  if (!self || !system || ticks_per_second_ <= 0) return;
  const auto stat = parse_proc_stat(*self);
  const auto boot = parse_boot_time(*system);
  if (stat && boot)
    start_time_seconds_ = static_cast<double>(*boot) + static_cast<double>(stat->start_ticks) / ticks_per_second_;
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  const auto text = read_file("/proc/self/stat");
  const auto stat = text ? parse_proc_stat(*text) : std::nullopt;
  if (!stat || ticks_per_second_ <= 0) return {};
  ProcessSample sample;
  sample.cpu_seconds = static_cast<double>(stat->user_ticks + stat->system_ticks) / ticks_per_second_;
  sample.resident_bytes = static_cast<double>(stat->resident_pages) * page_bytes_;
  sample.virtual_bytes = static_cast<double>(stat->virtual_bytes);
  sample.open_fds = count_open_fds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    sample.max_fds = static_cast<double>(limit.rlim_cur);
  sample.start_time_seconds = start_time_seconds_;
  return process_families(sample);
}

}  // namespace levee::observability
