#include "proxy/config/loader.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include "proxy/config/map_reader.h"
#include "proxy/config/read_context.h"
#include "proxy/config/sections.h"
#include "proxy/config/validate.h"

namespace levee::config {
namespace {

LoadResult failure(ConfigError error) { return LoadResult{nullptr, {std::move(error)}}; }

// Where each document of a stream starts; the events inside are not needed.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp throws on syntax errors; everything after parsing reports through the context.
// Not YAML::LoadAll: on a stray flow indicator (a lone ',') yaml-cpp 0.7 keeps returning an empty
// document without consuming it, and LoadAll loops forever growing memory (yaml-cpp issue 1040,
// found by tests/fuzz/config_fuzzer). Only one document is allowed anyway, so the stream is read
// up to a second document start, and one that starts where the first did is that bug.
std::optional<YAML::Node> parse(std::string_view yaml, detail::ReadContext& context) {
  const std::string text(yaml);
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    while (starts.marks.size() < 2 && parser.HandleNextDocument(starts)) {
    }
    if (starts.marks.size() == 2 && starts.marks[1].pos == starts.marks[0].pos) {
      context.error(starts.marks[0], "", "YAML syntax error: unexpected character");
      return std::nullopt;
    }
    if (starts.marks.size() == 2) {
      context.error(starts.marks[1], "", "expected one YAML document, found several (remove the '---' separators)");
      return std::nullopt;
    }
    // No document at all (an empty file, or only comments) is the all-defaults config.
    return starts.marks.empty() ? YAML::Node() : YAML::Load(text);
  } catch (const YAML::Exception& e) {
    context.error(e.mark, "", fmt::format("YAML syntax error: {}", e.msg));
    return std::nullopt;
  }
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
