#include "proxy/thread_name.h"

#include <pthread.h>

#include <algorithm>
#include <array>

namespace levee {

namespace {
// The kernel's limit (TASK_COMM_LEN) with the terminating zero.
constexpr std::size_t max_name_with_zero = 16;
}  // namespace

void name_this_thread(std::string_view name) {
  std::array<char, max_name_with_zero> buffer{};
  const std::size_t length = std::min(name.size(), buffer.size() - 1);
  std::copy_n(name.data(), length, buffer.data());
  pthread_setname_np(pthread_self(), buffer.data());
}

std::string this_thread_name() {
  std::array<char, max_name_with_zero> buffer{};
  if (pthread_getname_np(pthread_self(), buffer.data(), buffer.size()) != 0) return {};
  return buffer.data();
}

}  // namespace levee
