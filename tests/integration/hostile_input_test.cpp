// Request smuggling and hostile framing, one named case per attack: every request whose framing
// two HTTP parsers could read differently is refused before the service sees a byte of it.
// proxy_errors_test.cpp holds the classic CL.TE / TE.CL cases; these are the obfuscations.

#include "support/stack.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace levee::testing {
namespace {
using namespace std::chrono_literals;
using namespace std::string_literals;  // "...\0..."s keeps the NUL bytes

struct BackendCounts {
  long requests = -1;
  long connections = -1;
};

// One backend and one levee per test suite: starting processes per case would make the matrix
// slow under ASan on two cores, and every case leaves levee as it found it.
class HostileStack {
 public:
  static void start() {
    backend_ = new Backend(start_backend({"--workers", "2", "--service-time", "1ms"}));
    levee_ = new Levee(start_levee(basic_config("127.0.0.1:" + std::to_string(backend_->port),
                                                "  header_timeout: 5s\n  max_header_bytes: 8KiB\n"
                                                "  max_body_bytes: 1MiB\n")));
  }
  static void stop() {
    delete levee_;
    delete backend_;
    levee_ = nullptr;
    backend_ = nullptr;
  }
  static unsigned short port() { return levee_->port; }

  // The backend's own counters; the /stats exchange itself adds one request and one connection.
  static BackendCounts backend_counts() {
    const auto stats = fetch(backend_->port, "GET", "/stats").body;
    return {number_after(stats, "\"requests_total\":"), number_after(stats, "\"connections_total\":")};
  }

 private:
  static long number_after(const std::string& text, const std::string& key) {
    const auto at = text.find(key);
    return at == std::string::npos ? -1 : std::atol(text.c_str() + at + key.size());
  }
  static inline Backend* backend_ = nullptr;
  static inline Levee* levee_ = nullptr;
};

struct Attack {
  const char* name;
  std::string raw;
};

std::string print_name(const ::testing::TestParamInfo<Attack>& info) { return info.param.name; }
// gtest prints a failing parameter with this instead of dumping the struct's bytes.
void PrintTo(const Attack& attack, std::ostream* out) { *out << attack.name; }

// True when `text` has a line equal to `line` (either line ending).
bool has_line(std::string_view text, std::string_view line) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view current = text.substr(0, end);
    if (current.ends_with('\r')) current.remove_suffix(1);
    if (current == line) return true;
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return false;
}

// A POST to /echo with the framing under test; the body defaults to a last chunk alone.
std::string post_with(std::string_view framing_lines, std::string_view body = "0\r\n\r\n") {
  return "POST /echo HTTP/1.1\r\nHost: x\r\n" + std::string(framing_lines) + "\r\n" + std::string(body);
}

constexpr std::string_view smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

// --- Refused at the header: 400, close, and the backend sees not even a connection. ---------

class RefusedHeader : public ::testing::TestWithParam<Attack> {
 protected:
  static void SetUpTestSuite() { HostileStack::start(); }
  static void TearDownTestSuite() { HostileStack::stop(); }
};

TEST_P(RefusedHeader, Gets400CloseAndIsNeverForwarded) {
  const auto before = HostileStack::backend_counts();
  ASSERT_GE(before.requests, 0);
  TestClient client(HostileStack::port());
  client.send_raw(GetParam().raw);
  const auto response = client.read_response();
  EXPECT_EQ(response.status, 400u);
  EXPECT_TRUE(client.closed_by_peer(2s));
  const auto after = HostileStack::backend_counts();
  EXPECT_EQ(after.requests, before.requests + 1) << "a request reached the service";
  EXPECT_EQ(after.connections, before.connections + 1) << "levee opened an upstream connection";
}

