#pragma once
// Maps a request's Host and path to a route.
//
// Longest matching path prefix wins; among equal prefixes a route naming the host beats one
// that accepts any host. Prefixes match on segment boundaries ("/api" matches "/api" and
// "/api/x", not "/apix"), the way operators read them. Immutable after construction, so it is
// shared by all workers without locks; a reload builds a new Router.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace levee::policy {

struct RouteMatch {
  std::string host;         // empty: any host; compared case-insensitively, port ignored
  std::string path_prefix;  // starts with '/'
};

class Router {
 public:
  explicit Router(std::vector<RouteMatch> routes);

  // Index into the constructor's vector, or nullopt when no route matches.
  std::optional<std::size_t> match(std::string_view host, std::string_view path) const;

 private:
  struct Entry {
    RouteMatch match;
    std::size_t index;
  };
  std::vector<Entry> entries_;  // most specific first: the first hit is the answer
};

// "Example.COM:8080" -> "example.com"; "[::1]:80" -> "[::1]".
std::string normalize_host(std::string_view host);

}  // namespace levee::policy
