// The listener's SSL context builder and the handshake result classifier: what an operator
// reads when a file is wrong, and which label a failed handshake is counted under.
#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "proxy/http/tls_context.h"
#include "proxy/http/tls_handshake_result.h"

namespace levee::http {
namespace {

TEST(TlsContext, OffMeansNoContextAndNoError) {
  const ServerTlsContext built = make_server_tls_context(config::ListenerTlsConfig{});
  EXPECT_EQ(built.context, nullptr);
  EXPECT_EQ(built.error, "");
}

TEST(TlsContext, AMissingCertificateIsNamedWithItsKey) {
  config::ListenerTlsConfig tls;
  tls.cert_file = "/nonexistent/levee-cert.pem";
  tls.key_file = "/nonexistent/levee-key.pem";
  const ServerTlsContext built = make_server_tls_context(tls);
  EXPECT_EQ(built.context, nullptr);
  EXPECT_NE(built.error.find("listener.tls.cert_file"), std::string::npos) << built.error;
  EXPECT_NE(built.error.find("/nonexistent/levee-cert.pem"), std::string::npos) << built.error;
}

TEST(TlsContext, ACipherListWithNothingUsableIsRefused) {
  config::ListenerTlsConfig tls;
  tls.cert_file = "/nonexistent/levee-cert.pem";
  tls.key_file = "/nonexistent/levee-key.pem";
  tls.ciphers = "NO-SUCH-CIPHER";
  const ServerTlsContext built = make_server_tls_context(tls);
  EXPECT_NE(built.error.find("listener.tls.ciphers"), std::string::npos) << built.error;
}

TEST(TlsContext, AlpnListIsInWireFormat) {
  EXPECT_EQ(alpn_wire_format(listener_alpn_protocols), std::string("\x08http/1.1"));
  EXPECT_EQ(alpn_wire_format(listener_alpn_protocols_h2), std::string("\x02h2\x08http/1.1"));
}

boost::system::error_code ssl_error(int reason) {
  // ERR_PACK without its C casts: what OpenSSL queues for an SSL-library failure.
  const unsigned long code = (static_cast<unsigned long>(ERR_LIB_SSL) << ERR_LIB_OFFSET) |
                             static_cast<unsigned long>(reason);
  return {static_cast<int>(code), boost::asio::error::get_ssl_category()};
}

TEST(TlsHandshakeResult, NamesWhyAHandshakeFailed) {
  EXPECT_EQ(classify_handshake({}), TlsHandshakeResult::success);
  EXPECT_EQ(classify_handshake(boost::beast::error::timeout), TlsHandshakeResult::timeout);
  EXPECT_EQ(classify_handshake(boost::asio::error::eof), TlsHandshakeResult::closed);
  EXPECT_EQ(classify_handshake(boost::asio::ssl::error::stream_truncated), TlsHandshakeResult::closed);
  EXPECT_EQ(classify_handshake(ssl_error(SSL_R_UNSUPPORTED_PROTOCOL)), TlsHandshakeResult::protocol_version);
  EXPECT_EQ(classify_handshake(ssl_error(SSL_R_NO_SHARED_CIPHER)), TlsHandshakeResult::no_shared_cipher);
  EXPECT_EQ(classify_handshake(ssl_error(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)),
            TlsHandshakeResult::client_certificate);
  EXPECT_EQ(classify_handshake(ssl_error(SSL_R_HTTP_REQUEST)), TlsHandshakeResult::plain_http);
  EXPECT_EQ(classify_handshake(ssl_error(SSL_R_BAD_RECORD_TYPE)), TlsHandshakeResult::other);
  EXPECT_EQ(classify_handshake(boost::asio::error::host_unreachable), TlsHandshakeResult::other);
}

}  // namespace
}  // namespace levee::http
