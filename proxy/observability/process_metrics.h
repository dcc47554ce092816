#pragma once
// The conventional process_* metrics every Prometheus client library exports (prometheus-cpp
// has none): CPU seconds, resident and virtual memory, open and maximum descriptors, start
// time. Computed at scrape time from /proc, so nothing runs between scrapes.
//
// The /proc parsing is pure (text in, numbers out) and tested on sample strings; the collector
// only reads the files. Linux only: elsewhere Collect() returns what it could read (nothing).
// Thread safety: Collect() reads only; it may run on any thread, once at a time or not.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace levee::observability {

// The fields of /proc/self/stat that the metrics need, in the kernel's units.
struct ProcStat {
  std::uint64_t user_ticks = 0;        // utime (field 14), clock ticks
  std::uint64_t system_ticks = 0;      // stime (field 15)
  std::uint64_t start_ticks = 0;       // starttime (field 22), ticks after boot
  std::uint64_t virtual_bytes = 0;     // vsize (field 23)
  std::uint64_t resident_pages = 0;    // rss (field 24)
};

// nullopt when the text is not a /proc/<pid>/stat line. The command name (field 2) is in
// parentheses and may itself hold spaces and ')', so fields are counted from the last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// The "btime" line of /proc/stat: boot time, seconds since the epoch.
std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat);

struct ProcessSample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  std::optional<double> open_fds;
  std::optional<double> max_fds;
  std::optional<double> start_time_seconds;
};

// The metric families of one sample, with the conventional names and help.
std::vector<prometheus::MetricFamily> process_families(const ProcessSample& sample);

class ProcessCollector final : public prometheus::Collectable {
 public:
  ProcessCollector();  // reads the start time once: it cannot change
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::optional<double> start_time_seconds_;
  double ticks_per_second_;
  double page_bytes_;
};

}  // namespace levee::observability
