#include "policies/input_paths.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <filesystem>

namespace bulkhead {
namespace {

constexpr size_t kMaxPathLength = 4096;  // PATH_MAX
constexpr int kMaxJsonDepth = 64;

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX; returns false on a malformed escape or a decoded NUL.
bool percentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hexDigit(in[i + 1]);
    const int lo = hexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return false;
    out += c;
    i += 2;
  }
  return true;
}

void addCandidate(std::string_view token, std::vector<std::string>& out) {
  std::string path;
  if (token.substr(0, 7) == "file://") {
    std::string_view rest = token.substr(7);
    // file://host/path: the host part is dropped (local files only).
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return;
    rest = rest.substr(slash);
    // Query or fragment parts are not part of the path.
    rest = rest.substr(0, rest.find_first_of("?#"));
    if (!percentDecode(rest, path)) return;
  } else if (!token.empty() && token.front() == '/') {
    path = std::string(token);
  } else {
    return;
  }
  if (path.empty() || path.size() > kMaxPathLength || path.find('\0') != std::string::npos) return;
  // A glob names files the plugin will expand itself: grant the directory
  // above the first component holding a wildcard.
  if (size_t glob = path.find_first_of("*?["); glob != std::string::npos) {
    size_t cut = path.rfind('/', glob);
    path.resize(cut);
  }
  std::string norm = std::filesystem::path(path).lexically_normal().string();
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  if (norm.empty() || norm == "/" || norm.front() != '/') return;
  if (std::find(out.begin(), out.end(), norm) == out.end()) out.push_back(std::move(norm));
}

void scanText(std::string_view text, std::vector<std::string>& out) {
  constexpr std::string_view kSeparators = " \t\r\n,;\"'=";
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find_first_not_of(kSeparators, i);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(kSeparators, start);
    if (end == std::string_view::npos) end = text.size();
    addCandidate(text.substr(start, end - start), out);
    i = end;
  }
}

void walkJson(const boost::json::value& v, int depth, std::vector<std::string>& out) {
  if (depth > kMaxJsonDepth) return;
  switch (v.kind()) {
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      std::string_view sv(s.data(), s.size());
      // A whole value is taken as one path (it may contain spaces); other
      // values may still embed paths, e.g. "--input /var/log/x".
      if (!sv.empty() && (sv.front() == '/' || sv.substr(0, 7) == "file://")) {
        addCandidate(sv, out);
      } else {
        scanText(sv, out);
      }
      break;
    }
    case boost::json::kind::array:
      for (const auto& e : v.get_array()) walkJson(e, depth + 1, out);
      break;
    case boost::json::kind::object:
      for (const auto& kv : v.get_object()) walkJson(kv.value(), depth + 1, out);
      break;
    default:
      break;
  }
}

}  // namespace

std::vector<std::string> extractInputPaths(std::string_view text) {
  std::vector<std::string> out;
  boost::json::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  boost::json::value v = boost::json::parse(text, ec, {}, opts);
  if (!ec && (v.is_object() || v.is_array())) {
    walkJson(v, 0, out);
  } else if (!ec && v.is_string()) {
    const auto& s = v.get_string();
    addCandidate(std::string_view(s.data(), s.size()), out);
  } else {
    scanText(text, out);
  }
  return out;
}

std::vector<std::string> extractInputPathsFrom(const std::vector<std::string_view>& texts) {
  std::vector<std::string> out;
  for (auto t : texts) {
    for (auto& p : extractInputPaths(t)) {
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace bulkhead
