#include "config/outputs_reader.h"

#include <string_view>

#include "config/paths.h"

namespace bulkhead {
namespace {

// Longest output_timeout accepted: an hour. A longer one would only delay
// the report of a stuck channel and the exit.
constexpr uint64_t kMaxTimeoutMs = 3600ull * 1000;
// Largest outputs_queue.capacity accepted, per channel.
constexpr uint64_t kMaxQueueCapacity = 10'000'000;

void readBool(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
              std::string_view key, bool& field) {
  if (auto e = reader.find(map, path, key)) field = reader.boolean(e->value, joinPath(path, key));
}

// A string without control characters; `what` names it in the error.
void readText(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
              std::string_view key, std::string_view what, std::string& field) {
  auto e = reader.find(map, path, key);
  if (!e) return;
  const std::string full = joinPath(path, key);
  std::string text = reader.string(e->value, full);
  if (hasControlChar(text)) {
    reader.fail(e->value, full, std::string(what) + " contains a control character");
  }
  field = std::move(text);
}

// A file path; relative paths are taken under the config's folder, as
// file_output.filename is. An empty value stays empty ("not set").
void readPath(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
              std::string_view key, const std::string& baseDir, std::string& field) {
  std::string text = field;
  readText(reader, map, path, key, "path", text);
  field = text.empty() ? text : absoluteUnder(baseDir, text);
}

// The map at `key`, or an undefined node when absent or null.
YAML::Node section(YamlNodeReader& reader, const YAML::Node& root, std::string_view key,
                   std::initializer_list<std::string_view> known) {
  auto e = reader.find(root, "", key);
  if (!e || e->value.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  reader.expectMap(e->value, key);
  reader.warnUnknownKeys(e->value, key, known);
  return e->value;
}

void readFileOutput(YamlNodeReader& reader, const YAML::Node& root, const std::string& baseDir,
                    FileOutputConfig& file) {
  const YAML::Node map = section(reader, root, "file_output", {"enabled", "keep_alive", "filename"});
  if (!map.IsDefined()) return;
  readBool(reader, map, "file_output", "enabled", file.enabled);
  readBool(reader, map, "file_output", "keep_alive", file.keepAlive);
  auto filename = reader.find(map, "file_output", "filename");
  if (filename) {
    std::string name = reader.string(filename->value, "file_output.filename");
    if (hasControlChar(name)) {
      reader.fail(filename->value, "file_output.filename", "file name contains a control character");
    }
    if (!name.empty()) file.filename = absoluteUnder(baseDir, name);
  }
  if (file.enabled && file.filename.empty()) {
    reader.fail(filename ? filename->value : map, "file_output.filename",
                "file_output is enabled but has no filename; set file_output.filename");
  }
}

// Falco removes one pair of quotes around the URL before handing it to
// libcurl ("'http://x'" and "\"http://x\"" both work).
std::string unquoted(std::string url) {
  if (url.size() >= 2 && (url.front() == '"' || url.front() == '\'') && url.back() == url.front()) {
    return url.substr(1, url.size() - 2);
  }
  return url;
}

void readHttpOutput(YamlNodeReader& reader, const YAML::Node& root, const std::string& baseDir,
                    HttpOutputConfig& http) {
  constexpr std::string_view p = "http_output";
  const YAML::Node map =
      section(reader, root, p,
              {"enabled", "url", "user_agent", "insecure", "ca_cert", "ca_bundle", "ca_path", "mtls",
               "client_cert", "client_key", "echo", "compress_uploads", "keep_alive",
               "max_consecutive_timeouts"});
  if (!map.IsDefined()) return;
  readBool(reader, map, p, "enabled", http.enabled);
  readText(reader, map, p, "url", "URL", http.url);
  http.url = unquoted(http.url);
  readText(reader, map, p, "user_agent", "user agent", http.userAgent);
  readBool(reader, map, p, "insecure", http.insecure);
  readPath(reader, map, p, "ca_cert", baseDir, http.caCert);
  readPath(reader, map, p, "ca_bundle", baseDir, http.caBundle);
  readPath(reader, map, p, "ca_path", baseDir, http.caPath);
  readBool(reader, map, p, "mtls", http.mtls);
  readPath(reader, map, p, "client_cert", baseDir, http.clientCert);
  readPath(reader, map, p, "client_key", baseDir, http.clientKey);
  readBool(reader, map, p, "echo", http.echo);
  readBool(reader, map, p, "compress_uploads", http.compressUploads);
  readBool(reader, map, p, "keep_alive", http.keepAlive);
  if (auto e = reader.find(map, p, "max_consecutive_timeouts")) {
    // Falco keeps the count in a byte.
    http.maxConsecutiveTimeouts = static_cast<uint32_t>(
        reader.unsignedInt(e->value, "http_output.max_consecutive_timeouts", 0, 255));
  }
  if (!http.enabled) return;
  auto url = reader.find(map, p, "url");
  if (http.url.empty()) {
    reader.fail(url ? url->value : map, "http_output.url",
                "http_output is enabled but has no url; set http_output.url "
                "(for falcosidekick: http://falcosidekick:2801/)");
  }
  if (!http.url.starts_with("http://") && !http.url.starts_with("https://")) {
    reader.fail(url->value, "http_output.url",
                "'" + http.url + "' is not an http:// or https:// URL");
  }
  if (http.mtls && (http.clientCert.empty() || http.clientKey.empty())) {
    reader.fail(map, "http_output.mtls",
                "mtls is on but client_cert or client_key is empty; set both");
  }
}

void readProgramOutput(YamlNodeReader& reader, const YAML::Node& root, ProgramOutputConfig& program) {
  constexpr std::string_view p = "program_output";
  const YAML::Node map = section(reader, root, p, {"enabled", "keep_alive", "program"});
  if (!map.IsDefined()) return;
  readBool(reader, map, p, "enabled", program.enabled);
  readBool(reader, map, p, "keep_alive", program.keepAlive);
  readText(reader, map, p, "program", "command", program.program);
  if (program.enabled && program.program.empty()) {
    auto e = reader.find(map, p, "program");
    reader.fail(e ? e->value : map, "program_output.program",
                "program_output is enabled but has no program; set program_output.program "
                "(a /bin/sh command line)");
  }
}

}  // namespace

void readOutputChannels(YamlNodeReader& reader, const YAML::Node& root, const std::string& baseDir,
                        OutputsConfig& outputs) {
  const YAML::Node stdoutMap = section(reader, root, "stdout_output", {"enabled"});
  if (stdoutMap.IsDefined()) readBool(reader, stdoutMap, "stdout_output", "enabled", outputs.stdoutEnabled);
  readFileOutput(reader, root, baseDir, outputs.file);
  readHttpOutput(reader, root, baseDir, outputs.http);
  readProgramOutput(reader, root, outputs.program);
  const YAML::Node syslogMap = section(reader, root, "syslog_output", {"enabled"});
  if (syslogMap.IsDefined()) {
    readBool(reader, syslogMap, "syslog_output", "enabled", outputs.syslog.enabled);
  }

  readBool(reader, root, "", "buffered_outputs", outputs.buffered);
  const YAML::Node queue = section(reader, root, "outputs_queue", {"capacity"});
  if (queue.IsDefined()) {
    if (auto e = reader.find(queue, "outputs_queue", "capacity")) {
      const uint64_t n = reader.unsignedInt(e->value, "outputs_queue.capacity", 0, kMaxQueueCapacity);
      outputs.queueCapacity = n == 0 ? kDefaultOutputsQueueCapacity : n;
    }
  }
  if (auto e = reader.find(root, "", "output_timeout")) {
    outputs.timeoutMs =
        static_cast<uint32_t>(reader.unsignedInt(e->value, "output_timeout", 1, kMaxTimeoutMs));
  }
}

}  // namespace bulkhead
