// bench/h2: what the HTTP/2 core costs per request, and what an attack costs before the
// connection is closed, without sockets. Requests are hand-built frames (HPACK literals without
// indexing: the dearest encoding a client can choose for a small GET).
// Run: build/release/bench/h2/h2_bench
#include <benchmark/benchmark.h>

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <string>
#include <vector>

#include "proxy/h2/server_connection.h"

namespace {

using namespace levee::h2;

std::string frame(std::uint8_t type, std::uint8_t flags, std::int32_t stream, const std::string& payload) {
  const std::size_t n = payload.size();
  std::string out{static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n),
                  static_cast<char>(type),    static_cast<char>(flags),  static_cast<char>(stream >> 24),
                  static_cast<char>(stream >> 16), static_cast<char>(stream >> 8), static_cast<char>(stream)};
  return out + payload;
}

std::string get_block() {
  const std::vector<Field> fields{{":method", "GET"}, {":scheme", "https"}, {":authority", "service.internal"},
                                  {":path", "/api/items/42"}, {"user-agent", "bench/1"}, {"accept", "*/*"}};
  std::string block;
  for (const Field& f : fields) {  // every length here is < 127: one-byte HPACK lengths
    block += '\0';
    block += static_cast<char>(f.name.size());
    block += f.name;
    block += static_cast<char>(f.value.size());
    block += f.value;
  }
  return block;
}

std::string preface() {
  return std::string(client_preface) + frame(NGHTTP2_SETTINGS, 0, 0, "") + frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "");
}

void drain(ServerConnection& server, levee::policy::TimePoint now) {
  for (auto out = server.pending_output(now); !out.empty(); out = server.pending_output(now)) {
    benchmark::DoNotOptimize(out.data());
    server.consume_output(out.size());
  }
}

// One GET in, its StreamOpened out, a 204 back and written: the core's share of a request.
void BM_GetAnswered204(benchmark::State& state) {
  const auto now = std::chrono::steady_clock::time_point{};
  ServerConnection server(Http2Settings{}, now);
  server.feed(preface(), now);
  drain(server, now);
  const std::string block = get_block();
  std::int32_t id = 1;
  for (auto _ : state) {
    server.feed(frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, id, block), now);
    benchmark::DoNotOptimize(server.take_events());
    server.submit_response(id, 204, {}, true);
    drain(server, now);
    id += 2;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetAnswered204);

// A rapid-reset attack (HEADERS + RST_STREAM pairs, 1000 of them in one read) against a fresh
// connection: the time until levee has said GOAWAY and stopped reading.
void BM_RapidResetUntilGoaway(benchmark::State& state) {
  const auto now = std::chrono::steady_clock::time_point{};
  const std::string block = get_block();
  std::string attack = preface();
  for (std::int32_t i = 0; i < 1000; ++i) {
    const std::int32_t id = 2 * i + 1;
    attack += frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, id, block);
    attack += frame(NGHTTP2_RST_STREAM, 0, id, std::string("\0\0\0\x08", 4));
  }
  for (auto _ : state) {
    ServerConnection server(Http2Settings{}, now);
    server.feed(attack, now);
    benchmark::DoNotOptimize(server.take_events());
    drain(server, now);
    if (!server.abuse()) state.SkipWithError("the attack was not stopped");
  }
  // No bytes/s: parsing stops within one input slice of the 101st reset, not at the end.
}
BENCHMARK(BM_RapidResetUntilGoaway);

}  // namespace

BENCHMARK_MAIN();
