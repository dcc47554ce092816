#include "proxy/http/admission_ticker.h"

#include <boost/asio/post.hpp>

namespace levee::http {

AdmissionTicker::AdmissionTicker(boost::asio::io_context& context, AdmissionGroups& groups, Pace pace)
    : timer_(context), groups_(groups), pace_(pace) {}

void AdmissionTicker::start() {
  boost::asio::post(timer_.get_executor(), [this] { tick(); });
}

void AdmissionTicker::hurry() {
  if (!slow_.exchange(false)) return;
  boost::asio::post(timer_.get_executor(), [this] { tick(); });
}

void AdmissionTicker::tick() {
  slow_.store(true);
  const bool soon = groups_.tick();
  if (soon) slow_.store(false);
  ticks_.fetch_add(1, std::memory_order_relaxed);
  // A hurried tick replaces the pending wait: its handler sees operation_aborted and stops.
  timer_.expires_after(soon ? pace_.fast : pace_.slow);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace levee::http
