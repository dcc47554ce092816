#include "proxy/http/request_id.h"

#include "tests/fakes/fake_random.h"

#include <gtest/gtest.h>

#include <string>

namespace levee::http {
namespace {

TEST(RequestId, ASaneIncomingIdIsKept) {
  testing::FakeRandom random;
  EXPECT_EQ(choose_request_id("abc-123_XYZ:/=+", random), "abc-123_XYZ:/=+");
  EXPECT_EQ(choose_request_id(std::string(max_request_id_bytes, 'a'), random), std::string(max_request_id_bytes, 'a'));
}

TEST(RequestId, AnInsaneIncomingIdIsReplaced) {
  testing::FakeRandom random;
  for (const std::string& bad : {std::string(), std::string(max_request_id_bytes + 1, 'a'), std::string("has space"),
                                std::string("tab\there"), std::string("nl\r\nX-Evil: 1"), std::string("nul\0x", 5),
                                std::string("caf\xC3\xA9"), std::string("\x7f")}) {
    EXPECT_FALSE(is_sane_request_id(bad)) << bad;
    const std::string id(choose_request_id(bad, random).view());
    EXPECT_NE(id, bad);
    EXPECT_TRUE(is_sane_request_id(id));
  }
}

TEST(RequestId, HoldsItsTextInline) {
  const RequestId none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.view(), "");
  const std::string longest(max_request_id_bytes, 'z');
  EXPECT_EQ(RequestId(longest).view(), longest);
  EXPECT_EQ(RequestId(longest + "!").view(), longest);  // cut, never overrun
  RequestId copy = RequestId("abc");
  copy = RequestId("de");
  EXPECT_EQ(copy, "de");
}

TEST(RequestId, CopiesCarryExactlyTheIdsBytes) {
  RequestId target(std::string(max_request_id_bytes, 'x'));
  const RequestId shorter("short-id");
  target = shorter;  // only the id's bytes are copied: what was past them is never read
  EXPECT_EQ(target.view(), "short-id");
  const RequestId constructed(target);
  EXPECT_EQ(constructed.view(), "short-id");
  const RequestId& same = target;
  target = same;  // self-assignment keeps the id
  EXPECT_EQ(target.view(), "short-id");
  target = RequestId(std::string(max_request_id_bytes, 'y'));
  EXPECT_EQ(target.view(), std::string(max_request_id_bytes, 'y'));
}

TEST(RequestId, GeneratedIdIs128BitsOfLowercaseHex) {
  testing::FakeRandom random;
  random.push(0.5);  // 0x8000000000000000
  random.push(0.0);
  EXPECT_EQ(generate_request_id(random), "80000000000000000000000000000000");
  policy::SplitMixRandom real(42);
  const std::string a(generate_request_id(real).view());
  const std::string b(generate_request_id(real).view());
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace levee::http
