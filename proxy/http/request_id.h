#pragma once
// The id that ties one request's lines together across levee's access log and the service's
// own logs. A caller (or a proxy in front of levee) that already chose one keeps it; anything
// else gets a fresh one. Pure: randomness comes in as a policy::Random.

#include "proxy/policy/random.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace levee::http {

inline constexpr std::string_view request_id_header = "X-Request-Id";
// Long enough for any id scheme in use (UUIDs, W3C trace ids, AWS's Root=...), short enough that
// a client cannot grow every log line and upstream header by kilobytes.
inline constexpr std::size_t max_request_id_bytes = 128;

// Non-empty, at most max_request_id_bytes, and only visible ASCII (0x21-0x7E): no spaces, so the
// text access log stays split on spaces, and no control bytes or UTF-8 to escape anywhere.
bool is_sane_request_id(std::string_view id);

// An id held inline, at most max_request_id_bytes: every request has one, copied into its log
// record and its X-Request-Id, and as a std::string of 32 digits it was a heap allocation on
// every request. Only the id's own bytes are ever written or copied (not the whole buffer):
// the record it lives in is made for every request.
class RequestId {
 public:
  RequestId() {}  // empty; user-provided, as a const one must be with bytes_ left unwritten
  // Cut to max_request_id_bytes (what is_sane_request_id allows anyway).
  explicit RequestId(std::string_view id) : size_(static_cast<std::uint8_t>(std::min(id.size(), max_request_id_bytes))) {
    id.copy(bytes_.data(), size_);
  }
  RequestId(const RequestId& other) : size_(other.size_) { other.view().copy(bytes_.data(), size_); }
  RequestId& operator=(const RequestId& other) {
    if (this == &other) return *this;
    size_ = other.size_;
    other.view().copy(bytes_.data(), size_);
    return *this;
  }
  std::string_view view() const { return {bytes_.data(), size_}; }
  operator std::string_view() const { return view(); }  // NOLINT: an id reads as its text
  bool empty() const { return size_ == 0; }
  friend bool operator==(const RequestId& id, std::string_view text) { return id.view() == text; }

 private:
  std::array<char, max_request_id_bytes> bytes_;  // the first size_ are the id; the rest is never read
  std::uint8_t size_ = 0;
  static_assert(max_request_id_bytes <= UINT8_MAX);
};

// 128 random bits as 32 lowercase hex digits.
RequestId generate_request_id(policy::Random& random);

// `incoming` when it is sane, else a generated id.
RequestId choose_request_id(std::string_view incoming, policy::Random& random);

}  // namespace levee::http
