#include "poll_state.h"

#include <cmath>

#include "json_text.h"

namespace edgefuse {
namespace {

using nlohmann::json;

std::map<std::string, std::string> stringMap(const json& object, const char* key) {
  std::map<std::string, std::string> out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return out;
  for (const auto& item : it->items()) {
    if (item.value().is_string()) out[item.key()] = item.value().get<std::string>();
  }
  return out;
}

int count(const json& value) {
  return value.is_number_integer() && value.get<long long>() >= 0 && value.get<long long>() < 1'000'000
             ? static_cast<int>(value.get<long long>())
             : 0;
}

json healthToJson(const PollHealth& health) {
  return {{"lastCheckAt", health.lastCheckAt},
          {"lastWrittenAt", health.lastWrittenAt},
          {"lastError", health.lastError},
          {"consecutiveFailures", health.consecutiveFailures},
          {"datasetFailures", health.datasetFailures},
          {"inaccessible", health.inaccessible}};
}

PollHealth healthFromJson(const json& value) {
  PollHealth health;
  if (!value.is_object()) return health;
  health.lastCheckAt = stringField(value, "lastCheckAt");
  health.lastWrittenAt = stringField(value, "lastWrittenAt");
  health.lastError = stringField(value, "lastError");
  if (auto it = value.find("consecutiveFailures"); it != value.end()) health.consecutiveFailures = count(*it);
  if (auto it = value.find("datasetFailures"); it != value.end() && it->is_object()) {
    for (const auto& item : it->items()) health.datasetFailures[item.key()] = count(item.value());
  }
  if (auto it = value.find("inaccessible"); it != value.end() && it->is_array()) {
    for (const json& dataset : *it) {
      if (dataset.is_string() && dataset.get<std::string>().size() <= 64 && health.inaccessible.size() < 64) {
        health.inaccessible.insert(dataset.get<std::string>());
      }
    }
  }
  return health;
}

json historyMapToJson(const std::map<std::string, HourlyHistory>& history) {
  json out = json::object();
  for (const auto& [id, entry] : history) out[id] = historyToJson(entry);
  return out;
}

// Entries that do not parse are dropped: history only informs alerts, it never blocks.
std::map<std::string, HourlyHistory> historyMap(const json& object) {
  std::map<std::string, HourlyHistory> out;
  auto it = object.find("history");
  if (it == object.end() || !it->is_object()) return out;
  for (const auto& item : it->items()) {
    if (auto entry = historyFromJson(item.value())) out[item.key()] = *entry;
  }
  return out;
}

// Each resource's days as a run from its first day, a missing day null: a month of dates as
// keys would be most of the record, and of what reading it costs.
json dailyTotalsToJson(const std::map<std::string, std::map<Day, double>>& totals) {
  json out = json::object();
  for (const auto& [id, days] : totals) {
    if (days.empty()) continue;
    json units = json::array();
    for (Day day = days.begin()->first; day <= days.rbegin()->first; ++day) {
      const auto it = days.find(day);
      units.push_back(it == days.end() ? json(nullptr) : quantityJson(it->second));
    }
    out[id] = {{"from", isoDate(days.begin()->first)}, {"units", std::move(units)}};
  }
  return out;
}

// Entries that do not parse are dropped: a missing day only makes a budget total a lower bound.
// Records written before the run form keep a date key per day, and are read as well.
std::map<std::string, std::map<Day, double>> dailyTotalsFrom(const json& object) {
  std::map<std::string, std::map<Day, double>> out;
  auto it = object.find("dailyTotals");
  if (it == object.end() || !it->is_object()) return out;
  const auto keep = [&](const std::string& id, Day day, const json& value) {
    if (!value.is_number()) return;
    const double units = value.get<double>();
    if (std::isfinite(units) && units >= 0 && units <= 1e15) out[id][day] = units;
  };
  for (const auto& item : it->items()) {
    if (!item.value().is_object() || !findResource(item.key())) continue;
    const json& entry = item.value();
    const auto from = entry.find("from");
    const auto units = entry.find("units");
    if (from != entry.end() && units != entry.end()) {
      const auto first = from->is_string() ? parseIsoDate(from->get<std::string>()) : std::nullopt;
      if (!first || !units->is_array() || units->size() > static_cast<std::size_t>(kDailyTotalsDays)) continue;
      for (std::size_t i = 0; i < units->size(); ++i) keep(item.key(), *first + static_cast<Day>(i), (*units)[i]);
      continue;
    }
    for (const auto& day : entry.items()) {
      if (const auto parsed = parseIsoDate(day.key())) keep(item.key(), *parsed, day.value());
    }
  }
  return out;
}

std::vector<std::string> stringList(const json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& item : value) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

PollStateRecord parsePollState(const std::optional<std::string>& textValue) {
  PollStateRecord record;
  if (!textValue) return record;
  const json value = parseRecordText(*textValue);
  BreakerRecord breakers = breakerRecordOf(value, "state");
  record.present = breakers.present;
  record.problems = breakers.problems;
  record.damaged = breakers.damaged;
  if (!breakers.breakers) return record;
  record.readable = true;
  record.state.breakers = *breakers.breakers;
  record.state.holds = stringMap(value, "holds");
  record.state.alerted = stringMap(value, "alerted");
  if (auto it = value.find("poll"); it != value.end()) record.state.health = healthFromJson(*it);
  record.state.history = historyMap(value);
  record.state.dailyTotals = dailyTotalsFrom(value);
  if (auto it = value.find("pendingAlerts"); it != value.end() && it->is_array()) record.state.pendingAlerts = *it;
  if (auto it = value.find("meterVersion"); it != value.end() && it->is_number_integer() && it->get<std::int64_t>() > 0) {
    record.state.meterVersion = it->get<std::int64_t>();
  }
  if (auto it = value.find("digest"); it != value.end()) record.state.digest = digestRecordFromJson(*it);
  if (auto it = value.find("actions"); it != value.end()) {
    std::vector<std::string> damaged;
    record.state.actions = actionStatesFromJson(*it, damaged);
    for (const std::string& name : damaged) {
      record.problems.push_back({"actions." + name, "could not be read: what it changed cannot be put back by the guard",
                                 "check the Worker's routes, workers.dev and crons by hand"});
    }
  }
  record.state.actionsRefused = stringField(value, "actionsRefused").substr(0, 500);
  return record;
}

std::string serializePollState(const PollState& state) {
  return toText(json{{"version", kStateVersion},
                     {"breakers", breakersToJson(state.breakers)},
                     {"holds", state.holds},
                     {"alerted", state.alerted},
                     {"poll", healthToJson(state.health)},
                     {"history", historyMapToJson(state.history)},
                     {"dailyTotals", dailyTotalsToJson(state.dailyTotals)},
                     {"pendingAlerts", state.pendingAlerts},
                     {"meterVersion", state.meterVersion},
                     {"digest", digestRecordToJson(state.digest)},
                     {"actions", actionStatesToJson(state.actions)},
                     {"actionsRefused", state.actionsRefused}});
}

nlohmann::json changesToJson(const StateChanges& changes) {
  json out = {{"trip", breakersToJson(changes.trip)},
              {"clear", changes.clear},
              {"expire", changes.expire},
              {"holds", changes.holds},
              {"releaseHolds", changes.releaseHolds},
              {"manual", changes.manual}};
  if (changes.alerted) out["alerted"] = *changes.alerted;
  if (changes.health) out["poll"] = healthToJson(*changes.health);
  if (changes.history) out["history"] = historyMapToJson(*changes.history);
  if (changes.dailyTotals) out["dailyTotals"] = dailyTotalsToJson(*changes.dailyTotals);
  if (changes.pendingAlerts) out["pendingAlerts"] = *changes.pendingAlerts;
  if (changes.meterTrips) out["meterTrips"] = breakersToJson(*changes.meterTrips);
  if (!changes.appendAlerts.empty()) out["appendAlerts"] = changes.appendAlerts;
  if (!changes.tally.empty()) out["tally"] = tallyToJson(changes.tally);
  if (changes.digestSentDay) out["digestSentDay"] = isoDate(*changes.digestSentDay);
  if (changes.digestSentWeek) out["digestSentWeek"] = isoDate(*changes.digestSentWeek);
  return out;
}

std::optional<StateChanges> changesFromJson(const nlohmann::json& value) {
  if (!value.is_object()) return std::nullopt;
  StateChanges changes;
  if (auto it = value.find("trip"); it != value.end()) {
    const BreakerRecord trips =
        parseBreakerRecord(toText(json{{"version", kStateVersion}, {"breakers", *it}}), "changes");
    if (!trips.breakers) return std::nullopt;
    changes.trip = *trips.breakers;
  }
  if (auto it = value.find("clear"); it != value.end()) changes.clear = stringList(*it);
  changes.expire = stringMap(value, "expire");
  changes.holds = stringMap(value, "holds");
  changes.releaseHolds = stringMap(value, "releaseHolds");
  if (auto it = value.find("alerted"); it != value.end() && it->is_object()) changes.alerted = stringMap(value, "alerted");
  if (auto it = value.find("poll"); it != value.end() && it->is_object()) changes.health = healthFromJson(*it);
  if (auto it = value.find("manual"); it != value.end() && it->is_boolean()) changes.manual = it->get<bool>();
  if (value.contains("history")) changes.history = historyMap(value);
  if (value.contains("dailyTotals")) changes.dailyTotals = dailyTotalsFrom(value);
  if (auto it = value.find("pendingAlerts"); it != value.end() && it->is_array()) changes.pendingAlerts = *it;
  if (auto it = value.find("meterTrips"); it != value.end()) {
    const BreakerRecord trips =
        parseBreakerRecord(toText(json{{"version", kStateVersion}, {"breakers", *it}}), "changes.meterTrips");
    if (!trips.breakers) return std::nullopt;
    changes.meterTrips = *trips.breakers;
  }
  if (auto it = value.find("appendAlerts"); it != value.end() && it->is_array()) changes.appendAlerts = *it;
  if (auto it = value.find("tally"); it != value.end()) changes.tally = tallyFromJson(*it);
  for (const auto& [key, sent] : {std::pair{"digestSentDay", &changes.digestSentDay}, std::pair{"digestSentWeek", &changes.digestSentWeek}}) {
    if (auto it = value.find(key); it != value.end() && it->is_string()) *sent = parseIsoDate(it->get<std::string>());
  }
  return changes;
}

}  // namespace edgefuse
