// The faults themselves: each either ends the process (crash, hang, a
// sandbox kill) or returns what happened for the plugin to report as its
// error: "denied: ..." when the sandbox refused a forbidden operation,
// "escaped: ..." when it did not.
#ifndef BULKHEAD_TESTS_PLUGINS_FAULTS_FAULT_ACTIONS_H_
#define BULKHEAD_TESTS_PLUGINS_FAULTS_FAULT_ACTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/plugins/faults/fault_config.h"

namespace bulkhead::test_plugins {

// Two pages, the second PROT_NONE: whatever is placed at the end of the
// first one is followed by memory that faults on any access. Mapped at init,
// before a serving sandbox could forbid it.
class GuardedPage {
 public:
  GuardedPage();
  ~GuardedPage();
  GuardedPage(const GuardedPage&) = delete;
  GuardedPage& operator=(const GuardedPage&) = delete;

  bool ok() const { return base_ != nullptr; }
  // The last `n` bytes of the readable page.
  uint8_t* tail(size_t n) const { return base_ + page_ - n; }
  // The first byte of the PROT_NONE page.
  uint8_t* guard() const { return base_ + page_; }

 private:
  uint8_t* base_ = nullptr;
  size_t page_ = 0;
};

// Runs one of the process-level faults (everything from kSegv to
// kGarbageRings). Returns only for kGarbageRings, kNone, or a forbidden
// operation that was denied or escaped; `report` then says which.
void runProcessFault(const FaultConfig& c, std::string* report);

// Whether `k` is one of the kinds runProcessFault handles.
bool isProcessFault(FaultKind k);

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_FAULTS_FAULT_ACTIONS_H_