INSTANTIATE_TEST_SUITE_P(
    HostileTransferEncoding, RefusedHeader,
    ::testing::Values(
        Attack{"Identity", post_with("Transfer-Encoding: identity\r\n")},
        Attack{"IdentityThenChunkedList", post_with("Transfer-Encoding: identity, chunked\r\n")},
        Attack{"GzipThenChunked", post_with("Transfer-Encoding: gzip, chunked\r\n")},
        Attack{"ChunkedTwiceInList", post_with("Transfer-Encoding: chunked, chunked\r\n")},
        Attack{"Empty", post_with("Transfer-Encoding:\r\n")},
        Attack{"Quoted", post_with("Transfer-Encoding: \"chunked\"\r\n")},
        Attack{"ChunkedFieldTwice", post_with("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")},
        Attack{"IdentityFieldThenChunkedField",
               post_with("Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n")},
        Attack{"SpaceBeforeColon", post_with("Transfer-Encoding : chunked\r\n")},
        Attack{"TabBeforeColon", post_with("Transfer-Encoding\t: chunked\r\n")},
        Attack{"VerticalTabAsSeparator", post_with("Transfer-Encoding:\x0b" "chunked\r\n")},
        Attack{"FormFeedAfterValue", post_with("Transfer-Encoding: chunked\x0c\r\n")},
        Attack{"NonBreakingSpaceAsSeparator", post_with("Transfer-Encoding:\xa0" "chunked\r\n")},
        Attack{"LeadingSpaceBeforeFirstField",
               "POST /echo HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: x\r\n\r\n0\r\n\r\n"},
        Attack{"ObfuscatedWithContentLength",
               post_with("Content-Length: 5\r\nTransfer-Encoding: chunked, identity\r\n", "0\r\n\r\n")}),
    print_name);

INSTANTIATE_TEST_SUITE_P(
    HostileContentLength, RefusedHeader,
    ::testing::Values(
        Attack{"ListOfEqualValues", post_with("Content-Length: 5, 5\r\n", "0\r\n\r\n")},
        Attack{"ListWithoutSpace", post_with("Content-Length: 5,5\r\n", "0\r\n\r\n")},
        Attack{"NonNumeric", post_with("Content-Length: abc\r\n", "0\r\n\r\n")},
        Attack{"Negative", post_with("Content-Length: -5\r\n", "0\r\n\r\n")},
        Attack{"LeadingPlus", post_with("Content-Length: +5\r\n", "0\r\n\r\n")},
        Attack{"Hexadecimal", post_with("Content-Length: 0x5\r\n", "0\r\n\r\n")},
        Attack{"Empty", post_with("Content-Length:\r\n", "0\r\n\r\n")},
        Attack{"SpaceInsideNumber", post_with("Content-Length: 1 5\r\n", "0\r\n\r\n")},
        Attack{"Overflowing", post_with("Content-Length: 99999999999999999999999\r\n", "0\r\n\r\n")},
        Attack{"SpaceBeforeColon", post_with("Content-Length : 5\r\n", "0\r\n\r\n")},
        Attack{"NulAfterNumber", post_with("Content-Length: 5\0\r\n"s, "0\r\n\r\n")}),
    print_name);

