// libFuzzer over the ELF reader of `bulkhead wrap`: it reads the plugin's
// file, which is untrusted, to learn what the plugin exports. Any bytes end
// in a name list or a std::runtime_error, never a read out of bounds.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "supervisor/elf_symbols.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<char> bytes(reinterpret_cast<const char*>(data),
                          reinterpret_cast<const char*>(data) + size);
  try {
    (void)bulkhead::exportedSymbolsIn(std::move(bytes), "fuzz");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
