#include "breaker_lifecycle.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "calendar.h"
#include "catalogue.h"
#include "identifier.h"
#include "json_text.h"
#include "usage_query.h"

namespace edgefuse {
namespace {

using nlohmann::json;


}  // namespace

bool timeHasPassed(const std::string& iso, std::int64_t nowMs) {
  auto at = parseIsoTimestamp(iso);
  return !at || *at <= nowMs;
}

bool isHeld(const PollState& state, const std::string& key, std::int64_t nowMs) {
  auto it = state.holds.find(key);
  return it != state.holds.end() && !timeHasPassed(it->second, nowMs);
}

std::string_view nameOf(BreakerDecision decision) {
  switch (decision) {
    case BreakerDecision::Ok: return "ok";
    case BreakerDecision::Warn: return "warn";
    case BreakerDecision::Trip: return "trip";
    case BreakerDecision::Held: return "held";
    case BreakerDecision::Tripped: return "tripped";
    case BreakerDecision::Recover: return "recover";
  }
  return "ok";
}

BreakerDecision decideThreshold(const Breaker* current, bool held, const ThresholdReading& reading) {
  if (!current && reading.over) return held ? BreakerDecision::Held : BreakerDecision::Trip;
  if (current && current->source == "poll" && reading.below) return BreakerDecision::Recover;
  // The real-time meter tripped it first; once the poll's own line is over, the poll's trip
  // replaces it (and recovers by the poll's reading, not the meter's lease).
  if (current && current->source == "meter" && reading.over) return held ? BreakerDecision::Tripped : BreakerDecision::Trip;
  if (current) return BreakerDecision::Tripped;
  return reading.warn ? BreakerDecision::Warn : BreakerDecision::Ok;
}

BudgetDecision decideBudget(bool budgetTripped, const BudgetReading& reading) {
  if (reading.over) return BudgetDecision::Trip;
  if (budgetTripped && reading.trustworthy && reading.belowWarn) return BudgetDecision::Recover;
  if (!reading.belowWarn) return BudgetDecision::Warn;
  return budgetTripped ? BudgetDecision::Tripped : BudgetDecision::Ok;
}

bool budgetMayTrip(const PollState& previous, const StateChanges& changes, const std::string& id, std::int64_t nowMs) {
  return !previous.breakers.count(id) && !changes.trip.count(id) && !isHeld(previous, id, nowMs);
}

bool lapsed(const Breaker& breaker, std::int64_t nowMs) {
  if (breaker.until.empty()) return false;
  auto until = parseIsoTimestamp(breaker.until);
  return until && *until <= nowMs;
}

void endLapsed(const PollState& previous, std::int64_t nowMs, StateChanges& changes) {
  for (const auto& [key, breaker] : previous.breakers) {
    if (lapsed(breaker, nowMs)) changes.expire[key] = breaker.until;
  }
  for (const auto& [key, until] : previous.holds) {
    if (timeHasPassed(until, nowMs)) changes.releaseHolds[key] = until;
  }
}

std::map<std::string, Breaker> standingBreakers(const Config& config,
                                                const std::optional<std::map<std::string, Breaker>>& record,
                                                const std::vector<std::string>& damaged,
                                                const BreakerRecord& safetyNet, std::int64_t nowMs) {
  const std::map<std::string, Breaker> net = safetyNet.breakers.value_or(std::map<std::string, Breaker>{});
  std::map<std::string, Breaker> standing = record.value_or(net);
  std::vector<std::string> unread = record ? damaged : safetyNet.damaged;
  for (const std::string& key : unread) {
    if (standing.count(key)) continue;
    auto copy = net.find(key);
    if (copy != net.end()) {
      standing.emplace(key, copy->second);
      continue;
    }
    const BreakerKeyParts parts = splitBreakerKey(key);
    if (!parts.resource) continue;  // the parser only reports known resources as damaged
    const auto polled = polledResources();
    const bool judged = config.thresholds.count(key) &&
                        std::find(polled.begin(), polled.end(), parts.resource) != polled.end();
    standing.emplace(key, Breaker{std::string(parts.resource->id), parts.binding,
                                  judged ? "its entry in the state record could not be read; it stands until the "
                                           "poll confirms recovery"
                                         : "its entry in the state record could not be read; it stands until it is "
                                           "reset",
                                  isoTimestamp(nowMs), judged ? "poll" : "manual", ""});
  }
  return standing;
}

void keepWhatStands(const PollState& previous, const StateChanges& changes, std::map<std::string, Breaker>& standing) {
  for (const auto& [key, breaker] : previous.breakers) {
    const bool ends =
        std::find(changes.clear.begin(), changes.clear.end(), key) != changes.clear.end() || changes.expire.count(key);
    if (!ends) standing.emplace(key, breaker);
  }
}

void carryOver(const PollStateRecord& record, const PollState& previous, bool& write, StateChanges& changes) {
  if (record.present && !record.problems.empty()) write = true;  // repair the record: it is written clean
  if (!record.needsSafetyNet()) return;
  if (record.present) write = true;
  for (const auto& [key, breaker] : previous.breakers) {
    const bool unread =
        !record.readable || std::find(record.damaged.begin(), record.damaged.end(), key) != record.damaged.end();
    const bool ends =
        std::find(changes.clear.begin(), changes.clear.end(), key) != changes.clear.end() || changes.expire.count(key);
    if (unread && !ends) changes.trip.emplace(key, breaker);
  }
}

PollState applyChanges(PollState fresh, const StateChanges& changes) {
  auto isManual = [&](const std::string& key) {
    auto it = fresh.breakers.find(key);
    return it != fresh.breakers.end() && it->second.source == "manual";
  };
  for (const std::string& key : changes.clear) {
    if (changes.manual || !isManual(key)) fresh.breakers.erase(key);
  }
  for (const auto& [key, until] : changes.expire) {
    auto it = fresh.breakers.find(key);
    if (it != fresh.breakers.end() && it->second.until == until) fresh.breakers.erase(it);
  }
  for (const auto& [key, until] : changes.releaseHolds) {
    auto it = fresh.holds.find(key);
    if (it != fresh.holds.end() && (changes.manual || it->second == until)) fresh.holds.erase(it);
  }
  for (const auto& [key, until] : changes.holds) fresh.holds[key] = until;
  for (const auto& [key, breaker] : changes.trip) {
    // A tick neither replaces a manual trip nor trips a key a reset holds meanwhile.
    if (changes.manual || (!isManual(key) && !fresh.holds.count(key))) fresh.breakers[key] = breaker;
  }
  if (changes.alerted) fresh.alerted = *changes.alerted;
  if (changes.health) fresh.health = *changes.health;
  if (changes.history) fresh.history = *changes.history;
  if (changes.dailyTotals) fresh.dailyTotals = *changes.dailyTotals;
  if (changes.pendingAlerts) {
    json kept = *changes.pendingAlerts;
    // What a meter tick appended after this tick's first read stays.
    if (changes.pendingAlertsReadFirst && fresh.pendingAlerts.is_array()) {
      for (const json& entry : fresh.pendingAlerts) {
        const json& first = *changes.pendingAlertsReadFirst;
        if (std::find(first.begin(), first.end(), entry) == first.end()) kept.push_back(entry);
      }
    }
    if (kept.size() > kMaxPendingAlerts) kept = json(std::vector<json>(kept.end() - kMaxPendingAlerts, kept.end()));
    fresh.pendingAlerts = std::move(kept);
  }
  if (changes.meterVersion) fresh.meterVersion = std::max(fresh.meterVersion, *changes.meterVersion);
  if (changes.meterTrips) {
    for (auto it = fresh.breakers.begin(); it != fresh.breakers.end();) {
      const bool ended = it->second.source == "meter" && !changes.meterTrips->count(it->first);
      it = ended ? fresh.breakers.erase(it) : std::next(it);
    }
    for (const auto& [key, breaker] : *changes.meterTrips) {
      auto standing = fresh.breakers.find(key);
      const bool another = standing != fresh.breakers.end() && standing->second.source != "meter";
      if (!another && !fresh.holds.count(key)) fresh.breakers[key] = breaker;
    }
  }
  if (!changes.appendAlerts.empty()) {
    if (!fresh.pendingAlerts.is_array()) fresh.pendingAlerts = json::array();
    for (const json& entry : changes.appendAlerts) fresh.pendingAlerts.push_back(entry);
    if (fresh.pendingAlerts.size() > kMaxPendingAlerts) {
      fresh.pendingAlerts = json(std::vector<json>(fresh.pendingAlerts.end() - kMaxPendingAlerts, fresh.pendingAlerts.end()));
    }
  }
  addTally(fresh.digest.days, changes.tally);
  for (const std::string& name : changes.actionsRemoved) fresh.actions.erase(name);
  if (changes.actions) {
    for (const auto& [name, state] : *changes.actions) {
      ActionState merged = state;
      auto recorded = fresh.actions.find(name);
      const bool changedBefore = recorded != fresh.actions.end() &&
                                 (recorded->second.phase == "applying" || recorded->second.phase == "applied" ||
                                  recorded->second.phase == "undoing");
      if (changedBefore && (state.phase == "applying" || state.phase == "applied" || state.phase == "undoing")) {
        merged.undo = recorded->second.undo;
      }
      fresh.actions[name] = merged;
    }
  }
  if (changes.actionsRefused) fresh.actionsRefused = *changes.actionsRefused;
  for (const auto& [sent, record] : {std::pair{&changes.digestSentDay, &fresh.digest.sentDay},
                                     std::pair{&changes.digestSentWeek, &fresh.digest.sentWeek}}) {
    if (*sent && (!*record || **record < **sent)) *record = *sent;
  }
  return fresh;
}


SafetyNetWrite safetyNetFor(const Config& config, const PollState& state, std::int64_t nowMs) {
  SafetyNetWrite write;
  if (state.breakers.empty()) return write;
  write.put = true;
  write.text = toText(json{{"version", kStateVersion}, {"breakers", breakersToJson(state.breakers)}});
  // Relative, so that KV's clock decides; never under KV's 60 s minimum, with a margin.
  const std::int64_t seconds = (safetyNetExpiryMs(config, state, nowMs) - nowMs + 999) / 1000;
  write.expirationTtlSeconds = std::max<std::int64_t>(seconds, kSafetyNetMinTtlSeconds);
  return write;
}

json breakersInForce(const Config& config, const std::map<std::string, Breaker>& breakers, std::int64_t nowMs,
                     std::vector<std::string>& enforced) {
  json inForce = json::object();
  json stops = nullptr;
  enforced.clear();
  for (const auto& [key, breaker] : breakers) {
    if (lapsed(breaker, nowMs)) continue;
    inForce[key] = breakersToJson({{key, breaker}})[key];
    if (!config.dryRun) enforced.push_back(key);  // a dry run enforces none
    // A budget trip, or Workers requests, stops the Worker's own scheduled work too.
    if (stops.is_null() && !config.dryRun && config.scheduledWhenTripped == ScheduledWhenTripped::Skip &&
        (breaker.source == "budget" || breaker.resource == "workers-requests")) {
      stops = breaker.reason;
    }
  }
  return {{"breakers", inForce}, {"stopsScheduledWork", stops}};
}

// When the window a breaker key is evaluated over resets.
std::int64_t windowEndMs(const Config& config, const std::string& key, std::int64_t nowMs) {
  const BreakerKeyParts parts = splitBreakerKey(key);
  const Day today = dayOfMs(nowMs);
  if (!parts.resource) return msOfDay(billingMonth(today, config.billingDay).nextStart);
  auto threshold = config.thresholds.find(key);
  if (threshold == config.thresholds.end()) threshold = config.thresholds.find(std::string(parts.resource->id));
  const Allowance& plan = allowanceFor(*parts.resource, config.plan);
  const Granularity granularity = threshold != config.thresholds.end()
                                      ? windowGranularity(threshold->second, plan)
                                      : (plan.period == Period::Day ? Granularity::Day : Granularity::Month);
  return msOfDay(windowSoFar(granularity, today, config.billingDay).nextStart);
}

namespace {

constexpr std::size_t kMaxManualKeys = 64;
constexpr std::size_t kMaxReasonLength = 500;
constexpr const char* kManualSecondsRule = "must be whole seconds from 1 to 31,536,000 (365 days)";

// Characters as a person counts them (UTF-8 code points), for the reason's bound.
std::size_t codePoints(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// A value echoed in a problem, cut to a length a log line can hold.
std::string clipped(const std::string& text) {
  return text.size() <= 80 ? text : text.substr(0, 80) + "...";
}

// Whole seconds, from 1 to 365 days; 0 stands for "left out" (see manualOperation).
constexpr double kMaxManualSeconds = 365.0 * 86400;

bool validManualSeconds(double seconds) {
  return seconds == 0 || (std::isfinite(seconds) && seconds >= 1 && seconds <= kMaxManualSeconds && seconds == std::floor(seconds));
}

// Why a feature's key ("kv-writes@import") cannot be reset, or nullptr when it can. Its
// breaker stands only at the real-time meter, which the shim resets after the record.
const char* featureKeyProblem(const Config& config, const std::string& key, std::size_t at) {
  if (!findResource(key.substr(0, at))) return "unknown resource";
  const std::string feature = key.substr(at + 1);
  const bool declared = std::any_of(config.features.begin(), config.features.end(),
                                    [&](const Feature& known) { return known.name == feature; });
  if (!declared) return "names a feature the config does not declare";
  if (!config.meterOn) return "names a feature's line, which only the real-time meter trips, and the meter is off";
  return nullptr;
}

// Checks a manual operation's keys and seconds, then lets `change` add each key's change.
// A feature's key is for a reset only (`featureKeys`), and changes nothing in the record.
template <typename Change>
ManualResult manualChanges(const Config& config, const std::vector<std::string>& keys, bool featureKeys,
                           const char* secondsName, double seconds, const char* secondsMeaning, Change change) {
  ManualResult result;
  if (keys.empty()) result.problems.push_back({"resources", "name at least one resource", ""});
  if (!validManualSeconds(seconds)) {
    result.problems.push_back({secondsName, kManualSecondsRule, secondsMeaning});
  }
  StateChanges changes;
  changes.manual = true;
  for (const std::string& key : keys) {
    if (const std::size_t at = key.find('@'); at != std::string::npos) {
      const char* problem = !featureKeys ? "names a feature's line: only the real-time meter trips those"
                                         : featureKeyProblem(config, key, at);
      if (problem) {
        result.problems.push_back({"resources." + key, problem,
                                   featureKeys ? "use a resource id, <resource>:<BINDING>, or <resource>@<feature> of a declared feature"
                                               : "trip the whole resource, or lower the feature's rate line"});
      }
      continue;
    }
    const BreakerKeyParts parts = splitBreakerKey(key);
    const char* problem = !parts.resource ? "unknown resource"
                          : key.find(':') != std::string::npos && !isIdentifier(parts.binding, 256)
                              ? "invalid binding name"
                              : nullptr;
    if (problem) {
      result.problems.push_back({"resources." + key, problem, "use a resource id, or <resource>:<BINDING>"});
    } else {
      change(changes, key, parts);
    }
  }
  if (result.problems.empty()) result.changes = changes;
  return result;
}

}  // namespace

ManualResult manualTrip(const Config& config, const std::vector<std::string>& keys, const std::string& reason,
                        double ttlSeconds, std::int64_t nowMs) {
  // Converted only once known to be in range (manualChanges reports it otherwise).
  const bool inRange = std::isfinite(ttlSeconds) && ttlSeconds > 0 && ttlSeconds <= kMaxManualSeconds;
  const std::string until = inRange ? isoTimestamp(nowMs + static_cast<std::int64_t>(ttlSeconds * 1000)) : "";
  return manualChanges(config, keys, false, "ttlSeconds", ttlSeconds, "leave it out for a trip that never lapses",
                       [&](StateChanges& changes, const std::string& key, const BreakerKeyParts& parts) {
                         changes.trip[key] = {std::string(parts.resource->id), parts.binding,
                                              reason.empty() ? "tripped by hand" : reason, isoTimestamp(nowMs),
                                              "manual", until};
                         changes.releaseHolds[key] = "";
                       });
}

ManualResult manualReset(const Config& config, const std::vector<std::string>& keys, double holdSeconds,
                         std::int64_t nowMs) {
  return manualChanges(config, keys, true, "holdSeconds", holdSeconds, "leave it out to hold until the window resets",
                       [&](StateChanges& changes, const std::string& key, const BreakerKeyParts&) {
                         changes.clear.push_back(key);
                         const bool inRange = std::isfinite(holdSeconds) && holdSeconds > 0 &&
                                              holdSeconds <= kMaxManualSeconds;
                         const std::int64_t until = inRange ? nowMs + static_cast<std::int64_t>(holdSeconds * 1000)
                                                            : windowEndMs(config, key, nowMs);
                         changes.holds[key] = isoTimestamp(until);
                       });
}

ManualResult manualOperation(const Config& config, bool trip, const json& op, std::int64_t nowMs) {
  ManualResult invalid;
  if (!op.is_object()) {
    invalid.problems.push_back({"operation", "must be an object", ""});
    return invalid;
  }
  std::vector<std::string> keys;
  if (auto it = op.find("resources"); it != op.end() && it->is_array()) {
    for (const json& key : *it) {
      if (key.is_string()) {
        keys.push_back(key.get<std::string>());
      } else {
        invalid.problems.push_back({"resources", "must list resource ids, got " + clipped(toText(key)), ""});
      }
    }
  }
  if (keys.size() > kMaxManualKeys) {
    invalid.problems.push_back({"resources", "at most " + std::to_string(kMaxManualKeys) + " breaker keys at once, got " +
                                                 std::to_string(keys.size()), ""});
    return invalid;
  }
  // A trip's per-binding key names a binding the config knows (bindings, bindingIds,
  // per-binding lines) or the Worker's env holds (`envBindings`, from the shim): nothing else
  // can be tripped. Any key can be reset, so that a stale breaker can always be cleared.
  std::set<std::string> bindings;
  for (const auto& entry : config.bindings) bindings.insert(entry.first);
  for (const auto& entry : config.bindingIds) bindings.insert(entry.first);
  for (const auto& entry : config.thresholds) bindings.insert(splitBreakerKey(entry.first).binding);
  for (const auto& entry : config.limits) bindings.insert(splitBreakerKey(entry.first).binding);
  if (auto it = op.find("envBindings"); it != op.end() && it->is_array()) {
    for (const json& name : *it) {
      if (name.is_string()) bindings.insert(name.get<std::string>());
    }
  }
  for (const std::string& key : trip ? keys : std::vector<std::string>{}) {
    const BreakerKeyParts parts = splitBreakerKey(key);
    if (parts.resource && !parts.binding.empty() && isIdentifier(parts.binding, 256) && !bindings.count(parts.binding)) {
      invalid.problems.push_back({"resources." + clipped(key), "no binding " + parts.binding + " in this Worker",
                                  "name a binding of the Worker's env, or one in the config's bindingIds"});
    }
  }
  // Left out is 0 (a trip that never lapses, a hold until the window resets); given, it must
  // be whole seconds in range: nothing is read loosely as "never".
  auto seconds = [&](const char* key) {
    auto it = op.find(key);
    if (it == op.end()) return 0.0;
    if (!it->is_number() || it->get<double>() == 0 || !validManualSeconds(it->get<double>())) {
      invalid.problems.push_back({key, std::string(kManualSecondsRule) + ", got " + clipped(toText(*it)),
                                  "leave it out for no limit in time"});
      return 0.0;
    }
    return it->get<double>();
  };
  std::string reason;
  if (auto it = op.find("reason"); it != op.end()) {
    if (!it->is_string()) {
      invalid.problems.push_back({"reason", "must be text, got " + clipped(toText(*it)), ""});
    } else if (codePoints(it->get<std::string>()) > kMaxReasonLength) {
      invalid.problems.push_back({"reason", "at most " + std::to_string(kMaxReasonLength) + " characters, got " +
                                                std::to_string(codePoints(it->get<std::string>())), ""});
    } else {
      reason = it->get<std::string>();
    }
  }
  ManualResult result = trip ? manualTrip(config, keys, reason, seconds("ttlSeconds"), nowMs)
                             : manualReset(config, keys, seconds("holdSeconds"), nowMs);
  if (!invalid.problems.empty()) {
    invalid.problems.insert(invalid.problems.end(), result.problems.begin(), result.problems.end());
    return invalid;
  }
  return result;
}

std::int64_t safetyNetExpiryMs(const Config& config, const PollState& state, std::int64_t nowMs) {
  std::int64_t expiry = nowMs + 60'000;  // KV's shortest expiration
  for (const auto& [key, breaker] : state.breakers) {
    std::int64_t end = windowEndMs(config, key, nowMs);
    if (breaker.source == "budget" && config.budget) {
      end = msOfDay(windowSoFar(config.budget->granularity, dayOfMs(nowMs), config.billingDay).nextStart);
    } else if (breaker.source == "manual" || breaker.source == "meter") {
      auto until = parseIsoTimestamp(breaker.until);
      end = until ? *until : msOfDay(billingMonth(dayOfMs(nowMs), config.billingDay).nextStart);
    }
    expiry = std::max(expiry, end);
  }
  return expiry;
}

}  // namespace edgefuse
