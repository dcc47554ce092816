#include "proxy/policy/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace levee {
namespace {

TEST(Ascii, EqualsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(ascii_iequals("Content-Length", "content-length"));
  EXPECT_TRUE(ascii_iequals("", ""));
  EXPECT_FALSE(ascii_iequals("chunked", "chunked "));
  EXPECT_FALSE(ascii_iequals("[", "{"));  // 0x5B and 0x7B differ by the case bit but are not letters
  EXPECT_FALSE(ascii_iequals("\xC9", "\xE9"));  // Latin-1 É/é: not ASCII, so not folded
}

// The inputs are views into longer buffers; only the viewed bytes may decide the answer.
TEST(Ascii, EqualsStaysInsideTheViews) {
  const std::string buffer = "httP://x";
  EXPECT_TRUE(ascii_iequals(std::string_view(buffer).substr(0, 7), "http://"));
  EXPECT_FALSE(ascii_iequals(std::string_view(buffer).substr(0, 6), "http://"));
}

TEST(Ascii, ContainsFindsAWordInAnyCase) {
  EXPECT_TRUE(ascii_icontains("Text/HTML,application/xhtml+xml", "text/html"));
  EXPECT_FALSE(ascii_icontains("application/json", "text/html"));
  EXPECT_TRUE(ascii_icontains("anything", ""));
}

}  // namespace
}  // namespace levee
