// The alert channel keys: Falco 0.44's defaults, what each key sets, and
// errors that name file:line:column and the key.
#include "config/outputs_reader.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/config/temp_config.h"

namespace bulkhead {
namespace {

using testing::TempConfigDir;

TEST(OutputChannels, FalcosDefaults) {
  TempConfigDir dir;
  const OutputsConfig o = dir.load("plugins: []\n").outputs;
  EXPECT_TRUE(o.stdoutEnabled);
  EXPECT_FALSE(o.file.enabled);
  EXPECT_FALSE(o.syslog.enabled);
  EXPECT_FALSE(o.program.enabled);
  EXPECT_FALSE(o.http.enabled);
  EXPECT_EQ(o.http.userAgent, "falcosecurity/falco");
  EXPECT_EQ(o.http.caPath, "/etc/ssl/certs");
  EXPECT_EQ(o.http.clientCert, "/etc/ssl/certs/client.crt");
  EXPECT_EQ(o.http.clientKey, "/etc/ssl/certs/client.key");
  EXPECT_EQ(o.http.maxConsecutiveTimeouts, 5u);
  EXPECT_FALSE(o.http.keepAlive);
  EXPECT_FALSE(o.buffered);
  EXPECT_EQ(o.timeoutMs, 2000u);
  EXPECT_EQ(o.queueCapacity, kDefaultOutputsQueueCapacity);
}

TEST(OutputChannels, ReadsEveryKey) {
  TempConfigDir dir;
  Config config = dir.load(R"(
http_output:
  enabled: true
  url: "'http://falcosidekick:2801/'"
  user_agent: bulkhead-test
  insecure: true
  ca_cert: certs/ca.pem
  ca_bundle: /etc/bundle.pem
  ca_path: /etc/cas
  mtls: true
  client_cert: /c.crt
  client_key: /c.key
  echo: true
  compress_uploads: true
  keep_alive: true
  max_consecutive_timeouts: 2
program_output:
  enabled: true
  keep_alive: true
  program: "jq '{text: .output}'"
syslog_output:
  enabled: true
buffered_outputs: true
outputs_queue:
  capacity: 50
output_timeout: 300
)");
  const OutputsConfig& o = config.outputs;
  EXPECT_TRUE(config.warnings.empty()) << config.warnings[0];
  EXPECT_TRUE(o.http.enabled);
  EXPECT_EQ(o.http.url, "http://falcosidekick:2801/");  // one pair of quotes removed, as Falco
  EXPECT_EQ(o.http.userAgent, "bulkhead-test");
  EXPECT_TRUE(o.http.insecure);
  EXPECT_EQ(o.http.caCert, dir.dir() + "/certs/ca.pem");
  EXPECT_EQ(o.http.caBundle, "/etc/bundle.pem");
  EXPECT_EQ(o.http.caPath, "/etc/cas");
  EXPECT_TRUE(o.http.mtls);
  EXPECT_EQ(o.http.clientCert, "/c.crt");
  EXPECT_EQ(o.http.clientKey, "/c.key");
  EXPECT_TRUE(o.http.echo);
  EXPECT_TRUE(o.http.compressUploads);
  EXPECT_TRUE(o.http.keepAlive);
  EXPECT_EQ(o.http.maxConsecutiveTimeouts, 2u);
  EXPECT_TRUE(o.program.enabled);
  EXPECT_TRUE(o.program.keepAlive);
  EXPECT_EQ(o.program.program, "jq '{text: .output}'");
  EXPECT_TRUE(o.syslog.enabled);
  EXPECT_TRUE(o.buffered);
  EXPECT_EQ(o.queueCapacity, 50u);
  EXPECT_EQ(o.timeoutMs, 300u);
}

// Falco's stock falco.yaml says capacity 0, "unbounded": bounded here.
TEST(OutputChannels, QueueCapacityZeroIsTheDefaultBound) {
  TempConfigDir dir;
  EXPECT_EQ(dir.load("outputs_queue: {capacity: 0}\n").outputs.queueCapacity,
            kDefaultOutputsQueueCapacity);
}

TEST(OutputChannels, ErrorsNameFileLineAndKey) {
  TempConfigDir dir;
  const std::string f = dir.path();
  EXPECT_EQ(dir.loadError("http_output:\n  enabled: true\n"),
            f + ":2:3: http_output.url: http_output is enabled but has no url; set "
                "http_output.url (for falcosidekick: http://falcosidekick:2801/)");
  EXPECT_EQ(dir.loadError("http_output:\n  enabled: true\n  url: falcosidekick:2801\n"),
            f + ":3:8: http_output.url: 'falcosidekick:2801' is not an http:// or https:// URL");
  EXPECT_EQ(dir.loadError("http_output:\n  keep_alive: maybe\n"),
            f + ":2:15: http_output.keep_alive: expected true or false, got 'maybe'");
  EXPECT_EQ(dir.loadError("http_output:\n  max_consecutive_timeouts: 300\n"),
            f + ":2:29: http_output.max_consecutive_timeouts: expected a whole number from 0 to "
                "255, got '300'");
  EXPECT_EQ(dir.loadError("program_output:\n  enabled: true\n  program: \"\"\n"),
            f + ":3:12: program_output.program: program_output is enabled but has no program; "
                "set program_output.program (a /bin/sh command line)");
  EXPECT_EQ(dir.loadError("program_output: [a]\n"),
            f + ":1:17: program_output: expected a map of settings, got a sequence");
  EXPECT_EQ(dir.loadError("program_output:\n  program: \"a\\nb\"\n"),
            f + ":2:12: program_output.program: command contains a control character");
  EXPECT_EQ(dir.loadError("output_timeout: 0\n"),
            f + ":1:17: output_timeout: expected a whole number from 1 to 3600000, got '0'");
  EXPECT_EQ(dir.loadError("outputs_queue:\n  capacity: -1\n"),
            f + ":2:13: outputs_queue.capacity: expected a whole number from 0 to 10000000, "
                "got '-1'");
  EXPECT_EQ(dir.loadError("buffered_outputs: 3\n"),
            f + ":1:19: buffered_outputs: expected true or false, got '3'");
}

TEST(OutputChannels, UnknownKeysInAChannelAreWarnedAbout) {
  TempConfigDir dir;
  Config config = dir.load("syslog_output:\n  enabled: false\n  facility: local0\n");
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_NE(config.warnings[0].find(":3:3: syslog_output.facility"), std::string::npos)
      << config.warnings[0];
}

}  // namespace
}  // namespace bulkhead
