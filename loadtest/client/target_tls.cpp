#include "client/target_tls.h"

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>

#include <openssl/ssl.h>

#include <algorithm>

namespace levee::load {
namespace {

// The ex-data slot where a connection's SSL points at its TlsSessionCache. Not the app-data
// slot (0): Asio keeps its verify callback there and deletes whatever it finds. Allocated once
// per process, then only read.
int session_cache_slot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

// OpenSSL hands every new session of a connection here (TLS 1.3: after the handshake, with
// the ticket).
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* cache = static_cast<TlsSessionCache*>(SSL_get_ex_data(ssl, session_cache_slot()));
  if (cache == nullptr) return 0;  // not kept: OpenSSL frees it
  cache->store(session);
  return 1;  // the cache holds the reference now
}

}  // namespace

TlsSessionCache::~TlsSessionCache() {
  if (session_ != nullptr) SSL_SESSION_free(session_);
}

void TlsSessionCache::store(ssl_session_st* session) {
  std::lock_guard lock(mutex_);
  if (session_ != nullptr) SSL_SESSION_free(session_);
  session_ = session;
}

ssl_session_st* TlsSessionCache::latest() const {
  std::lock_guard lock(mutex_);
  if (session_ != nullptr) SSL_SESSION_up_ref(session_);
  return session_;
}

void prepare_resumption(void* native_ssl, TlsSessionCache& sessions) {
  auto* ssl = static_cast<SSL*>(native_ssl);
  SSL_set_ex_data(ssl, session_cache_slot(), &sessions);
  if (SSL_SESSION* session = sessions.latest()) {
    SSL_set_session(ssl, session);  // takes its own reference
    SSL_SESSION_free(session);
  }
}

std::variant<std::vector<TargetTls>, std::string> make_target_tls(const std::vector<Url>& targets,
                                                                  const ClientTlsSettings& settings) {
  namespace ssl = boost::asio::ssl;
  if (std::none_of(targets.begin(), targets.end(), [](const Url& url) { return url.tls; }))
    return std::vector<TargetTls>{};
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  // Sessions are kept by TlsSessionCache, not OpenSSL's internal client cache.
  SSL_CTX_set_session_cache_mode(context->native_handle(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(context->native_handle(), on_new_session);
  boost::system::error_code ec;
  if (!settings.insecure) {
    if (settings.ca_file.empty()) context->set_default_verify_paths(ec);
    else context->load_verify_file(settings.ca_file, ec);
    if (ec) return fmt::format("cannot load CA certificates from {}: {}",
                               settings.ca_file.empty() ? "the system store" : settings.ca_file, ec.message());
  }
  std::vector<TargetTls> out;
  for (const Url& url : targets) {
    TargetTls& tls = out.emplace_back();
    if (!url.tls) continue;
    tls.context = context;
    tls.server_name = url.host;
    tls.verify = !settings.insecure;
    tls.sessions = std::make_shared<TlsSessionCache>();
  }
  return out;
}

}  // namespace levee::load
