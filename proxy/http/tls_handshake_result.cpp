#include "proxy/http/tls_handshake_result.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace levee::http {

TlsHandshakeResult classify_handshake(const boost::system::error_code& ec) {
  namespace asio = boost::asio;
  if (!ec) return TlsHandshakeResult::success;
  if (ec == boost::beast::error::timeout) return TlsHandshakeResult::timeout;
  if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::operation_aborted || ec == asio::ssl::error::stream_truncated)
    return TlsHandshakeResult::closed;
  if (ec.category() != asio::error::get_ssl_category()) return TlsHandshakeResult::other;
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_WRONG_VERSION_NUMBER:
      return TlsHandshakeResult::protocol_version;
    case SSL_R_NO_SHARED_CIPHER:
      return TlsHandshakeResult::no_shared_cipher;
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return TlsHandshakeResult::client_certificate;
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
      return TlsHandshakeResult::plain_http;
    default:
      return TlsHandshakeResult::other;
  }
}

}  // namespace levee::http
