#pragma once
// TLS for https:// targets: one client SSL context for the run, and per target the name sent
// in SNI and checked against the certificate. Built before the run starts (it reads the CA
// file), shared read-only by every sending thread's connections.
//
// Verification is on by default, against the system's CAs or --ca-file; --insecure turns it
// off (a self-signed certificate on a test rig). TLS 1.2 and 1.3, as browsers offer today.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/url.h"

namespace boost::asio::ssl {
class context;
}

namespace levee::load {

struct ClientTlsSettings {
  bool insecure = false;  // accept any certificate
  std::string ca_file;    // PEM CAs to verify against; "" the system's
};

struct TargetTls {
  std::shared_ptr<boost::asio::ssl::context> context;  // null: a plain http target
  std::string server_name;                             // SNI (not sent for an IP address) and verified name
  bool verify = true;
};

// One entry per target, or why TLS cannot be set up (an unreadable CA file). No https
// target: an empty vector.
std::variant<std::vector<TargetTls>, std::string> make_target_tls(const std::vector<Url>& targets,
                                                                  const ClientTlsSettings& settings);

}  // namespace levee::load
