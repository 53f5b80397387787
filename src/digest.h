// The periodic digest: a daily or weekly summary on the alert channels of usage against each
// quota or inclusion, spend and its projection, trips and recoveries, the biggest spike and
// what the guard could not see. What a digest reports of past days comes from a tally per
// UTC day kept in the state record, added to by the ticks that write it anyway (an event, a
// new hour of history, a failed check), so the tally costs no KV operation of its own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calendar.h"
#include "config.h"
#include "insights.h"

namespace edgefuse {

// Days of tally kept: a weekly digest sent a day late still finds its Monday.
constexpr Day kTallyDays = 9;
constexpr std::size_t kTallyEventsPerDay = 10;  // events listed by name; all are counted
constexpr std::size_t kTallyDatasets = 16;

struct TallyEvent {
  std::string at;  // ISO time of the tick that saw it
  std::string level;
  std::string key;
  bool dryRun = false;
  bool operator==(const TallyEvent& other) const {
    return at == other.at && level == other.level && key == other.key && dryRun == other.dryRun;
  }
};

// The completed hour that stood out most against the hours before it.
struct HourPeak {
  std::string resource;
  std::int64_t hour = 0;  // hours since the epoch
  double units = 0;
  double baseline = 0;  // the mean of the hours before it, at least the spike floor
  double ratio() const { return baseline > 0 ? units / baseline : 0; }
  bool operator==(const HourPeak& other) const {
    return resource == other.resource && hour == other.hour && units == other.units && baseline == other.baseline;
  }
};

struct DayTally {
  std::map<std::string, int> events;      // level -> how many
  std::vector<TallyEvent> firstEvents;    // the day's first kTallyEventsPerDay
  std::map<std::string, double> usage;    // resource -> units in the completed hours counted
  std::map<std::string, int> hours;       // resource -> completed hours counted
  std::optional<HourPeak> peak;
  int failedChecks = 0;                   // evaluations with a dataset failing
  std::set<std::string> failedDatasets;
  bool operator==(const DayTally& other) const {
    return events == other.events && firstEvents == other.firstEvents && usage == other.usage && hours == other.hours &&
           peak == other.peak && failedChecks == other.failedChecks && failedDatasets == other.failedDatasets;
  }
};

using Tally = std::map<Day, DayTally>;

struct DigestRecord {
  std::optional<Day> sentDay;   // the day the last daily digest covered
  std::optional<Day> sentWeek;  // the Monday of the week the last weekly digest covered
  Tally days;
  bool operator==(const DigestRecord& other) const {
    return sentDay == other.sentDay && sentWeek == other.sentWeek && days == other.days;
  }
};

nlohmann::json digestRecordToJson(const DigestRecord& record);
// What does not parse is dropped: a digest only reports, it never decides a breaker.
DigestRecord digestRecordFromJson(const nlohmann::json& value);
nlohmann::json tallyToJson(const Tally& tally);
Tally tallyFromJson(const nlohmann::json& value);

// Adds `more` to `into`, then keeps the kTallyDays newest days.
void addTally(Tally& into, const Tally& more);

void countEvent(DayTally& day, const TallyEvent& event);

// The hours `after` completed that `before` had not (recordTotal's work on one tick), added to
// the tally by the day they fell in, with the one most above its baseline as a peak.
// `floorUnits` is the spike floor: the least a baseline is taken to be.
void tallyNewHours(Tally& tally, const std::string& resource, const HourlyHistory& before,
                   const HourlyHistory& after, double floorUnits);

// A digest the schedule makes due at `nowMs` and the record has not sent: the last complete
// day, from `hourUtc` on the day after; the last complete ISO week, from `hourUtc` on Monday.
struct DigestPeriod {
  bool weekly = false;
  Day first = 0;
  Day last = 0;
};
std::vector<DigestPeriod> digestsDue(const DigestSchedule& schedule, const DigestRecord& record, std::int64_t nowMs);

// The digest of `period` as data (what a webhook receives; alert channels render it): the
// tally of its days, this tick's `report` (usage so far against each quota or inclusion, the
// projections, the budget, health) and the breakers standing now.
nlohmann::json composeDigest(const Config& config, const DigestPeriod& period, const Tally& tally,
                             const nlohmann::json& report, const std::vector<std::string>& standing);

// One line for logs: "daily digest for 2026-11-26: 2 trips, 1 recovery, ...".
std::string digestSummary(const nlohmann::json& digest);

// The digest as a message for `channel`: Discord and Slack markdown, plain text for a webhook.
// `digest` may come back from KV (a retry): what is malformed is left out, never trusted.
std::string renderDigest(const nlohmann::json& digest, ChannelType channel, const std::string& maskedAccount);

}  // namespace edgefuse
