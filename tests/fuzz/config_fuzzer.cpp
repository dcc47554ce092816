// libFuzzer harness for the config loader: arbitrary text as a levee.yaml, through load_string
// with a fixed, injected environment (so ${VAR} substitution is exercised and runs are
// reproducible: the process environment never leaks in).
//
// Properties checked, all promised by loader.h / env.h:
//   - the loader never throws and never crashes, whatever the text (an uncaught exception
//     aborts, which libFuzzer reports);
//   - a result is either a config or a non-empty error list, never both or neither;
//   - load_string(to_yaml(c)) gives back c, for every config that loads;
//   - expand_env(escape_env(s)) == s for any s.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proxy/config/env.h"
#include "proxy/config/loader.h"

namespace {

using namespace levee::config;

// A handful of set variables (one empty, for ${X:-word}); everything else is unset.
std::optional<std::string> lookup(std::string_view name) {
  if (name == "PORT") return "8081";
  if (name == "HOST") return "127.0.0.1";
  if (name == "LIMIT") return "100";
  if (name == "TIMEOUT") return "250ms";
  if (name == "EMPTY") return "";
  if (name == "SECRET") return "fuzz-secret-0123456789";
  return std::nullopt;
}

// Relative, so a relative sorry_page resolves against the working directory: scripts/fuzz.sh
// runs this harness in a scratch directory holding copies of config/sorry.html as sorry.html and
// ../sorry.html, the two spellings the shipped configs (the seeds) use. The loader only reads.
const std::string source_name = "levee.yaml";

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "config_fuzzer: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void check_escape_round_trip(std::string_view text, const EnvLookup& env) {
  const auto expanded = expand_env(escape_env(text), env);
  const auto* back = std::get_if<std::string>(&expanded);
  if (back == nullptr) fail("expand_env(escape_env(s)) failed", std::get<EnvError>(expanded).message);
  if (*back != text) fail("expand_env(escape_env(s)) != s", *back);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const EnvLookup env = lookup;

  const LoadResult result = load_string(text, source_name, env);
  if (result.ok() == !result.errors.empty()) fail("a result must be a config or errors", text);

  if (result.ok()) {
    const std::string written = to_yaml(*result.config);
    const LoadResult again = load_string(written, source_name, env);
    if (!again.ok()) {
      std::string why = written;
      for (const auto& error : again.errors) why += "\n" + error.message;
      fail("to_yaml output does not load", why);
    }
    if (!(*again.config == *result.config)) fail("load_string(to_yaml(c)) != c", written);
  }

  check_escape_round_trip(text, env);
  return 0;
}
