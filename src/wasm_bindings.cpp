// The WASM module's surface.
// - Cold calls (catalogue, config, state parsing) go through embind, with JSON text both
//   ways, so the shim and the native tests see exactly the same answers.
// - Hot calls (one per guarded binding call) are plain C exports taking numbers: no string
//   conversion, no allocation, the cheapest call across the JS/WASM boundary.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>
#include <malloc.h>

#include <limits>
#include <map>
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

// One per guard, freed when the JS guard is dropped (guardEnd); a handle is never reused.
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

// Frees a guard's core: its handle names nothing from then on, and calls with it fail open.
void guardEnd(int handle) {
  if (coreAt(handle)) cores[handle].reset();
}

// The core's multi-step drivers (a poll tick or a view read) and the meter's books live here,
// named by id: plain embind functions rather than embind classes, whose glue was 17 KB of the
// JS glue and 1.5 ms of instantiating it (bench/cold-start.mjs).
template <typename T>
class Held {
 public:
  int add(std::unique_ptr<T> item) {
    const int id = next_;
    next_ = next_ == std::numeric_limits<int>::max() ? 0 : next_ + 1;  // never negative, never undefined
    items_[id] = std::move(item);
    return id;
  }
  T* at(int id) const {
    auto it = items_.find(id);
    return it == items_.end() ? nullptr : it->second.get();
  }
  void drop(int id) { items_.erase(id); }

 private:
  std::map<int, std::unique_ptr<T>> items_;
  int next_ = 0;
};

// One of the two drivers; both step by next() and are fed by handle() and read().
struct Driver {
  std::unique_ptr<PollTick> tick;
  std::unique_ptr<ViewRead> view;
};
Held<Driver> drivers;
Held<edgefuse::MeterBook> books;

const char* const kUnknownDriver = R"({"do":"done","result":{"ok":false,"error":"edgefuse: no such tick in the core"}})";

// kind "view": the breakers an isolate enforces (ViewRead); any other: a PollTick of that
// kind, named in `start`. -1 for an unknown handle.
int driverStart(int handle, const std::string& kind, const std::string& start) {
  GuardCore* core = coreAt(handle);
  if (!core) return -1;
  auto driver = std::make_unique<Driver>();
  if (kind == "view") {
    driver->view = std::make_unique<ViewRead>(*core, start);
  } else {
    driver->tick = std::make_unique<PollTick>(*core, start);
  }
  return drivers.add(std::move(driver));
}

std::string driverNext(int id) {
  Driver* driver = drivers.at(id);
  if (!driver) return kUnknownDriver;
  return driver->tick ? driver->tick->next() : driver->view->next();
}

void driverHandle(int id, const std::string& result) {
  Driver* driver = drivers.at(id);
  if (!driver) return;
  if (driver->tick) {
    driver->tick->handle(result);
  } else {
    driver->view->handle(result);
  }
}

void driverRead(int id, bool found, const std::string& value, const std::string& error) {
  Driver* driver = drivers.at(id);
  if (!driver) return;
  if (driver->tick) {
    driver->tick->read(found, value, error);
  } else {
    driver->view->read(found, value, error);
  }
}

// Only a poll tick asks the usage API.
void driverAnswer(int id, int index, int status, const std::string& body, const std::string& error) {
  Driver* driver = drivers.at(id);
  if (driver && driver->tick) driver->tick->answer(index, status, body, error);
}

void driverEnd(int id) { drivers.drop(id); }

// The meter object's book, from its stored state text ("" for none).
int bookOpen(const std::string& stateText) { return books.add(std::make_unique<edgefuse::MeterBook>(stateText)); }

// One of the book's methods by name: report, baseline, reset or recorded.
std::string bookCall(int id, const std::string& method, const std::string& text) {
  edgefuse::MeterBook* book = books.at(id);
  if (book && method == "report") return book->report(text);
  if (book && method == "baseline") return book->baseline(text);
  if (book && method == "reset") return book->reset(text);
  if (book && method == "recorded") return book->recorded(text);
  return R"({"ok":false,"problems":[{"path":"method","message":"no such meter book or method","fix":""}]})";
}

std::string bookState(int id) {
  edgefuse::MeterBook* book = books.at(id);
  return book ? book->state() : "";
}

// Frees a book once its meter object is dropped; an unknown id is ignored.
void bookEnd(int id) { books.drop(id); }

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
// Bytes held by the heap's allocations now (not the memory's size, which never shrinks): for
// tests that check what the core holds for a JS object is freed with it.
EMSCRIPTEN_KEEPALIVE double edgefuse_heap_in_use() { return static_cast<double>(mallinfo().uordblks); }
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
  emscripten::function("guardEnd", &guardEnd);
  emscripten::function("defineMeter", &defineMeter);
  emscripten::function("recordParses", &edgefuse::recordParses);
  emscripten::function("constantsJson", &edgefuse::constantsJson);
  emscripten::function("meterTake", &meterTake);
  emscripten::function("meterSettle", &meterSettle);
  emscripten::function("meterHear", &meterHear);
  emscripten::function("meterInForce", &meterInForce);
  emscripten::function("meterIdentify", &meterIdentify);
  emscripten::function("featureOf", &featureOf);
  emscripten::function("driverStart", &driverStart);
  emscripten::function("driverNext", &driverNext);
  emscripten::function("driverHandle", &driverHandle);
  emscripten::function("driverRead", &driverRead);
  emscripten::function("driverAnswer", &driverAnswer);
  emscripten::function("driverEnd", &driverEnd);
  emscripten::function("bookOpen", &bookOpen);
  emscripten::function("bookCall", &bookCall);
  emscripten::function("bookState", &bookState);
  emscripten::function("bookEnd", &bookEnd);
}
