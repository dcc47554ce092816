#include "proxy/config/http2_section.h"

#include <string>

#include <fmt/format.h>

namespace levee::config::detail {
namespace {

// RFC 9113 6.5.2: a flow control window above 2^31-1 is a FLOW_CONTROL_ERROR.
constexpr std::uint64_t max_window = (1ull << 31) - 1;
// Below the 16 KiB default frame size, every DATA frame would wait for a window update.
constexpr std::uint64_t min_window = 16 * KiB;

void read_abuse(MapReader& r, policy::H2AbuseSettings& abuse) {
  r.duration("window", abuse.window, {.min = std::chrono::milliseconds(100), .max = std::chrono::minutes(1)});
  r.integer<std::uint32_t>("max_resets_per_window", abuse.max_resets_per_window, 1, 1'000'000);
  r.number("max_reset_ratio", abuse.max_reset_ratio, 0.01, 1.0);
  r.integer<std::uint32_t>("reset_ratio_min_streams", abuse.reset_ratio_min_streams, 1, 1'000'000'000);
  r.integer<std::uint32_t>("max_settings_per_window", abuse.max_settings_per_window, 1, 1'000'000);
  r.integer<std::uint32_t>("max_pings_per_window", abuse.max_pings_per_window, 1, 1'000'000);
  r.integer<std::uint32_t>("max_priority_per_window", abuse.max_priority_per_window, 1, 1'000'000);
  r.integer<std::uint32_t>("max_empty_data_per_window", abuse.max_empty_data_per_window, 1, 1'000'000);
  r.integer<std::uint32_t>("max_window_updates_per_window", abuse.max_window_updates_per_window, 1, 1'000'000);
  r.integer<std::uint32_t>("max_continuations", abuse.max_continuations, 1, 1000);
  r.size("max_header_block_bytes", abuse.max_header_block_bytes, 1 * KiB, 16 * MiB);
}

// A size key that lands in a 32-bit SETTINGS value.
void size32(MapReader& r, std::string_view key, std::uint32_t& out, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = out;
  r.size(key, value, min, max);
  out = static_cast<std::uint32_t>(value);
}

}  // namespace

void read_http2(MapReader& r, Http2Config& http2) {
  h2::Http2Settings& s = http2.settings;
  r.boolean("enabled", http2.enabled);
  r.boolean("h2c", http2.h2c);
  r.integer<std::uint32_t>("max_concurrent_streams", s.max_concurrent_streams, 1, 100'000);
  size32(r, "initial_window_size", s.initial_window_size, min_window, max_window);
  size32(r, "connection_window_size", s.connection_window_size, min_window, max_window);
  size32(r, "max_header_list_size", s.max_header_list_size, 1 * KiB, 16 * MiB);
  r.map("abuse", [&](MapReader& a) { read_abuse(a, s.abuse); });
}

void finalize_http2(const Config& config, ReadContext& context) {
  const std::string path = "listener.http2";
  if (context.has_errors_under(path)) return;
  const Http2Config& http2 = config.listener.http2;
  const h2::Http2Settings& s = http2.settings;
  if (http2.h2c && !http2.enabled)
    context.error_at(path + ".h2c", "h2c is HTTP/2 without TLS: it needs `enabled: true` as well");
  if (s.connection_window_size < s.initial_window_size)
    context.error_at(path + ".connection_window_size",
                     fmt::format("{} bytes is less than one stream's initial_window_size ({}): a single upload "
                                 "could never use its own window",
                                 s.connection_window_size, s.initial_window_size));
  // The whole header block must fit the byte cap, or every large-but-allowed header list
  // would end the connection instead of getting its 431.
  if (s.abuse.max_header_block_bytes < s.max_header_list_size)
    context.error_at(path + ".abuse.max_header_block_bytes",
                     fmt::format("must be at least max_header_list_size ({} bytes): a header block is never "
                                 "larger than the list it decodes to",
                                 s.max_header_list_size));
  if (const auto problem = policy::validate(s.abuse)) {
    const std::string_view text = *problem;
    context.error_at(fmt::format("{}.abuse.{}", path, text.substr(0, text.find(':'))), std::string(text));
  }
}

}  // namespace levee::config::detail
