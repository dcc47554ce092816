#include "proxy/cpu_affinity.h"

#include "proxy/http/worker_pool.h"

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <sched.h>

#include <chrono>
#include <future>

namespace levee {
namespace {

using config::CpuAffinity;

WorkerCpus assigned(const CpuAffinity& affinity, const std::vector<unsigned>& allowed, std::size_t workers) {
  auto result = assign_worker_cpus(affinity, allowed, workers);
  if (auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *error;
    return {};
  }
  return std::get<WorkerCpus>(result);
}

TEST(CpuAffinity, OffLeavesEveryWorkerToTheKernel) {
  EXPECT_EQ(assigned(CpuAffinity{}, {0, 1}, 3), WorkerCpus(3));
}

TEST(CpuAffinity, AutoTakesTheAllowedCpusInOrderAndWrapsRound) {
  // A container's cpuset need not start at 0.
  const CpuAffinity automatic{.mode = CpuAffinity::Mode::automatic, .cpus = {}};
  EXPECT_EQ(assigned(automatic, {2, 5}, 3), (WorkerCpus{2, 5, 2}));
}

TEST(CpuAffinity, AListPlacesWorkerIOnItsIthCpu) {
  const CpuAffinity listed{.mode = CpuAffinity::Mode::listed, .cpus = {1, 3}};
  EXPECT_EQ(assigned(listed, {0, 1, 2, 3}, 3), (WorkerCpus{1, 3, 1}));
}

TEST(CpuAffinity, AListedCpuLeveeMayNotUseIsRefusedByName) {
  const CpuAffinity listed{.mode = CpuAffinity::Mode::listed, .cpus = {1, 7}};
  auto result = assign_worker_cpus(listed, {0, 1, 2, 3}, 2);
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_EQ(std::get<std::string>(result),
            "server.cpu_affinity: CPU 7 is not one levee may run on (allowed: 0-3)");
}

// The thread a worker runs on may run on `cpu` alone.
std::vector<unsigned> cpus_of_thread_running(boost::asio::io_context& context) {
  std::promise<std::vector<unsigned>> cpus;
  auto answered = cpus.get_future();
  boost::asio::post(context, [&cpus] {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<unsigned> found;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
      for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) found.push_back(cpu);
    cpus.set_value(found);
  });
  if (answered.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {};
  return answered.get();
}

TEST(CpuAffinity, AStartedWorkerRunsOnItsCpuAndAnUnpinnedOneAnywhere) {
  const std::vector<unsigned> allowed = allowed_cpus();
  ASSERT_FALSE(allowed.empty());
  http::WorkerPool pool(2);
  pool.start({allowed.back(), std::nullopt});
  EXPECT_EQ(cpus_of_thread_running(pool.context(0)), (std::vector<unsigned>{allowed.back()}));
  EXPECT_EQ(cpus_of_thread_running(pool.context(1)), allowed);
  pool.stop();
  pool.join();
}

}  // namespace
}  // namespace levee
