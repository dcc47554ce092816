#include "proxy/http/request_id.h"

#include <algorithm>
#include <array>

namespace levee::http {

bool is_sane_request_id(std::string_view id) {
  return !id.empty() && id.size() <= max_request_id_bytes &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < '\x7f'; });
}

std::string generate_request_id(policy::Random& random) {
  static constexpr char digits[] = "0123456789abcdef";
  // Laid out in place and copied once: this runs for every request.
  std::array<char, 32> id;
  std::size_t at = 0;
  for (int word = 0; word < 2; ++word) {
    const std::uint64_t bits = random.next_u64();
    for (int shift = 60; shift >= 0; shift -= 4) id[at++] = digits[(bits >> shift) & 0xf];
  }
  return std::string(id.data(), id.size());
}

std::string choose_request_id(std::string_view incoming, policy::Random& random) {
  if (is_sane_request_id(incoming)) return std::string(incoming);
  return generate_request_id(random);
}

}  // namespace levee::http
