#include "proxy/http/accepted_socket.h"

#include <boost/asio/detail/reactive_socket_service.hpp>
#include <boost/asio/detail/socket_ops.hpp>
#include <boost/asio/error.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <type_traits>

namespace levee::http {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using SocketBase = asio::basic_socket<tcp, Socket::executor_type>;

// The socket's state bits are in Asio's implementation object, a protected member of
// basic_socket. A pointer to that member, formed inside a class derived from basic_socket, may
// be applied to any basic_socket: the standard way to reach a protected member without a cast.
struct StateAccess : SocketBase {
  static auto& implementation(SocketBase& socket) { return (socket.*&StateAccess::impl_).get_implementation(); }
};

// Tells Asio what accept4() already did: the descriptor is non-blocking (no ioctl before the
// first operation), and it is not a duplicate (close() without epoll_ctl(DEL) first).
void mark_as_opened_here(Socket& socket) {
  auto& impl = StateAccess::implementation(socket);
  static_assert(std::is_same_v<std::remove_reference_t<decltype(impl)>,
                               asio::detail::reactive_socket_service<tcp>::implementation_type>,
                "the epoll reactor's socket state: a different Asio backend needs its own accept");
  namespace ops = asio::detail::socket_ops;
  impl.state_ = static_cast<ops::state_type>((impl.state_ & ~ops::possible_dup) | ops::internal_non_blocking);
}

}  // namespace

Socket accept_now(tcp::acceptor& acceptor, asio::io_context& context, tcp::endpoint& peer,
                  boost::system::error_code& ec) {
  Socket socket(context);
  socklen_t length = static_cast<socklen_t>(peer.capacity());
  const int fd = ::accept4(acceptor.native_handle(), peer.data(), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    ec.assign(errno, boost::system::system_category());  // EAGAIN is asio::error::would_block
    return socket;
  }
  peer.resize(length);
  socket.assign(peer.protocol(), fd, ec);  // registers it with the worker's epoll
  if (ec) {
    ::close(fd);
    return socket;
  }
  mark_as_opened_here(socket);
  return socket;
}

bool is_connection_level(const boost::system::error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  // accept(2): Linux passes the pending connection's network errors on from accept(), and a
  // reliable server treats them like EAGAIN, by trying again. Asio retries ECONNABORTED itself.
  switch (ec.value()) {
    case ECONNABORTED: case EINTR: case EPROTO: case ENETDOWN: case ENOPROTOOPT:
    case EHOSTDOWN: case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

}  // namespace levee::http
