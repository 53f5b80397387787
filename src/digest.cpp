#include "digest.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "breaker_state.h"
#include "catalogue.h"
#include "json_text.h"
#include "text_format.h"

namespace edgefuse {
namespace {

using nlohmann::json;

// A count or amount read back from KV: anything else is dropped.
std::optional<double> amount(const json& value) {
  if (!value.is_number()) return std::nullopt;
  const double number = value.get<double>();
  if (!std::isfinite(number) || number < 0 || number > 1e15) return std::nullopt;
  return number;
}

int countOf(const json& object, const char* key) {
  auto it = object.find(key);
  const auto number = it == object.end() ? std::nullopt : amount(*it);
  return number && *number < 1e9 ? static_cast<int>(*number) : 0;
}


json dayToJson(const DayTally& day) {
  json first = json::array();
  for (const TallyEvent& event : day.firstEvents) {
    first.push_back({{"at", event.at}, {"level", event.level}, {"key", event.key}, {"dryRun", event.dryRun}});
  }
  json usage = json::object();
  for (const auto& [id, units] : day.usage) usage[id] = quantityJson(units);
  json out = {{"events", day.events}, {"first", first}, {"usage", usage}, {"hours", day.hours},
              {"failedChecks", day.failedChecks}, {"failedDatasets", day.failedDatasets}};
  if (day.peak) {
    out["peak"] = {{"resource", day.peak->resource}, {"hour", day.peak->hour}, {"units", quantityJson(day.peak->units)},
                   {"baseline", day.peak->baseline}};
  }
  return out;
}

DayTally dayFromJson(const json& value) {
  DayTally day;
  if (!value.is_object()) return day;
  if (auto it = value.find("events"); it != value.end() && it->is_object()) {
    for (const auto& item : it->items()) {
      if (item.key().size() <= 32 && day.events.size() < 32) day.events[item.key()] = countOf(it.value(), item.key().c_str());
    }
  }
  if (auto it = value.find("first"); it != value.end() && it->is_array()) {
    for (const json& entry : *it) {
      if (!entry.is_object() || day.firstEvents.size() >= kTallyEventsPerDay) continue;
      const auto dryRun = entry.find("dryRun");
      TallyEvent event{stringField(entry, "at", 40), stringField(entry, "level", 32), stringField(entry, "key", 200),
                       dryRun != entry.end() && dryRun->is_boolean() && dryRun->get<bool>()};
      if (!event.level.empty() && !event.key.empty()) day.firstEvents.push_back(event);
    }
  }
  for (const char* key : {"usage", "hours"}) {
    auto it = value.find(key);
    if (it == value.end() || !it->is_object()) continue;
    for (const auto& item : it->items()) {
      const auto number = amount(item.value());
      if (!number || !findResource(item.key())) continue;
      if (key[0] == 'u') day.usage[item.key()] = *number;
      else day.hours[item.key()] = static_cast<int>(std::min(*number, 1e6));
    }
  }
  if (auto it = value.find("peak"); it != value.end() && it->is_object()) {
    const std::string resource = stringField(*it, "resource", 64);
    const auto hour = it->find("hour");
    const auto units = it->find("units");
    const auto baseline = it->find("baseline");
    if (findResource(resource) && hour != it->end() && hour->is_number_integer() && units != it->end() &&
        amount(*units) && baseline != it->end() && amount(*baseline) && *amount(*baseline) > 0) {
      day.peak = HourPeak{resource, std::clamp<std::int64_t>(hour->get<std::int64_t>(), 0, 1'000'000'000),
                          *amount(*units), *amount(*baseline)};
    }
  }
  day.failedChecks = countOf(value, "failedChecks");
  if (auto it = value.find("failedDatasets"); it != value.end() && it->is_array()) {
    for (const json& dataset : *it) {
      if (dataset.is_string() && dataset.get<std::string>().size() <= 64 && day.failedDatasets.size() < kTallyDatasets) {
        day.failedDatasets.insert(dataset.get<std::string>());
      }
    }
  }
  return day;
}

void addDay(DayTally& into, const DayTally& more) {
  for (const auto& [level, count] : more.events) into.events[level] += count;
  for (const TallyEvent& event : more.firstEvents) {
    if (into.firstEvents.size() < kTallyEventsPerDay) into.firstEvents.push_back(event);
  }
  for (const auto& [id, units] : more.usage) into.usage[id] += units;
  for (const auto& [id, hours] : more.hours) into.hours[id] += hours;
  if (more.peak && (!into.peak || more.peak->ratio() > into.peak->ratio())) into.peak = more.peak;
  into.failedChecks += more.failedChecks;
  for (const std::string& dataset : more.failedDatasets) {
    if (into.failedDatasets.size() < kTallyDatasets) into.failedDatasets.insert(dataset);
  }
}

const char* plural(int count, const char* one, const char* many) { return count == 1 ? one : many; }

// "14:02" of "2026-11-26T14:02:10Z", with the date when a digest spans days.
std::string clockOf(const std::string& iso, bool withDate) {
  if (iso.size() < 16) return iso;
  return (withDate ? iso.substr(5, 5) + " " : std::string()) + iso.substr(11, 5);
}

std::string numberText(const json& value) { return value.is_number() ? withCommas(value.get<double>()) : "?"; }

}  // namespace

json tallyToJson(const Tally& tally) {
  json out = json::object();
  for (const auto& [day, entry] : tally) out[isoDate(day)] = dayToJson(entry);
  return out;
}

Tally tallyFromJson(const json& value) {
  Tally tally;
  if (!value.is_object()) return tally;
  for (const auto& item : value.items()) {
    if (auto day = parseIsoDate(item.key())) tally[*day] = dayFromJson(item.value());
  }
  addTally(tally, {});  // trims a record that holds too many days
  return tally;
}

json digestRecordToJson(const DigestRecord& record) {
  return {{"sentDay", record.sentDay ? json(isoDate(*record.sentDay)) : json(nullptr)},
          {"sentWeek", record.sentWeek ? json(isoDate(*record.sentWeek)) : json(nullptr)},
          {"days", tallyToJson(record.days)}};
}

DigestRecord digestRecordFromJson(const json& value) {
  DigestRecord record;
  if (!value.is_object()) return record;
  record.sentDay = parseIsoDate(stringField(value, "sentDay", 10));
  record.sentWeek = parseIsoDate(stringField(value, "sentWeek", 10));
  if (auto it = value.find("days"); it != value.end()) record.days = tallyFromJson(*it);
  return record;
}

void addTally(Tally& into, const Tally& more) {
  for (const auto& [day, entry] : more) addDay(into[day], entry);
  if (!into.empty()) into.erase(into.begin(), into.lower_bound(into.rbegin()->first - kTallyDays + 1));
}

void countEvent(DayTally& day, const TallyEvent& event) {
  day.events[event.level] += 1;
  if (day.firstEvents.size() < kTallyEventsPerDay) day.firstEvents.push_back(event);
}

void tallyNewHours(Tally& tally, const std::string& resource, const HourlyHistory& before, const HourlyHistory& after,
                   double floorUnits) {
  if (before.markHour < 0 || after.markHour <= before.markHour) return;  // a first mark: no hour completed yet
  const std::int64_t passed = after.markHour - before.markHour;
  // recordTotal keeps no partial hour: the one a mid-hour mark began is not among them.
  const std::size_t added = static_cast<std::size_t>(std::min<std::int64_t>(
      before.markPartial ? passed - 1 : passed, static_cast<std::int64_t>(after.hours.size())));
  for (std::size_t i = after.hours.size() - added; i < after.hours.size(); ++i) {
    const std::int64_t hour = after.markHour - static_cast<std::int64_t>(after.hours.size() - i);
    const double units = after.hours[i];
    DayTally& day = tally[dayOfMs(hour * kMsPerHour)];
    day.usage[resource] += units;
    day.hours[resource] += 1;
    if (i < kMinBaselineHours) continue;
    const double mean = std::accumulate(after.hours.begin(), after.hours.begin() + static_cast<std::ptrdiff_t>(i), 0.0) /
                        static_cast<double>(i);
    const HourPeak peak{resource, hour, units, std::max(mean, floorUnits)};
    if (peak.baseline > 0 && units > peak.baseline && (!day.peak || peak.ratio() > day.peak->ratio())) day.peak = peak;
  }
  addTally(tally, {});
}

std::vector<DigestPeriod> digestsDue(const DigestSchedule& schedule, const DigestRecord& record, std::int64_t nowMs) {
  std::vector<DigestPeriod> due;
  // The day as it stands `hourUtc` hours ago: a new one begins at the digest's hour.
  const Day day = dayOfMs(nowMs - schedule.hourUtc * kMsPerHour);
  if (schedule.daily && (!record.sentDay || *record.sentDay < day - 1)) due.push_back({false, day - 1, day - 1});
  const Day monday = windowSoFar(Granularity::Week, day, 1).first;
  if (schedule.weekly && (!record.sentWeek || *record.sentWeek < monday - 7)) due.push_back({true, monday - 7, monday - 1});
  return due;
}

json composeDigest(const Config& config, const DigestPeriod& period, const Tally& tally, const json& report,
                   const std::vector<std::string>& standing) {
  DayTally sum;
  int daysTallied = 0;
  for (Day day = period.first; day <= period.last; ++day) {
    auto it = tally.find(day);
    if (it == tally.end()) continue;
    ++daysTallied;
    addDay(sum, it->second);
  }
  json resources = json::array();
  json unmeasured = json::array();
  int quiet = 0;
  const json noResources = json::array();
  const json& entries = report.is_object() && report.contains("resources") ? report["resources"] : noResources;
  for (const json& entry : entries) {
    if (!entry.is_object() || entry.value("binding", "") != "") continue;
    const std::string id = entry.value("resource", "");
    const auto projection = entry.find("projection");
    if (projection == entry.end() || !projection->is_object()) {
      if (entry.value("stale", false)) unmeasured.push_back(id);
      continue;
    }
    const double used = projection->value("used", 0.0);
    const json included = projection->value("included", json());
    const auto units = sum.usage.find(id);
    const double inPeriod = units == sum.usage.end() ? 0.0 : units->second;
    if (used <= 0 && inPeriod <= 0) {
      ++quiet;
      continue;
    }
    const auto hours = sum.hours.find(id);
    resources.push_back({{"resource", id}, {"unit", entry.value("unit", "")}, {"used", used}, {"included", included},
                         {"allowancePeriod", projection->value("period", "")},
                         {"percent", included.is_number() && included.get<double>() > 0
                                         ? json(used / included.get<double>() * 100.0) : json(nullptr)},
                         {"projectedPercent", projection->value("percent", json())},
                         {"projectedOverageUsd", projection->value("overageUsd", 0.0)},
                         {"inPeriod", units == sum.usage.end() ? json(nullptr) : json(inPeriod)},
                         {"hoursMeasured", hours == sum.hours.end() ? 0 : hours->second}});
  }
  std::stable_sort(resources.begin(), resources.end(), [](const json& a, const json& b) {
    const double left = a["percent"].is_number() ? a["percent"].get<double>() : -1;
    const double right = b["percent"].is_number() ? b["percent"].get<double>() : -1;
    return left > right;
  });
  json first = json::array();
  for (const TallyEvent& event : sum.firstEvents) {
    if (first.size() < kTallyEventsPerDay) {
      first.push_back({{"at", event.at}, {"level", event.level}, {"key", event.key}, {"dryRun", event.dryRun}});
    }
  }
  json peak = nullptr;
  if (sum.peak) {
    const Resource* resource = findResource(sum.peak->resource);
    peak = {{"resource", sum.peak->resource}, {"unit", resource ? std::string(resource->unit) : ""},
            {"hourStart", isoTimestamp(sum.peak->hour * kMsPerHour)}, {"units", sum.peak->units},
            {"baseline", sum.peak->baseline}, {"ratio", sum.peak->ratio()}};
  }
  const json health = report.is_object() ? report.value("health", json::object()) : json::object();
  const json budget = report.is_object() ? report.value("budget", json()) : json();
  return {{"period", period.weekly ? "week" : "day"},
          {"from", isoDate(period.first)},
          {"to", isoDate(period.last)},
          {"at", report.is_object() ? report.value("now", "") : ""},
          {"plan", nameOf(config.plan)},
          {"dryRun", config.dryRun},
          {"daysTallied", daysTallied},
          {"resources", resources},
          {"quietResources", quiet},
          {"unmeasured", unmeasured},
          {"budget", budget.is_object() ? json{{"usedUsd", budget.value("usedUsd", 0.0)}, {"maxUsd", budget.value("maxUsd", 0.0)},
                                               {"granularity", budget.value("granularity", "")},
                                               {"projectedUsd", budget.value("projectedUsd", json())}}
                                        : json(nullptr)},
          {"events", sum.events},
          {"firstEvents", first},
          {"peak", peak},
          {"failedChecks", sum.failedChecks},
          {"failedDatasets", sum.failedDatasets},
          {"blindNow", health.value("blind", false)},
          {"breakers", standing}};
}

std::string digestSummary(const json& digest) {
  const bool weekly = stringField(digest, "period", 200) == "week";
  const json events = digest.value("events", json::object());
  const int trips = countOf(events, "trip");
  const int recoveries = countOf(events, "recover");
  const int failed = countOf(digest, "failedChecks");
  return std::string(weekly ? "weekly" : "daily") + " digest for " + stringField(digest, "from", 200) +
         (weekly ? " to " + stringField(digest, "to", 200) : std::string()) + ": " + std::to_string(trips) + " " +
         plural(trips, "trip", "trips") + ", " + std::to_string(recoveries) + " " +
         plural(recoveries, "recovery", "recoveries") + ", " + std::to_string(failed) + " failed " +
         plural(failed, "check", "checks");
}

std::string renderDigest(const json& digest, ChannelType channel, const std::string& maskedAccount) {
  if (!digest.is_object()) return "[edgefuse] digest: (unreadable)";
  const auto bold = [channel](const std::string& words) {
    return channel == ChannelType::Discord ? "**" + words + "**" : channel == ChannelType::Slack ? "*" + words + "*" : words;
  };
  const bool weekly = stringField(digest, "period", 200) == "week";
  const json empty = json::object();
  std::vector<std::string> lines;
  lines.push_back(bold(std::string("edgefuse ") + (weekly ? "weekly" : "daily") + " digest") + ": " + stringField(digest, "from", 200) +
                  (weekly ? " to " + stringField(digest, "to", 200) : std::string()) + " (UTC)");
  const bool dryRun = digest.value("dryRun", false) == true;
  lines.push_back("Account " + maskedAccount + ", " + stringField(digest, "plan", 200) + " plan" + (dryRun ? ", dry run" : ""));

  lines.push_back(bold("Usage") + " (in the period, then now against each quota or inclusion and on course for by its end)");
  const json resources = digest.value("resources", json::array());
  std::size_t shown = 0;
  for (const json& entry : resources.is_array() ? resources : json::array()) {
    if (!entry.is_object() || ++shown > 12) continue;
    const std::string unit = stringField(entry, "unit", 40);
    std::string line = "\u2022 " + stringField(entry, "resource", 64) + ": ";
    if (entry.value("inPeriod", json()).is_number()) {
      line += numberText(entry["inPeriod"]) + " " + unit + (weekly ? " in the week (" : " on the day (") +
              std::to_string(countOf(entry, "hoursMeasured")) + " of " + std::to_string(weekly ? 168 : 24) +
              " hours measured); now ";
    } else {
      line += "now ";
    }
    line += numberText(entry.value("used", json())) + (entry.value("inPeriod", json()).is_number() ? "" : " " + unit);
    const json included = entry.value("included", json());
    if (included.is_number()) {
      line += " of " + numberText(included) + " per " + stringField(entry, "allowancePeriod", 20);
      if (entry.value("percent", json()).is_number()) line += " (" + percentText(entry["percent"].get<double>()) + ")";
    }
    if (entry.value("projectedPercent", json()).is_number()) {
      line += ", on course for " + percentText(entry["projectedPercent"].get<double>());
    }
    if (entry.value("projectedOverageUsd", json()).is_number() && entry["projectedOverageUsd"].get<double>() > 0) {
      line += " and " + usd(entry["projectedOverageUsd"].get<double>()) + " of overage";
    }
    lines.push_back(line);
  }
  if (shown > 12) lines.push_back("\u2022 " + std::to_string(shown - 12) + " more");
  if (shown == 0) lines.push_back("\u2022 nothing used");
  if (const int quiet = countOf(digest, "quietResources"); quiet > 0 && shown > 0) {
    lines.push_back("\u2022 " + std::to_string(quiet) + " other " + plural(quiet, "resource", "resources") + " unused");
  }

  const json budget = digest.value("budget", json());
  if (budget.is_object()) {
    std::string line = bold("Spend") + ": " + usd(budget.value("usedUsd", 0.0)) + " of the " + usd(budget.value("maxUsd", 0.0)) +
                       " overage budget this " + stringField(budget, "granularity", 10);
    if (budget.value("projectedUsd", json()).is_number()) {
      line += "; on course for " + usd(budget["projectedUsd"].get<double>()) + " by the month's end";
    }
    lines.push_back(line);
  } else {
    lines.push_back(bold("Spend") + ": no budget set (the free plan bills nothing: past a quota, calls fail)");
  }

  const json events = digest.value("events", json::object());
  const int trips = countOf(events, "trip");
  const int recoveries = countOf(events, "recover");
  const int warnings = countOf(events, "warn") + countOf(events, "budget-warn");
  const int spikes = countOf(events, "spike");
  lines.push_back(bold("Breakers") + ": " + std::to_string(trips) + " " + plural(trips, "trip", "trips") + ", " +
                  std::to_string(recoveries) + " " + plural(recoveries, "recovery", "recoveries") + ", " +
                  std::to_string(warnings) + " " + plural(warnings, "warning", "warnings") + ", " + std::to_string(spikes) +
                  " spike " + plural(spikes, "alert", "alerts"));
  const json first = digest.value("firstEvents", json::array());
  for (const json& event : first.is_array() ? first : json::array()) {
    if (!event.is_object()) continue;
    lines.push_back("\u2022 " + clockOf(stringField(event, "at", 40), weekly) + " " + stringField(event, "level", 32) + " " +
                    stringField(event, "key", 200) + (event.value("dryRun", false) == true ? " (dry run)" : ""));
  }
  std::string standing;
  const json breakers = digest.value("breakers", json::array());
  for (const json& key : breakers.is_array() ? breakers : json::array()) {
    if (key.is_string() && key.get<std::string>().size() <= 200) standing += (standing.empty() ? "" : ", ") + key.get<std::string>();
  }
  lines.push_back("Standing now: " + (standing.empty() ? std::string("none") : standing));

  const json peak = digest.value("peak", json());
  if (peak.is_object() && peak.value("ratio", json()).is_number()) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.1fx", peak["ratio"].get<double>());
    lines.push_back(bold("Biggest spike") + ": " + stringField(peak, "resource", 64) + ", the hour from " +
                    clockOf(stringField(peak, "hourStart", 40), true) + " UTC: " + numberText(peak.value("units", json())) + " " +
                    stringField(peak, "unit", 40) + ", " + ratio + " the hours before it");
  } else {
    lines.push_back(bold("Biggest spike") + ": none (no hour rose above the hours before it)");
  }

