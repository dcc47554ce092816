#pragma once
// Names the calling thread, as `top -H`, `ps -L`, perf and gdb show it: "worker-0", "control",
// "admission-tick" instead of "levee" for every thread. An operator who sees one thread at
// 100% then knows which; a profile splits by thread name. Linux keeps 15 bytes; a longer name
// is cut there. Best effort: a failure is ignored (a name is a convenience, never a reason to
// stop).

#include <string>
#include <string_view>

namespace levee {

void name_this_thread(std::string_view name);

// The calling thread's name ("" if it cannot be read).
std::string this_thread_name();

}  // namespace levee
