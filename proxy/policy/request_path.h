#pragma once
// The path levee routes on, and forwards: the request target's path in normal form.
//
// Routing on the raw path would let "/api/../admin" or "/api/%2e%2e/admin" pick the limits and
// priority of the "/api" route while the service (which normalises) serves "/admin". So the path
// is normalised first, the way RFC 3986 section 6.2.2 allows without knowing the service:
//   1. percent-encoded unreserved characters are decoded ("%7E" -> "~", "%2e" -> ".");
//   2. dot segments are removed ("/a/./b/../c" -> "/a/c").
// Nothing else changes: empty segments ("//") stay, other percent-encodings keep their spelling,
// the query is left alone. Paths that cannot be normalised without guessing how the service
// would read them are refused: ".." climbing above the root, an encoded "/" or "\" (a service
// that decodes before splitting sees another path), an encoded NUL, a raw "\" (a separator to
// some servers), a dot segment carrying parameters ("..;" is ".." to some Java servers), and
// malformed percent-encoding. Pure; allocates only when the target changes.

#include <optional>
#include <string>
#include <string_view>

namespace levee::policy {

struct NormalizedTarget {
  std::optional<std::string> rewritten;  // the normal target; none when it already was normal
  std::string_view problem;              // refused: why, static text fit for a 400 body
};

// `target` is an origin-form request target ("/path?query"). The rewritten target keeps the
// query exactly as it came.
NormalizedTarget normalize_target(std::string_view target);

}  // namespace levee::policy
