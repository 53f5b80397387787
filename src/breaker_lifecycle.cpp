#include "breaker_lifecycle.h"

#include <algorithm>
#include <cmath>

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
  if (changes.pendingAlerts) fresh.pendingAlerts = *changes.pendingAlerts;
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

constexpr double kMaxManualSeconds = 366.0 * 86400;

// Checks a manual operation's keys and seconds, then lets `change` add each key's change.
template <typename Change>
ManualResult manualChanges(const std::vector<std::string>& keys, const char* secondsName, double seconds,
                           const char* secondsMeaning, Change change) {
  ManualResult result;
  if (keys.empty()) result.problems.push_back({"resources", "name at least one resource", ""});
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxManualSeconds) {
    result.problems.push_back({secondsName, std::string("must be 0 (") + secondsMeaning +
                                                ") or a number of seconds up to a year", ""});
  }
  StateChanges changes;
  changes.manual = true;
  for (const std::string& key : keys) {
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

ManualResult manualTrip(const Config&, const std::vector<std::string>& keys, const std::string& reason,
                        double ttlSeconds, std::int64_t nowMs) {
  // Converted only once known to be in range (manualChanges reports it otherwise).
  const bool inRange = std::isfinite(ttlSeconds) && ttlSeconds > 0 && ttlSeconds <= kMaxManualSeconds;
  const std::string until = inRange ? isoTimestamp(nowMs + static_cast<std::int64_t>(ttlSeconds * 1000)) : "";
  return manualChanges(keys, "ttlSeconds", ttlSeconds, "never lapses",
                       [&](StateChanges& changes, const std::string& key, const BreakerKeyParts& parts) {
                         changes.trip[key] = {std::string(parts.resource->id), parts.binding,
                                              reason.empty() ? "tripped by hand" : reason, isoTimestamp(nowMs),
                                              "manual", until};
                         changes.releaseHolds[key] = "";
                       });
}

ManualResult manualReset(const Config& config, const std::vector<std::string>& keys, double holdSeconds,
                         std::int64_t nowMs) {
  return manualChanges(keys, "holdSeconds", holdSeconds, "until the window resets",
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
        invalid.problems.push_back({"resources", "must list resource ids, got " + toText(key), ""});
      }
    }
  }
  // Absent is 0; anything but a number is refused rather than read as "never".
  auto number = [&](const char* key) {
    auto it = op.find(key);
    if (it == op.end()) return 0.0;
    if (!it->is_number()) {
      invalid.problems.push_back({key, "must be a number of seconds, got " + toText(*it), ""});
      return 0.0;
    }
    return it->get<double>();
  };
  ManualResult result = trip ? manualTrip(config, keys, stringField(op, "reason"), number("ttlSeconds"), nowMs)
                             : manualReset(config, keys, number("holdSeconds"), nowMs);
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
    } else if (breaker.source == "manual") {
      auto until = parseIsoTimestamp(breaker.until);
      end = until ? *until : msOfDay(billingMonth(dayOfMs(nowMs), config.billingDay).nextStart);
    }
    expiry = std::max(expiry, end);
  }
  return expiry;
}

}  // namespace edgefuse
