#include "proxy/http/upstream_tls.h"

#include "proxy/http/maybe_tls_stream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

namespace levee::http {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

UpstreamTlsResult make_upstream_tls(const config::UpstreamConfig& upstream) {
  UpstreamTlsResult result;
  if (!upstream.tls.enabled) return result;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  // ALPN offers the one protocol levee will speak on the connection: a service that cannot
  // speak HTTP/2 then fails the handshake (or picks nothing) instead of answering in HTTP/1.1.
  static constexpr unsigned char http11[] = "\x08http/1.1";
  static constexpr unsigned char h2[] = "\x02h2";
  if (upstream.protocol == config::UpstreamProtocol::h2)
    SSL_CTX_set_alpn_protos(context->native_handle(), h2, sizeof h2 - 1);
  else
    SSL_CTX_set_alpn_protos(context->native_handle(), http11, sizeof http11 - 1);
  boost::system::error_code ec;
  if (upstream.tls.verify) {
    if (upstream.tls.ca_file.empty()) context->set_default_verify_paths(ec);
    else context->load_verify_file(upstream.tls.ca_file, ec);
    if (ec) {
      result.error = fmt::format("upstream {}: tls.ca_file: cannot load CA certificates from '{}': {}", upstream.name,
                                 upstream.tls.ca_file.empty() ? "the system store" : upstream.tls.ca_file,
                                 ec.message());
      return result;
    }
  }
  result.tls.context = std::move(context);
  result.tls.server_name = upstream.tls.server_name.empty() ? upstream.address.host : upstream.tls.server_name;
  result.tls.verify = upstream.tls.verify;
  return result;
}

Awaitable<boost::system::error_code> upstream_handshake(MaybeTlsStream& stream, const UpstreamTls& tls,
                                                        std::chrono::nanoseconds timeout) {
  stream.use_tls(tls.context);
  auto& layer = *stream.tls();
  boost::system::error_code not_an_address;
  asio::ip::make_address(tls.server_name, not_an_address);
  if (not_an_address)  // SNI names only (SSL_set_tlsext_host_name, without its C cast)
    SSL_ctrl(layer.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(tls.server_name.c_str()));
  if (tls.verify) {
    layer.set_verify_mode(ssl::verify_peer);
    layer.set_verify_callback(ssl::host_name_verification(tls.server_name));
  } else {
    layer.set_verify_mode(ssl::verify_none);
  }
  stream.expires_after(timeout);
  auto [ec] = co_await layer.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::deferred));
  co_return ec;
}

bool alpn_is_h2(MaybeTlsStream& stream) {
  if (!stream.is_tls()) return false;
  const unsigned char* chosen = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(stream.tls()->native_handle(), &chosen, &length);
  return length == 2 && chosen[0] == 'h' && chosen[1] == '2';
}

}  // namespace levee::http
