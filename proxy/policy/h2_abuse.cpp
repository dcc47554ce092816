#include "proxy/policy/h2_abuse.h"

#include <algorithm>

namespace levee::policy {
namespace {

// Enough credit for a burst of a few hundred DATA frames to be acknowledged late, and no more.
constexpr std::uint32_t max_window_update_credit = 1024;

}  // namespace

std::optional<std::string_view> validate(const H2AbuseSettings& s) {
  if (s.window <= Duration::zero()) return "window: must be positive";
  if (s.max_reset_ratio <= 0.0 || s.max_reset_ratio > 1.0) return "max_reset_ratio: must be in (0, 1]";
  if (s.max_header_block_bytes < 1024) return "max_header_block_bytes: must be at least 1KiB";
  return std::nullopt;
}

bool H2AbuseGuard::WindowCount::add(TimePoint now, Duration window, std::uint32_t limit) {
  if (count == 0 || now - start >= window) {
    start = now;
    count = 0;
  }
  ++count;
  return count > limit;
}

std::optional<H2Abuse> H2AbuseGuard::trip(H2Abuse abuse) {
  if (!tripped_) tripped_ = abuse;
  return tripped_;
}

std::optional<H2Abuse> H2AbuseGuard::on_reset(TimePoint now) {
  ++streams_reset_;
  if (resets_.add(now, settings_.window, settings_.max_resets_per_window)) return trip(H2Abuse::rapid_reset);
  // A slow attacker stays under the rate, but still cancels nearly everything it opens.
  if (streams_opened_ >= settings_.reset_ratio_min_streams &&
      static_cast<double>(streams_reset_) > settings_.max_reset_ratio * static_cast<double>(streams_opened_)) {
    return trip(H2Abuse::reset_ratio);
  }
  return std::nullopt;
}

std::optional<H2Abuse> H2AbuseGuard::on_window_update(TimePoint now) {
  if (window_update_credit_ > 0) {
    --window_update_credit_;
    return std::nullopt;
  }
  if (window_updates_.add(now, settings_.window, settings_.max_window_updates_per_window))
    return trip(H2Abuse::window_update_flood);
  return std::nullopt;
}

std::optional<H2Abuse> H2AbuseGuard::record(H2Signal signal, TimePoint now, std::uint64_t bytes) {
  if (tripped_) return tripped_;
  const Duration w = settings_.window;
  switch (signal) {
    case H2Signal::stream_opened:
      ++streams_opened_;
      // gRPC clients (grpc-core) open each call's receive window with a WINDOW_UPDATE before
      // any DATA comes, and raise the connection's as calls start: at a few hundred calls a
      // second on one connection, answers without a body (a shed call is trailers-only)
      // would leave those updates unearned and close a well-behaved client's connection.
      // Opening a stream costs the client a stream (bounded by the reset rules and
      // max_concurrent_streams), and the credit stays capped.
      window_update_credit_ = std::min(window_update_credit_ + 2, max_window_update_credit);
      return std::nullopt;
    case H2Signal::stream_reset:
      return on_reset(now);
    case H2Signal::settings:
      if (settings_frames_.add(now, w, settings_.max_settings_per_window)) return trip(H2Abuse::settings_flood);
      return std::nullopt;
    case H2Signal::ping:
      if (pings_.add(now, w, settings_.max_pings_per_window)) return trip(H2Abuse::ping_flood);
      return std::nullopt;
    case H2Signal::priority:
      if (priorities_.add(now, w, settings_.max_priority_per_window)) return trip(H2Abuse::priority_flood);
      return std::nullopt;
    case H2Signal::empty_data:
      if (empty_data_.add(now, w, settings_.max_empty_data_per_window)) return trip(H2Abuse::empty_data_flood);
      return std::nullopt;
    case H2Signal::window_update:
      return on_window_update(now);
    case H2Signal::data_sent:
      window_update_credit_ = std::min(window_update_credit_ + 2, max_window_update_credit);
      return std::nullopt;
    case H2Signal::header_block_begin:
      block_continuations_ = 0;
      block_bytes_ = bytes;
      if (block_bytes_ > settings_.max_header_block_bytes) return trip(H2Abuse::header_block_too_large);
      return std::nullopt;
    case H2Signal::continuation:
      ++block_continuations_;
      block_bytes_ += bytes;
      if (block_continuations_ > settings_.max_continuations) return trip(H2Abuse::continuation_flood);
      if (block_bytes_ > settings_.max_header_block_bytes) return trip(H2Abuse::header_block_too_large);
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace levee::policy
