#include "proxy/admin/admin_server.h"

#include <gtest/gtest.h>

namespace levee::admin {
namespace {

AdminReply get(const AdminEndpoints& endpoints, std::string_view target) {
  return handle_admin_request(endpoints, AdminRequest{"GET", target, "127.0.0.1:9901", "", ""});
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

TEST(AdminToken, EverythingButTheProbesNeedsTheBearerToken) {
  AdminEndpoints endpoints;
  endpoints.token = "0123456789abcdef0123";
  endpoints.not_ready = [] { return std::nullopt; };
  endpoints.state = [] { return AdminReply{}; };
  const auto ask = [&](std::string_view target, std::string_view authorization) {
    return handle_admin_request(endpoints, AdminRequest{"GET", target, "127.0.0.1:9901", "", authorization});
  };
  EXPECT_EQ(ask("/readyz", "").status, boost::beast::http::status::ok);
  EXPECT_EQ(ask("/healthz", "").status, boost::beast::http::status::ok);
  const AdminReply refused = ask("/state", "");
  EXPECT_EQ(refused.status, boost::beast::http::status::unauthorized);
  EXPECT_TRUE(refused.ask_for_token);
  EXPECT_EQ(ask("/state", "Bearer 0123456789abcdef0124").status, boost::beast::http::status::unauthorized);
  EXPECT_EQ(ask("/state", "Bearer 0123456789abcdef012").status, boost::beast::http::status::unauthorized);
  EXPECT_EQ(ask("/state", "Bearer 0123456789abcdef0123").status, boost::beast::http::status::ok);
}

}  // namespace
}  // namespace levee::admin
