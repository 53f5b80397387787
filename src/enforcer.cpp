#include "enforcer.h"

#include "live_meter.h"

#include <algorithm>
#include <utility>

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
    : limits_(limits), bindingLimits_(std::move(bindingLimits)) {
  countedIndex_.fill(-1);
  for (auto& byResource : room_) byResource.fill(kNoRoomLimit);
}

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
  Enforcer enforcer(limits, bindingLimits);
  for (const MeteredKey& metered : meteredKeys(config)) enforcer.reportResource(metered.resource, metered.feature);
  std::vector<std::string> names;
  for (const Feature& feature : config.features) names.push_back(feature.name);
  enforcer.nameFeatures(names);
  return enforcer;
}

int Enforcer::defineMeter(std::size_t resourceIndex, const std::string& binding) {
  for (std::size_t i = 0; i < meters_.size(); ++i) {
    if (meters_[i].resource == resourceIndex && meters_[i].binding == binding) {
      return static_cast<int>(i);
    }
  }
  if (resourceIndex >= kMaxResources) return -1;
  if (countedIndex_[resourceIndex] < 0) {
    if (countedResources_ == kCountedResources) return -1;
    countedIndex_[resourceIndex] = static_cast<int>(countedResources_++);
  }
  const Resource* resource = resources().begin() + resourceIndex;
  Meter meter{resourceIndex, static_cast<std::size_t>(countedIndex_[resourceIndex]), binding,
              isTripped(trippedKeys_, resource->id, binding), -1, kNoLimit};
  auto limit = bindingLimits_.find(std::string(resource->id) + ":" + binding);
  if (limit != bindingLimits_.end() && bindingSlotsUsed_ < kBindingLimitSlots) {
    meter.bindingSlot = static_cast<int>(bindingSlotsUsed_++);
    meter.bindingLimit = limit->second;
  }
  meters_.push_back(meter);
  return static_cast<int>(meters_.size() - 1);
}

void Enforcer::setTripped(const std::vector<std::string>& breakerKeys) {
  recordTrippedKeys_ = breakerKeys;
  applyTripped();
}

void Enforcer::setMeterTripped(const std::vector<std::string>& breakerKeys) {
  meterTrippedKeys_ = breakerKeys;
  applyTripped();
}

void Enforcer::applyTripped() {
  trippedKeys_ = recordTrippedKeys_;
  for (auto& byResource : featureTripped_) byResource.fill(false);
  for (const std::string& key : meterTrippedKeys_) {
    const std::size_t at = key.find('@');
    if (at == std::string::npos) {
      trippedKeys_.push_back(key);
      continue;
    }
    const Resource* resource = findResource(key.substr(0, at));
    auto name = std::find(featureNames_.begin(), featureNames_.end(), key.substr(at + 1));
    if (!resource || name == featureNames_.end()) continue;
    featureTripped_[static_cast<std::size_t>(name - featureNames_.begin()) + 1][static_cast<std::size_t>(resource - resources().begin())] = true;
  }
  for (Meter& meter : meters_) {
    const Resource* resource = resources().begin() + meter.resource;
    meter.tripped = isTripped(trippedKeys_, resource->id, meter.binding);
  }
}

void Enforcer::setRoom(std::size_t resourceIndex, int feature, double units) {
  if (resourceIndex >= kMaxResources || !validFeature(feature)) return;
  room_[feature][resourceIndex] = units;
  roomRefused_[feature][resourceIndex] = 0;
}

void Enforcer::reportResource(std::size_t resourceIndex, int feature) {
  if (resourceIndex < kMaxResources && validFeature(feature)) reported_[feature][resourceIndex] = true;
}

double Enforcer::takeUnreported(std::size_t resourceIndex, int feature) {
  if (resourceIndex >= kMaxResources || !validFeature(feature)) return 0;
  return std::exchange(unreported_[feature][resourceIndex], 0.0);
}

void Enforcer::giveBack(std::size_t resourceIndex, double units, int feature) {
  if (resourceIndex < kMaxResources && validFeature(feature) && units > 0 && reported_[feature][resourceIndex]) {
    unreported_[feature][resourceIndex] += units;
  }
}

std::uint32_t Enforcer::begin(int feature) {
  if (freeSlots_.empty() && invocations_.size() == kInvocationSlots) takeBackSlots();
  std::uint32_t slot;
  if (!freeSlots_.empty()) {
    slot = freeSlots_.back();
    freeSlots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(invocations_.size());
    invocations_.push_back({});
  }
  Invocation& invocation = invocations_[slot];
  invocation.generation = invocation.generation % (kGenerations - 1) + 1;  // never 0
  invocation.live = true;
  invocation.finished = false;
  invocation.lastUse = ++useClock_;
  invocation.feature = static_cast<std::uint8_t>(validFeature(feature) ? feature : 0);
  invocation.used.fill(0);
  invocation.usedThroughBinding.fill(0);
  ++live_;
  return (invocation.generation << kSlotBits) | slot;
}

