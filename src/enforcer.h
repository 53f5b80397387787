// The hot path: per-invocation op counters, per-invocation limits and the tripped set.
// One Enforcer per guard per isolate. Every guarded binding call asks it one question
// (admit / check) through a direct WASM export: no allocation, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "catalogue.h"
#include "config.h"

namespace edgefuse {

enum class Verdict : int {
  Allow = 0,
  Tripped = 1,      // the meter's resource (or this binding of it) has a tripped breaker
  OverLimit = 2,    // the invocation has used up its limit for the resource
  OverBindingLimit = 3,  // ... or its limit for the resource through this binding
};

constexpr double kNoLimit = std::numeric_limits<double>::infinity();
constexpr std::size_t kMaxResources = 48;
constexpr std::uint32_t kInvocationSlots = 1024;  // concurrent invocations counted per isolate
constexpr std::size_t kBindingLimitSlots = kMaxBindingLimits;

using ResourceLimits = std::array<double, kMaxResources>;  // by catalogue index

class Enforcer {
 public:
  // `bindingLimits`: "<resource id>:<binding>" -> units per invocation through that binding.
  explicit Enforcer(const ResourceLimits& limits, std::map<std::string, double> bindingLimits = {});
  static Enforcer fromConfig(const Config& config);

  // A meter is one binding's use of one resource, e.g. ("kv-writes", "CACHE").
  int defineMeter(std::size_t resourceIndex, const std::string& binding);

  // Breaker keys are "<resource id>" (every binding) or "<resource id>:<binding name>".
  void setTripped(const std::vector<std::string>& breakerKeys);

  // Starts counting a new invocation. Counters live in a ring of kInvocationSlots: there is
  // no end() to forget, so work an invocation leaves behind in waitUntil is still counted.
  // Ids carry a generation: once its slot is reused, an old id is recognised and let
  // through uncounted rather than charged to someone else.
  std::uint32_t begin();

  // Before an op: charge `units`, or refuse if tripped or if it would pass the limit.
  Verdict admit(std::uint32_t invocation, int meter, double units);
  // Before an op whose cost is known only afterwards (a D1 query): refuse if tripped or
  // if the limit is already reached.
  Verdict check(std::uint32_t invocation, int meter) const;
  // After such an op: charge what it actually cost, never refused.
  void record(std::uint32_t invocation, int meter, double units);

  // Of the resource, or (`throughBinding`) of the resource through the meter's binding.
  double used(std::uint32_t invocation, int meter, bool throughBinding = false) const;
  // By catalogue index; 0 for unknown invocations and indexes.
  double usedOfResource(std::uint32_t invocation, int resourceIndex) const;
  double limit(int meter, bool throughBinding = false) const;

 private:
  struct Meter {
    std::size_t resource;
    std::string binding;
    bool tripped;
    int bindingSlot;      // -1: no per-binding limit
    double bindingLimit;
  };
  struct Invocation {
    std::uint32_t generation;
    std::array<double, kMaxResources> used;
    std::array<double, kBindingLimitSlots> usedThroughBinding;
  };

  Invocation* find(std::uint32_t invocation);
  const Invocation* find(std::uint32_t invocation) const;
  bool validMeter(int meter) const { return meter >= 0 && meter < static_cast<int>(meters_.size()); }

  ResourceLimits limits_;
  std::map<std::string, double> bindingLimits_;
  std::size_t bindingSlotsUsed_ = 0;
  std::vector<Meter> meters_;
  std::vector<std::string> trippedKeys_;
  std::vector<Invocation> invocations_;  // grows to kInvocationSlots, then wraps
  std::uint32_t nextSlot_ = 0;
};

}  // namespace edgefuse
