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

}  // namespace edgefuse
