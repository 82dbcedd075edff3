#include "policies/policy.h"

#include <seccomp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "policies/arg_condition.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxExtendsDepth = 8;

#ifdef BULKHEAD_SANITIZER_BUILD
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif

struct NamedErrno {
  std::string_view name;
  int value;
};
constexpr NamedErrno kErrnos[] = {
    {"EPERM", EPERM},   {"EACCES", EACCES},         {"ENOSYS", ENOSYS},
    {"EINVAL", EINVAL}, {"EOPNOTSUPP", EOPNOTSUPP}, {"EAFNOSUPPORT", EAFNOSUPPORT},
    {"ENOENT", ENOENT}, {"EROFS", EROFS},
};

class Parser {
 public:
  explicit Parser(const fs::path& file) : file_(file.string()) {}

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& what) const {
    std::ostringstream out;
    out << file_;
    if (!mark.is_null()) out << ':' << mark.line + 1 << ':' << mark.column + 1;
    out << ": " << what;
    throw PolicyError(out.str());
  }

  std::string where(const YAML::Node& node) const {
    return file_ + ':' + std::to_string(node.Mark().line + 1);
  }

  void checkKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                 std::string_view context) const {
    if (!map.IsMap()) fail(map.Mark(), std::string(context) + " must be a mapping");
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail(kv.first.Mark(), "unknown key '" + key + "' in " + std::string(context));
      }
    }
  }

  std::string scalar(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) fail(node.Mark(), std::string(what) + " must be a scalar");
    return node.as<std::string>();
  }

  bool boolean(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) fail(node.Mark(), std::string(what) + " must be true or false");
    bool v = false;
    if (!YAML::convert<bool>::decode(node, v)) {
      fail(node.Mark(),
           std::string(what) + " must be true or false, not '" + node.as<std::string>() + "'");
    }
    return v;
  }

  std::vector<std::string> paths(const YAML::Node& node, std::string_view what) const {
    if (!node.IsSequence()) fail(node.Mark(), std::string(what) + " must be a list of paths");
    std::vector<std::string> out;
    for (const auto& item : node) {
      std::string p = scalar(item, what);
      if (p.empty() || p.front() != '/') {
        fail(item.Mark(), std::string(what) + " entry '" + p + "' is not an absolute path");
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  int errnoValue(const YAML::Node& node) const {
    std::string text = scalar(node, "errno");
    for (const auto& e : kErrnos) {
      if (e.name == text) return e.value;
    }
    fail(node.Mark(), "unknown errno '" + text + "' (use one of EPERM, EACCES, ENOSYS, ...)");
  }

  void parseRule(const YAML::Node& node, SyscallSet& set, Policy& policy) const {
    checkKeys(node, {"syscall", "reason", "when", "errno"}, "rule");
    if (!node["syscall"]) fail(node.Mark(), "rule lacks 'syscall'");
    if (!node["reason"])
      fail(node.Mark(), "rule for '" + node["syscall"].as<std::string>() + "' lacks a 'reason'");
    SyscallRule rule;
    rule.syscall = scalar(node["syscall"], "syscall");
    rule.reason = scalar(node["reason"], "reason");
    rule.origin = where(node);
    if (rule.reason.empty()) fail(node["reason"].Mark(), "empty reason for " + rule.syscall);
    rule.number = seccomp_syscall_resolve_name(rule.syscall.c_str());
    if (rule.number == __NR_SCMP_ERROR) {
      fail(node["syscall"].Mark(), "unknown syscall '" + rule.syscall + "'");
    }
    if (node["errno"]) rule.errnoValue = errnoValue(node["errno"]);
    if (const YAML::Node when = node["when"]) {
      std::vector<YAML::Node> items;
      if (when.IsSequence()) {
        for (const auto& w : when) items.push_back(w);
      } else {
        items.push_back(when);
      }
      std::set<unsigned> args;
      for (const auto& w : items) {
        std::string error;
        auto cond = parseArgCondition(scalar(w, "when"), error);
        if (!cond) fail(w.Mark(), error + " (syscall " + rule.syscall + ")");
        // libseccomp cannot AND two comparisons of one argument in one rule.
        if (!args.insert(cond->arg).second) {
          fail(w.Mark(), "two conditions on arg" + std::to_string(cond->arg) + " of " +
                             rule.syscall + "; write one masked comparison instead");
        }
        rule.conditions.push_back(*cond);
      }
    }
    // Pseudo numbers (negative) are syscalls of other architectures, such as
    // `open` on aarch64; the profile stays portable and the skip is recorded.
    if (rule.number < 0) {
      policy.skippedSyscalls.push_back(rule.syscall);
      return;
    }
    set.rules.push_back(std::move(rule));
  }

  void parseSet(const YAML::Node& node, Policy& policy) const {
    checkKeys(node, {"name", "reason", "phases", "build", "rules"}, "set");
    if (!node["name"]) fail(node.Mark(), "set lacks 'name'");
    SyscallSet set;
    set.name = scalar(node["name"], "set name");
    set.origin = where(node);
    if (!node["reason"]) fail(node.Mark(), "set '" + set.name + "' lacks a 'reason'");
    set.reason = scalar(node["reason"], "reason");
    for (const auto& other : policy.sets) {
      if (other.name == set.name) {
        fail(node["name"].Mark(), "set '" + set.name + "' already defined at " + other.origin);
      }
    }
    if (const YAML::Node phases = node["phases"]) {
      if (!phases.IsSequence() || phases.size() == 0) {
        fail(phases.Mark(), "phases must be a non-empty list of loading/serving");
      }
      set.loading = set.serving = false;
      for (const auto& p : phases) {
        std::string v = scalar(p, "phase");
        if (v == "loading") {
          set.loading = true;
        } else if (v == "serving") {
          set.serving = true;
        } else {
          fail(p.Mark(), "unknown phase '" + v + "' (loading or serving)");
        }
      }
    }
    bool include = true;
    if (const YAML::Node build = node["build"]) {
      std::string v = scalar(build, "build");
      if (v == "sanitizer") {
        include = kSanitizerBuild;
      } else if (v != "any") {
        fail(build.Mark(), "unknown build '" + v + "' (any or sanitizer)");
      }
    }
    const YAML::Node rules = node["rules"];
    if (!rules || !rules.IsSequence())
      fail(node.Mark(), "set '" + set.name + "' needs a rules list");
    for (const auto& r : rules) parseRule(r, set, policy);
    if (include) policy.sets.push_back(std::move(set));
  }

  Policy parse(const std::string& text, int depth, std::set<std::string>& visiting) const {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      fail(e.mark, "YAML syntax error: " + e.msg);
    }
    if (!root || root.IsNull()) fail(YAML::Mark::null_mark(), "empty profile");
    try {
      return parseRoot(root, depth, visiting);
    } catch (const YAML::Exception& e) {
      fail(e.mark, e.msg);
    }
  }

  Policy parseRoot(const YAML::Node& root, int depth, std::set<std::string>& visiting) const {
    checkKeys(root, {"name", "description", "extends", "network", "spec_allow", "paths", "sets"},
              "profile");
    if (!root["name"]) fail(root.Mark(), "profile lacks 'name'");
    Policy policy;
    const std::string name = scalar(root["name"], "name");
    const std::string stem = fs::path(file_).stem().string();
    if (name != stem) {
      fail(root["name"].Mark(),
           "profile name '" + name + "' does not match file name '" + stem + "'");
    }
    if (const YAML::Node ext = root["extends"]) {
      const std::string parent = scalar(ext, "extends");
      visiting.insert(name);
      if (depth >= kMaxExtendsDepth || visiting.count(parent)) {
        fail(ext.Mark(), "'extends: " + parent + "' forms a cycle or is nested too deep");
      }
      if (parent.find('/') != std::string::npos || parent.empty() || parent[0] == '.') {
        fail(ext.Mark(), "'extends' takes a profile name, not a path: '" + parent + "'");
      }
      const fs::path parentFile = fs::path(file_).parent_path() / (parent + ".yaml");
      policy = loadFile(parentFile, depth + 1, visiting, ext.Mark(), *this);
    }
    policy.name = name;
    policy.files.insert(policy.files.begin(), fs::path(file_));
    if (const YAML::Node n = root["network"]) policy.allowNetwork = boolean(n, "network");
    if (const YAML::Node n = root["spec_allow"]) policy.specAllow = boolean(n, "spec_allow");
    if (const YAML::Node p = root["paths"]) {
      checkKeys(p, {"read", "write"}, "paths");
      if (p["read"]) {
        auto v = paths(p["read"], "paths.read");
        policy.readPaths.insert(policy.readPaths.end(), v.begin(), v.end());
      }
      if (p["write"]) {
        auto v = paths(p["write"], "paths.write");
        policy.writePaths.insert(policy.writePaths.end(), v.begin(), v.end());
      }
    }
    const YAML::Node sets = root["sets"];
    if (!sets) fail(root.Mark(), "profile lacks 'sets'");
    if (!sets.IsSequence()) fail(sets.Mark(), "'sets' must be a list");
    for (const auto& s : sets) parseSet(s, policy);
    return policy;
  }

  static Policy loadFile(const fs::path& file, int depth, std::set<std::string>& visiting,
                         const YAML::Mark& from, const Parser& referrer) {
    std::ifstream in(file);
    if (!in) {
      if (referrer.file_.empty()) throw PolicyError(file.string() + ": cannot open profile");
      referrer.fail(from, "cannot open parent profile " + file.string());
    }
    std::stringstream buf;
    buf << in.rdbuf();
    return Parser(file).parse(buf.str(), depth, visiting);
  }

 private:
  std::string file_;
};

}  // namespace

std::vector<const SyscallRule*> Policy::rulesFor(Phase phase) const {
  std::vector<const SyscallRule*> out;
  for (const auto& set : sets) {
    if (phase == Phase::kLoading ? !set.loading : !set.serving) continue;
    for (const auto& rule : set.rules) out.push_back(&rule);
  }
  return out;
}

Policy loadPolicyFile(const fs::path& file) {
  std::set<std::string> visiting;
  return Parser::loadFile(file, 0, visiting, YAML::Mark::null_mark(), Parser(fs::path()));
}

}  // namespace bulkhead
