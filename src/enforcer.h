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
// Invocations counted at once per isolate. A slot is freed when its invocation ends (the
// shim learns that from the garbage collector), so this bounds invocations alive together,
// not invocations begun; about 0.5 KB each, allocated only as they are needed.
constexpr std::uint32_t kInvocationSlots = 16384;
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

  // Starts counting a new invocation, in a free slot. Only when all kInvocationSlots are
  // alive is one taken back, in turn from the first (the oldest, when none has ended): its
  // invocation's later calls pass uncounted. Ids carry a generation, so an id whose slot
  // was taken back or ended is recognised and let through rather than charged to another.
  std::uint32_t begin();
  // The invocation can make no more calls: its slot is free for the next. Unknown ids are
  // ignored, so ending twice is harmless.
  void end(std::uint32_t invocation);
  // Invocations counted now, and slots taken back from live invocations since the start.
  std::uint32_t live() const { return live_; }
  std::uint32_t evictions() const { return evictions_; }

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
    bool live;
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
  std::vector<Invocation> invocations_;  // grows to kInvocationSlots at most
  std::vector<std::uint32_t> freeSlots_;
  std::uint32_t nextEviction_ = 0;  // where to take a slot back when none is free
  std::uint32_t live_ = 0;
  std::uint32_t evictions_ = 0;
};

}  // namespace edgefuse
