#include "proxy/config/loader.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "proxy/config/map_reader.h"
#include "proxy/config/read_context.h"
#include "proxy/config/sections.h"
#include "proxy/config/validate.h"

namespace levee::config {
namespace {

LoadResult failure(ConfigError error) { return LoadResult{nullptr, {std::move(error)}}; }

// yaml-cpp throws on syntax errors; everything after parsing reports through the context.
std::optional<YAML::Node> parse(std::string_view yaml, detail::ReadContext& context) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    context.error(e.mark, "", fmt::format("YAML syntax error: {}", e.msg));
    return std::nullopt;
  }
  if (documents.size() > 1) {
    context.error(documents[1].Mark(), "",
                  fmt::format("expected one YAML document, found {} (remove the '---' separators)",
                              documents.size()));
    return std::nullopt;
  }
  // No document at all (an empty file, or only comments) is the all-defaults config.
  return documents.empty() ? YAML::Node() : documents.front();
}

}  // namespace

LoadResult load_string(std::string_view yaml, const std::string& source_name,
                       const EnvLookup& env) {
  detail::ReadContext context(source_name, env);
  const std::optional<YAML::Node> root = parse(yaml, context);
  if (!root) return LoadResult{nullptr, context.take_errors()};

  Config config;
  config.source = source_name;
  if (root->IsMap() || root->IsNull()) {
    detail::MapReader reader(context, *root, "");
    detail::read_config(reader, config);
    reader.finish();
  } else {
    context.error(root->Mark(), "",
                  fmt::format("expected a map of sections (server, listener, ...), got {}",
                              detail::describe(*root)));
  }
  detail::finalize(config, context);

  if (context.has_errors()) return LoadResult{nullptr, context.take_errors()};
  return LoadResult{std::make_shared<const Config>(std::move(config)), {}};
}

LoadResult load_file(const std::string& path, const EnvLookup& env) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return failure(ConfigError{path, 0, 0, "", "cannot read config: is a directory"});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int saved = errno;
    const std::string reason =
        saved != 0 ? std::generic_category().message(saved) : "cannot open file";
    return failure(ConfigError{path, 0, 0, "", fmt::format("cannot read config: {}", reason)});
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return failure(ConfigError{path, 0, 0, "", "cannot read config: read failed"});
  return load_string(text.str(), path, env);
}

}  // namespace levee::config
