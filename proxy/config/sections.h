#pragma once
// The YAML schema: which key of which section lands in which Config field.
//
// Internal to the loader. To add a section: a read_<section>(MapReader&, <Section>Config&)
// function in sections.cpp binding its keys, one root.map(...) line in read_config, the
// keys in config/levee.yaml and to_yaml.cpp, and any cross-field checks in validate.cpp.

#include "proxy/config/config.h"
#include "proxy/config/map_reader.h"

namespace levee::config::detail {

// Reads every known section of the root map into config. Unset keys keep their defaults;
// upstreams and routes stay empty when absent (finalize() in validate.h fills them in).
void read_config(MapReader& root, Config& config);

// Metric-label-safe names: non-empty [A-Za-z0-9_.-]+.
std::optional<std::string> check_name(std::string_view name);

// A header name is an RFC 9110 token: a name with a space or a colon could never match, and the
// header would be ignored without a word. "" is allowed: it turns that header off.
std::optional<std::string> check_header_name(std::string_view name);

}  // namespace levee::config::detail
