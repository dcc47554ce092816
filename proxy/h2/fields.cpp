#include "proxy/h2/fields.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "proxy/policy/ascii.h"

namespace levee::h2 {

std::vector<Field> outgoing_fields(const std::vector<Field>& fields) {
  constexpr std::array<std::string_view, 6> dropped{"connection", "keep-alive", "proxy-connection",
                                                    "transfer-encoding", "upgrade", "te"};
  std::vector<Field> out;
  out.reserve(fields.size());
  for (const Field& field : fields) {
    std::string name = field.name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; });
    if (name.empty() || name.front() == ':' || std::find(dropped.begin(), dropped.end(), name) != dropped.end())
      continue;
    out.push_back({std::move(name), field.value});
  }
  return out;
}

std::vector<Field> outgoing_request_fields(const std::vector<Field>& fields) {
  std::vector<Field> out = outgoing_fields(fields);
  std::erase_if(out, [](const Field& field) { return field.name == "host"; });
  const bool wants_trailers = std::any_of(fields.begin(), fields.end(), [](const Field& field) {
    return ascii_iequals(field.name, "te") && ascii_iequals(field.value, "trailers");
  });
  if (wants_trailers) out.push_back({"te", "trailers"});
  return out;
}

std::vector<nghttp2_nv> to_nva(std::vector<Field>& fields) {
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size());
  for (Field& field : fields) {
    nva.push_back({reinterpret_cast<std::uint8_t*>(field.name.data()), reinterpret_cast<std::uint8_t*>(field.value.data()),
                   field.name.size(), field.value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  return nva;
}

}  // namespace levee::h2
