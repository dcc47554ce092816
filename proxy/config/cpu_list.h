#pragma once
// The Linux CPU list grammar ("0-3,6", as taskset -c, cpuset.cpus and /proc/self/status's
// Cpus_allowed_list write it), for server.cpu_affinity.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace levee::config {

// The highest CPU number a list may name (the kernel's CONFIG_NR_CPUS at most).
inline constexpr unsigned max_cpu_number = 8191;

// The CPUs of `text`, ascending and without duplicates, or why it is not a CPU list.
std::variant<std::vector<unsigned>, std::string> parse_cpu_list(std::string_view text);

// `cpus` (ascending) written back in the same grammar, runs as ranges: {0,1,2,3,6} -> "0-3,6".
std::string format_cpu_list(const std::vector<unsigned>& cpus);

}  // namespace levee::config
