#include "proxy/http/immediate_io.h"

#include <boost/asio/error.hpp>

#include <sys/socket.h>

#include <cerrno>

namespace levee::http {

namespace {

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

}  // namespace

std::size_t send_now(int fd, std::span<const iovec> buffers, boost::system::error_code& ec) {
  ec.clear();
  if (buffers.empty()) return 0;
  constexpr int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
  ssize_t n = 0;
  if (buffers.size() == 1) {
    n = ::send(fd, buffers[0].iov_base, buffers[0].iov_len, flags);  // no iovec for the kernel to import
  } else {
    msghdr message{};
    message.msg_iov = const_cast<iovec*>(buffers.data());
    message.msg_iovlen = buffers.size();
    n = ::sendmsg(fd, &message, flags);
  }
  if (n >= 0) return static_cast<std::size_t>(n);
  if (!would_block(errno)) ec.assign(errno, boost::asio::error::get_system_category());
  return 0;
}

}  // namespace levee::http
