#pragma once
// How a client's TLS handshake ended: the label of levee_tls_handshakes_total{result} and the
// /state counters. One enum, one all_ array, one name().

#include <boost/system/error_code.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace levee::http {

enum class TlsHandshakeResult : std::uint8_t {
  success,
  timeout,             // listener.tls.handshake_timeout ran out
  closed,              // the client went away mid-handshake (also a port scan or health probe)
  protocol_version,    // the client offered only versions levee refuses (TLS 1.1 and older)
  no_shared_cipher,    // no cipher suite in common
  client_certificate,  // client_verify: missing (require) or not verifiable
  plain_http,          // the client spoke HTTP, not TLS, to the TLS port
  other,               // any other TLS error (malformed hello, bad record, ...)
};

inline constexpr std::array all_tls_handshake_results{
    TlsHandshakeResult::success,          TlsHandshakeResult::timeout,
    TlsHandshakeResult::closed,           TlsHandshakeResult::protocol_version,
    TlsHandshakeResult::no_shared_cipher, TlsHandshakeResult::client_certificate,
    TlsHandshakeResult::plain_http,       TlsHandshakeResult::other,
};

constexpr std::string_view name(TlsHandshakeResult result) {
  switch (result) {
    case TlsHandshakeResult::success: return "success";
    case TlsHandshakeResult::timeout: return "timeout";
    case TlsHandshakeResult::closed: return "closed";
    case TlsHandshakeResult::protocol_version: return "protocol_version";
    case TlsHandshakeResult::no_shared_cipher: return "no_shared_cipher";
    case TlsHandshakeResult::client_certificate: return "client_certificate";
    case TlsHandshakeResult::plain_http: return "plain_http";
    case TlsHandshakeResult::other: return "other";
  }
  return "other";
}

constexpr std::size_t index(TlsHandshakeResult result) { return static_cast<std::size_t>(result); }

// The result a server-side handshake that completed with `ec` counts as.
TlsHandshakeResult classify_handshake(const boost::system::error_code& ec);

}  // namespace levee::http
