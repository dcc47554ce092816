#include "report/request_log.h"

#include <fmt/format.h>

namespace levee::load {

void write_request_log(std::ostream& out, std::span<const ThreadRecords> records) {
  out << "user_id,attempt,intended_ms,dispatch_ms,sent_ms,end_ms,outcome,status,user_outcome\n";
  constexpr std::string_view user_outcomes[] = {"pending", "good", "late", "failed"};
  const auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  const std::size_t threads = records.size();
  std::string line;
  for (std::size_t t = 0; t < threads; ++t) {
    for (const AttemptRecord& a : records[t].attempts) {
      const UserRecord& user = records[t].users[a.user];
      line.clear();
      fmt::format_to(std::back_inserter(line), "{},{},{:.3f},{:.3f},{},{:.3f},{},{},{}\n",
                     static_cast<std::uint64_t>(a.user) * threads + t, a.attempt, ms(a.intended_ns), ms(a.dispatch_ns),
                     a.sent_ns < 0 ? std::string() : fmt::format("{:.3f}", ms(a.sent_ns)), ms(a.end_ns),
                     name_of(a.outcome), a.status, user_outcomes[static_cast<std::size_t>(user.outcome)]);
      out << line;
    }
  }
}

}  // namespace levee::load