  const int failed = countOf(digest, "failedChecks");
  std::string datasets;
  const json failedDatasets = digest.value("failedDatasets", json::array());
  for (const json& name : failedDatasets.is_array() ? failedDatasets : json::array()) {
    if (name.is_string() && name.get<std::string>().size() <= 64) datasets += (datasets.empty() ? "" : ", ") + name.get<std::string>();
  }
  std::string unmeasured;
  const json stale = digest.value("unmeasured", json::array());
  for (const json& name : stale.is_array() ? stale : json::array()) {
    if (name.is_string() && name.get<std::string>().size() <= 64) unmeasured += (unmeasured.empty() ? "" : ", ") + name.get<std::string>();
  }
  std::string blind = failed == 0 ? "every check answered" : std::to_string(failed) + " failed " + plural(failed, "check", "checks") +
                                                                  (datasets.empty() ? "" : " (" + datasets + ")");
  blind += digest.value("blindNow", false) == true ? "; blind now: breakers hold as they are" : "";
  if (!unmeasured.empty()) blind += "; not measured now: " + unmeasured;
  lines.push_back(bold("Blind spots") + ": " + blind);
  const int days = countOf(digest, "daysTallied");
  const int periodDays = weekly ? 7 : 1;
  if (days < periodDays) {
    lines.push_back("(the guard's tally covers " + std::to_string(days) + " of the " + std::to_string(periodDays) +
                    plural(periodDays, " day", " days") + ": it began or was reset since)");
  }

  // Discord refuses a message over 2,000 characters: whole lines are left out instead.
  const std::size_t limit = channel == ChannelType::Discord ? 1900 : 30000;
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (out.size() + lines[i].size() + 1 > limit) {
      out += "\u2026 " + std::to_string(lines.size() - i) + " more lines; the webhook channel and the status page have all of it";
      break;
    }
    out += (out.empty() ? "" : "\n") + lines[i];
  }
  return out;
}

}  // namespace edgefuse