// Frees the sixteenth of the slots least worth keeping: finished before running, then the
// least recently used. One pass per 1,024 invocations begun while every slot is taken.
void Enforcer::takeBackSlots() {
  std::vector<std::uint32_t> order(invocations_.size());
  for (std::uint32_t slot = 0; slot < order.size(); ++slot) order[slot] = slot;
  const auto keepLonger = [&](std::uint32_t a, std::uint32_t b) {
    const Invocation& x = invocations_[a];
    const Invocation& y = invocations_[b];
    if (x.finished != y.finished) return x.finished;
    return x.lastUse < y.lastUse;
  };
  const std::size_t count = kInvocationSlots / 16;
  std::nth_element(order.begin(), order.begin() + count, order.end(), keepLonger);
  for (std::size_t i = 0; i < count; ++i) {
    const Invocation& invocation = invocations_[order[i]];
    if (!invocation.finished) ++runningEvictions_;
    ++evictions_;
    end((invocation.generation << kSlotBits) | order[i]);
  }
}

void Enforcer::finish(std::uint32_t id) {
  if (Invocation* invocation = find(id)) invocation->finished = true;
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
  if (!invocation) {
    if (roomSpent(m.resource, 0, units)) return Verdict::Tripped;
    noteUnreported(m.resource, units, 0);
    return Verdict::Allow;
  }
  if (featureTripped(*invocation, m.resource) || roomSpent(m.resource, invocation->feature, units)) return Verdict::Tripped;
  invocation->lastUse = ++useClock_;
  double& used = invocation->used[m.counted];
  if (used + units > limits_[m.resource]) return Verdict::OverLimit;
  if (m.bindingSlot >= 0) {
    double& through = invocation->usedThroughBinding[m.bindingSlot];
    if (through + units > m.bindingLimit) return Verdict::OverBindingLimit;
    through += units;
  }
  used += units;
  noteUnreported(m.resource, units, invocation->feature);
  return Verdict::Allow;
}

Verdict Enforcer::check(std::uint32_t id, int meter) const {
  if (!validMeter(meter)) return Verdict::Allow;
  const Meter& m = meters_[meter];
  if (m.tripped) return Verdict::Tripped;
  const Invocation* invocation = find(id);
  if (!invocation) return roomSpent(m.resource, 0, 0) ? Verdict::Tripped : Verdict::Allow;
  if (featureTripped(*invocation, m.resource) || roomSpent(m.resource, invocation->feature, 0)) return Verdict::Tripped;
  if (invocation->used[m.counted] >= limits_[m.resource]) return Verdict::OverLimit;
  if (m.bindingSlot >= 0 && invocation->usedThroughBinding[m.bindingSlot] >= m.bindingLimit) {
    return Verdict::OverBindingLimit;
  }
  return Verdict::Allow;
}

void Enforcer::record(std::uint32_t id, int meter, double units) {
  if (!validMeter(meter) || units <= 0) return;
  const Meter& m = meters_[meter];
  Invocation* invocation = find(id);
  noteUnreported(m.resource, units, invocation ? invocation->feature : 0);
  if (!invocation) return;
  invocation->lastUse = ++useClock_;
  invocation->used[m.counted] += units;
  if (m.bindingSlot >= 0) invocation->usedThroughBinding[m.bindingSlot] += units;
}

void Enforcer::refund(std::uint32_t id, int meter, double units) {
  if (!validMeter(meter) || units <= 0) return;
  const Meter& m = meters_[meter];
  Invocation* invocation = find(id);
  noteUnreported(m.resource, -units, invocation ? invocation->feature : 0);
  if (!invocation) return;
  invocation->used[m.counted] = std::max(0.0, invocation->used[m.counted] - units);
  if (m.bindingSlot >= 0) {
    double& through = invocation->usedThroughBinding[m.bindingSlot];
    through = std::max(0.0, through - units);
  }
}

double Enforcer::used(std::uint32_t id, int meter, bool throughBinding) const {
  const Invocation* invocation = find(id);
  if (!invocation || !validMeter(meter)) return 0;
  const Meter& m = meters_[meter];
  if (throughBinding) return m.bindingSlot >= 0 ? invocation->usedThroughBinding[m.bindingSlot] : 0;
  return invocation->used[m.counted];
}

double Enforcer::usedOfResource(std::uint32_t id, int resourceIndex) const {
  const Invocation* invocation = find(id);
  if (!invocation || resourceIndex < 0 || resourceIndex >= static_cast<int>(kMaxResources)) return 0;
  const int counted = countedIndex_[resourceIndex];
  return counted < 0 ? 0 : invocation->used[counted];
}

double Enforcer::limit(int meter, bool throughBinding) const {
  if (!validMeter(meter)) return kNoLimit;
  return throughBinding ? meters_[meter].bindingLimit : limits_[meters_[meter].resource];
}

}  // namespace edgefuse
