#include "enforcer.h"

#include <algorithm>

namespace edgefuse {
namespace {

constexpr std::uint32_t kSlotBits = 16;
static_assert(kInvocationSlots <= (1u << kSlotBits));
constexpr std::uint32_t kSlotMask = (1u << kSlotBits) - 1;
constexpr std::uint32_t kGenerations = 1u << 15;  // keeps ids below 2^31: plain JS ints

bool isTripped(const std::vector<std::string>& keys, std::string_view resource,
               const std::string& binding) {
  const std::string resourceKey(resource);
  const std::string bindingKey = resourceKey + ":" + binding;
  return std::any_of(keys.begin(), keys.end(),
                     [&](const std::string& key) { return key == resourceKey || key == bindingKey; });
}

}  // namespace

Enforcer::Enforcer(const ResourceLimits& limits, std::map<std::string, double> bindingLimits)
    : limits_(limits), bindingLimits_(std::move(bindingLimits)) {}

Enforcer Enforcer::fromConfig(const Config& config) {
  ResourceLimits limits;
  limits.fill(kNoLimit);
  std::size_t index = 0;
  for (const Resource& resource : resources()) {
    auto it = config.limits.find(std::string(resource.id));
    if (it != config.limits.end() && it->second) limits[index] = *it->second;
    ++index;
  }
  std::map<std::string, double> bindingLimits;
  for (const auto& [key, limit] : config.limits) {
    if (key.find(':') != std::string::npos && limit) bindingLimits[key] = *limit;
  }
  return Enforcer(limits, bindingLimits);
}

int Enforcer::defineMeter(std::size_t resourceIndex, const std::string& binding) {
  for (std::size_t i = 0; i < meters_.size(); ++i) {
    if (meters_[i].resource == resourceIndex && meters_[i].binding == binding) {
      return static_cast<int>(i);
    }
  }
  const Resource* resource = resources().begin() + resourceIndex;
  Meter meter{resourceIndex, binding, isTripped(trippedKeys_, resource->id, binding), -1, kNoLimit};
  auto limit = bindingLimits_.find(std::string(resource->id) + ":" + binding);
  if (limit != bindingLimits_.end() && bindingSlotsUsed_ < kBindingLimitSlots) {
    meter.bindingSlot = static_cast<int>(bindingSlotsUsed_++);
    meter.bindingLimit = limit->second;
  }
  meters_.push_back(meter);
  return static_cast<int>(meters_.size() - 1);
}

void Enforcer::setTripped(const std::vector<std::string>& breakerKeys) {
  trippedKeys_ = breakerKeys;
  for (Meter& meter : meters_) {
    const Resource* resource = resources().begin() + meter.resource;
    meter.tripped = isTripped(trippedKeys_, resource->id, meter.binding);
  }
}

std::uint32_t Enforcer::begin() {
  std::uint32_t slot;
  if (!freeSlots_.empty()) {
    slot = freeSlots_.back();
    freeSlots_.pop_back();
  } else if (invocations_.size() < kInvocationSlots) {
    slot = static_cast<std::uint32_t>(invocations_.size());
    invocations_.push_back({0, false, {}, {}});
  } else {
    slot = nextEviction_;
    nextEviction_ = (nextEviction_ + 1) % kInvocationSlots;
    ++evictions_;
    --live_;
  }
  Invocation& invocation = invocations_[slot];
  invocation.generation = invocation.generation % (kGenerations - 1) + 1;  // never 0
  invocation.live = true;
  invocation.used.fill(0);
  invocation.usedThroughBinding.fill(0);
  ++live_;
  return (invocation.generation << kSlotBits) | slot;
}

void Enforcer::end(std::uint32_t id) {
  Invocation* invocation = find(id);
  if (!invocation) return;
  invocation->live = false;
  invocation->generation = invocation->generation % (kGenerations - 1) + 1;  // the old id is spent
  freeSlots_.push_back(id & kSlotMask);
  --live_;
}

Enforcer::Invocation* Enforcer::find(std::uint32_t id) {
  return const_cast<Invocation*>(static_cast<const Enforcer*>(this)->find(id));
}

const Enforcer::Invocation* Enforcer::find(std::uint32_t id) const {
  const std::uint32_t slot = id & kSlotMask;
  if (slot >= invocations_.size()) return nullptr;
  const Invocation& invocation = invocations_[slot];
  if (!invocation.live || invocation.generation != (id >> kSlotBits)) return nullptr;
  return &invocation;
}

Verdict Enforcer::admit(std::uint32_t id, int meter, double units) {
  if (!validMeter(meter)) return Verdict::Allow;  // the guard fails open on its own errors
  const Meter& m = meters_[meter];
  if (m.tripped) return Verdict::Tripped;
  Invocation* invocation = find(id);
  if (!invocation) return Verdict::Allow;
  double& used = invocation->used[m.resource];
  if (used + units > limits_[m.resource]) return Verdict::OverLimit;
  if (m.bindingSlot >= 0) {
    double& through = invocation->usedThroughBinding[m.bindingSlot];
    if (through + units > m.bindingLimit) return Verdict::OverBindingLimit;
    through += units;
  }
  used += units;
  return Verdict::Allow;
}

Verdict Enforcer::check(std::uint32_t id, int meter) const {
  if (!validMeter(meter)) return Verdict::Allow;
  const Meter& m = meters_[meter];
  if (m.tripped) return Verdict::Tripped;
  const Invocation* invocation = find(id);
  if (!invocation) return Verdict::Allow;
  if (invocation->used[m.resource] >= limits_[m.resource]) return Verdict::OverLimit;
  if (m.bindingSlot >= 0 && invocation->usedThroughBinding[m.bindingSlot] >= m.bindingLimit) {
    return Verdict::OverBindingLimit;
  }
  return Verdict::Allow;
}

void Enforcer::record(std::uint32_t id, int meter, double units) {
  Invocation* invocation = find(id);
  if (!invocation || !validMeter(meter) || units <= 0) return;
  const Meter& m = meters_[meter];
  invocation->used[m.resource] += units;
  if (m.bindingSlot >= 0) invocation->usedThroughBinding[m.bindingSlot] += units;
}

double Enforcer::used(std::uint32_t id, int meter, bool throughBinding) const {
  const Invocation* invocation = find(id);
  if (!invocation || !validMeter(meter)) return 0;
  const Meter& m = meters_[meter];
  if (throughBinding) return m.bindingSlot >= 0 ? invocation->usedThroughBinding[m.bindingSlot] : 0;
  return invocation->used[m.resource];
}

double Enforcer::usedOfResource(std::uint32_t id, int resourceIndex) const {
  const Invocation* invocation = find(id);
  if (!invocation || resourceIndex < 0 || resourceIndex >= static_cast<int>(kMaxResources)) return 0;
  return invocation->used[resourceIndex];
}

double Enforcer::limit(int meter, bool throughBinding) const {
  if (!validMeter(meter)) return kNoLimit;
  return throughBinding ? meters_[meter].bindingLimit : limits_[meters_[meter].resource];
}

}  // namespace edgefuse
