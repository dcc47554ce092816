#include "proxy/observability/tls_metrics.h"

#include <string>

namespace levee::observability {

TlsMetrics::TlsMetrics(prometheus::Registry& registry) {
  auto& handshakes = prometheus::BuildCounter()
                         .Name("levee_tls_handshakes_total")
                         .Help("Client TLS handshakes by result: success, or why it failed (timeout, closed, "
                               "protocol_version, no_shared_cipher, client_certificate, plain_http, other)")
                         .Register(registry);
  for (const auto result : http::all_tls_handshake_results)
    handshakes_[http::index(result)] = &handshakes.Add({{"result", std::string(http::name(result))}});
  expiry_ = &prometheus::BuildGauge()
                 .Name("levee_tls_certificate_expiry_timestamp_seconds")
                 .Help("When the listener's certificate expires (its notAfter), seconds since the epoch; "
                       "0 without TLS")
                 .Register(registry)
                 .Add({});
}

}  // namespace levee::observability
