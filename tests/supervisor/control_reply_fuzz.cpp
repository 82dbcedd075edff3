// libFuzzer target: the input is one control frame from a runner, read as
// the supervisor reads every reply (decodeControlMessage's limits). Each
// kind goes through the reader the supervisor uses for it: the hello's
// plugin information and sandbox layers, the plugin's metrics, texts.
// Throwing PluginError or ControlError, or reading a kj::Exception out of
// a malformed message, is a rejection; a crash, a sanitizer report, a hang
// or another exception is a finding.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "protocol/control.capnp.h"
#include "protocol/control_channel.h"
#include "supervisor/runner_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulkhead;
  spdlog::set_level(spdlog::level::off);
  // A frame is whole words (receive() refuses anything else).
  const size_t words = size / sizeof(capnp::word);
  if (words == 0) return 0;
  auto frame = kj::heapArray<capnp::word>(words);
  std::memcpy(frame.begin(), data, words * sizeof(capnp::word));
  try {
    ControlMessage m = decodeControlMessage(std::move(frame));
    Reply::Reader r = m.reader->getRoot<Reply>();
    switch (r.which()) {
      case Reply::HELLO: {
        const PluginSpec spec{"fuzz", "/fuzz/libfuzz.so", ""};
        (void)layersFromHello(r.getHello());
        (void)infoFromHello(r.getHello(), spec);
        break;
      }
      case Reply::METRICS:
        (void)metricsFromReply(r);
        break;
      case Reply::ERROR:
        (void)shownText(r.getError(), "error");
        break;
      case Reply::TEXT:
        (void)shownText(r.getText(), "text");
        break;
      case Reply::PROGRESS:
        (void)checkedText(r.getProgress().getText(), "progress");
        break;
      default:
        break;
    }
  } catch (const PluginError&) {
  } catch (const ControlError&) {
  } catch (const kj::Exception&) {
  }
  return 0;
}
