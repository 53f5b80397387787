// One guard's core in one isolate: its config, parsed once, and the hot path's enforcer.
// The WASM module hands the shim a handle to one of these; every later call names it.
#pragma once

#include "config.h"
#include "enforcer.h"

namespace edgefuse {

struct GuardCore {
  explicit GuardCore(Config parsed) : config(std::move(parsed)), enforcer(Enforcer::fromConfig(config)) {}
  const Config config;
  Enforcer enforcer;
};

}  // namespace edgefuse
