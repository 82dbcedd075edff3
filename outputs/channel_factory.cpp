#include "outputs/channel_factory.h"

#include <unistd.h>

#include <cstdlib>

#include "outputs/file_channel.h"
#include "outputs/http_channel.h"
#include "outputs/program_channel.h"
#include "outputs/stdout_channel.h"
#include "outputs/syslog_channel.h"

namespace bulkhead {

std::string alertHostname() {
  if (const char* env = std::getenv("FALCO_HOSTNAME")) return env;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

AlertFormat makeAlertFormat(const OutputsConfig& config) {
  AlertFormat f;
  f.json = config.jsonOutput;
  f.includeOutput = config.jsonIncludeOutputProperty;
  f.includeTags = config.jsonIncludeTagsProperty;
  f.includeMessage = config.jsonIncludeMessageProperty;
  f.includeOutputFields = config.jsonIncludeOutputFieldsProperty;
  f.timeIso8601 = config.timeFormatIso8601;
  f.hostname = alertHostname();
  return f;
}

std::vector<std::unique_ptr<AlertChannel>> makeChannels(const OutputsConfig& config) {
  std::vector<std::unique_ptr<AlertChannel>> channels;
  const std::chrono::milliseconds timeout(config.timeoutMs);
  if (config.stdoutEnabled) channels.push_back(std::make_unique<StdoutChannel>(config.buffered));
  if (config.file.enabled) {
    channels.push_back(std::make_unique<FileChannel>(config.file.filename, config.file.keepAlive,
                                                     config.buffered));
  }
  if (config.syslog.enabled) channels.push_back(std::make_unique<SyslogChannel>());
  if (config.program.enabled) {
    channels.push_back(
        std::make_unique<ProgramChannel>(config.program.program, config.program.keepAlive, timeout));
  }
  if (config.http.enabled) {
    channels.push_back(std::make_unique<HttpChannel>(config.http, config.jsonOutput, timeout));
  }
  return channels;
}

OutputQueueSettings makeQueueSettings(const OutputsConfig& config) {
  return {config.queueCapacity, std::chrono::milliseconds(config.timeoutMs)};
}

}  // namespace bulkhead
