#pragma once
// TLS for https:// targets: one client SSL context for the run, and per target the name sent
// in SNI and checked against the certificate. Built before the run starts (it reads the CA
// file), shared read-only by every sending thread's connections.
//
// Verification is on by default, against the system's CAs or --ca-file; --insecure turns it
// off (a self-signed certificate on a test rig). TLS 1.2 and 1.3, as browsers offer today.
// New connections resume the target's latest TLS session, as browsers do: a caller who comes
// back (a retry, a refresh) does not pay a full handshake, and neither does the generator,
// which would otherwise fall behind its schedule exactly when a spike opens many connections.

#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "common/url.h"

namespace boost::asio::ssl {
class context;
}
struct ssl_session_st;

namespace levee::load {

// The latest resumable session of one target; any thread (a mutex, taken once per new
// connection).
class TlsSessionCache {
 public:
  TlsSessionCache() = default;
  ~TlsSessionCache();
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  // Takes over the caller's reference.
  void store(ssl_session_st* session);
  // A new reference to the latest session (the caller frees it), or null.
  ssl_session_st* latest() const;

 private:
  mutable std::mutex mutex_;
  ssl_session_st* session_ = nullptr;
};

}  // namespace levee::load

namespace levee::load {

struct ClientTlsSettings {
  bool insecure = false;  // accept any certificate
  std::string ca_file;    // PEM CAs to verify against; "" the system's
};

struct TargetTls {
  std::shared_ptr<boost::asio::ssl::context> context;  // null: a plain http target
  std::string server_name;                             // SNI (not sent for an IP address) and verified name
  bool verify = true;
  std::shared_ptr<TlsSessionCache> sessions;  // resumption, shared by every thread's connections
};

// Before a connection's handshake: offer the target's latest session, and have a new one the
// server sends stored there.
void prepare_resumption(void* native_ssl, TlsSessionCache& sessions);

// One entry per target, or why TLS cannot be set up (an unreadable CA file). No https
// target: an empty vector.
std::variant<std::vector<TargetTls>, std::string> make_target_tls(const std::vector<Url>& targets,
                                                                  const ClientTlsSettings& settings);

}  // namespace levee::load
