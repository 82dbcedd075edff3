#include "bench/e2e_setup.h"

#include <cstdio>

namespace bulkhead {
namespace {

std::string ruleText(int i) {
  const std::string n = std::to_string(i);
  std::string condition;
  switch (i % 4) {
    case 0: {
      // 7919 is prime to 10000, so the matching rules' suffixes differ.
      char digits[8];
      std::snprintf(digits, sizeof digits, "%04d", (i / 4 * 7919 + 1234) % 10000);
      condition = std::string("counter.msg endswith \"") + digits +
                  "\" and jsonx.value[/tags/1] in (bench_parity) and bench_private_ip";
      break;
    }
    case 1:
      condition = "counter.even = true and (counter.msg startswith \"svc-" + n +
                  " \" or counter.len > 100000)";
      break;
    case 2:
      condition = "counter.tags intersects (\"mod3-" + std::to_string(i % 3) +
                  "\") and jsonx.value[/msg] contains \"user" + n + "@\"";
      break;
    default:
      condition = "(counter.seq in (" + std::to_string(i * 3) + ", " + std::to_string(i * 5) +
                  ", " + std::to_string(i * 7) +
                  ") and jsonx.value[/user/name] exists) or (not bench_private_ip and "
                  "counter.seq > 10)";
      break;
  }
  return "- rule: Bench rule " + n +
         "\n"
         "  desc: generated rule " +
         n +
         "\n"
         "  condition: " +
         condition +
         "\n"
         "  output: \"bench rule " +
         n +
         " seq=%counter.seq msg=%counter.msg tag=%jsonx.value[/tags/1] ip=%jsonx.value[/ip]\"\n"
         "  priority: WARNING\n"
         "  source: counter\n"
         "  tags: [bench]\n\n";
}

}  // namespace

std::string generateRules(int count) {
  std::string text =
      "- list: bench_parity\n"
      "  items: [even, odd]\n\n"
      "- macro: bench_private_ip\n"
      "  condition: jsonx.value[/ip] startswith \"10.\"\n\n";
  for (int i = 0; i < count; ++i) text += ruleText(i);
  return text;
}

std::string generateConfig(const E2eConfig& c) {
  return "plugins:\n"
         "  - name: counter\n"
         "    library_path: libcounter.so\n"
         "    open_params: \"count=" +
         std::to_string(c.events) + ",size=" + std::to_string(c.payloadBytes) +
         ",batch=" + std::to_string(c.batch) +
         "\"\n"
         "  - name: jsonx\n"
         "    library_path: libjsonx.so\n"
         "rules_files: [\"" +
         c.rulesFile +
         "\"]\n"
         "json_output: false\n"
         "stdout_output:\n"
         "  enabled: false\n"
         "file_output:\n"
         "  enabled: true\n"
         "  keep_alive: true\n"
         "  filename: \"" +
         c.alertsFile +
         "\"\n"
         "bulkhead:\n"
         "  plugins_dir: \"" +
         c.pluginDir + "\"\n";
}

}  // namespace bulkhead
