#pragma once
// How many workers `server.threads: 0` means: one per CPU levee may actually use. In a
// container that is the cgroup's CPU quota, not the node's cores: hardware_concurrency() says
// 64 on a big node while the pod's limit is 1 CPU, and 64 workers time-sliced into 1 CPU get
// throttled in bursts (each CFS period's quota spent by many threads at once), which shows up
// as latency spikes the adaptive limit mistakes for overload.
//
// The parsing is pure (file contents in, decision out) so it is tested on strings; the reader
// only loads the files, once, at start (before any I/O thread runs).

#include <optional>
#include <string>

namespace levee {

// The contents of the cgroup files that bound the CPU; nullopt where a file is absent.
struct CgroupCpuFiles {
  std::optional<std::string> v2_cpu_max;       // cgroup v2 cpu.max: "max 100000", "150000 100000"
  std::optional<std::string> v1_cfs_quota_us;  // cgroup v1 cpu.cfs_quota_us: "-1", "150000"
  std::optional<std::string> v1_cfs_period_us; // cgroup v1 cpu.cfs_period_us: "100000"
};

struct CpuQuota {
  std::optional<unsigned> cpus;  // the quota rounded up to whole CPUs; nullopt: no quota
  std::string source;            // what was read, for the start-up log
};

// cgroup v2 first (cpu.max), then v1 (cfs_quota_us / cfs_period_us). A quota of 1.5 CPUs
// gives 2: the second worker has half a CPU, better than leaving it idle.
CpuQuota parse_cpu_quota(const CgroupCpuFiles& files);

struct WorkerThreads {
  unsigned count = 1;
  std::string reason;  // logged at start: what was chosen and why
};

// `configured` is server.threads (0: automatic); the result is at least 1.
WorkerThreads choose_worker_threads(unsigned configured, unsigned hardware_threads, const CgroupCpuFiles& files);

// Reads the files under `root` (a container sees its own cgroup at /sys/fs/cgroup).
CgroupCpuFiles read_cgroup_cpu_files(const std::string& root = "/sys/fs/cgroup");

}  // namespace levee
