#pragma once
// The per-attempt log (--requests FILE): one CSV row per attempt, retries linked to their user
// by a run-wide user id, times in milliseconds from the run's start. For digging into a single
// run; the reports are computed from the same records. Pure: records in, text out.

#include <ostream>
#include <span>

#include "stats/aggregate.h"

namespace levee::load {

// user_id = index within its thread * threads + thread: unique across the run.
void write_request_log(std::ostream& out, std::span<const ThreadRecords> records);

}  // namespace levee::load
