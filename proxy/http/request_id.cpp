#include "proxy/http/request_id.h"

#include <algorithm>

namespace levee::http {

bool is_sane_request_id(std::string_view id) {
  return !id.empty() && id.size() <= max_request_id_bytes &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < '\x7f'; });
}

std::string generate_request_id(policy::Random& random) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (int word = 0; word < 2; ++word) {
    const std::uint64_t bits = random.next_u64();
    for (int shift = 60; shift >= 0; shift -= 4) id.push_back(digits[(bits >> shift) & 0xf]);
  }
  return id;
}

std::string choose_request_id(std::string_view incoming, policy::Random& random) {
  if (is_sane_request_id(incoming)) return std::string(incoming);
  return generate_request_id(random);
}

}  // namespace levee::http
