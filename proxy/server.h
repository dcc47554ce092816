#pragma once
// The composition root: builds the workers, metrics, upstream pools, router, listeners and
// signal handling from one Config, and runs until drained. The request path, in order:
//   Listener -> ClientSession (read, check) -> Router -> forward() -> UpstreamPool -> service
// Everything else in levee is either policy (pure) or plumbing that this file wires together.

#include "proxy/config/config.h"

#include <functional>
#include <memory>
#include <string>
#include <optional>

namespace levee {

struct ServerOptions {
  // Called once the listeners are bound, with the actual addresses (port 0 resolves here).
  std::function<void(const std::string& proxy, const std::string& admin)> on_listening;
};

class Server {
 public:
  explicit Server(std::shared_ptr<const config::Config> config, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Blocks until SIGTERM/SIGINT and the drain that follows; returns the process exit code.
  int run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace levee
