// One alert, the same in every outputs test, so expected lines can be
// written out in full.
#pragma once

#include "engine/event_loop.h"

namespace bulkhead {

inline Alert sampleAlert() {
  Alert a;
  a.timeNs = 1700000000123456789ull;
  a.priority = Priority::kWarning;
  a.rule = "r";
  a.source = "counter";
  a.output = "something happened";
  return a;
}

}  // namespace bulkhead
