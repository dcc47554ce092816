#include "proxy/http/client_watch.h"

#include <sys/socket.h>

#include <cerrno>

namespace levee::http {
namespace asio = boost::asio;

bool peer_closed(int fd) {
  char byte = 0;
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  return false;
}

ClientWatch::ClientWatch(asio::ip::tcp::socket& client, boost::beast::tcp_stream& target)
    : client_(client), state_(std::make_shared<State>()) {
  state_->target = &target;
  client_.async_wait(asio::socket_base::wait_read,
                     [state = state_, fd = client_.native_handle()](const boost::system::error_code& ec) {
                       if (ec == asio::error::operation_aborted || state->target == nullptr) return;
                       if (ec || peer_closed(fd)) {
                         state->gone = true;
                         state->target->cancel();
                       }
                     });
}

ClientWatch::~ClientWatch() {
  state_->target = nullptr;  // a handler already queued must not touch the target any more
  boost::system::error_code ignored;
  client_.cancel(ignored);
}

}  // namespace levee::http
