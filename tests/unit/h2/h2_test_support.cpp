#include "h2_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace levee::h2::testing {
namespace {

TestClient& client_of(void* user_data) { return *static_cast<TestClient*>(user_data); }

std::string text(const std::uint8_t* p, std::size_t n) { return std::string(reinterpret_cast<const char*>(p), n); }

int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
              const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user_data) {
  ClientStream& s = client_of(user_data).streams_[frame->hd.stream_id];
  Field field{text(name, namelen), text(value, valuelen)};
  if (frame->headers.cat == NGHTTP2_HCAT_HEADERS && !s.headers.empty()) {
    s.trailers.push_back(std::move(field));
  } else {
    s.headers.push_back(std::move(field));
  }
  return 0;
}

int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data, std::size_t len, void* user_data) {
  client_of(user_data).streams_[id].body += text(data, len);
  return 0;
}

int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  TestClient& c = client_of(user_data);
  if (frame->hd.type == NGHTTP2_GOAWAY) {
    c.goaway_code = frame->goaway.error_code;
    c.goaway_last_stream = frame->goaway.last_stream_id;
  }
  if (frame->hd.type == NGHTTP2_RST_STREAM) c.streams_[frame->hd.stream_id].reset_code = frame->rst_stream.error_code;
  return 0;
}

int on_close(nghttp2_session*, std::int32_t id, std::uint32_t code, void* user_data) {
  ClientStream& s = client_of(user_data).streams_[id];
  s.closed = true;
  s.close_code = code;
  return 0;
}

ssize_t read_request_body(nghttp2_session*, std::int32_t id, std::uint8_t* buf, std::size_t length,
                          std::uint32_t* flags, nghttp2_data_source*, void* user_data) {
  auto& [body, offset] = client_of(user_data).bodies_[id];
  const std::size_t n = std::min(length, body.size() - offset);
  std::memcpy(buf, body.data() + offset, n);
  offset += n;
  if (offset == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

std::string u32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// An HPACK integer with a 7-bit prefix (RFC 7541 5.1), H bit clear.
void hpack_length(std::string& out, std::size_t n) {
  if (n < 127) {
    out.push_back(static_cast<char>(n));
    return;
  }
  out.push_back(static_cast<char>(127));
  n -= 127;
  while (n >= 128) {
    out.push_back(static_cast<char>((n % 128) + 128));
    n /= 128;
  }
  out.push_back(static_cast<char>(n));
}

}  // namespace

TestClient::TestClient() {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
  nghttp2_session_client_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
}

TestClient::~TestClient() { nghttp2_session_del(session_); }

std::int32_t TestClient::request(const std::vector<Field>& headers, std::optional<std::string> body) {
  std::vector<nghttp2_nv> nva;
  for (const Field& f : headers) {
    nva.push_back({const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(f.name.data())),
                   const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(f.value.data())), f.name.size(),
                   f.value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider provider{};
  provider.read_callback = read_request_body;
  const std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), body ? &provider : nullptr,
                                                 nullptr);
  EXPECT_GT(id, 0);
  if (body) bodies_[id] = {std::move(*body), 0};
  return id;
}

void TestClient::reset(std::int32_t stream, std::uint32_t code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, code);
}

std::string TestClient::take_output() {
  std::string out;
  for (int i = 0; i < 10000; ++i) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out += text(data, static_cast<std::size_t>(n));
  }
  return out;
}

void TestClient::receive(std::span<const std::uint8_t> bytes) {
  const ssize_t n = nghttp2_session_mem_recv(session_, bytes.data(), bytes.size());
  EXPECT_EQ(n, static_cast<ssize_t>(bytes.size()));
}

std::vector<Field> get(std::string_view path, std::string_view authority) {
  return {{":method", "GET"}, {":scheme", "https"}, {":authority", std::string(authority)}, {":path", std::string(path)}};
}

std::vector<Field> post(std::string_view path, std::string_view authority) {
  return {{":method", "POST"}, {":scheme", "https"}, {":authority", std::string(authority)}, {":path", std::string(path)}};
}

