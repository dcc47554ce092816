#include "proxy/policy/grpc_shed.h"

#include "proxy/policy/ascii.h"

namespace levee::policy {

bool is_grpc_content_type(std::string_view content_type) {
  constexpr std::string_view grpc = "application/grpc";
  if (content_type.size() < grpc.size() || !ascii_iequals(content_type.substr(0, grpc.size()), grpc)) return false;
  // application/grpc exactly, or followed by "+codec" or parameters; not application/grpcfoo.
  return content_type.size() == grpc.size() || content_type[grpc.size()] == '+' ||
         content_type[grpc.size()] == ';';
}

GrpcShedAnswer grpc_shed_answer(ShedReason reason, unsigned http_status, std::chrono::milliseconds retry_after) {
  GrpcShedAnswer answer;
  answer.pushback_ms = retry_after.count();
  if (reason == ShedReason::deadline) {
    answer.status = grpc_code::deadline_exceeded;
  } else if (reason == ShedReason::draining || http_status == 503) {
    answer.status = grpc_code::unavailable;
  } else {
    answer.status = grpc_code::resource_exhausted;
  }
  // grpc-message is percent-encoded on the wire; printable ASCII other than "%" stands for
  // itself, and the reason names are [a-z_].
  answer.message = "levee shed the call: ";
  answer.message += name(reason);
  return answer;
}

}  // namespace levee::policy
