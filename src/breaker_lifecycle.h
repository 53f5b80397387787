// The life of a breaker, whole: when it trips, holds, recovers or lapses, how a change
// merges with a fresh read of the record, which breakers stand when the record is damaged,
// what the safety net keeps and for how long, and what is in force on the hot path.
//
// The rule: nothing that affects a breaker's state is decided outside this unit. The
// evaluation (evaluate.cpp) measures usage against the lines; the tick driver
// (poll_tick.cpp) sequences the I/O; both ask this unit what follows for the breaker.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "breaker_state.h"
#include "config.h"
#include "poll_state.h"

namespace edgefuse {

// KV's shortest expiration is 60 s; the safety net never asks for less than this.
constexpr std::int64_t kSafetyNetMinTtlSeconds = 120;

// Whether an ISO time has passed. An unreadable time has passed: it can hold nothing.
bool timeHasPassed(const std::string& iso, std::int64_t nowMs);

// A reset's hold on `key` is still in force.
bool isHeld(const PollState& state, const std::string& key, std::int64_t nowMs);

// What a threshold's reading means for its breaker.
enum class BreakerDecision { Ok, Warn, Trip, Held, Tripped, Recover };
std::string_view nameOf(BreakerDecision decision);

struct ThresholdReading {
  bool over = false;   // at or past a trip line
  bool below = false;  // under every recover line
  bool warn = false;   // at or past the warn line
};
// `current` is the breaker on the key now, if any. Only the poll's own trips recover by
// reading; a manual trip waits for a reset, a budget trip for the budget, a meter trip for
// the meter (or its lease), unless the poll's line is over too: the poll's trip replaces it.
BreakerDecision decideThreshold(const Breaker* current, bool held, const ThresholdReading& reading);

// The budget: which budget trips stand or end. `trustworthy` is false when a dataset the
// total needs is missing: the total is then a lower bound, enough to trip, never to recover.
struct BudgetReading {
  bool over = false;
  bool belowWarn = false;
  bool trustworthy = true;
};
enum class BudgetDecision { Ok, Warn, Trip, Tripped, Recover };
BudgetDecision decideBudget(bool budgetTripped, const BudgetReading& reading);
// A resource the budget trips: one not already tripped (now or by this tick) nor held.
bool budgetMayTrip(const PollState& previous, const StateChanges& changes, const std::string& id, std::int64_t nowMs);

// A trip with an `until` that has passed. The hot path and the tick both ask this. (An
// `until` that does not parse never reaches here: the record's parser drops it, reports
// it, and the trip stands until it is reset.)
bool lapsed(const Breaker& breaker, std::int64_t nowMs);

// Manual trips whose `until` has passed, and holds that have run out, ended on this tick.
void endLapsed(const PollState& previous, std::int64_t nowMs, StateChanges& changes);

// The breakers that stand after reading the state record (`record`: its breakers, nullopt
// when it is missing or unreadable; `damaged`: entries that could not be read) and, when
// it needs one, the safety net. A readable record's breakers stand, and for each damaged
// entry the safety net's copy; when it has none, a stand-in: a poll trip, which a reading
// under the recover line ends, where the poll judges the key, else a manual one, which only
// a reset ends. A trip is never lost to bad data. An unreadable record is replaced by the
// safety net whole.
std::map<std::string, Breaker> standingBreakers(const Config& config,
                                                const std::optional<std::map<std::string, Breaker>>& record,
                                                const std::vector<std::string>& damaged,
                                                const BreakerRecord& safetyNet, std::int64_t nowMs);

// A tick that read a damaged record, or one with any problem, writes it again (a repair),
// and carries over the breakers that stand for what it could not read, unless this tick
// ends them: the fresh read before the write will be as damaged.
void carryOver(const PollStateRecord& record, const PollState& previous, bool& write, StateChanges& changes);

// Adds to `standing` every breaker of `previous` (what a tick read first) that `changes`
// does not end.
void keepWhatStands(const PollState& previous, const StateChanges& changes, std::map<std::string, Breaker>& standing);

// Applies `changes` to a fresh read of the record. A tick never replaces or clears a manual
// trip, nor trips a key a reset holds meanwhile; a manual operation may do both. The meter's
// trips replace only the meter's.
PollState applyChanges(PollState fresh, const StateChanges& changes);

// What to do with the safety net after writing `state`: put its breakers for as long as
// the latest of their windows lasts, or delete it when none stand.
struct SafetyNetWrite {
  bool put = false;
  std::string text;
  std::int64_t expirationTtlSeconds = 0;
};
SafetyNetWrite safetyNetFor(const Config& config, const PollState& state, std::int64_t nowMs);
// When the safety net may lapse: the end of the latest window any breaker belongs to.
std::int64_t safetyNetExpiryMs(const Config& config, const PollState& state, std::int64_t nowMs);

// The changes a manual trip or reset makes. `keys` are breaker keys; `ttlSeconds` makes a
// trip lapse by itself (0: never) and a reset hold off the poll's re-trip for that long
// (0: until the key's window resets).
struct ManualResult {
  std::optional<StateChanges> changes;
  std::vector<Problem> problems;
};
ManualResult manualTrip(const Config& config, const std::vector<std::string>& keys,
                        const std::string& reason, double ttlSeconds, std::int64_t nowMs);
ManualResult manualReset(const Config& config, const std::vector<std::string>& keys,
                         double holdSeconds, std::int64_t nowMs);
// Standing breakers a manual trip may bring the state record to: with reasons of at most 500
// characters, this bounds the record, and so what every tick and isolate parses.
constexpr std::size_t kMaxStandingBreakers = 64;

// A trip (`trip` true) or reset as the caller gave it:
// {"resources": [keys], "reason": s, "ttlSeconds": n, "holdSeconds": n, "envBindings": [names]}.
// At most 64 keys; a trip's per-binding key only for a binding the config or `envBindings`
// names; a reason of at most 500 characters; seconds left out, or whole from 1 to 365 days.
ManualResult manualOperation(const Config& config, bool trip, const nlohmann::json& operation, std::int64_t nowMs);

// When the window a breaker key is judged over resets: where a reset's hold ends by default.
std::int64_t windowEndMs(const Config& config, const std::string& key, std::int64_t nowMs);

// What is in force on the hot path: {"breakers": {key: breaker}, "stopsScheduledWork":
// reason|null}, less manual trips that have lapsed. `enforced` gets the keys the enforcer
// refuses (none in a dry run).
nlohmann::json breakersInForce(const Config& config, const std::map<std::string, Breaker>& breakers,
                               std::int64_t nowMs, std::vector<std::string>& enforced);

}  // namespace edgefuse
