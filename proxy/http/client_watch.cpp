#include "proxy/http/client_watch.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace levee::http {

bool peer_closed(int fd) {
  char byte = 0;
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  return false;
}

bool peer_hung_up(int fd) {
  // POLLRDHUP reports the peer's FIN whatever is still queued before it; a zero timeout
  // makes this a check, never a wait.
  pollfd entry{.fd = fd, .events = POLLRDHUP, .revents = 0};
  const int ready = ::poll(&entry, 1, 0);
  if (ready < 0) return errno != EINTR;
  return (entry.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

ClientWatch::ClientWatch(ClientWatchList* list, int client_fd, MaybeTlsStream& target, ClientGone* stream_gone)
    : list_(stream_gone ? nullptr : list), stream_gone_(stream_gone), client_fd_(client_fd), target_(target) {
  if (stream_gone_) {
    stream_gone_->on_gone([this] {
      gone_ = true;
      target_.cancel();
    });
  }
  if (!list_) return;
  next_ = list_->head_;
  if (next_) next_->prev_ = this;
  list_->head_ = this;
  list_->joined();
}

ClientWatch::~ClientWatch() {
  if (stream_gone_) stream_gone_->forget();
  if (!list_) return;
  if (prev_) prev_->next_ = next_;
  else list_->head_ = next_;
  if (next_) next_->prev_ = prev_;
}

void ClientWatchList::joined() {
  if (sweeping_) return;
  sweeping_ = true;
  if (start_sweeps_) start_sweeps_();
}

bool ClientWatchList::sweep() {
  for (ClientWatch* watch = head_; watch != nullptr; watch = watch->next_) {
    if (watch->gone_ || !peer_closed(watch->client_fd_)) continue;
    watch->gone_ = true;
    watch->target_.cancel();  // completes the exchange's pending read later, never inline
  }
  // A watch that joins and leaves between two sweeps is never swept: its exchange was
  // shorter than a sweep's period, as with the fixed timer this replaces.
  sweeping_ = head_ != nullptr;
  return sweeping_;
}

}  // namespace levee::http
