#pragma once
// TLS from levee to an upstream (upstreams[].tls): the client SSL context, built once at start
// (upstreams need a restart to change), and the handshake on a freshly connected stream, used
// by the pool and by health probes alike.
//
// - TLS 1.2+, OpenSSL's default client ciphers; ALPN offers http/1.1, or h2 alone for an
//   upstream with protocol: h2 (alpn_is_h2 checks the service chose it).
// - SNI: server_name, else the address's host unless that is an IP address (SNI carries names
//   only). The certificate is verified by default, against ca_file or the system's CAs, and
//   must name server_name (or the host): RFC 6125 host name checks (OpenSSL's X509_VERIFY_PARAM).
// - A handshake that runs out of time is a connect timeout; any other failure is its own
//   error (a certificate that does not verify is a configuration problem, not an overload).

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "proxy/config/config.h"
#include "proxy/http/worker_executor.h"

namespace boost::asio::ssl {
class context;
}

namespace levee::http {

class MaybeTlsStream;

struct UpstreamTls {
  std::shared_ptr<boost::asio::ssl::context> context;  // null: plain HTTP to this upstream
  std::string server_name;                             // verified name; also SNI unless an IP
  bool verify = true;
};

struct UpstreamTlsResult {
  UpstreamTls tls;
  std::string error;  // names the upstream and the file at fault
};

UpstreamTlsResult make_upstream_tls(const config::UpstreamConfig& upstream);

// Turns `stream` (connected) into a TLS client connection per `tls` and runs the handshake
// within `timeout`. Returns the handshake's error (beast::error::timeout when it ran out).
Awaitable<boost::system::error_code> upstream_handshake(MaybeTlsStream& stream, const UpstreamTls& tls,
                                                        std::chrono::nanoseconds timeout);

// The TLS connection's ALPN chose h2 (after a successful handshake).
bool alpn_is_h2(MaybeTlsStream& stream);

}  // namespace levee::http
