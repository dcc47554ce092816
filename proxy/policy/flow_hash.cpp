#include "proxy/policy/flow_hash.h"

#include <bit>
#include <cstring>

namespace levee::policy {
namespace {

// SipHash (Aumasson and Bernstein, 2012) with one compression round per word and three
// finalisation rounds, written from the paper's description.
struct SipState {
  std::uint64_t v0, v1, v2, v3;

  void round() {
    v0 += v1; v1 = std::rotl(v1, 13); v1 ^= v0; v0 = std::rotl(v0, 32);
    v2 += v3; v3 = std::rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = std::rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = std::rotl(v1, 17); v1 ^= v2; v2 = std::rotl(v2, 32);
  }
  void absorb(std::uint64_t word) {
    v3 ^= word;
    round();
    v0 ^= word;
  }
};

std::uint64_t load_le(const char* bytes, std::size_t count) {
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < count; ++i) {
    word |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return word;
}

}  // namespace

FlowId flow_id(std::string_view key, const FlowHashKey& secret) {
  const std::uint64_t k0 = secret.words[0];
  const std::uint64_t k1 = secret.words[1];
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  const std::size_t whole = key.size() / 8 * 8;
  for (std::size_t i = 0; i < whole; i += 8) s.absorb(load_le(key.data() + i, 8));
  s.absorb(load_le(key.data() + whole, key.size() - whole) | (static_cast<std::uint64_t>(key.size()) << 56));
  s.v2 ^= 0xff;
  s.round();
  s.round();
  s.round();
  const FlowId id = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  return id > new_keys_flow ? id : id + 2;  // the reserved ids stay reserved
}

}  // namespace levee::policy
