#pragma once
// The metrics of TLS on the listener (listener.tls):
//   levee_tls_handshakes_total{result}            client handshakes by how they ended
//                                                 (http::TlsHandshakeResult; success or a failure kind)
//   levee_tls_certificate_expiry_timestamp_seconds  the served certificate's notAfter (set at
//                                                 start and on reload); alert on it minus time()
// levee_client_connections_total counts every accepted connection, TLS or not (its meaning does
// not change with TLS on); the TLS share is levee_tls_handshakes_total's sum over it.
// Every series is created here, at start, so the request path only increments.

#include "proxy/http/tls_handshake_result.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>

namespace levee::observability {

class TlsMetrics {
 public:
  explicit TlsMetrics(prometheus::Registry& registry);

  // Any worker thread.
  void count(http::TlsHandshakeResult result) { handshakes_[http::index(result)]->Increment(); }
  // Control thread, when a context is built.
  void set_certificate_expiry(double epoch_seconds) { expiry_->Set(epoch_seconds); }

  // For /state: handshakes so far with `result`.
  std::uint64_t handshakes(http::TlsHandshakeResult result) const {
    return static_cast<std::uint64_t>(handshakes_[http::index(result)]->Value());
  }
  double certificate_expiry() const { return expiry_->Value(); }

 private:
  std::array<prometheus::Counter*, http::all_tls_handshake_results.size()> handshakes_{};
  prometheus::Gauge* expiry_ = nullptr;
};

}  // namespace levee::observability
