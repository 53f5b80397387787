#include "insights.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cost.h"
#include "json_text.h"

namespace edgefuse {
namespace {

using nlohmann::json;

std::int64_t hourOf(std::int64_t ms) { return ms >= 0 ? ms / kMsPerHour : (ms - kMsPerHour + 1) / kMsPerHour; }

// Units since the mark: all of `total` when a new period has begun.
double sinceMark(const HourlyHistory& history, double total, Day periodFirst) {
  if (periodFirst != history.markPeriodFirst) return total;
  return std::max(0.0, total - history.markTotal);
}

}  // namespace

nlohmann::json historyToJson(const HourlyHistory& history) {
  nlohmann::json hours = nlohmann::json::array();
  for (double units : history.hours) hours.push_back(quantityJson(units));
  return {{"markHour", history.markHour}, {"markPeriodFirst", history.markPeriodFirst},
          {"markTotal", quantityJson(history.markTotal)}, {"markPartial", history.markPartial}, {"hours", std::move(hours)}};
}

std::optional<HourlyHistory> historyFromJson(const nlohmann::json& value) {
  if (!value.is_object()) return std::nullopt;
  auto number = [&](const char* key) -> std::optional<double> {
    auto it = value.find(key);
    if (it == value.end() || !it->is_number() || !std::isfinite(it->get<double>())) return std::nullopt;
    return it->get<double>();
  };
  auto markHour = number("markHour");
  auto periodFirst = number("markPeriodFirst");
  auto markTotal = number("markTotal");
  auto hours = value.find("hours");
  // Bounds before any conversion: a hostile record must not overflow an integer.
  if (!markHour || !periodFirst || !markTotal || *markHour < -1 || *markHour > 1e9 || std::fabs(*periodFirst) > 1e7 ||
      *markTotal < 0 || *markTotal > 1e15 || hours == value.end() || !hours->is_array() ||
      hours->size() > kHistoryHours) {
    return std::nullopt;
  }
  HourlyHistory history{static_cast<std::int64_t>(*markHour), static_cast<Day>(*periodFirst), *markTotal, false, {}};
  if (auto partial = value.find("markPartial"); partial != value.end() && partial->is_boolean()) {
    history.markPartial = partial->get<bool>();
  }
  for (const json& hour : *hours) {
    if (!hour.is_number() || !std::isfinite(hour.get<double>()) || hour.get<double>() < 0 || hour.get<double>() > 1e15) {
      return std::nullopt;
    }
    history.hours.push_back(hour.get<double>());
  }
  return history;
}

bool recordTotal(HourlyHistory& history, double total, Day periodFirst, std::int64_t nowMs) {
  const std::int64_t hour = hourOf(nowMs);
  const bool midHour = nowMs % kMsPerHour != 0;
  if (history.markHour < 0 || history.markHour > hour + 1) {
    // No mark yet, or one from the future (a clock that jumped): start again from now.
    history = {hour, periodFirst, total, midHour, history.markHour < 0 ? std::vector<double>{} : history.hours};
    return true;
  }
  if (hour <= history.markHour) return false;  // same hour, or the clock went back a little
  // Spread what accrued since the mark evenly over the hours that passed. A mark taken
  // mid-hour began a partial hour, which would read as a quiet one: it is not kept.
  const std::int64_t passed = hour - history.markHour;
  const double each = sinceMark(history, total, periodFirst) / static_cast<double>(passed);
  const std::int64_t kept = history.markPartial ? passed - 1 : passed;
  for (std::int64_t i = 0; i < std::min<std::int64_t>(kept, kHistoryHours); ++i) history.hours.push_back(each);
  if (history.hours.size() > kHistoryHours) {
    history.hours.erase(history.hours.begin(), history.hours.end() - kHistoryHours);
  }
  history.markHour = hour;
  history.markPeriodFirst = periodFirst;
  history.markTotal = total;
  history.markPartial = false;  // later marks are a tick into their hour, each a whole hour apart
  return true;
}

double lastHourUsage(const HourlyHistory& history, double total, Day periodFirst, std::int64_t nowMs) {
  if (history.markHour < 0) return 0;
  const double fraction = std::clamp(static_cast<double>(nowMs - history.markHour * kMsPerHour) / kMsPerHour, 0.0, 1.0);
  const double previous = history.hours.empty() ? 0.0 : history.hours.back();
  return sinceMark(history, total, periodFirst) + previous * (1.0 - fraction);
}

double spikeFloorUnits(double floorPercent, const Allowance& allowance, const Window& period) {
  if (allowance.billing == Billing::NotMetered || allowance.included <= 0) return 0;
  const double periodHours = static_cast<double>(period.nextStart - period.first) * 24.0;
  return floorPercent / 100.0 * allowance.included / periodHours;
}

std::optional<Spike> detectSpike(const HourlyHistory& history, double total, Day periodFirst, std::int64_t nowMs,
                                 double factor, double floorPercent, const Allowance& allowance,
                                 const Window& period) {
  if (history.hours.size() < kMinBaselineHours || allowance.billing == Billing::NotMetered ||
      allowance.included <= 0) {
    return std::nullopt;
  }
  const double floor = spikeFloorUnits(floorPercent, allowance, period);
  // The baseline excludes the hour that overlaps the last 60 minutes.
  const std::size_t baselineHours = history.hours.size() > 1 ? history.hours.size() - 1 : 1;
  const double mean =
      std::accumulate(history.hours.begin(), history.hours.begin() + baselineHours, 0.0) / baselineHours;
  Spike spike;
  spike.lastHour = lastHourUsage(history, total, periodFirst, nowMs);
  spike.baseline = std::max(mean, floor);
  spike.spiking = spike.lastHour > factor * spike.baseline;
  return spike;
}

Projection project(const HourlyHistory& history, double total, const Allowance& allowance, const Window& period,
                   std::int64_t nowMs) {
  Projection projection;
  projection.used = total;
  const std::int64_t startMs = msOfDay(period.first);
  const std::int64_t endMs = msOfDay(period.nextStart);
  const double elapsedHours = std::max(1.0, static_cast<double>(nowMs - startMs) / kMsPerHour);
  const double remainingHours = std::max(0.0, static_cast<double>(endMs - nowMs) / kMsPerHour);
  if (history.hours.size() >= 3 && history.markPeriodFirst == period.first && history.markHour >= 0) {
    // The last five completed hours and this one so far.
    const std::size_t recent = std::min<std::size_t>(5, history.hours.size());
    const double fraction = std::clamp(static_cast<double>(nowMs - history.markHour * kMsPerHour) / kMsPerHour, 0.0, 1.0);
    const double units = std::accumulate(history.hours.end() - recent, history.hours.end(), 0.0) +
                         sinceMark(history, total, period.first);
    projection.ratePerHour = units / (static_cast<double>(recent) + fraction);
  } else {
    projection.ratePerHour = total / elapsedHours;
  }
  projection.endOfPeriod = total + projection.ratePerHour * remainingHours;
  if (allowance.billing != Billing::NotMetered && allowance.included > 0) {
    projection.percentOfQuota = projection.endOfPeriod / allowance.included * 100.0;
    if (total < allowance.included && projection.ratePerHour > 0) {
      const double hours = (allowance.included - total) / projection.ratePerHour;
      if (hours <= remainingHours) projection.quotaReachedAtMs = nowMs + std::llround(hours * kMsPerHour);
    }
  }
  projection.overageUsd = overageUsd(allowance, projection.endOfPeriod);
  return projection;
}

}  // namespace edgefuse
