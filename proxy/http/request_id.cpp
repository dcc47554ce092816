#include "proxy/http/request_id.h"

#include <algorithm>

namespace levee::http {

bool is_sane_request_id(std::string_view id) {
  return !id.empty() && id.size() <= max_request_id_bytes &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < '\x7f'; });
}

std::string generate_request_id(policy::Random& random) {
  static constexpr char digits[] = "0123456789abcdef";
  // Written straight into the string, a byte (two digits) at a time: this runs for every request.
  std::string id(32, '\0');
  char* out = id.data();
  for (int word = 0; word < 2; ++word) {
    const std::uint64_t bits = random.next_u64();
    for (int shift = 56; shift >= 0; shift -= 8) {
      const auto byte = static_cast<unsigned>(bits >> shift) & 0xffu;
      *out++ = digits[byte >> 4];
      *out++ = digits[byte & 0xf];
    }
  }
  return id;
}

std::string choose_request_id(std::string_view incoming, policy::Random& random) {
  if (is_sane_request_id(incoming)) return std::string(incoming);
  return generate_request_id(random);
}

}  // namespace levee::http