void deliver(ServerConnection& server, TestClient& client, levee::testing::ManualClock& clock) {
  for (int i = 0; i < 1000; ++i) {
    const auto out = server.pending_output(clock.now());
    if (out.empty()) return;
    const std::size_t n = out.size();
    client.receive(out);
    server.consume_output(n);
  }
}

void shuttle(TestClient& client, ServerConnection& server, levee::testing::ManualClock& clock,
             std::vector<Event>& events) {
  for (int round = 0; round < 1000; ++round) {
    const std::string up = client.take_output();
    server.feed(up, clock.now());
    for (Event& e : server.take_events()) events.push_back(std::move(e));
    const auto down = server.pending_output(clock.now());
    const bool quiet = up.empty() && down.empty();
    if (!down.empty()) {
      const std::size_t n = down.size();
      client.receive(down);
      server.consume_output(n);
    }
    if (quiet) return;
  }
  ADD_FAILURE() << "client and server kept talking for 1000 rounds";
}

std::string frame(std::uint8_t type, std::uint8_t flags, std::int32_t stream, std::string_view payload) {
  std::string out;
  const std::size_t n = payload.size();
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(flags));
  out += u32(static_cast<std::uint32_t>(stream) & 0x7fffffffu);
  out += payload;
  return out;
}

std::string preface() { return std::string(client_preface) + frame(NGHTTP2_SETTINGS, 0, 0, ""); }

std::string header_block(const std::vector<Field>& fields) {
  std::string out;
  for (const Field& f : fields) {
    out.push_back('\0');  // literal without indexing, new name
    hpack_length(out, f.name.size());
    out += f.name;
    hpack_length(out, f.value.size());
    out += f.value;
  }
  return out;
}

std::string headers_frame(std::int32_t stream, const std::vector<Field>& fields, bool end_stream) {
  const std::uint8_t flags = NGHTTP2_FLAG_END_HEADERS | (end_stream ? NGHTTP2_FLAG_END_STREAM : 0);
  return frame(NGHTTP2_HEADERS, flags, stream, header_block(fields));
}

std::string rst_frame(std::int32_t stream, std::uint32_t code) { return frame(NGHTTP2_RST_STREAM, 0, stream, u32(code)); }

std::string window_update_frame(std::int32_t stream, std::uint32_t increment) {
  return frame(NGHTTP2_WINDOW_UPDATE, 0, stream, u32(increment));
}

std::vector<RawFrame> parse_frames(std::string_view bytes) {
  std::vector<RawFrame> frames;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i])); };
  while (bytes.size() >= 9) {
    const std::size_t length = (byte(0) << 16) | (byte(1) << 8) | byte(2);
    if (bytes.size() < 9 + length) break;
    RawFrame f;
    f.type = static_cast<std::uint8_t>(byte(3));
    f.flags = static_cast<std::uint8_t>(byte(4));
    f.stream = static_cast<std::int32_t>(((byte(5) << 24) | (byte(6) << 16) | (byte(7) << 8) | byte(8)) & 0x7fffffffu);
    f.payload = std::string(bytes.substr(9, length));
    frames.push_back(std::move(f));
    bytes.remove_prefix(9 + length);
  }
  return frames;
}

std::optional<std::uint32_t> goaway_code(std::string_view bytes) {
  for (const RawFrame& f : parse_frames(bytes)) {
    if (f.type != NGHTTP2_GOAWAY || f.payload.size() < 8) continue;
    const auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(f.payload[i])); };
    return (b(4) << 24) | (b(5) << 16) | (b(6) << 8) | b(7);
  }
  return std::nullopt;
}

std::string drain_output(ServerConnection& server, levee::testing::ManualClock& clock) {
  std::string all;
  for (int i = 0; i < 10000; ++i) {
    const auto out = server.pending_output(clock.now());
    if (out.empty()) break;
    all.append(reinterpret_cast<const char*>(out.data()), out.size());
    server.consume_output(out.size());
  }
  return all;
}

}  // namespace levee::h2::testing
