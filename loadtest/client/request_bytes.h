#pragma once
// The requests a run sends, serialized once before it starts: one per target and attempt
// number (retries differ only by their Retry-Attempt header). Sending is then a single write of
// ready bytes, with no formatting or allocation per request.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/url.h"

namespace levee::load {

struct RequestTemplate {
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;
  std::string retry_header = "Retry-Attempt";
};

class RequestBytes {
 public:
  RequestBytes(const std::vector<Url>& targets, const RequestTemplate& t, int max_attempt);
  std::string_view get(std::size_t target, int attempt) const {
    return bytes_[target * per_target_ + static_cast<std::size_t>(attempt)];
  }

 private:
  std::size_t per_target_;
  std::vector<std::string> bytes_;
};

std::string serialize_request(const Url& target, const RequestTemplate& t, int attempt);

}  // namespace levee::load
