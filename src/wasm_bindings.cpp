// The WASM module's surface.
// - Cold calls (catalogue, config, state parsing) go through embind, with JSON text both
//   ways, so the shim and the native tests see exactly the same answers.
// - Hot calls (one per guarded binding call) are plain C exports taking numbers: no string
//   conversion, no allocation, the cheapest call across the JS/WASM boundary.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <memory>
#include <vector>

#include "breaker_state.h"
#include "catalogue.h"
#include "guard_core.h"
#include "json_api.h"
#include "json_text.h"
#include "live_meter.h"
#include "poll_tick.h"
#include "shared_constants.h"
#include "view_read.h"

namespace {

using edgefuse::Enforcer;
using edgefuse::GuardCore;
using edgefuse::PollTick;
using edgefuse::ViewRead;

// One per guard per isolate, never freed: guards live as long as the isolate.
std::vector<std::unique_ptr<GuardCore>> cores;

GuardCore* coreAt(int handle) {
  if (handle < 0 || handle >= static_cast<int>(cores.size())) return nullptr;
  return cores[handle].get();
}

Enforcer* enforcerAt(int handle) {
  GuardCore* core = coreAt(handle);
  return core ? &core->enforcer : nullptr;
}

// Validates the config and, when it holds, makes the guard's core from that one parse:
// validateConfigJson's reply with the core's handle added.
std::string createGuardJson(const std::string& configText) {
  std::optional<edgefuse::Config> config;
  nlohmann::json reply = edgefuse::validateConfig(configText, config);
  if (config) {
    cores.push_back(std::make_unique<GuardCore>(std::move(*config)));
    reply["handle"] = cores.size() - 1;
  }
  return edgefuse::toText(reply);
}

// null for an unknown handle.
std::shared_ptr<PollTick> startPollTick(int handle, const std::string& start) {
  GuardCore* core = coreAt(handle);
  return core ? std::make_shared<PollTick>(*core, start) : nullptr;
}

// null for an unknown handle.
std::shared_ptr<ViewRead> startViewRead(int handle, const std::string& start) {
  GuardCore* core = coreAt(handle);
  return core ? std::make_shared<ViewRead>(*core, start) : nullptr;
}

// -1 for an unknown resource id.
int defineMeter(int handle, const std::string& resourceId, const std::string& binding) {
  Enforcer* enforcer = enforcerAt(handle);
  const edgefuse::Resource* resource = edgefuse::findResource(resourceId);
  if (!enforcer || !resource) return -1;
  return enforcer->defineMeter(static_cast<std::size_t>(resource - edgefuse::resources().begin()), binding);
}

// The real-time meter's report from this isolate ("" for an unknown handle).
std::string meterTake(int handle, double nowMs) {
  GuardCore* core = coreAt(handle);
  return core ? core->outbox.take(core->enforcer, static_cast<std::int64_t>(nowMs)) : "";
}

std::string meterSettle(int handle, const std::string& answer, const std::string& error, double nowMs) {
  GuardCore* core = coreAt(handle);
  if (!core) return R"({"ok":false,"error":"unknown guard handle"})";
  return core->outbox.settle(core->enforcer, answer, error, static_cast<std::int64_t>(nowMs));
}

// The meter's breakers in force now, rooms found spent since the last poll included.
std::string meterInForce(int handle, double nowMs) {
  GuardCore* core = coreAt(handle);
  if (!core) return "{}";
  core->outbox.poll(core->enforcer, static_cast<std::int64_t>(nowMs));
  return core->outbox.inForce();
}

void meterIdentify(int handle, const std::string& isolate) {
  if (GuardCore* core = coreAt(handle)) core->outbox.identify(isolate);
}

std::string meterHear(int handle, const std::string& answer) {
  GuardCore* core = coreAt(handle);
  if (!core) return R"({"ok":false,"error":"unknown guard handle"})";
  return core->outbox.hear(core->enforcer, answer);
}

// The feature an invocation belongs to (see edgefuse::featureOf); 0 for an unknown handle.
int featureOf(int handle, const std::string& kind, const std::string& value) {
  GuardCore* core = coreAt(handle);
  return core ? edgefuse::featureOf(core->config, kind, value) : 0;
}

}  // namespace

