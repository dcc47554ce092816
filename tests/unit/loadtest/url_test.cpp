// parse_url: plain and https targets, default ports, what is refused.
#include <gtest/gtest.h>

#include "common/url.h"

namespace levee::load {
namespace {

TEST(Url, PlainHttpDefaultsToPort80) {
  const auto url = parse_url("http://example.test/a?b=1");
  ASSERT_TRUE(url);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "example.test");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/a?b=1");
}

TEST(Url, HttpsIsTlsAndDefaultsToPort443) {
  auto url = parse_url("https://example.test/");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->host_header, "example.test");
  url = parse_url("https://127.0.0.1:8443/work");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/work");
}

TEST(Url, RefusesOtherSchemes) {
  EXPECT_FALSE(parse_url("ftp://example.test/"));
  EXPECT_FALSE(parse_url("https://"));
  EXPECT_FALSE(parse_url("example.test:80/"));
}

}  // namespace
}  // namespace levee::load
