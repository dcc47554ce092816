#pragma once
// Defences against HTTP/2 clients that make the server work without asking for anything.
//
// HTTP/2 lets a client send frames that cost the server work but produce no request a limit
// can count: open a stream and cancel it at once (rapid reset, CVE-2023-44487), send a header
// block as an endless run of CONTINUATION frames (CVE-2024-27316 and friends), or flood
// SETTINGS, PING, PRIORITY, empty DATA or WINDOW_UPDATE frames (CVE-2019-9512/9515/9516/9518).
// None of these is wrong once; each is an attack in bulk. The guard counts them and names the
// first rule broken; the connection then says GOAWAY ENHANCE_YOUR_CALM and closes.
//
// Every rate rule is a counter over a fixed window (`window`, 1 s by default): simple, O(1),
// and at worst lets through twice the limit across a window boundary, which is still far
// below what an attack needs. Limits are generous: a real browser or gRPC client stays two
// orders of magnitude below each of them.
//
// Pure and time-injected: the connection calls record() with `now` for every signal; the
// guard never reads a clock. One guard per connection; not thread-safe (a connection is only
// touched by its own thread).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "proxy/policy/clock.h"

namespace levee::policy {

struct H2AbuseSettings {
  Duration window = std::chrono::seconds(1);
  // Rapid reset: streams the client opened and cancelled (or made levee reset with an error,
  // the "MadeYouReset" variant) per window. Each costs a header decode and a stream; 100 a
  // second is more than a browser cancels when a user scrolls past a page of images.
  std::uint32_t max_resets_per_window = 100;
  // ... and as a share of all streams over the connection's life, once it has opened
  // reset_ratio_min_streams streams: a client whose streams are mostly cancelled is not
  // fetching anything, however slowly it does so.
  double max_reset_ratio = 0.5;
  std::uint32_t reset_ratio_min_streams = 200;
  // Control frames per window. Each makes the server answer (SETTINGS and PING want an ACK)
  // or walk its state (PRIORITY); real clients send a handful per connection.
  std::uint32_t max_settings_per_window = 20;
  std::uint32_t max_pings_per_window = 20;
  std::uint32_t max_priority_per_window = 200;
  // DATA frames with no payload and no END_STREAM: they carry nothing and only cost a frame.
  std::uint32_t max_empty_data_per_window = 100;
  // WINDOW_UPDATE frames beyond those earned: each DATA frame levee sends, and each stream the
  // client opens, earns the client two (one for the stream, one for the connection), so a
  // fast download or a gRPC client's many calls are never mistaken for a flood; only updates
  // nobody asked for count against this.
  std::uint32_t max_window_updates_per_window = 200;
  // One header block (HEADERS plus its CONTINUATIONs): at most this many CONTINUATION frames
  // and this many bytes on the wire. A block is decoded only when it is complete, so both
  // bound what a client can make the server hold before it sees a request. 8 is nghttp2's own
  // default: a 64 KiB header in 16 KiB frames needs 3.
  std::uint32_t max_continuations = 8;
  std::uint64_t max_header_block_bytes = 64 * 1024;

  friend bool operator==(const H2AbuseSettings&, const H2AbuseSettings&) = default;
};

// Why is this settings object unusable, or nullopt. Messages start with the key they are about.
std::optional<std::string_view> validate(const H2AbuseSettings& settings);

// What the connection saw. One signal per frame or event.
enum class H2Signal : std::uint8_t {
  stream_opened,       // a request stream began (HEADERS on a new stream; earns two WINDOW_UPDATEs)
  stream_reset,        // the client reset a stream, or levee reset one for the client's error
  settings,            // a SETTINGS frame (not an ACK)
  ping,                // a PING frame (not an ACK)
  priority,            // a PRIORITY frame
  empty_data,          // a DATA frame with no payload and no END_STREAM
  window_update,       // a WINDOW_UPDATE frame
  data_sent,           // levee sent a DATA frame (earns the client two WINDOW_UPDATEs)
  header_block_begin,  // a HEADERS frame; bytes = its payload length
  continuation,        // a CONTINUATION frame; bytes = its payload length
};

// The rule broken. name() is the metric label and log word.
enum class H2Abuse : std::uint8_t {
  rapid_reset,
  reset_ratio,
  settings_flood,
  ping_flood,
  priority_flood,
  empty_data_flood,
  window_update_flood,
  continuation_flood,
  header_block_too_large,
};

inline constexpr std::array all_h2_abuses{
    H2Abuse::rapid_reset,         H2Abuse::reset_ratio,        H2Abuse::settings_flood,
    H2Abuse::ping_flood,          H2Abuse::priority_flood,     H2Abuse::empty_data_flood,
    H2Abuse::window_update_flood, H2Abuse::continuation_flood, H2Abuse::header_block_too_large,
};

constexpr std::string_view name(H2Abuse abuse) {
  switch (abuse) {
    case H2Abuse::rapid_reset: return "rapid_reset";
    case H2Abuse::reset_ratio: return "reset_ratio";
    case H2Abuse::settings_flood: return "settings_flood";
    case H2Abuse::ping_flood: return "ping_flood";
    case H2Abuse::priority_flood: return "priority_flood";
    case H2Abuse::empty_data_flood: return "empty_data_flood";
    case H2Abuse::window_update_flood: return "window_update_flood";
    case H2Abuse::continuation_flood: return "continuation_flood";
    case H2Abuse::header_block_too_large: return "header_block_too_large";
  }
  return "unknown";
}

class H2AbuseGuard {
 public:
  explicit H2AbuseGuard(const H2AbuseSettings& settings) : settings_(settings) {}

  // Called by the connection for each signal as it happens. Returns the rule this signal
  // broke (the first one: from then on the guard keeps answering it), or nullopt. The caller
  // owes the client a GOAWAY ENHANCE_YOUR_CALM and a close once this returns a rule.
  std::optional<H2Abuse> record(H2Signal signal, TimePoint now, std::uint64_t bytes = 0);

  // The rule broken so far, if any.
  std::optional<H2Abuse> tripped() const { return tripped_; }

  std::uint64_t streams_opened() const { return streams_opened_; }
  std::uint64_t streams_reset() const { return streams_reset_; }

 private:
  // Events in the current fixed window; restarts when a window has passed.
  struct WindowCount {
    TimePoint start{};
    std::uint32_t count = 0;
    // Counts one event; true when the window now holds more than `limit`.
    bool add(TimePoint now, Duration window, std::uint32_t limit);
  };

  std::optional<H2Abuse> trip(H2Abuse abuse);
  std::optional<H2Abuse> on_reset(TimePoint now);
  std::optional<H2Abuse> on_window_update(TimePoint now);

  H2AbuseSettings settings_;
  std::optional<H2Abuse> tripped_;
  std::uint64_t streams_opened_ = 0;
  std::uint64_t streams_reset_ = 0;
  WindowCount resets_, settings_frames_, pings_, priorities_, empty_data_, window_updates_;
  // WINDOW_UPDATEs the client has earned by receiving DATA; capped so a long download cannot
  // bank a licence for a later flood.
  std::uint32_t window_update_credit_ = 0;
  // The header block being received (HTTP/2 allows only one at a time per connection).
  std::uint32_t block_continuations_ = 0;
  std::uint64_t block_bytes_ = 0;
};

}  // namespace levee::policy
