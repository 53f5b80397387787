// One guard's core in one isolate: its config, parsed once, and the hot path's enforcer.
// The WASM module hands the shim a handle to one of these; every later call names it.
#pragma once

#include <set>
#include <string>

#include "config.h"
#include "enforcer.h"
#include "live_meter.h"

namespace edgefuse {

struct GuardCore {
  explicit GuardCore(Config parsed)
      : config(std::move(parsed)), enforcer(Enforcer::fromConfig(config)), outbox(config) {}
  const Config config;
  Enforcer enforcer;
  MeterOutbox outbox;  // the real-time meter's reports, when the config has rate lines
  // Operation names a usage answer held that edgefuse does not know (counted in the
  // costlier class), each warned of once per isolate.
  std::set<std::string> warnedActionTypes;
  // Whether the config's loopback endpoint has been warned of in this isolate.
  bool warnedLoopbackEndpoint = false;
  // The secrets (env names) found missing and warned of in this isolate.
  std::set<std::string> warnedMissingSecrets;
};

}  // namespace edgefuse
