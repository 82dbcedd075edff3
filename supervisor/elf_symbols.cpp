#include "supervisor/elf_symbols.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

namespace bulkhead {

namespace {

// The file's bytes and where its dynamic symbol and string tables are,
// every offset checked against the size.
struct DynamicTables {
  std::vector<char> bytes;
  size_t symOff = 0;
  size_t symCount = 0;
  size_t strOff = 0;
  size_t strSize = 0;

  Elf64_Sym sym(size_t i) const {
    Elf64_Sym s;
    std::memcpy(&s, bytes.data() + symOff + i * sizeof(Elf64_Sym), sizeof s);
    return s;
  }
  // The NUL-terminated name at `off`, or "" when it runs out of the table.
  std::string name(size_t off) const {
    if (off >= strSize) return {};
    const char* begin = bytes.data() + strOff + off;
    const char* end = static_cast<const char*>(std::memchr(begin, '\0', strSize - off));
    return end == nullptr ? std::string() : std::string(begin, end);
  }
};

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  throw std::runtime_error(path + ": " + why);
}

bool exported(const Elf64_Sym& s) {
  const unsigned bind = ELF64_ST_BIND(s.st_info);
  const unsigned vis = ELF64_ST_VISIBILITY(s.st_other);
  return s.st_shndx != SHN_UNDEF && (bind == STB_GLOBAL || bind == STB_WEAK) &&
         (vis == STV_DEFAULT || vis == STV_PROTECTED);
}

DynamicTables parseTables(std::vector<char> bytes, const std::string& path) {
  DynamicTables t;
  t.bytes = std::move(bytes);
  const std::vector<char>& b = t.bytes;
  Elf64_Ehdr eh;
  if (b.size() < sizeof eh) bad(path, "too short for an ELF header");
  std::memcpy(&eh, b.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB) {
    bad(path, "not a 64-bit little-endian ELF file");
  }
  if (eh.e_type != ET_DYN) bad(path, "not a shared object");
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > b.size() ||
      eh.e_shnum > (b.size() - eh.e_shoff) / sizeof(Elf64_Shdr)) {
    bad(path, "section headers out of bounds");
  }
  auto section = [&](size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, b.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
    return sh;
  };
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    const Elf64_Shdr sh = section(i);
    if (sh.sh_type != SHT_DYNSYM) continue;
    if (sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_offset > b.size() ||
        sh.sh_size > b.size() - sh.sh_offset || sh.sh_link >= eh.e_shnum) {
      bad(path, "dynamic symbol table out of bounds");
    }
    const Elf64_Shdr str = section(sh.sh_link);
    if (str.sh_type != SHT_STRTAB || str.sh_offset > b.size() ||
        str.sh_size > b.size() - str.sh_offset) {
      bad(path, "dynamic string table out of bounds");
    }
    t.symOff = sh.sh_offset;
    t.symCount = sh.sh_size / sizeof(Elf64_Sym);
    t.strOff = str.sh_offset;
    t.strSize = str.sh_size;
    return t;
  }
  bad(path, "no dynamic symbol table");
}

DynamicTables readTables(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) bad(path, "cannot be read");
  return parseTables(std::vector<char>(std::istreambuf_iterator<char>(in),
                                       std::istreambuf_iterator<char>()),
                     path);
}

std::vector<std::string> exportedNames(const DynamicTables& t) {
  std::vector<std::string> names;
  for (size_t i = 1; i < t.symCount; ++i) {
    const Elf64_Sym s = t.sym(i);
    if (!exported(s)) continue;
    std::string n = t.name(s.st_name);
    if (!n.empty()) names.push_back(std::move(n));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}


}  // namespace

std::vector<std::string> exportedSymbols(const std::string& path) {
  return exportedNames(readTables(path));
}

std::vector<std::string> exportedSymbolsIn(std::vector<char> bytes, const std::string& name) {
  return exportedNames(parseTables(std::move(bytes), name));
}

void hideSymbols(const std::string& path, const std::vector<std::string>& hide,
                 const std::string& replacement) {
  DynamicTables t = readTables(path);
  std::optional<uint32_t> target;
  for (size_t i = 1; i < t.symCount && !target; ++i) {
    const Elf64_Sym s = t.sym(i);
    if (t.name(s.st_name) == replacement) target = s.st_name;
  }
  if (!target) bad(path, "has no dynamic symbol named '" + replacement + "'");
  for (size_t i = 1; i < t.symCount; ++i) {
    Elf64_Sym s = t.sym(i);
    if (std::find(hide.begin(), hide.end(), t.name(s.st_name)) == hide.end()) continue;
    s.st_name = *target;
    std::memcpy(t.bytes.data() + t.symOff + i * sizeof(Elf64_Sym), &s, sizeof s);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(t.bytes.data(), static_cast<std::streamsize>(t.bytes.size()));
  if (!out) bad(path, "cannot be written");
}

}  // namespace bulkhead
