#include "proxy/http/tls_context.h"

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>

namespace levee::http {
namespace {

// The reason OpenSSL gave for the last failure (its error queue, emptied here).
std::string openssl_reason() {
  std::string reason;
  while (const unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!reason.empty()) reason += "; ";
    reason += text;
  }
  return reason.empty() ? "unknown OpenSSL error" : reason;
}

// Chooses the first of our protocols the client offers. Runs inside the handshake.
// `ours`: the list to choose from, in wire format (one of the two below, which live as long
// as the program).
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* offered,
                unsigned int offered_length, void* list) {
  const std::string& ours = *static_cast<const std::string*>(list);
  unsigned char* chosen = nullptr;
  const int result = SSL_select_next_proto(&chosen, out_length, reinterpret_cast<const unsigned char*>(ours.data()),
                                           static_cast<unsigned int>(ours.size()), offered, offered_length);
  if (result != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

// Never prompt for a passphrase: there is no terminal on a server, and waiting on one would
// hang the control thread.
int refuse_passphrase(char*, int, int, void*) { return 0; }

double not_after_of(SSL_CTX* native) {
  const X509* leaf = SSL_CTX_get0_certificate(native);
  if (leaf == nullptr) return 0;
  std::tm when{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &when) != 1) return 0;
  return static_cast<double>(timegm(&when));
}

}  // namespace

std::string alpn_wire_format(std::span<const std::string_view> protocols) {
  std::string wire;
  for (const std::string_view protocol : protocols) {
    wire += static_cast<char>(protocol.size());
    wire += protocol;
  }
  return wire;
}

ServerTlsContext make_server_tls_context(const config::ListenerTlsConfig& tls, bool offer_h2) {
  namespace ssl = boost::asio::ssl;
  ServerTlsContext result;
  if (!tls.enabled()) return result;
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  const auto fail = [&](std::string what) {
    result.error = std::move(what);
    return std::move(result);
  };

  SSL_CTX_set_min_proto_version(native, tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_clear_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  const std::string ciphers = tls.ciphers.empty() ? std::string(intermediate_ciphers) : tls.ciphers;
  if (SSL_CTX_set_cipher_list(native, ciphers.c_str()) != 1)
    return fail(fmt::format("listener.tls.ciphers: no usable cipher in '{}': {}", ciphers, openssl_reason()));
  SSL_CTX_set_dh_auto(native, 1);  // the DHE suites of the list, with OpenSSL's built-in groups
  SSL_CTX_set_default_passwd_cb(native, refuse_passphrase);

  if (SSL_CTX_use_certificate_chain_file(native, tls.cert_file.c_str()) != 1)
    return fail(fmt::format("listener.tls.cert_file: cannot load a PEM certificate chain from '{}': {}",
                            tls.cert_file, openssl_reason()));
  if (SSL_CTX_use_PrivateKey_file(native, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return fail(fmt::format("listener.tls.key_file: the key in '{}' does not match the certificate in '{}'",
                              tls.key_file, tls.cert_file));
    }
    return fail(fmt::format("listener.tls.key_file: cannot load a PEM private key (without passphrase) from '{}': {}",
                            tls.key_file, openssl_reason()));
  }
  if (SSL_CTX_check_private_key(native) != 1)
    return fail(fmt::format("listener.tls.key_file: the key in '{}' does not match the certificate in '{}'",
                            tls.key_file, tls.cert_file));

  if (tls.client_verify != config::ClientVerify::off) {
    if (SSL_CTX_load_verify_locations(native, tls.client_ca_file.c_str(), nullptr) != 1)
      return fail(fmt::format("listener.tls.client_ca_file: cannot load CA certificates from '{}': {}",
                              tls.client_ca_file, openssl_reason()));
    // The CAs the server names in its certificate request, so a client picks the right one.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str()))
      SSL_CTX_set_client_CA_list(native, names);
    int mode = SSL_VERIFY_PEER;
    if (tls.client_verify == config::ClientVerify::require) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(native, mode, nullptr);
  }
  // Session resumption with client verification needs an id context; harmless without.
  static constexpr unsigned char session_context[] = "levee";
  SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);
  static const std::string http11_only = alpn_wire_format(listener_alpn_protocols);
  static const std::string h2_first = alpn_wire_format(listener_alpn_protocols_h2);
  SSL_CTX_set_alpn_select_cb(native, select_alpn,
                             const_cast<std::string*>(offer_h2 ? &h2_first : &http11_only));

  result.not_after_epoch_seconds = not_after_of(native);
  result.context = std::move(context);
  return result;
}

}  // namespace levee::http
