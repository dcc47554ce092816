#include "proxy/observability/build_info.h"

#include <prometheus/gauge.h>

#include <boost/version.hpp>

#include <algorithm>
#include <string>

namespace levee::observability {

void register_build_info(prometheus::Registry& registry) {
  std::string boost = BOOST_LIB_VERSION;  // "1_81"
  std::replace(boost.begin(), boost.end(), '_', '.');
  prometheus::Labels labels{{"version", LEVEE_VERSION}, {"boost", boost}};
#ifdef LEVEE_COMMIT
  if (std::string_view(LEVEE_COMMIT).size() > 0) labels.emplace("commit", LEVEE_COMMIT);
#endif
  prometheus::BuildGauge()
      .Name("levee_build_info")
      .Help("Always 1; the labels say which levee this is")
      .Register(registry)
      .Add(labels)
      .Set(1);
}

}  // namespace levee::observability
