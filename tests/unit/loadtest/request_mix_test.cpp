// Request mixes (profile `requests:`): parsing, the weighted pick, and the bytes each template
// puts on the wire.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "client/request_mix.h"
#include "profile/profile_loader.h"

namespace levee::load {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A folder of its own per test process (ctest runs tests in parallel): the profile and its bodies.
class ProfileFolder {
 public:
  ProfileFolder() : folder_(fs::path(testing::TempDir()) / ("levee_load_mix_test-" + std::to_string(::getpid()))) {
    fs::create_directories(folder_ / "bodies");
  }
  ~ProfileFolder() { fs::remove_all(folder_); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(folder_ / name) << text;
    return (folder_ / name).string();
  }

 private:
  fs::path folder_;
};

constexpr const char* head = R"(name: mix
target: http://127.0.0.1:8080/work
request: {headers: {Authorization: Bearer t}}
phases:
  - {name: steady, rate: 100, duration: 1s}
)";

std::variant<RunPlan, std::string> plan_of(const std::string& profile_path, RunOverrides o = {}) {
  o.profile_path = profile_path;
  return build_plan(o);
}

TEST(RequestMixProfile, EntriesInheritTheSharedRequestAndReadBodiesBesideTheProfile) {
  ProfileFolder folder;
  folder.write("bodies/order.json", "{\"item\": 7}\n");
  const auto path = folder.write("p.yaml", std::string(head) + R"(requests:
  - {weight: 8, path: /items}
  - weight: 2
    method: POST
    path: /orders?source=test
    headers: {Content-Type: application/json}
    body_file: bodies/order.json
)");
  auto built = plan_of(path);
  ASSERT_TRUE(std::holds_alternative<RunPlan>(built)) << std::get<std::string>(built);
  const RunPlan& plan = std::get<RunPlan>(built);
  ASSERT_EQ(plan.request_mix.size(), 2u);
  const auto& items = plan.request_mix[0];
  const auto& orders = plan.request_mix[1];
  EXPECT_EQ(items.weight, 8);
  EXPECT_EQ(items.request.method, "GET");
  EXPECT_EQ(items.request.path, "/items");
  EXPECT_EQ(orders.weight, 2);
  EXPECT_EQ(orders.request.method, "POST");
  EXPECT_EQ(orders.request.body, "{\"item\": 7}\n");
  // The shared header first, the entry's own after it; retries and deadlines marked as the run's.
  ASSERT_EQ(orders.request.headers.size(), 2u);
  EXPECT_EQ(orders.request.headers[0].first, "Authorization");
  EXPECT_EQ(orders.request.headers[1].first, "Content-Type");
  EXPECT_EQ(orders.request.deadline_header, "levee-timeout");
  EXPECT_EQ(flows_to_send(plan).at(0).mix.size(), 2u);

  const std::string wire = assemble(serialize_request(plan.targets[0], orders.request, 1), 800ms);
  EXPECT_EQ(wire.rfind("POST /orders?source=test HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n", 0), 0u) << wire;
  EXPECT_NE(wire.find("Content-Length: 12\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("Retry-Attempt: 1\r\n"), std::string::npos) << wire;
  EXPECT_EQ(wire.substr(wire.size() - 12), "{\"item\": 7}\n") << wire;
  // Without a path a template calls the target's own.
  RequestTemplate plain;
  EXPECT_EQ(assemble(serialize_request(plan.targets[0], plain, 0), 1s).rfind("GET /work HTTP/1.1\r\n", 0), 0u);
}

TEST(RequestMixProfile, ErrorsNameFileLineAndKey) {
  ProfileFolder folder;
  struct Case {
    std::string entries;
    std::string error;  // after "<file>: "
  };
  const std::vector<Case> cases{
      {"  - {weight: 1, pth: /x}\n", "line 7: requests[0].pth: unknown key (weight, method, path"},
      {"  - {path: /a}\n  - {weight: 0, path: /b}\n", "line 8: requests[1].weight: expected a positive number, got 0"},
      {"  - {path: items}\n", "line 7: requests[0].path: expected a path starting with /, got 'items'"},
      {"  - {body_file: bodies/missing.json}\n", "line 7: requests[0].body_file: cannot read "},
      {"  - {body: x, body_file: bodies/x}\n", "line 7: requests[0].body_file: give body or body_file, not both"},
      {"  []\n", "line 7: requests: expected a list of requests"},
  };
  for (const auto& c : cases) {
    const auto path = folder.write("bad.yaml", std::string(head) + "requests:\n" + c.entries);
    auto built = plan_of(path);
    ASSERT_TRUE(std::holds_alternative<std::string>(built)) << c.entries;
    const std::string& error = std::get<std::string>(built);
    EXPECT_EQ(error.rfind(path + ": " + c.error, 0), 0u) << error << "\nwanted: " << c.error;
  }
}

TEST(RequestMixProfile, MethodAndBodyFlagsAreRefusedWithAMix) {
  ProfileFolder folder;
  const auto path = folder.write("p.yaml", std::string(head) + "requests:\n  - {path: /a}\n");
  RunOverrides o;
  o.method = "POST";
  auto built = plan_of(path, o);
  ASSERT_TRUE(std::holds_alternative<std::string>(built));
  EXPECT_NE(std::get<std::string>(built).find("--method/--body: the profile has a request mix"), std::string::npos);
}

TEST(RequestMix, PicksInProportionToWeight) {
  std::vector<WeightedRequest> entries(3);
  entries[0].weight = 6;
  entries[1].weight = 3;
  entries[2].weight = 1;
  const RequestMix mix(entries);
  std::array<int, 3> counts{};
  for (int i = 0; i < 1000; ++i) ++counts.at(mix.pick((i + 0.5) / 1000));
  EXPECT_EQ(counts[0], 600);
  EXPECT_EQ(counts[1], 300);
  EXPECT_EQ(counts[2], 100);
  EXPECT_EQ(mix.pick(0.0), 0u);
  EXPECT_EQ(mix.pick(0.9999999), 2u);
  EXPECT_EQ(RequestMix().pick(0.7), 0u);  // no mix: the flow's one request
  EXPECT_TRUE(RequestMix().single());
}

TEST(RequestMix, BytesPerTemplateTargetAndAttempt) {
  RequestTemplate a, b;
  a.path = "/a";
  b.path = "/b";
  const std::vector<Url> targets{*parse_url("http://127.0.0.1:1/x"), *parse_url("http://127.0.0.1:2/y")};
  const RequestBytes bytes(targets, {a, b}, 1);
  EXPECT_EQ(bytes.get(1, 1, 1).head.rfind("GET /b HTTP/1.1\r\nHost: 127.0.0.1:2\r\n", 0), 0u);
  EXPECT_NE(bytes.get(1, 1, 1).head.find("Retry-Attempt: 1"), std::string::npos);
  EXPECT_EQ(bytes.get(0, 0, 0).head.rfind("GET /a HTTP/1.1\r\nHost: 127.0.0.1:1\r\n", 0), 0u);
  EXPECT_EQ(bytes.get(1, 0).head, bytes.get(0, 1, 0).head);  // the two-index form is template 0
}

}  // namespace
}  // namespace levee::load
