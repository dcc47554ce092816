#include "proxy/http/worker_pool.h"

#include "proxy/thread_name.h"

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace levee::http {
namespace {

std::string name_of_thread_running(boost::asio::io_context& context) {
  std::promise<std::string> name;
  auto named = name.get_future();
  boost::asio::post(context, [&name] { name.set_value(this_thread_name()); });
  if (named.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return "(no answer)";
  return named.get();
}

TEST(WorkerPool, EachWorkerThreadCarriesItsNumber) {
  WorkerPool pool(2);
  pool.start();
  EXPECT_EQ(name_of_thread_running(pool.context(0)), "worker-0");
  EXPECT_EQ(name_of_thread_running(pool.context(1)), "worker-1");
  pool.stop();
  pool.join();
}

TEST(ThreadName, ALongNameIsCutToWhatLinuxKeeps) {
  std::promise<std::string> name;
  std::thread([&name] {
    name_this_thread("a-name-longer-than-fifteen-bytes");
    name.set_value(this_thread_name());
  }).join();
  EXPECT_EQ(name.get_future().get(), "a-name-longer-t");
}

}  // namespace
}  // namespace levee::http
