#include "common/duration.h"

#include "proxy/config/units.h"

namespace levee::load {

// levee's own grammar (proxy/config/units.h): a profile and levee.yaml accept the same words.
std::optional<Nanos> parse_duration(std::string_view text) { return config::parse_duration(text); }

std::string format_duration(Nanos d) { return config::format_duration(d); }

}  // namespace levee::load
