// One usage-poll evaluation: the state before the tick, the usage the API answered and
// `now` in; what to change, what to report and what to alert out. Sans-IO and
// deterministic, so every decision is tested natively.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.h"
#include "poll_state.h"
#include "usage_query.h"

namespace edgefuse {

// A steady tick writes nothing; this often it writes anyway, so lastCheckAt in KV is never
// older than this.
constexpr std::int64_t kHeartbeatMs = 3'600'000;

struct PollEvent {
  std::string level;     // "warn", "trip", "recover", "blind", "inaccessible", "projection", "spike", "budget-warn"
  std::string key;       // breaker key ("kv-writes", "d1-rows-written:DB"), "budget", a dataset or "usage-api"
  std::string message;
  bool dryRun = false;   // what would have happened
  nlohmann::json details = nlohmann::json::object();  // resource, used, quota, unit, percent, overageUsd
};

struct Evaluation {
  StateChanges changes;
  bool write = false;     // the record must be written (something changed, or the heartbeat)
  nlohmann::json report;  // per key: usage, quota, percent, overage, breaker; budget; health
  std::vector<PollEvent> events;
};

// Blind: every polled dataset has failed `failuresUntilBlind` times in a row. One dataset
// failing that long (a product the token cannot read, say) makes only its resources blind.
struct Blindness {
  bool blind = false;
  std::vector<std::string> datasets;  // the datasets that have failed that long
};
// Blind when every polled dataset the account may read has failed `failuresUntilBlind` times
// in a row; one it may not read (health.inaccessible) is no sign of an outage. With none
// readable at all, it is blind.
Blindness blindness(const PollHealth& health, const std::vector<std::string>& polledDatasets, int failuresUntilBlind);

Evaluation evaluate(const Config& config, const PollState& previous,
                    const std::vector<DatasetOutcome>& outcomes, std::int64_t nowMs);

nlohmann::json eventsToJson(const std::vector<PollEvent>& events);

}  // namespace edgefuse
