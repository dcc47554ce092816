#pragma once
// Lays an HTTP/1.x header out in one contiguous buffer, to be written in the same gather write
// as the body bytes that follow it.
//
// Why not Beast's serializer: it presents a header as four buffers per field (name, ": ",
// value, CRLF) behind a buffers_cat iterator. Walking that iterator was the largest single
// item of levee's user-space profile on small responses, and the kernel then copies the
// header from dozens of tiny iovecs. One flat copy costs a few hundred bytes of memcpy instead.
// The buffer is the connection's, reused from request to request, so this allocates nothing in
// steady state.
//
// The header is written as it stands: framing fields (Content-Length, Transfer-Encoding) are
// the caller's to have right, as they are for Beast's serializer of a buffer_body.

#include "proxy/http/added_fields.h"
#include "proxy/http/field_pool.h"

#include <boost/beast/http/message.hpp>

#include <span>
#include <string>

namespace levee::http {

// Replaces `out`'s contents with "METHOD target HTTP/1.x\r\n" + fields + "\r\n"; the fields
// levee adds (added_fields.h) follow the header's own.
void serialize_head(const RequestHeader& header, std::span<const AddedField> added,
                    std::string& out);
inline void serialize_head(const RequestHeader& header, std::string& out) {
  serialize_head(header, {}, out);
}
// Replaces `out`'s contents with "HTTP/1.x status reason\r\n" + fields + "\r\n"; an empty
// reason phrase is the status's standard one.
void serialize_head(const ResponseHeader& header, std::string& out);

}  // namespace levee::http
