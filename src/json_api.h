// The core's public surface as JSON text in, JSON text out: what the WASM module exports.
// Every reply is an envelope: {"ok":true,...} or {"ok":false,"problems":[{path,message,fix}]}.
#pragma once

#include <string>

namespace edgefuse {

// {"ok":true,"resources":[...]}: the whole catalogue.
std::string resourcesJson();

// usage: {"<resource id>": units, ...}; options: {"plan":"free"|"paid"}.
// {"ok":true,"estimate":{"resources":[...],"totalOverageUsd":n}}.
std::string estimateCostJson(const std::string& usage, const std::string& options);

// {"ok":true,"config":{...normalised, defaults applied...}}.
std::string validateConfigJson(const std::string& config);

// A breaker record read from KV (`present` false: the key is missing). `what` names it.
// {"ok":true,"present":b,"readable":b,"breakers":{key:{...}}|null,"problems":[...]}.
std::string breakersJson(bool present, const std::string& text, const std::string& what);

// The usage poll. `config` is the normalised config from validateConfigJson; `nowMs` is
// milliseconds since the epoch.

// {"ok":true,"requests":[{"dataset","body"}]}: POST each body (JSON text) to the endpoint.
std::string pollRequestsJson(const std::string& config, double nowMs, const std::string& accountTag);

// `answers`: [{"dataset","status","error"}] (status 0 when the request failed, with "error");
// `bodies`: the answers' bodies in the same order, joined by U+001E (which valid JSON never
// contains unescaped), so that large bodies are not escaped and parsed twice.
// `state`/`safetyNet`: the KV values read before the tick (present false: missing).
// {"ok":true,"write":b,"changes":{...},"report":{...},"events":[...],"problems":[...]}.
std::string evaluateJson(const std::string& config, bool statePresent, const std::string& state,
                         bool safetyNetPresent, const std::string& safetyNet,
                         const std::string& answers, const std::string& bodies, double nowMs);

// Applies `changes` to a fresh read of the state; when that is missing or unreadable, the
// safety net's breakers stand in for it. {"ok":true,"state":text,"breakers":{...},
// "safetyNet":{"action":"put","text":t,"expirationTtl":seconds}|{"action":"delete"}}.
std::string applyChangesJson(const std::string& config, bool present, const std::string& fresh,
                             bool safetyNetPresent, const std::string& safetyNet,
                             const std::string& changes, double nowMs);

// op: {"action":"trip"|"reset","resources":[keys],"reason":s,"ttlSeconds":n,"holdSeconds":n}.
// {"ok":true,"changes":{...}} or problems.
std::string manualChangesJson(const std::string& config, const std::string& op, double nowMs);

// `events`: the events of an evaluation. [{"channel":i,"level","key","body"}]: one POST per
// configured channel and event whose level is sent.
std::string alertDeliveriesJson(const std::string& config, const std::string& events,
                                const std::string& accountId, double nowMs);

// params: {"capacity","refillPerSecond","cost"}; the bucket's stored text (present false: a
// key seen for the first time). {"ok":true,"allowed":b,"remaining":n,"retryAfterSeconds":n,
// "resetSeconds":n,"state":text}.
std::string bucketTakeJson(const std::string& params, bool present, const std::string& state, double nowMs);

// The KV mode's sync: the shared bucket (present false: none yet) after `taken` tokens were
// spent in this isolate. {"ok":true,"state":text}.
std::string bucketSyncJson(const std::string& params, bool present, const std::string& state, double taken, double nowMs);

}  // namespace edgefuse
