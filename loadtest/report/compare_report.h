#pragma once
// One HTML page with two runs overlaid (levee-load compare A.json B.json -o page.html).

#include <nlohmann/json.hpp>

#include <string>

namespace levee::load {

struct ComparePage {
  std::string html;   // the page, when error is empty
  std::string error;  // why the documents are not two levee-load reports
};

// `a` and `b` are parsed JSON reports (json_report), drawn in red and green in that order.
ComparePage compare_report(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace levee::load
