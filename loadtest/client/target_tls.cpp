#include "client/target_tls.h"

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace levee::load {

std::variant<std::vector<TargetTls>, std::string> make_target_tls(const std::vector<Url>& targets,
                                                                  const ClientTlsSettings& settings) {
  namespace ssl = boost::asio::ssl;
  if (std::none_of(targets.begin(), targets.end(), [](const Url& url) { return url.tls; }))
    return std::vector<TargetTls>{};
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
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
  }
  return out;
}

}  // namespace levee::load
