// Insights from usage over time: a bounded hourly history per resource, spike detection
// against its trailing baseline, and an end-of-period projection. Deterministic functions
// of the history, the period-to-date total and `now`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalogue.h"
#include "calendar.h"

namespace edgefuse {

constexpr std::size_t kHistoryHours = 24;  // completed hours kept per resource
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::size_t kMinBaselineHours = 3;  // spikes are judged against at least this much history

// One resource's usage by the hour. `hours` holds completed hours, oldest first, the last
// being the hour before `markHour`. The mark is the period-to-date total when its hour began.
struct HourlyHistory {
  std::int64_t markHour = -1;  // hours since the epoch; -1: no mark yet
  Day markPeriodFirst = 0;     // the allowance period the mark's total belongs to
  double markTotal = 0;
  bool markPartial = false;  // the mark was taken mid-hour: that hour is not a full one
  std::vector<double> hours;
};

nlohmann::json historyToJson(const HourlyHistory& history);
std::optional<HourlyHistory> historyFromJson(const nlohmann::json& value);

// Folds in the period-to-date `total` seen at `nowMs` (period starting `periodFirst`).
// Returns true when the history changed: a new hour began (at most one write per hour).
bool recordTotal(HourlyHistory& history, double total, Day periodFirst, std::int64_t nowMs);

// Units used in the 60 minutes before `nowMs`: this hour so far, plus the matching part of
// the last completed hour.
double lastHourUsage(const HourlyHistory& history, double total, Day periodFirst, std::int64_t nowMs);

struct Spike {
  double lastHour = 0;
  double baseline = 0;  // mean of the completed hours, at least the floor
  bool spiking = false;
};

// The least a spike's baseline is taken to be: `floorPercent` of the allowance's even share
// per hour of its period (0 for a resource with nothing included).
double spikeFloorUnits(double floorPercent, const Allowance& allowance, const Window& period);

// A spike: the last hour used more than `factor` times the baseline. The floor keeps a
// dormant resource (baseline 0) from hiding a runaway: `floorPercent` of its even hourly
// share of the allowance. Needs kMinBaselineHours completed hours.
std::optional<Spike> detectSpike(const HourlyHistory& history, double total, Day periodFirst,
                                 std::int64_t nowMs, double factor, double floorPercent,
                                 const Allowance& allowance, const Window& period);

struct Projection {
  double used = 0;
  double ratePerHour = 0;       // recent rate: the last 5 hours and this one so far, else the period average
  double endOfPeriod = 0;       // units by the end of the period at that rate
  std::optional<double> percentOfQuota;
  double overageUsd = 0;        // at the end of the period
  std::optional<std::int64_t> quotaReachedAtMs;  // when the included amount runs out, if it will
};

Projection project(const HourlyHistory& history, double total, const Allowance& allowance,
                   const Window& period, std::int64_t nowMs);

}  // namespace edgefuse
