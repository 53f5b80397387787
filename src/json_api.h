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

}  // namespace edgefuse
