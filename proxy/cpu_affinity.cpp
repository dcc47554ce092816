#include "proxy/cpu_affinity.h"

#include "proxy/config/cpu_list.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

namespace levee {

std::variant<WorkerCpus, std::string> assign_worker_cpus(const config::CpuAffinity& affinity,
                                                         const std::vector<unsigned>& allowed, std::size_t workers) {
  using Mode = config::CpuAffinity::Mode;
  if (affinity.mode == Mode::off) return WorkerCpus(workers);
  const std::vector<unsigned>& cpus = affinity.mode == Mode::automatic ? allowed : affinity.cpus;
  if (cpus.empty()) return std::string("server.cpu_affinity: levee may run on no CPU it can name");
  for (unsigned cpu : cpus) {
    if (!std::binary_search(allowed.begin(), allowed.end(), cpu))
      return fmt::format("server.cpu_affinity: CPU {} is not one levee may run on (allowed: {})", cpu,
                         config::format_cpu_list(allowed));
  }
  WorkerCpus assigned;
  assigned.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) assigned.push_back(cpus[i % cpus.size()]);
  return assigned;
}

std::vector<unsigned> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<unsigned> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

bool pin_this_thread(unsigned cpu) {
  if (cpu >= CPU_SETSIZE) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  const int error = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  if (error != 0) errno = error;  // pthread functions return the error rather than set errno
  return error == 0;
}

}  // namespace levee
