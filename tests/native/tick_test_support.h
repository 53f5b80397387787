// What the tick tests share: the clock and account they run at, a config parsed or failed,
// and the state record as the world's KV holds it. Uses doctest, so the fuzz targets (which
// include tick_world.h) do not include it.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "calendar.h"
#include "tick_world.h"

namespace edgefuse::testing {

inline const std::int64_t kNoon = *parseIsoTimestamp("2026-11-23T12:00:00Z");
constexpr const char* kAccount = "0123456789abcdef0123456789abcdef";

inline GuardCore coreOf(const nlohmann::json& config) {
  ConfigResult result = parseConfig(config);
  REQUIRE_MESSAGE(result.config, (result.problems.empty() ? "" : result.problems[0].path + ": " + result.problems[0].message));
  return GuardCore(*result.config);
}

inline GuardCore coreOf(const char* configText) { return coreOf(nlohmann::json::parse(configText)); }

inline nlohmann::json stored(const TickWorld& world, const char* key = kStateKey) {
  auto it = world.kv.find(key);
  return it == world.kv.end() ? nlohmann::json(nullptr) : nlohmann::json::parse(it->second);
}

}  // namespace edgefuse::testing
