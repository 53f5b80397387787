// The core's public surface as JSON text in, JSON text out: what the WASM module exports.
// Every reply is an envelope: {"ok":true,...} or {"ok":false,"problems":[{path,message,fix}]}.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config.h"

namespace edgefuse {

// {"ok":true,"resources":[...]}: the whole catalogue.
std::string resourcesJson();

// usage: {"<resource id>": units, ...}; options: {"plan":"free"|"paid"}.
// {"ok":true,"estimate":{"resources":[...],"totalOverageUsd":n}}.
std::string estimateCostJson(const std::string& usage, const std::string& options);

// {"ok":true,"config":{...normalised, defaults applied...}}.
std::string validateConfigJson(const std::string& config);
// The same reply as a JSON value; `parsed` receives the config when it holds, so that a
// guard's core is made from the one parse.
nlohmann::json validateConfig(const std::string& config, std::optional<Config>& parsed);

// params: {"capacity","refillPerSecond","cost"}; the bucket's stored text (present false: a
// key seen for the first time). {"ok":true,"allowed":b,"remaining":n,"retryAfterSeconds":n,
// "resetSeconds":n,"state":text}.
std::string bucketTakeJson(const std::string& params, bool present, const std::string& state, double nowMs);

// The KV mode's sync: the shared bucket (present false: none yet) after `taken` tokens were
// spent in this isolate. {"ok":true,"state":text}.
std::string bucketSyncJson(const std::string& params, bool present, const std::string& state, double taken, double nowMs);

}  // namespace edgefuse