extern "C" {

// Unknown handles and ids fail open: the guard never breaks a call through its own fault.
// `feature`: featureOf's answer for the invocation, 0 for none.
EMSCRIPTEN_KEEPALIVE unsigned edgefuse_begin(int handle, int feature) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? enforcer->begin(feature) : 0xffffffffu;
}
EMSCRIPTEN_KEEPALIVE void edgefuse_finish(int handle, unsigned invocation) {
  if (Enforcer* enforcer = enforcerAt(handle)) enforcer->finish(invocation);
}
EMSCRIPTEN_KEEPALIVE void edgefuse_end(int handle, unsigned invocation) {
  if (Enforcer* enforcer = enforcerAt(handle)) enforcer->end(invocation);
}
// Invocations counted now; slots taken back from live invocations (see Enforcer::begin).
EMSCRIPTEN_KEEPALIVE unsigned edgefuse_live(int handle) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? enforcer->live() : 0;
}
EMSCRIPTEN_KEEPALIVE unsigned edgefuse_evictions(int handle, int running) {
  Enforcer* enforcer = enforcerAt(handle);
  if (!enforcer) return 0;
  return running ? enforcer->runningEvictions() : enforcer->evictions();
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
EMSCRIPTEN_KEEPALIVE void edgefuse_refund(int handle, unsigned invocation, int meter, double units) {
  if (Enforcer* enforcer = enforcerAt(handle)) enforcer->refund(invocation, meter, units);
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
// Whether this isolate owes the real-time meter a report now, and whether the meter's breakers
// in force here changed (MeterOutbox::poll's bits; asked per invocation).
EMSCRIPTEN_KEEPALIVE int edgefuse_meter_due(int handle, double nowMs) {
  GuardCore* core = coreAt(handle);
  return core ? core->outbox.poll(core->enforcer, static_cast<std::int64_t>(nowMs)) : 0;
}
EMSCRIPTEN_KEEPALIVE double edgefuse_limit(int handle, int meter, int throughBinding) {
  Enforcer* enforcer = enforcerAt(handle);
  return enforcer ? enforcer->limit(meter, throughBinding != 0) : edgefuse::kNoLimit;
}

}  // extern "C"

EMSCRIPTEN_BINDINGS(edgefuse_core) {
  emscripten::function("resourcesJson", &edgefuse::resourcesJson);
  emscripten::function("estimateCostJson", &edgefuse::estimateCostJson);
  emscripten::function("bucketTakeJson", &edgefuse::bucketTakeJson);
  emscripten::function("bucketSyncJson", &edgefuse::bucketSyncJson);
  emscripten::function("createGuardJson", &createGuardJson);
  emscripten::function("defineMeter", &defineMeter);
  emscripten::function("recordParses", &edgefuse::recordParses);
  emscripten::function("constantsJson", &edgefuse::constantsJson);
  emscripten::function("meterTake", &meterTake);
  emscripten::function("meterSettle", &meterSettle);
  emscripten::function("meterHear", &meterHear);
  emscripten::function("meterInForce", &meterInForce);
  emscripten::function("meterIdentify", &meterIdentify);
  emscripten::function("featureOf", &featureOf);
  emscripten::class_<PollTick>("PollTick")
      .smart_ptr_constructor("PollTickPointer", &startPollTick)
      .function("next", &PollTick::next)
      .function("handle", &PollTick::handle)
      .function("read", &PollTick::read)
      .function("answer", &PollTick::answer);
  emscripten::class_<edgefuse::MeterBook>("MeterBook")
      .constructor<const std::string&>()
      .function("report", &edgefuse::MeterBook::report)
      .function("baseline", &edgefuse::MeterBook::baseline)
      .function("reset", &edgefuse::MeterBook::reset)
      .function("recorded", &edgefuse::MeterBook::recorded)
      .function("state", &edgefuse::MeterBook::state);
  emscripten::class_<ViewRead>("ViewRead")
      .smart_ptr_constructor("ViewReadPointer", &startViewRead)
      .function("next", &ViewRead::next)
      .function("handle", &ViewRead::handle)
      .function("read", &ViewRead::read);
}
