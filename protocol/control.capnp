# Control plane between the supervisor and one runner: rare messages over a
# stream socketpair, each framed by a 32-bit byte length. The data plane
# (events, extraction, parsing, async events) never passes here: it uses the
# shared-memory rings.
#
# Everything a runner sends is untrusted: the supervisor reads it with
# explicit traversal and nesting limits and re-checks every value.
@0xd3f6a1c2b4e59a07;

struct RunnerSetup {
  # Sent first, before the runner sandboxes itself.
  pluginName @0 :Text;
  libraryPath @1 :Text;
  initConfig @2 :Text;
  policyName @3 :Text;
  policyDir @4 :Text;
  ringCapacities @5 :List(UInt64);
  limits @6 :Limits;
  user @7 :Text;              # account to drop to when started as root
  allowRead @8 :List(Text);   # extra paths the plugin may read
  allowWrite @9 :List(Text);  # paths the plugin may write
  openParams @10 :Text;       # used to find input paths for the sandbox

  # The policy, compiled once by the supervisor (parsing a profile costs
  # milliseconds that every restart would pay): both seccomp phases as
  # struct sock_filter arrays with the self-pid placeholder, and what the
  # profile says about the other layers.
  seccompLoading @11 :Data;
  seccompServing @12 :Data;
  specAllow @13 :Bool;
  allowNetwork @14 :Bool;
  landlockRead @15 :List(Text);   # the policy's paths, the library, input paths, allow_paths
  landlockWrite @16 :List(Text);

  struct Limits {
    addressSpaceMb @0 :UInt64;  # 0: unlimited
    cpuSeconds @1 :UInt64;      # 0: unlimited
    openFiles @2 :UInt64;
  }
}

struct SandboxLayer {
  name @0 :Text;
  obtained @1 :Bool;
  detail @2 :Text;
}

struct Hello {
  # The runner's answer to RunnerSetup: the plugin is loaded and initialised.
  name @0 :Text;
  description @1 :Text;
  contact @2 :Text;
  version @3 :Text;
  requiredApiVersion @4 :Text;
  capabilities @5 :UInt32;
  id @6 :UInt32;
  eventSource @7 :Text;
  fieldsJson @8 :Text;
  extractEventSources @9 :List(Text);
  parseEventSources @10 :List(Text);
  asyncEvents @11 :List(Text);
  asyncEventSources @12 :List(Text);
  initSchema @13 :Text;
  extractEventTypes @14 :List(UInt16);
  parseEventTypes @15 :List(UInt16);
  sandbox @16 :List(SandboxLayer);
  pid @17 :UInt32;
}

struct Request {
  union {
    setup @0 :RunnerSetup;
    open @1 :Text;            # open params
    close @2 :Void;
    progress @3 :Void;
    eventToString :group {
      event @4 :Data;
      source @5 :Text;
    }
    lastError @6 :Void;
    startAsync @7 :Void;
    stopAsync @8 :Void;
    shutdown @9 :Void;
    # Fields to extract with every batch, ahead of demand: an extract
    # request record (wire_codec.h) with no events; its seq is the
    # generation that the batches' field records carry.
    preExtract @10 :Data;
    metrics @11 :Void;        # the plugin's get_metrics
  }
}

struct PluginMetric {
  name @0 :Text;       # "<plugin>.<metric>", as plugin_metric.h makes it
  monotonic @1 :Bool;
  valueType @2 :UInt8;  # ss_plugin_metric_value_type
  value @3 :UInt64;     # the value union's 8 bytes
}

struct Reply {
  union {
    ok @0 :Void;
    error @1 :Text;           # what failed, with the plugin's last error
    hello @2 :Hello;
    progress :group {
      pct @3 :UInt32;
      text @4 :Text;
    }
    text @5 :Text;
    metrics @6 :List(PluginMetric);
  }
}
