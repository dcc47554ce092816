// shed_response.sorry_page: read by the loader, relative to the config file.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using testing::describe;
using testing::env_with;
using testing::TempDir;
using testing::contains;

constexpr std::string_view kPage = "<html><body>busy, try again soon</body></html>\n";

TEST(SorryPage, ReadRelativeToTheConfigFileNotTheWorkingDirectory) {
  TempDir dir;
  dir.write("pages/sorry.html", kPage);
  const std::string path = dir.write("etc/levee.yaml", "shed_response:\n  sorry_page: ../pages/sorry.html\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_TRUE(result.ok()) << describe(result.errors);
  EXPECT_EQ(result.config->source, path);
  EXPECT_EQ(result.config->shed_response.sorry_page, "../pages/sorry.html");
  EXPECT_EQ(result.config->shed_response.sorry_page_html, kPage);
}

TEST(SorryPage, SameDirectory) {
  TempDir dir;
  dir.write("sorry.html", kPage);
  const std::string path = dir.write("levee.yaml", "shed_response: {status: 503, sorry_page: sorry.html}\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_TRUE(result.ok()) << describe(result.errors);
  EXPECT_EQ(result.config->shed_response.status, 503u);
  EXPECT_EQ(result.config->shed_response.sorry_page_html, kPage);
}

TEST(SorryPage, AbsolutePathIsUsedAsIs) {
  TempDir dir;
  const std::string page = dir.write("elsewhere/page.html", kPage);
  const std::string path = dir.write("conf/levee.yaml", "shed_response:\n  sorry_page: \"" + page + "\"\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_TRUE(result.ok()) << describe(result.errors);
  EXPECT_EQ(result.config->shed_response.sorry_page_html, kPage);
}

TEST(SorryPage, PathMayComeFromTheEnvironment) {
  TempDir dir;
  dir.write("custom.html", kPage);
  const std::string path = dir.write("levee.yaml", "shed_response:\n  sorry_page: \"${SORRY:-missing.html}\"\n");
  const LoadResult result = load_file(path, env_with({{"SORRY", "custom.html"}}));
  ASSERT_TRUE(result.ok()) << describe(result.errors);
  EXPECT_EQ(result.config->shed_response.sorry_page_html, kPage);
}

TEST(SorryPage, MissingPageIsAnErrorAtTheKey) {
  TempDir dir;
  const std::string path = dir.write("levee.yaml", "shed_response:\n  sorry_page: nope.html\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result.errors);
  const ConfigError& e = result.errors[0];
  EXPECT_EQ(e.file, path);
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.key_path, "shed_response.sorry_page");
  EXPECT_TRUE(contains(e.message, "cannot read")) << e.message;
  EXPECT_TRUE(contains(e.message, "nope.html")) << e.message;
}

TEST(SorryPage, OversizedPageIsRefused) {
  TempDir dir;
  dir.write("big.html", std::string(2 * 1024 * 1024, 'x'));
  const std::string path = dir.write("levee.yaml", "shed_response:\n  sorry_page: big.html\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result.errors);
  EXPECT_EQ(result.errors[0].key_path, "shed_response.sorry_page");
  EXPECT_TRUE(contains(result.errors[0].message, "1MiB")) << result.errors[0].message;
}

TEST(SorryPage, NoPageMeansTheBuiltInOne) {
  const LoadResult result = load_string("", "levee.yaml", env_with());
  ASSERT_TRUE(result.ok()) << describe(result.errors);
  EXPECT_EQ(result.config->shed_response.sorry_page, "");
  EXPECT_EQ(result.config->shed_response.sorry_page_html, "");
}

TEST(LoadFile, MissingFileIsOneErrorNamingTheFile) {
  TempDir dir;
  const std::string path = (dir.path() / "absent.yaml").string();
  const LoadResult result = load_file(path, env_with());
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].file, path);
  EXPECT_TRUE(contains(result.errors[0].message, "cannot read config")) << result.errors[0].message;
}

TEST(LoadFile, DirectoryIsRefused) {
  TempDir dir;
  const LoadResult result = load_file(dir.path().string(), env_with());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_TRUE(contains(result.errors[0].message, "is a directory")) << result.errors[0].message;
}

TEST(LoadFile, ErrorsNameTheFile) {
  TempDir dir;
  const std::string path = dir.write("levee.yaml", "listener:\n  adress: 0.0.0.0:1\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].to_string().rfind(path + ":2:3: listener.adress: ", 0), 0u)
      << result.errors[0].to_string();
}

}  // namespace
}  // namespace levee::config
