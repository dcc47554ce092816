// Bodies too large to buffer stream with the admission permit held: a client that uploads or
// reads them slowly must be cut off (listener.min_transfer_rate) and the route's slot come
// back. A limit-1 route with no queue makes the slot visible: while the slow client holds it,
// any other request gets 429; once it is cut, the next one is served.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/stack.h"
#include "support/waits.h"
#include "support/test_client.h"

namespace levee::testing {
namespace {
using namespace std::chrono_literals;

const std::string in_flight = R"(levee_admission_in_flight{group="default"})";
const std::string too_slow = R"(levee_errors_total{kind="client_too_slow"})";

// One slot, no queue; bodies over 1 KiB stream; a client must average 4 KiB/s over each 1 s
// window after a 1 s grace. body_timeout (inactivity) stays far longer than the test, so only
// the rate can cut.
std::string paced_config(unsigned short backend_port, const std::string& min_rate = "4KiB",
                         const std::string& listener_extra = "") {
  return basic_config("127.0.0.1:" + std::to_string(backend_port),
                      "  max_buffered_request_body: 1KiB\n  max_buffered_response_body: 1KiB\n"
                      "  min_transfer_rate: " + min_rate + "\n  transfer_rate_window: 1s\n"
                      "  transfer_rate_grace: 1s\n  body_timeout: 60s\n" + listener_extra) +
         "admission:\n  limit: {kind: fixed, initial: 1}\n  queue: {max_length: 0}\n"
         "  collapse: {enabled: false}\n  critical_reserved_share: 0\n";
}

TEST(SlowTransfer, ASlowUploadOfAStreamedBodyGets408AndFreesTheSlot) {
  auto backend = start_backend({"--workers", "2"});
  auto levee = start_levee(paced_config(backend.port));
  TestClient uploader(levee.port, 20s);
  uploader.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  // While it holds the slot, nobody else is served.
  EXPECT_EQ(fetch(levee.port, "GET", "/headers").status, 429u);
  // 20 bytes every 100 ms (200 B/s) until levee gives up; never another byte after, so the
  // 408 is not lost to a reset. Bounded: levee cuts at ~2 s, the loop gives up at 15 s.
  bool cut = false;
  for (int i = 0; i < 150 && !cut; ++i) {
    cut = metric_value(levee.admin_port, too_slow) == 1;
    if (!cut) {
      uploader.send_raw(std::string(20, 'u'));
      std::this_thread::sleep_for(100ms);
    }
  }
  ASSERT_TRUE(cut) << "a 200 B/s upload was never cut off";
  const auto answer = uploader.read_response();
  EXPECT_EQ(answer.status, 408u);
  EXPECT_FALSE(answer.keep_alive);
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 0));
  EXPECT_EQ(fetch(levee.port, "GET", "/headers").status, 200u);
}

TEST(SlowTransfer, AStalledReaderOfAStreamedResponseIsClosedAndFreesTheSlot) {
  auto backend = start_backend({"--workers", "2"});
  auto levee = start_levee(paced_config(backend.port));
  TestClient reader(levee.port, 20s);
  // Larger than every socket buffer on the way (levee's send and the client's receive buffer
  // take several MiB on loopback), so levee's writes must wait for the reader.
  reader.send_raw("GET /bytes?n=134217728 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  EXPECT_EQ(fetch(levee.port, "GET", "/headers").status, 429u);
  // The reader reads nothing: cut within grace + two windows, bounded by the poll at 10 s.
  ASSERT_TRUE(wait_for_metric(levee.admin_port, too_slow, 1));
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 0));
  EXPECT_EQ(fetch(levee.port, "GET", "/headers").status, 200u);
  EXPECT_TRUE(reader.closed_by_peer(10s));
}

TEST(SlowTransfer, AFastStreamedUploadAndDownloadAreNotCut) {
  auto backend = start_backend({"--workers", "2"});
  auto levee = start_levee(paced_config(backend.port));
  const auto upload = fetch(levee.port, "POST", "/echo", std::string(4 * 1024 * 1024, 'x'));
  EXPECT_EQ(upload.status, 200u);
  EXPECT_NE(upload.body.find(R"("bytes":4194304)"), std::string::npos) << upload.body;
  const auto download = fetch(levee.port, "GET", "/bytes?n=4194304");
  EXPECT_EQ(download.status, 200u);
  EXPECT_EQ(download.body.size(), 4194304u);
  EXPECT_EQ(metric_value(levee.admin_port, too_slow), 0);
}

TEST(SlowTransfer, TheTotalDeadlineCutsAStreamedUploadThatKeepsTheRate) {
  auto backend = start_backend({"--workers", "2"});
  // The rate off: only max_transfer_time can cut.
  auto levee = start_levee(paced_config(backend.port, "0", "  max_transfer_time: 1500ms\n"));
  TestClient uploader(levee.port, 20s);
  uploader.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
  bool cut = false;
  for (int i = 0; i < 100 && !cut; ++i) {
    cut = metric_value(levee.admin_port, too_slow) == 1;
    if (!cut) {
      uploader.send_raw(std::string(8192, 'u'));  // 80 KiB/s: far above any rate
      std::this_thread::sleep_for(100ms);
    }
  }
  ASSERT_TRUE(cut) << "the upload outlived max_transfer_time";
  EXPECT_EQ(uploader.read_response().status, 408u);
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 0));
}

}  // namespace
}  // namespace levee::testing
