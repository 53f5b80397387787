// The state record a usage poll keeps in KV under "edgefuse:state", beside the breakers
// the hot path reads: manual holds, alert dedup and the poll's own health.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "breaker_state.h"
#include "digest.h"
#include "operator_actions.h"
#include "insights.h"
#include "problem.h"

namespace edgefuse {

struct PollHealth {
  std::string lastCheckAt;    // ISO 8601 UTC, "" before the first tick
  std::string lastWrittenAt;  // when a tick last wrote the record (the hourly heartbeat)
  std::string lastError;      // "" after a clean tick
  int consecutiveFailures = 0;                // ticks in a row with any dataset failing
  std::map<std::string, int> datasetFailures;  // dataset -> failures in a row
  std::set<std::string> inaccessible;          // datasets the account or token may not read
};

// How many days of settled daily totals a tick keeps per overage resource: the furthest a
// budget reaches back is a week that began in the previous billing month, 31 + 6 days.
constexpr Day kDailyTotalsDays = 40;

struct PollState {
  std::map<std::string, Breaker> breakers;   // breaker key -> breaker
  std::map<std::string, std::string> holds;  // breaker key -> ISO time a manual reset holds until
  std::map<std::string, std::string> alerted;  // "<level>:<key>" -> first day of the window alerted in
  PollHealth health;
  std::map<std::string, HourlyHistory> history;  // resource id -> hourly usage
  // resource id -> settled day -> units: what a window older than a query may reach back
  // needs (a week budget that began in the previous billing month).
  std::map<std::string, std::map<Day, double>> dailyTotals;
  nlohmann::json pendingAlerts = nlohmann::json::array();  // deliveries to retry next tick
  std::int64_t meterVersion = 0;  // the real-time meter's last version recorded (and alerted) here
  DigestRecord digest;  // the digests sent, and the tally of recent days they report
  ActionStates actions;        // operator actions in force, each with its undo
  std::string actionsRefused;  // why the actions were last refused ("" for none), alerted once
};

// Alert deliveries the record keeps for a retry at most: the newest.
constexpr std::size_t kMaxPendingAlerts = 50;

struct PollStateRecord {
  bool present = false;   // the key exists
  bool readable = false;  // it parsed; otherwise `state` is empty
  PollState state;
  std::vector<Problem> problems;
  std::vector<std::string> damaged;  // breaker entries that could not be read (BreakerRecord)
  bool needsSafetyNet() const { return !readable || !damaged.empty(); }
};

// `text` is the KV value, nullopt when the key is missing.
PollStateRecord parsePollState(const std::optional<std::string>& text);

std::string serializePollState(const PollState& state);

// What a tick or a manual operation changes. It is applied to a fresh read of the record
// just before writing, so a manual trip made while a tick was polling is never lost.
struct StateChanges {
  std::map<std::string, Breaker> trip;   // set these breakers
  std::vector<std::string> clear;        // remove these breakers
  std::map<std::string, std::string> expire;  // remove these manual trips if `until` still matches
  std::map<std::string, std::string> holds;  // set these holds
  std::map<std::string, std::string> releaseHolds;  // remove these holds if `until` still matches
  std::optional<std::map<std::string, std::string>> alerted;  // replace alert dedup (ticks)
  std::optional<PollHealth> health;                           // replace health (ticks)
  std::optional<std::map<std::string, HourlyHistory>> history;  // replace history (ticks)
  std::optional<std::map<std::string, std::map<Day, double>>> dailyTotals;  // replace (ticks)
  std::optional<nlohmann::json> pendingAlerts;                 // replace the retry list (ticks)
  // The real-time meter's trips as it holds them now: they replace the record's meter trips,
  // but never another source's trip, nor a key a reset holds.
  std::optional<std::map<std::string, Breaker>> meterTrips;
  nlohmann::json appendAlerts = nlohmann::json::array();  // add to the retry list (meter ticks)
  // The retry list as the tick read it first: what was appended since (by a meter tick) is
  // kept when `pendingAlerts` replaces the list.
  std::optional<nlohmann::json> pendingAlertsReadFirst;
  std::optional<std::int64_t> meterVersion;  // the meter's version now recorded (never lowered)
  Tally tally;  // add to the digest's tally (every kind of write: each adds what it saw once)
  std::optional<Day> digestSentDay;   // a daily digest sent for this day (never lowered)
  std::optional<Day> digestSentWeek;  // a weekly digest sent for the week from this Monday
  // Operator actions' states to set, and those to take out. An undo the record already holds
  // is never replaced: it was read before the first change, and a run that read later would
  // take a changed Worker for the original.
  std::optional<ActionStates> actions;
  std::vector<std::string> actionsRemoved;
  std::optional<std::string> actionsRefused;  // replace the refusal
  bool manual = false;  // a manual trip or reset: it may override manual breakers
  bool empty() const {
    return trip.empty() && clear.empty() && expire.empty() && holds.empty() && releaseHolds.empty() && !alerted &&
           !health && !history && !pendingAlerts && !dailyTotals && !meterTrips && appendAlerts.empty() && !meterVersion &&
           tally.empty() && !digestSentDay && !digestSentWeek && !actions && actionsRemoved.empty() && !actionsRefused;
  }
};

nlohmann::json changesToJson(const StateChanges& changes);
std::optional<StateChanges> changesFromJson(const nlohmann::json& value);


}  // namespace edgefuse
