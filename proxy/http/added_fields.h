#pragma once
// The fields levee adds to a request on its way to the service (X-Request-Id, X-Forwarded-For,
// X-Forwarded-Proto, Via), kept beside the parsed header rather than inserted into it.
//
// Why: Beast's basic_fields allocates a node for each inserted field and links it into a list
// and a search tree. For the four fields every keep-alive request gets, that was four of the
// twenty allocations a request and about 800 instructions (bench/overhead/allocations.sh,
// instructions.sh). serialize_head() writes these after the header's own fields instead, from
// views. A writer that can only read basic_fields (Beast's serializer for a body streamed from
// the client, the HTTP/2 and upgrade paths) has them inserted first, by insert_into().
//
// The views must outlive the request's forwarding: constants, and strings the request's
// record and connection own.

#include "proxy/http/field_pool.h"

#include <boost/assert.hpp>
#include <boost/beast/http/message.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace levee::http {

struct AddedField {
  std::string_view name;
  std::string_view value;
};

class AddedFields {
 public:
  static constexpr std::size_t capacity = 4;  // X-Request-Id, X-Forwarded-For, -Proto, Via

  void add(std::string_view name, std::string_view value) {
    BOOST_ASSERT(count_ < capacity);
    fields_[count_++] = AddedField{name, value};
  }
  // In the order added; empty once insert_into() has run.
  std::span<const AddedField> fields() const { return {fields_.data(), count_}; }

  // Moves them into `header` (appended after its own fields, in order): from then on the
  // header holds them and fields() is empty, so a second call, or serialize_head() after it,
  // adds nothing twice.
  void insert_into(RequestHeader& header) {
    for (const AddedField& field : fields()) header.insert(field.name, field.value);
    count_ = 0;
  }

 private:
  std::array<AddedField, capacity> fields_{};
  std::size_t count_ = 0;
};

}  // namespace levee::http
