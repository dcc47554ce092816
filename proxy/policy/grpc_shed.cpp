#include "proxy/policy/grpc_shed.h"

namespace levee::policy {

GrpcShedAnswer grpc_shed_answer(ShedReason reason, unsigned http_status, Duration retry_after) {
  GrpcShedAnswer answer;
  answer.status = grpc_status_for(reason);
  if (answer.status == GrpcStatus::resource_exhausted && http_status == 503) answer.status = GrpcStatus::unavailable;
  answer.message = grpc_message_value(std::string("levee shed the call: ") + std::string(name(reason)));
  answer.pushback = grpc_retry_pushback_value(retry_after);
  return answer;
}

}  // namespace levee::policy
