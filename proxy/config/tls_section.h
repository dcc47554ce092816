#pragma once
// The `tls:` sections of the listener and of each upstream: their keys, and the rules that span them (a key needs its
// certificate, client verification needs a CA), with file paths resolved against the config
// file. Whether the files hold a usable certificate and key is checked where the SSL context
// is built (http/tls_context.h), at start, on every reload and by `levee check`.
//
// Internal to the loader.

#include "proxy/config/config.h"
#include "proxy/config/map_reader.h"
#include "proxy/config/read_context.h"

namespace levee::config::detail {

void read_listener_tls(MapReader& r, ListenerTlsConfig& tls);
void read_upstream_tls(MapReader& r, UpstreamTlsConfig& tls);

// After reading: cross-key rules, and relative paths made relative to the config file.
void finalize_tls(Config& config, ReadContext& context);

}  // namespace levee::config::detail
