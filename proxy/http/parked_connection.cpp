#include "proxy/http/parked_connection.h"

#include "proxy/http/client_session.h"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <poll.h>

namespace levee::http {
namespace asio = boost::asio;

namespace {

// The two pending operations of a parked connection are allocated at their own size. With the
// default allocator Asio reuses its per-thread cache, which hands a 100-byte wait the block a
// 570-byte read of the last request left there, for as long as the connection stays parked.
template <class T>
struct ExactSizeAllocator {
  using value_type = T;
  ExactSizeAllocator() = default;
  template <class U>
  ExactSizeAllocator(const ExactSizeAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { ::operator delete(p, n * sizeof(T)); }
  friend bool operator==(const ExactSizeAllocator&, const ExactSizeAllocator&) noexcept { return true; }
};

template <class Handler>
auto exact_size(Handler handler) {
  return asio::bind_allocator(ExactSizeAllocator<void>(), std::move(handler));
}

// True when a read would not block: bytes, the client's close, or an error. Bytes that came
// while the session's wait was being cancelled are already here; the epoll reactor is edge
// triggered, so rather than count on a readiness report for them, look.
bool readable_now(Socket& socket) {
  pollfd probe{.fd = socket.native_handle(), .events = POLLIN, .revents = 0};
  return ::poll(&probe, 1, 0) != 0;
}

}  // namespace

void ParkedConnection::park(Socket socket, Worker& worker, ProxyShared& shared, ConnectionSlot slot,
                            IdleDeadline idle_deadline) {
  auto parked = std::make_shared<ParkedConnection>(std::move(socket), worker, shared, std::move(slot));
  parked->start(idle_deadline);
}

ParkedConnection::ParkedConnection(Socket socket, Worker& worker, ProxyShared& shared,
                                   ConnectionSlot slot)
    : socket_(std::move(socket)),
      idle_timer_(worker.context.get_executor()),
      worker_(worker),
      shared_(shared),
      slot_(std::move(slot)) {
  worker_.parked.insert(this);
  shared_.metrics.client_connections_parked().Increment();
}

ParkedConnection::~ParkedConnection() {
  worker_.parked.erase(this);
  shared_.metrics.client_connections_parked().Decrement();
}

void ParkedConnection::start(IdleDeadline idle_deadline) {
  if (readable_now(socket_)) {
    resume();
    return;
  }
  idle_timer_.expires_at(idle_deadline);
  // Weak: the readiness wait alone keeps the connection; closing the socket ends that wait.
  idle_timer_.async_wait(exact_size([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->close();
  }));
  socket_.async_wait(Socket::wait_read,
                     exact_size([self = shared_from_this()](const boost::system::error_code& ec) {
                       // An error: closed here (idle deadline, drain) or failed; the slot is
                       // given back with self.
                       if (!ec && self->socket_.is_open()) self->resume();
                     }));
}

void ParkedConnection::resume() {
  idle_timer_.cancel();
  // Readiness was seen here, so the session reads before it waits (Start::resumed_readable).
  auto session = std::make_shared<ClientSession>(std::move(socket_), worker_, shared_, std::move(slot_),
                                                 ClientSession::Start::resumed_readable);
  asio::co_spawn(worker_.context, [session]() { return session->run(); }, asio::detached);
}

void ParkedConnection::close() {
  boost::system::error_code ignored;
  idle_timer_.cancel();
  socket_.shutdown(Socket::shutdown_send, ignored);
  socket_.close(ignored);
}

}  // namespace levee::http
