#pragma once
// What Admission returns. Wake-ups are data: every call returns the Effects it caused --
// queued tickets that now hold a permit, queued tickets that were shed and why -- and the
// caller delivers them to the waiters after the call returns. Policy never stores or runs a
// callback, so no handler runs under a lock and tests need no executor.

#include <cstdint>
#include <vector>

#include "proxy/policy/shed_reason.h"
#include "proxy/policy/ticket.h"

namespace levee::policy {

struct Shed {
  TicketId ticket = 0;
  ShedReason reason = ShedReason::over_limit;

  bool operator==(const Shed&) const = default;
};

// Empty in the common case; the vectors allocate only when something happened to a waiter.
struct Effects {
  std::vector<Permit> granted;  // queued tickets that now hold a permit (in grant order)
  std::vector<Shed> shed;       // queued tickets removed from the queue, with the reason

  bool empty() const { return granted.empty() && shed.empty(); }
};

struct Decision {
  enum class Kind : std::uint8_t {
    admitted,  // `permit` is valid: forward the request, release the permit once done
    queued,    // wait: a later Effects grants or sheds this ticket
    rejected,  // answer at once with `reason`
  };

  Kind kind = Kind::rejected;
  Permit permit{};
  ShedReason reason = ShedReason::over_limit;
  // Side effects on other waiters (e.g. a lower-priority waiter displaced by this ticket).
  Effects effects;

  bool admitted() const { return kind == Kind::admitted; }
  bool queued() const { return kind == Kind::queued; }
  bool rejected() const { return kind == Kind::rejected; }
};

}  // namespace levee::policy
