// The hot path: per-invocation op counters, per-invocation limits and the tripped set.
// One Enforcer per guard per isolate. Every guarded binding call asks it one question
// (admit / check) through a direct WASM export: no allocation, no I/O.
#pragma once

#include <algorithm>
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
// not invocations begun; under 300 bytes each, allocated only as they are needed.
constexpr std::uint32_t kInvocationSlots = 16384;
// Resources an invocation can be charged for: those of guarded binding calls (14 today).
constexpr std::size_t kCountedResources = 16;
constexpr std::size_t kBindingLimitSlots = kMaxBindingLimits;

using ResourceLimits = std::array<double, kMaxResources>;  // by catalogue index

class Enforcer {
 public:
  // `bindingLimits`: "<resource id>:<binding>" -> units per invocation through that binding.
  explicit Enforcer(const ResourceLimits& limits, std::map<std::string, double> bindingLimits = {});
  static Enforcer fromConfig(const Config& config);

  // A meter is one binding's use of one resource, e.g. ("kv-writes", "CACHE"); -1 past
  // kCountedResources distinct resources.
  int defineMeter(std::size_t resourceIndex, const std::string& binding);

  // Breaker keys are "<resource id>" (every binding) or "<resource id>:<binding name>".
  // Those of the state record (the poll's and manual trips) and those of the real-time
  // meter are set apart; a call is refused when either holds its key.
  void setTripped(const std::vector<std::string>& breakerKeys);
  // The meter's keys may also be "<resource id>@<feature>": refused to that feature's
  // invocations only.
  void setMeterTripped(const std::vector<std::string>& breakerKeys);

  // The units admitted in this isolate and not yet reported to the meter, of the resources
  // `reportResource` named (by catalogue index), in all (feature 0: every invocation's,
  // counted or not) or of one feature's invocations.
  void reportResource(std::size_t resourceIndex, int feature = 0);
  double unreported(std::size_t resourceIndex, int feature = 0) const {
    return resourceIndex < kMaxResources && validFeature(feature) ? unreported_[feature][resourceIndex] : 0;
  }
  // Takes them for a report; `giveBack` returns those of a report that failed.
  double takeUnreported(std::size_t resourceIndex, int feature = 0);
  void giveBack(std::size_t resourceIndex, double units, int feature = 0);
  // The meter's room: units this isolate may still admit of a resource (feature 0: in all;
  // else of one feature's invocations) before it has alone used what the meter's last answer
  // said was left under the resource's line, which crosses the line whatever the other
  // isolates did. A call that would go past it is refused as tripped until the outbox sets a
  // new room (the meter's next answer). Infinite until set, and in a dry run.
  void setRoom(std::size_t resourceIndex, int feature, double units);
  double room(std::size_t resourceIndex, int feature = 0) const {
    return resourceIndex < kMaxResources && validFeature(feature) ? room_[feature][resourceIndex] : kNoRoomLimit;
  }
  // Whether a call was refused for want of room since the room was last set.
  bool refusedForRoom(std::size_t resourceIndex, int feature = 0) const {
    return resourceIndex < kMaxResources && validFeature(feature) && roomRefused_[feature][resourceIndex] > 0;
  }
  // The largest call refused for want of room since then (1 for a check before a call whose
  // cost is not known yet): what the meter is told this isolate wanted.
  double roomWanted(std::size_t resourceIndex, int feature = 0) const {
    return resourceIndex < kMaxResources && validFeature(feature) ? roomRefused_[feature][resourceIndex] : 0;
  }
  static constexpr double kNoRoomLimit = std::numeric_limits<double>::infinity();
  // Feature names, in config order: feature id = index + 1.
  void nameFeatures(std::vector<std::string> names) { featureNames_ = std::move(names); }

  // Starts counting a new invocation, in a free slot. Only when all kInvocationSlots are
  // alive (the garbage collector can lag) are slots taken back, a sixteenth of them at once:
  // those least recently used among invocations marked finished, then among the rest. Their
  // later calls pass uncounted. Ids carry a generation, so an id whose slot was taken back
  // or ended is recognised and let through rather than charged to another.
  // `feature`: the feature the invocation belongs to (featureOf), 0 for none.
  std::uint32_t begin(int feature = 0);
  // The invocation's handler has returned: it may still make calls (waitUntil work), but it
  // gives up its slot before one whose handler is still running.
  void finish(std::uint32_t invocation);
  // The invocation can make no more calls: its slot is free for the next. Unknown ids are
  // ignored, so ending twice is harmless.
  void end(std::uint32_t invocation);
  // Invocations counted now; slots taken back from live invocations since the start, and of
  // those, from invocations whose handler had not returned.
  std::uint32_t live() const { return live_; }
  std::uint32_t evictions() const { return evictions_; }
  std::uint32_t runningEvictions() const { return runningEvictions_; }

