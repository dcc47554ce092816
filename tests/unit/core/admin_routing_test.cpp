#include "proxy/admin/admin_server.h"

#include <gtest/gtest.h>

namespace levee::admin {
namespace {

AdminReply get(const AdminEndpoints& endpoints, std::string_view target) {
  return handle_admin_request(endpoints, AdminRequest{"GET", target, "127.0.0.1:9901", ""});
}

TEST(AdminReadiness, AnswersOkWhenNothingHoldsItBack) {
  AdminEndpoints endpoints;
  endpoints.not_ready = [] { return std::nullopt; };
  const AdminReply reply = get(endpoints, "/readyz");
  EXPECT_EQ(reply.status, boost::beast::http::status::ok);
  EXPECT_EQ(reply.body, "ready\n");
}

TEST(AdminReadiness, Answers503WithTheReason) {
  AdminEndpoints endpoints;
  endpoints.not_ready = [] { return std::optional<std::string>("upstream app is not healthy: connect: refused\n"); };
  const AdminReply reply = get(endpoints, "/readyz");
  EXPECT_EQ(reply.status, boost::beast::http::status::service_unavailable);
  EXPECT_EQ(reply.body, "upstream app is not healthy: connect: refused\n");
}

}  // namespace
}  // namespace levee::admin
