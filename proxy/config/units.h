#pragma once
// Durations and byte sizes as operators write them in YAML ("250ms", "64KiB"). The one duration
// grammar of the project: levee-load's flags and profiles parse durations with it too
// (loadtest/common/duration.h), so "1h" means the same in levee.yaml and in a load profile.
//
// Parsing is exact: a value that cannot be represented exactly (a fraction of a nanosecond or
// of a byte) or that overflows is rejected rather than rounded, so what the operator wrote is
// what levee uses. The format_* functions produce the shortest exact spelling, and
// parse(format(x)) == x for every x.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace levee::config {

// The same alias as config.h's; repeated rather than included so that this grammar builds alone
// (levee_units) and levee-load can share it without the config structs.
using Duration = std::chrono::nanoseconds;

// A non-negative decimal number (fraction allowed: "1.5s") followed by one of the units
// ns, us (or µs), ms, s, m, h; or exactly "0". A number without a unit is rejected because
// "30" could mean seconds or milliseconds depending on who wrote it.
std::optional<Duration> parse_duration(std::string_view text);

// parse_duration for values from outside (a request header): a well-formed duration above `max`,
// even one too large for Duration, is `max`, so "more than levee allows" reads as "the most".
std::optional<Duration> parse_duration_at_most(std::string_view text, Duration max);

// A non-negative decimal number with an optional unit:
//   none or B  bytes
//   KiB MiB GiB TiB   binary (1024^n)
//   KB (kB) MB GB TB  decimal (1000^n)
// "64k", "64K", "1M" are rejected on purpose: some tools read them as 1000^n, others as
// 1024^n, and a limit that is off by 2.4% is a bug nobody finds. A fraction is accepted when
// the result is a whole number of bytes ("1.5MiB").
std::optional<std::uint64_t> parse_size(std::string_view text);

// Shortest exact form, integers preferred on ties: 250ms, 1.5s, 2s, 1m, 0s.
std::string format_duration(Duration duration);

// Shortest exact form with a whole number of units, larger units preferred on ties:
// 64KiB, 1GiB, 1KB, 1536, 0.
std::string format_size(std::uint64_t bytes);

}  // namespace levee::config
