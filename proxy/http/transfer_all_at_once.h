#pragma once
// A completion condition for asio::async_write that offers the socket everything left.
//
// Asio's transfer_all offers at most 64 KiB a call (default_max_transfer_size): a 64 KiB body
// and its header went out in two system calls and two segments, the second a few hundred
// bytes, and the service woke twice for one request (bench/overhead/RESULTS.md, fifteenth
// session). With this the kernel takes what its buffer holds and the write continues with the
// rest only when it did not take it all.

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <limits>

namespace levee::http {

struct TransferAllAtOnce {
  std::size_t operator()(const boost::system::error_code& ec, std::size_t /*transferred*/) const {
    return ec ? 0 : std::numeric_limits<std::size_t>::max();
  }
};

}  // namespace levee::http
