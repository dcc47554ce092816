#include "proxy/http/request_id.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace levee::http {

bool is_sane_request_id(std::string_view id) {
  return !id.empty() && id.size() <= max_request_id_bytes &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < '\x7f'; });
}

namespace {

// "00" to "ff": a byte's two hex digits in one two-byte copy.
constexpr auto hex_pairs = [] {
  constexpr char digits[] = "0123456789abcdef";
  std::array<char, 512> pairs{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    pairs[2 * byte] = digits[byte >> 4];
    pairs[2 * byte + 1] = digits[byte & 0xfu];
  }
  return pairs;
}();

}  // namespace

RequestId generate_request_id(policy::Random& random) {
  // Written on the stack and copied into the id once (no zero-fill first): this runs for every
  // request that comes without an id.
  std::array<char, 32> id;
  char* out = id.data();
  for (int word = 0; word < 2; ++word) {
    const std::uint64_t bits = random.next_u64();
    for (int shift = 56; shift >= 0; shift -= 8, out += 2)
      std::memcpy(out, &hex_pairs[2 * ((bits >> shift) & 0xffu)], 2);
  }
  return RequestId(std::string_view(id.data(), id.size()));
}

RequestId choose_request_id(std::string_view incoming, policy::Random& random) {
  if (is_sane_request_id(incoming)) return RequestId(incoming);
  return generate_request_id(random);
}

}  // namespace levee::http
