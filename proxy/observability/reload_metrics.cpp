#include "proxy/observability/reload_metrics.h"

namespace levee::observability {

ReloadMetrics::ReloadMetrics(prometheus::Registry& registry) {
  auto& reloads = prometheus::BuildCounter()
                      .Name("levee_config_reloads_total")
                      .Help("Config reloads (SIGHUP or POST /reload), applied or refused (the running config stays)")
                      .Register(registry);
  applied_ = &reloads.Add({{"result", "applied"}});
  refused_ = &reloads.Add({{"result", "refused"}});
}

}  // namespace levee::observability
