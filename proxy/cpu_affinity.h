#pragma once
// Where each worker thread runs (server.cpu_affinity): the assignment is pure (which CPU for
// which worker, from the setting and the CPUs levee may run on); pinning is one system call
// each worker makes on itself as it starts.
//
// Why offer it: on a host where levee has CPUs to itself, the kernel may still stack two busy
// workers on one CPU for a while, and each request on them waits for the other's turn. With
// two workers on a 2-CPU bench shared with the client and the service, the 99th percentile
// doubled when unpinned (bench/overhead/RESULTS.md). A sidecar that shares its CPUs with the
// service it guards should leave this off: a pinned worker cannot move away from a busy
// service thread.

#include "proxy/config/config.h"

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace levee {

// The CPU of each of `workers` workers (none: the kernel places it), or why the setting cannot
// be met: a listed CPU levee may not run on (`allowed`, ascending: sched_getaffinity's set).
using WorkerCpus = std::vector<std::optional<unsigned>>;
std::variant<WorkerCpus, std::string> assign_worker_cpus(const config::CpuAffinity& affinity,
                                                         const std::vector<unsigned>& allowed, std::size_t workers);

// The CPUs this process may run on (its affinity mask: a container's cpuset, taskset), ascending.
std::vector<unsigned> allowed_cpus();

// Pins the calling thread to `cpu`; false, with errno set, when the kernel refuses.
bool pin_this_thread(unsigned cpu);

}  // namespace levee
