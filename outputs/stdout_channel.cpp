#include "outputs/stdout_channel.h"

#include <cstdio>

namespace bulkhead {

WriteResult StdoutChannel::write(const std::string& line, const Alert& /*alert*/) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  // Flushed per alert so a pipe reader sees each one when it happens.
  if (!buffered_) std::fflush(stdout);
  return {};
}

void StdoutChannel::idle() { std::fflush(stdout); }

}  // namespace bulkhead