  // Before an op: charge `units`, or refuse if tripped or if it would pass the limit.
  Verdict admit(std::uint32_t invocation, int meter, double units);
  // Before an op whose cost is known only afterwards (a D1 query): refuse if tripped or
  // if the limit is already reached.
  Verdict check(std::uint32_t invocation, int meter) const;
  // After such an op: charge what it actually cost, never refused.
  void record(std::uint32_t invocation, int meter, double units);
  // Gives back units admitted for a call the binding refused before sending it.
  void refund(std::uint32_t invocation, int meter, double units);

  // Of the resource, or (`throughBinding`) of the resource through the meter's binding.
  double used(std::uint32_t invocation, int meter, bool throughBinding = false) const;
  // By catalogue index; 0 for unknown invocations and indexes.
  double usedOfResource(std::uint32_t invocation, int resourceIndex) const;
  double limit(int meter, bool throughBinding = false) const;

 private:
  struct Meter {
    std::size_t resource;
    std::size_t counted;  // the resource's index in Invocation::used
    std::string binding;
    bool tripped;
    int bindingSlot;      // -1: no per-binding limit
    double bindingLimit;
  };
  struct Invocation {
    std::uint32_t generation;
    bool live;
    bool finished;
    std::uint64_t lastUse;  // useClock_ when it began or last made a call
    std::uint8_t feature;   // 0: none
    std::array<double, kCountedResources> used;  // by countedIndex_
    std::array<double, kBindingLimitSlots> usedThroughBinding;
  };

  static bool validFeature(int feature) { return feature >= 0 && feature <= static_cast<int>(kMaxFeatures); }
  void noteUnreported(std::size_t resourceIndex, double units, int feature) {
    for (int f : {0, feature}) {
      if (reported_[f][resourceIndex]) {
        unreported_[f][resourceIndex] = std::max(0.0, unreported_[f][resourceIndex] + units);
        room_[f][resourceIndex] -= units;
      }
      if (feature == 0) break;
    }
  }
  // Whether admitting `units` (0: a check before a call) would go past the meter's room.
  bool roomSpent(std::size_t resourceIndex, int feature, double units) const {
    for (int f : {0, feature}) {
      const double left = room_[f][resourceIndex];
      if (units > 0 ? units > left : left <= 0) {
        roomRefused_[f][resourceIndex] = std::max(roomRefused_[f][resourceIndex], units > 0 ? units : 1.0);
        return true;
      }
      if (feature == 0) break;
    }
    return false;
  }
  bool featureTripped(const Invocation& invocation, std::size_t resourceIndex) const {
    return invocation.feature != 0 && featureTripped_[invocation.feature][resourceIndex];
  }
  void applyTripped();

  Invocation* find(std::uint32_t invocation);
  const Invocation* find(std::uint32_t invocation) const;
  bool validMeter(int meter) const { return meter >= 0 && meter < static_cast<int>(meters_.size()); }
  void takeBackSlots();

  ResourceLimits limits_;
  std::map<std::string, double> bindingLimits_;
  std::size_t bindingSlotsUsed_ = 0;
  std::vector<Meter> meters_;
  std::vector<std::string> trippedKeys_;       // both sets below
  std::vector<std::string> recordTrippedKeys_;
  std::vector<std::string> meterTrippedKeys_;
  std::array<std::array<bool, kMaxResources>, kMaxFeatures + 1> reported_{};    // [feature][resource]
  std::array<std::array<double, kMaxResources>, kMaxFeatures + 1> unreported_{};
  std::array<std::array<double, kMaxResources>, kMaxFeatures + 1> room_;
  mutable std::array<std::array<double, kMaxResources>, kMaxFeatures + 1> roomRefused_{};  // a note: units wanted
  std::array<std::array<bool, kMaxResources>, kMaxFeatures + 1> featureTripped_{};
  std::vector<std::string> featureNames_;
  std::vector<Invocation> invocations_;  // grows to kInvocationSlots at most
  std::vector<std::uint32_t> freeSlots_;
  std::array<int, kMaxResources> countedIndex_;  // catalogue index -> Invocation::used index, or -1
  std::size_t countedResources_ = 0;
  std::uint64_t useClock_ = 0;
  std::uint32_t live_ = 0;
  std::uint32_t evictions_ = 0;
  std::uint32_t runningEvictions_ = 0;
};

}  // namespace edgefuse
