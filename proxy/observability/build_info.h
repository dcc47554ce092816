#pragma once
// levee_build_info{version, boost, commit}: a gauge that is always 1, the conventional way to
// put a build's identity into Prometheus (join it onto other series, or alert on mixed
// versions during a rollout). `commit` is there only when the build knew it (proxy/CMakeLists
// reads it from git at configure time, or -DLEVEE_COMMIT=...).

#include <prometheus/registry.h>

namespace levee::observability {

void register_build_info(prometheus::Registry& registry);

}  // namespace levee::observability
