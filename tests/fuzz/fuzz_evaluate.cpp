// libFuzzer target: whole ticks through the core's tick driver, as the shim runs them, with
// a fuzzed state record and a fuzzed answer for the KV dataset (split at the first 0x1e):
// a cron tick (which writes and alerts), a status read, a view, and the first part as a
// manual trip operation. Must never abort, and every tick must end with a result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "../native/tick_world.h"
#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static edgefuse::GuardCore core(*edgefuse::parseConfig(nlohmann::json::parse(
      R"({"plan":"paid","budget":{"maxUsd":5,"granularity":"week"},"bindingIds":{"KV":"ns1"},
          "thresholds":{"kv-writes:KV":{"tripAt":100}},"alerts":{"channels":[{"type":"slack"},{"type":"webhook"}]}})")).config);
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find('\x1e');
  const std::string state = input.substr(0, cut);
  const std::string body = cut == std::string::npos ? "" : input.substr(cut + 1);
  const double now = 1'795'435'200'000.0;  // 2026-11-23T12:00:00Z

  edgefuse::testing::TickWorld world;
  world.kv[edgefuse::kStateKey] = state;
  world.usageApi = [&](const std::string& dataset, const nlohmann::json&) {
    return dataset == "kvOperationsAdaptiveGroups" ? std::pair<int, std::string>{200, body}
                                                   : std::pair<int, std::string>{200, world.emptyAnswer(dataset)};
  };
  world.channel = [](const nlohmann::json&) { return nlohmann::json("HTTP 500"); };
  const nlohmann::json credentials = {{"now", now}, {"accountId", "0123456789abcdef0123456789abcdef"}, {"token", "t"}};
  for (const char* kind : {"status", "tick", "view"}) {
    nlohmann::json start = credentials;
    start["kind"] = kind;
    world.kv[edgefuse::kStateKey] = state;
    const nlohmann::json result = world.run(core, start);
    if (!result.is_object() || (!result.contains("ok") && !result.contains("view"))) std::abort();
  }
  const nlohmann::json operation = nlohmann::json::parse(state, nullptr, false);
  const nlohmann::json manual = world.run(core, {{"kind", "trip"}, {"now", now}, {"operation", operation}});
  if (!manual.contains("ok")) std::abort();
  return 0;
}
