#pragma once
// The listener's SSL context, built from listener.tls on the control thread: at start, on
// every reload (so a renewed certificate file is picked up), and by `levee check`. Sessions
// take the running context when they are accepted and keep it; a reload publishes a new one
// with the new runtime, so new handshakes use it and open connections are untouched.
//
// Policy (why these choices):
// - TLS 1.2 and 1.3 only (RFC 8996 deprecates 1.0 and 1.1); min_version 1.3 drops 1.2 too.
// - Mozilla's "intermediate" cipher list for TLS 1.2 (forward secrecy, AEAD only); the
//   client's preference order is kept, as that profile says (every suite on it is strong).
// - No renegotiation (a client-driven CPU sink) and no compression (CRIME).
// - ALPN: listener_alpn_protocols, with h2 first when listener.http2.enabled (the session then
//   serves the connection as HTTP/2, h2_session.h). A client that offers none of them still
//   connects (no ALPN is negotiated).
// - A key file with a passphrase is refused rather than prompting on the terminal.

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "proxy/config/config.h"

namespace boost::asio::ssl {
class context;
}

namespace levee::http {

// The application protocols the listener offers over TLS, most preferred first: without
// HTTP/2, and with it.
inline constexpr std::array<std::string_view, 1> listener_alpn_protocols{"http/1.1"};
inline constexpr std::array<std::string_view, 2> listener_alpn_protocols_h2{"h2", "http/1.1"};
inline constexpr std::string_view alpn_h2 = "h2";

// Mozilla's "intermediate" configuration (version 5.7), TLS 1.2 suites.
inline constexpr std::string_view intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

struct ServerTlsContext {
  std::shared_ptr<boost::asio::ssl::context> context;  // null on error
  std::string error;                                    // names the file or key at fault
  // The leaf certificate's notAfter, seconds since the epoch (0 when unknown).
  double not_after_epoch_seconds = 0;
};

// `offer_h2`: listener.http2.enabled.
ServerTlsContext make_server_tls_context(const config::ListenerTlsConfig& tls, bool offer_h2 = false);

// `protocols` in ALPN's wire format (each name prefixed by its length).
std::string alpn_wire_format(std::span<const std::string_view> protocols);

}  // namespace levee::http