INSTANTIATE_TEST_SUITE_P(
    HostileBytes, RefusedHeader,
    ::testing::Values(
        Attack{"BareLfEverywhere", "GET / HTTP/1.1\nHost: x\n\n"},
        Attack{"BareLfAfterRequestLine", "GET / HTTP/1.1\nHost: x\r\n\r\n"},
        Attack{"BareLfBetweenFields", "GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n"},
        Attack{"BareLfHidingTransferEncoding", post_with("X-A: b\nTransfer-Encoding: chunked\r\n")},
        Attack{"BareCrBetweenFields", "GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n"},
        Attack{"NulInFieldValue", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"s},
        Attack{"NulInFieldName", "GET / HTTP/1.1\r\nHost: x\r\nX\0A: b\r\n\r\n"s},
        Attack{"ControlByteInFieldValue", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01z\r\n\r\n"},
        Attack{"DeleteByteInFieldValue", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7fz\r\n\r\n"},
        Attack{"ControlByteInFieldName", "GET / HTTP/1.1\r\nHost: x\r\nX\x1f" "A: b\r\n\r\n"},
        Attack{"EmptyFieldName", "GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n"},
        Attack{"SpaceBeforeColonInHost", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"},
        Attack{"NulInTarget", "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n"s},
        Attack{"ControlByteInTarget", "GET /a\x01z HTTP/1.1\r\nHost: x\r\n\r\n"},
        Attack{"NulInMethod", "G\0T / HTTP/1.1\r\nHost: x\r\n\r\n"s},
        Attack{"TabInRequestLine", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n"},
        Attack{"TwoSpacesInRequestLine", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n"},
        Attack{"LowerCaseVersion", "GET / http/1.1\r\nHost: x\r\n\r\n"},
        Attack{"Http09RequestLine", "GET /\r\n\r\n"}),
    print_name);

// --- Broken chunked bodies: the header was already on its way to the service (levee streams
// bodies), so the guarantee is that the service never receives a complete request and the
// client connection is closed. The partly-written upstream connection is never reused.

class BrokenChunkedBody : public ::testing::TestWithParam<Attack> {
 protected:
  static void SetUpTestSuite() { HostileStack::start(); }
  static void TearDownTestSuite() { HostileStack::stop(); }
};

TEST_P(BrokenChunkedBody, ClosesAndNothingCompleteReachesTheService) {
  const auto before = HostileStack::backend_counts();
  ASSERT_GE(before.requests, 0);
  {
    TestClient client(HostileStack::port(), 5s);
    client.send_raw(GetParam().raw);
    EXPECT_TRUE(client.closed_by_peer(3s));  // discards anything sent; no 200 can be read later
  }
  const auto after = HostileStack::backend_counts();
  EXPECT_EQ(after.requests, before.requests + 1) << "a request reached the service";
  // levee is still healthy, and the pooled upstream connection it uses next is a clean one.
  EXPECT_EQ(fetch(HostileStack::port(), "POST", "/echo", "abc").status, 200u);
}

INSTANTIATE_TEST_SUITE_P(
    HostileChunks, BrokenChunkedBody,
    ::testing::Values(
        Attack{"SpaceAfterSize", post_with("Transfer-Encoding: chunked\r\n", "3 \r\nabc\r\n0\r\n\r\n")},
        Attack{"HexPrefixInSize", post_with("Transfer-Encoding: chunked\r\n", "0x3\r\nabc\r\n0\r\n\r\n")},
        Attack{"BareLfAfterSize", post_with("Transfer-Encoding: chunked\r\n", "3\nabc\r\n0\r\n\r\n")},
        Attack{"ControlByteInExtension", post_with("Transfer-Encoding: chunked\r\n", "3;a=\x01\r\nabc\r\n0\r\n\r\n")},
        Attack{"OverflowingSize",
               post_with("Transfer-Encoding: chunked\r\n", "fffffffffffffffff1\r\nabc\r\n0\r\n\r\n")},
        Attack{"DataLongerThanSize",
               post_with("Transfer-Encoding: chunked\r\n", "1\r\nabc\r\n0\r\n\r\n" + std::string(smuggled))}),
    print_name);

// --- Legal spellings levee accepts: it must frame them exactly as the service will, so the
// body carrying a request-shaped payload arrives as a body, never as a second request.

class LegalSpelling : public ::testing::TestWithParam<Attack> {
 protected:
  static void SetUpTestSuite() { HostileStack::start(); }
  static void TearDownTestSuite() { HostileStack::stop(); }
};

TEST_P(LegalSpelling, IsFramedAsOneRequestWithCanonicalChunked) {
  const std::string chunk = std::string(smuggled);
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  const std::string request = "POST /headers HTTP/1.1\r\nHost: x\r\n" + GetParam().raw + "\r\n" + size + "\r\n" +
                              chunk + "\r\n0\r\n\r\n";
  const auto before = HostileStack::backend_counts();
  ASSERT_GE(before.requests, 0);
  TestClient client(HostileStack::port());
  client.send_raw(request);
  const auto response = client.read_response();
  ASSERT_EQ(response.status, 200u);
  // RFC 9110 7.6.1 / 9112 5.2: levee forwards one canonical spelling, never the client's.
  EXPECT_TRUE(has_line(response.body, "Transfer-Encoding: chunked")) << response.body;
  // The connection is still in step: a second request on it gets its own answer.
  EXPECT_EQ(client.request("GET", "/status?code=204").status, 204u);
  const auto after = HostileStack::backend_counts();
  EXPECT_EQ(after.requests, before.requests + 3) << "the body was read as a request somewhere";
}

INSTANTIATE_TEST_SUITE_P(
    HostileLegalTransferEncoding, LegalSpelling,
    ::testing::Values(Attack{"UpperCaseChunked", "Transfer-Encoding: Chunked\r\n"},
                      Attack{"ShoutedChunked", "Transfer-Encoding: CHUNKED\r\n"},
                      Attack{"ExtraSpaceBeforeValue", "Transfer-Encoding:   chunked\r\n"},
                      Attack{"TabAfterValue", "Transfer-Encoding: chunked\t\r\n"},
                      // obs-fold: Beast replaces it with a space (RFC 9112 5.2 allows that).
                      Attack{"FoldedValue", "Transfer-Encoding:\r\n chunked\r\n"}),
    print_name);

// --- Many tiny headers: bounded by max_header_bytes, not by how many fields fit in it. -------

class HostileHeaderCount : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { HostileStack::start(); }
  static void TearDownTestSuite() { HostileStack::stop(); }
};

TEST_F(HostileHeaderCount, ThousandsOfTinyHeadersGet431AndAreNeverForwarded) {
  // 20 KB in 5-byte fields. The header spans several reads (levee's first is 4 KiB), which is
  // what once let Beast forget the fields it had already parsed and forward the lot.
  std::string raw = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 4000; ++i) raw += "a:b\r\n";
  raw += "\r\n";
  const auto before = HostileStack::backend_counts();
  for (int round = 0; round < 20; ++round) {
    TestClient client(HostileStack::port());
    client.send_raw(raw);
    EXPECT_EQ(client.read_response().status, 431u);
    EXPECT_TRUE(client.closed_by_peer(2s));
  }
  EXPECT_EQ(HostileStack::backend_counts().requests, before.requests + 1);
  EXPECT_EQ(fetch(HostileStack::port(), "GET", "/").status, 200u);
}

TEST_F(HostileHeaderCount, EndlessChunkedTrailerIsCutOff) {
  // The last chunk, then trailer lines that never end: Beast holds a trailer section whole
  // before parsing it, so only levee's cap on its read buffer stops this growing.
  TestClient client(HostileStack::port(), 5s);
  client.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n");
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += "a:b\r\n";
  bool cut_off = false;
  for (int i = 0; i < 200 && !cut_off; ++i) {  // 2 MB at most, against a cap of 8 KiB + 64 KiB
    try {
      client.send_raw(lines);
    } catch (const std::exception&) {
      cut_off = true;  // levee closed and the kernel answered a later write with a reset
    }
  }
  EXPECT_TRUE(cut_off || client.closed_by_peer(2s));
  EXPECT_EQ(fetch(HostileStack::port(), "GET", "/").status, 200u);
}

TEST_F(HostileHeaderCount, ManyFieldsUnderTheByteLimitAreServed) {
  // 500 fields of 6 bytes fit in 8 KiB: the count alone is no reason to refuse.
  std::vector<std::pair<std::string, std::string>> headers;
  for (int i = 0; i < 500; ++i) headers.emplace_back("a", "b");
  EXPECT_EQ(fetch(HostileStack::port(), "GET", "/", {}, headers).status, 200u);
}

}  // namespace
}  // namespace levee::testing
