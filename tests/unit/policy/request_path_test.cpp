#include "proxy/policy/request_path.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

// The target levee routes and forwards: the input itself when it was already normal.
std::string normal(std::string_view target) {
  const NormalizedTarget result = normalize_target(target);
  EXPECT_TRUE(result.problem.empty()) << target << ": " << result.problem;
  return result.rewritten.value_or(std::string(target));
}

std::string_view refused(std::string_view target) {
  const NormalizedTarget result = normalize_target(target);
  EXPECT_FALSE(result.rewritten) << target;
  return result.problem;
}

TEST(RequestPath, APlainPathIsLeftAloneWithoutAllocating) {
  for (const char* target : {"/", "/api/v1/users", "/a//b/", "/file.tar.gz", "/api?x=../y", "/x;y"}) {
    const NormalizedTarget result = normalize_target(target);
    EXPECT_FALSE(result.rewritten) << target;
    EXPECT_TRUE(result.problem.empty()) << target;
  }
}

TEST(RequestPath, DotSegmentsAreRemoved) {
  EXPECT_EQ(normal("/api/../admin"), "/admin");
  EXPECT_EQ(normal("/a/./b"), "/a/b");
  EXPECT_EQ(normal("/a/b/../../c"), "/c");
  EXPECT_EQ(normal("/a/b/.."), "/a/");  // RFC 3986 5.2.4: a final dot segment leaves a directory
  EXPECT_EQ(normal("/a/."), "/a/");
  EXPECT_EQ(normal("/."), "/");
  EXPECT_EQ(normal("/a/.."), "/");
  EXPECT_EQ(normal("/a//../b"), "/a/b");  // ".." removes the empty segment before it
  EXPECT_EQ(normal("/.well-known/x"), "/.well-known/x");  // a segment starting with '.' is a name
  EXPECT_EQ(normal("/a/...b/c"), "/a/...b/c");
}

TEST(RequestPath, EncodedUnreservedCharactersAreDecodedFirst) {
  EXPECT_EQ(normal("/%7Euser/%41%62c"), "/~user/Abc");
  EXPECT_EQ(normal("/api/%2e%2e/admin"), "/admin");  // encoded dots are dots
  EXPECT_EQ(normal("/api/.%2E/admin"), "/admin");
  EXPECT_EQ(normal("/a%2db"), "/a-b");
}

TEST(RequestPath, NothingElseChanges) {
  EXPECT_EQ(normal("/a//b/./c"), "/a//b/c");       // empty segments stay
  EXPECT_EQ(normal("/a%20b/./c"), "/a%20b/c");     // reserved or unsafe characters stay encoded
  EXPECT_EQ(normal("/a%3fb/./c"), "/a%3fb/c");     // in their own spelling
  EXPECT_EQ(normal("/%25%32%65/x"), "/%252e/x");   // decoded once, never twice
}

TEST(RequestPath, TheQueryIsKeptAsItCame) {
  EXPECT_EQ(normal("/api/../x?a=../b&c=%2e"), "/x?a=../b&c=%2e");
  EXPECT_EQ(normal("/a/./?"), "/a/?");
}

TEST(RequestPath, PathsThatCannotBeNormalisedSafelyAreRefused) {
  EXPECT_EQ(refused("/.."), "path climbs above the root");
  EXPECT_EQ(refused("/a/../../b"), "path climbs above the root");
  EXPECT_EQ(refused("/%2e%2e/x"), "path climbs above the root");
  EXPECT_EQ(refused("/api%2F..%2Fadmin"), "encoded '/' in path");
  EXPECT_EQ(refused("/api%2f"), "encoded '/' in path");
  EXPECT_EQ(refused("/api%5C..%5Cadmin"), "encoded '\\' in path");
  EXPECT_EQ(refused("/api\\..\\admin"), "backslash in path");
  EXPECT_EQ(refused("/file%00.txt"), "encoded NUL in path");
  EXPECT_EQ(refused("/api/..;/admin"), "dot segment with parameters in path");
  EXPECT_EQ(refused("/api/.;x/admin"), "dot segment with parameters in path");
  for (const char* target : {"/a%", "/a%2", "/a%zz", "/a%g0"})
    EXPECT_EQ(refused(target), "malformed percent-encoding in path") << target;
}

TEST(RequestPath, OnlyOriginFormIsTouched) {
  EXPECT_FALSE(normalize_target("*").rewritten);
  EXPECT_TRUE(normalize_target("*").problem.empty());
}

}  // namespace
}  // namespace levee::policy
