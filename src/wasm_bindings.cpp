// The WASM module's surface.
// - Cold calls (catalogue, config, state parsing) go through embind, with JSON text both
//   ways, so the shim and the native tests see exactly the same answers.
// - Hot calls (one per guarded binding call) are plain C exports taking numbers: no string
//   conversion, no allocation, the cheapest call across the JS/WASM boundary.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <memory>
#include <vector>

#include "catalogue.h"
#include "enforcer.h"
#include "json_api.h"

namespace {

using edgefuse::Enforcer;

std::vector<std::unique_ptr<Enforcer>> enforcers;

Enforcer* enforcerAt(int handle) {
  if (handle < 0 || handle >= static_cast<int>(enforcers.size())) return nullptr;
  return enforcers[handle].get();
}

// -1 when the config is invalid (createGuard has validated it before this is called).
int createEnforcer(const std::string& configText) {
  auto config = edgefuse::parseConfig(nlohmann::json::parse(configText, nullptr, false));
  if (!config.config) return -1;
  enforcers.push_back(std::make_unique<Enforcer>(Enforcer::fromConfig(*config.config)));
  return static_cast<int>(enforcers.size() - 1);
}

// -1 for an unknown resource id.
int defineMeter(int handle, const std::string& resourceId, const std::string& binding) {
  Enforcer* enforcer = enforcerAt(handle);
  const edgefuse::Resource* resource = edgefuse::findResource(resourceId);
  if (!enforcer || !resource) return -1;
  return enforcer->defineMeter(static_cast<std::size_t>(resource - edgefuse::resources().begin()), binding);
}

// `keysText`: a JSON array of breaker keys. Returns false when it is not one.
bool setTripped(int handle, const std::string& keysText) {
  Enforcer* enforcer = enforcerAt(handle);
  auto keys = nlohmann::json::parse(keysText, nullptr, false);
  if (!enforcer || !keys.is_array()) return false;
  std::vector<std::string> list;
  for (const auto& key : keys) {
    if (key.is_string()) list.push_back(key.get<std::string>());
  }
  enforcer->setTripped(list);
  return true;
}

}  // namespace

extern "C" {

// Unknown handles and ids fail open: the guard never breaks a call through its own fault.
EMSCRIPTEN_KEEPALIVE unsigned edgefuse_begin(int handle) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? enforcer->begin() : 0xffffffffu;
}
EMSCRIPTEN_KEEPALIVE int edgefuse_admit(int handle, unsigned invocation, int meter, double units) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? static_cast<int>(enforcer->admit(invocation, meter, units)) : 0;
}
EMSCRIPTEN_KEEPALIVE int edgefuse_check(int handle, unsigned invocation, int meter) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? static_cast<int>(enforcer->check(invocation, meter)) : 0;
}
EMSCRIPTEN_KEEPALIVE void edgefuse_record(int handle, unsigned invocation, int meter, double units) {
  if (Enforcer* enforcer = enforcerAt(handle)) enforcer->record(invocation, meter, units);
}
// `throughBinding` (0 or 1): the per-binding count and limit instead of the resource's.
EMSCRIPTEN_KEEPALIVE double edgefuse_used(int handle, unsigned invocation, int meter, int throughBinding) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? enforcer->used(invocation, meter, throughBinding != 0) : 0;
}
EMSCRIPTEN_KEEPALIVE double edgefuse_used_resource(int handle, unsigned invocation, int resourceIndex) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? enforcer->usedOfResource(invocation, resourceIndex) : 0;
}
EMSCRIPTEN_KEEPALIVE double edgefuse_limit(int handle, int meter, int throughBinding) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? enforcer->limit(meter, throughBinding != 0) : edgefuse::kNoLimit;
}

}  // extern "C"

EMSCRIPTEN_BINDINGS(edgefuse_core) {
  emscripten::function("resourcesJson", &edgefuse::resourcesJson);
  emscripten::function("estimateCostJson", &edgefuse::estimateCostJson);
  emscripten::function("validateConfigJson", &edgefuse::validateConfigJson);
  emscripten::function("breakersJson", &edgefuse::breakersJson);
  emscripten::function("pollRequestsJson", &edgefuse::pollRequestsJson);
  emscripten::function("evaluateJson", &edgefuse::evaluateJson);
  emscripten::function("applyChangesJson", &edgefuse::applyChangesJson);
  emscripten::function("manualChangesJson", &edgefuse::manualChangesJson);
  emscripten::function("alertDeliveriesJson", &edgefuse::alertDeliveriesJson);
  emscripten::function("bucketTakeJson", &edgefuse::bucketTakeJson);
  emscripten::function("bucketSyncJson", &edgefuse::bucketSyncJson);
  emscripten::function("createEnforcer", &createEnforcer);
  emscripten::function("defineMeter", &defineMeter);
  emscripten::function("setTripped", &setTripped);
}
