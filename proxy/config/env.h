#pragma once
// ${VAR} references in config values, resolved from an injectable environment.
//
// The environment is a function rather than getenv so tests and `levee check` can supply
// their own, and so a loader never reads process-global state behind the caller's back.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace levee::config {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Looks names up with getenv. Not thread-safe against concurrent setenv, like getenv itself.
EnvLookup process_environment();

// Why expand_env failed, worded to follow "key: ".
struct EnvError {
  std::string message;
};

// Substitutes every reference in text:
//   ${NAME}          the variable's value; an error when it is unset
//   ${NAME:-word}    the value, or word when the variable is unset or empty (as in sh);
//                    word is literal text up to the first '}'
//   $$               a literal '$'
// A '$' followed by anything else is kept as is. NAME is [A-Za-z_][A-Za-z0-9_]*.
std::variant<std::string, EnvError> expand_env(std::string_view text, const EnvLookup& env);

// Escapes every '$' as "$$", so expand_env(escape_env(s)) == s.
std::string escape_env(std::string_view text);

}  // namespace levee::config
