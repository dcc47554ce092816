#pragma once
// A place in the TunnelLedger (policy/tunnel_ledger.h), held first by an upgrade request and
// then, once the service answered 101, by its tunnel: given back exactly once, by the
// destructor, on every path (shed, declined, failed, tunnel closed, exception). Move-only.

#include "proxy/policy/tunnel_ledger.h"

#include <cstddef>
#include <utility>

namespace levee::http {

class TunnelPlace {
 public:
  TunnelPlace() = default;
  // A reserved place, or an empty one when `max` places are taken already.
  static TunnelPlace reserve(policy::TunnelLedger& ledger, std::uint64_t max) {
    TunnelPlace place;
    if (ledger.try_reserve(max)) place.ledger_ = &ledger;
    return place;
  }
  TunnelPlace(TunnelPlace&& other) noexcept
      : ledger_(std::exchange(other.ledger_, nullptr)), route_(other.route_), established_(other.established_) {}
  TunnelPlace& operator=(TunnelPlace&& other) noexcept {
    if (this != &other) {
      give_back();
      ledger_ = std::exchange(other.ledger_, nullptr);
      route_ = other.route_;
      established_ = other.established_;
    }
    return *this;
  }
  TunnelPlace(const TunnelPlace&) = delete;
  TunnelPlace& operator=(const TunnelPlace&) = delete;
  ~TunnelPlace() { give_back(); }

  explicit operator bool() const { return ledger_ != nullptr; }
  // The service answered 101 on `route`: from now on an open tunnel.
  void establish(std::size_t route) {
    if (!ledger_ || established_) return;
    ledger_->establish(route);
    route_ = route;
    established_ = true;
  }

 private:
  void give_back() {
    if (!ledger_) return;
    if (established_) ledger_->close(route_);
    else ledger_->cancel();
    ledger_ = nullptr;
  }

  policy::TunnelLedger* ledger_ = nullptr;
  std::size_t route_ = 0;
  bool established_ = false;
};

}  // namespace levee::http
