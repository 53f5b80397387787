// libFuzzer target: one whole evaluation through the JSON API, as the shim calls it, with a
// fuzzed state record and a fuzzed answer for the KV dataset (split at the first 0x1e), then
// the alerts it would send, and the first part as a manual operation. Must never abort;
// replies are always a JSON envelope.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "config.h"
#include "json_api.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string config = edgefuse::toJson(*edgefuse::parseConfig(nlohmann::json::parse(
      R"({"plan":"paid","budget":{"maxUsd":5,"granularity":"week"},"bindingIds":{"KV":"ns1"},
          "thresholds":{"kv-writes:KV":{"tripAt":100}},"alerts":{"channels":[{"type":"slack"},{"type":"webhook"}]}})")).config).dump();
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find('\x1e');
  const std::string state = input.substr(0, cut);
  const std::string body = cut == std::string::npos ? "" : input.substr(cut + 1);
  const std::string answers = R"([{"dataset":"kvOperationsAdaptiveGroups","status":200}])";
  const double now = 1'795'435'200'000.0;  // 2026-11-23T12:00:00Z
  // The first part doubles as a manual trip or reset operation.
  const nlohmann::json manual = nlohmann::json::parse(edgefuse::manualChangesJson(config, state, now), nullptr, false);
  if (manual.is_discarded() || !manual.contains("ok")) std::abort();
  const nlohmann::json reply = nlohmann::json::parse(
      edgefuse::evaluateJson(config, true, state, false, "", answers, body, now), nullptr, false);
  if (reply.is_discarded() || !reply.contains("ok")) std::abort();
  if (reply["ok"] == true) {
    const nlohmann::json applied = nlohmann::json::parse(
        edgefuse::applyChangesJson(config, true, state, false, "", reply["changes"].dump(), now), nullptr, false);
    if (applied.is_discarded() || applied["ok"] != true) std::abort();
    const nlohmann::json alerts = nlohmann::json::parse(
        edgefuse::alertDeliveriesJson(config, reply["events"].dump(), "0123456789abcdef0123456789abcdef", now), nullptr, false);
    if (alerts.is_discarded() || alerts["ok"] != true) std::abort();
  }
  return 0;
}
