// Hourly history, spike detection and projection.
#include <doctest/doctest.h>

#include "breaker_lifecycle.h"
#include "evaluate.h"
#include "insights.h"

using namespace edgefuse;
using nlohmann::json;

namespace {
std::int64_t at(const char* iso) { return *parseIsoTimestamp(iso); }
Day day(const char* iso) { return *parseIsoDate(iso); }
const Allowance kDaily{Billing::HardLimit, Period::Day, 1000, 0, 1, false};  // like free kv-writes
const Window kToday{day("2026-11-23"), day("2026-11-23"), day("2026-11-24")};
}  // namespace

TEST_CASE("the hourly history takes one entry per completed hour, bounded") {
  HourlyHistory history;
  const Day period = day("2026-11-23");
  CHECK(recordTotal(history, 100, period, at("2026-11-23T10:20:00Z")));  // the first mark, mid-hour
  CHECK(history.hours.empty());
  CHECK_FALSE(recordTotal(history, 150, period, at("2026-11-23T10:50:00Z")));  // same hour: nothing to write
  CHECK(recordTotal(history, 160, period, at("2026-11-23T11:05:00Z")));
  CHECK(history.hours.empty());  // 10:20-11:00 was not a whole hour: not kept as one
  CHECK(recordTotal(history, 220, period, at("2026-11-23T12:05:00Z")));
  CHECK(history.hours == std::vector<double>{60});
  CHECK(recordTotal(history, 520, period, at("2026-11-23T15:10:00Z")));  // three hours passed: spread evenly
  CHECK(history.hours == std::vector<double>{60, 100, 100, 100});
  CHECK_FALSE(recordTotal(history, 999, period, at("2026-11-23T14:30:00Z")));  // the clock went back a little
  // A new period: everything since its start counts.
  CHECK(recordTotal(history, 30, day("2026-11-24"), at("2026-11-24T00:10:00Z")));
  CHECK(history.hours.size() == 13);
  CHECK(history.hours.back() == doctest::Approx(30.0 / 9));
  // A mark from the future (a clock that jumped) is replaced, not kept for days.
  HourlyHistory future = history;
  future.markHour += 100;
  CHECK(recordTotal(future, 40, day("2026-11-24"), at("2026-11-24T00:30:00Z")));
  CHECK(future.markHour == at("2026-11-24T00:00:00Z") / kMsPerHour);
  for (int hour = 0; hour < 40; ++hour) recordTotal(history, 30 + hour, day("2026-11-24"), at("2026-11-24T01:00:00Z") + hour * kMsPerHour);
  CHECK(history.hours.size() == kHistoryHours);
  auto back = historyFromJson(historyToJson(history));
  REQUIRE(back);
  CHECK(back->hours == history.hours);
  CHECK(historyToJson(history)["hours"][0].is_number_integer());  // whole units: no strtod to read
  history.hours[0] = 0.5;
  CHECK(historyToJson(history)["hours"][0] == 0.5);
  CHECK(historyFromJson(historyToJson(history))->hours == history.hours);
  CHECK_FALSE(historyFromJson(json{{"markHour", 1}, {"markPeriodFirst", 1}, {"markTotal", -5}, {"hours", json::array()}}));
}

TEST_CASE("a spike is the last hour against the trailing baseline") {
  const Day period = day("2026-11-23");
  HourlyHistory history{at("2026-11-23T12:00:00Z") / kMsPerHour, period, 240, false, {20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20}};
  // 30 minutes into the hour: 15 this hour + half of the last hour's 20 = 25: normal.
  auto calm = detectSpike(history, 255, period, at("2026-11-23T12:30:00Z"), 5, 10, kDaily, kToday);
  REQUIRE(calm);
  CHECK(calm->lastHour == doctest::Approx(25));
  CHECK(calm->baseline == doctest::Approx(20));
  CHECK_FALSE(calm->spiking);
  auto storm = detectSpike(history, 400, period, at("2026-11-23T12:30:00Z"), 5, 10, kDaily, kToday);
  CHECK(storm->spiking);  // 170 > 5 x 20

  // Dormant for hours, then a runaway: the floor (10% of 1,000/24 = 4.2/h) stands in for 0.
  HourlyHistory dormant{at("2026-11-23T12:00:00Z") / kMsPerHour, period, 0, false, {0, 0, 0, 0, 0, 0}};
  auto woke = detectSpike(dormant, 30, period, at("2026-11-23T12:20:00Z"), 5, 10, kDaily, kToday);
  CHECK(woke->baseline == doctest::Approx(1000.0 / 24 * 0.1));
  CHECK(woke->spiking);
  CHECK_FALSE(detectSpike(dormant, 15, period, at("2026-11-23T12:20:00Z"), 5, 10, kDaily, kToday)->spiking);
  CHECK_FALSE(detectSpike(HourlyHistory{}, 30, period, at("2026-11-23T12:20:00Z"), 5, 10, kDaily, kToday));
  HourlyHistory young{at("2026-11-23T12:00:00Z") / kMsPerHour, period, 0, false, {0, 0}};
  CHECK_FALSE(detectSpike(young, 30, period, at("2026-11-23T12:20:00Z"), 5, 10, kDaily, kToday));  // too little history
}

TEST_CASE("a projection uses the recent rate and says when the quota runs out") {
  const Day period = day("2026-11-23");
  HourlyHistory history{at("2026-11-23T12:00:00Z") / kMsPerHour, period, 400, false, {5, 5, 5, 40, 40, 40, 40, 40, 40}};
  Projection projection = project(history, 400, kDaily, kToday, at("2026-11-23T12:00:00Z"));
  CHECK(projection.ratePerHour == doctest::Approx(40));  // the last five hours; none of this one yet
  CHECK(projection.endOfPeriod == doctest::Approx(400 + 40 * 12));
  CHECK(*projection.percentOfQuota == doctest::Approx(88));
  CHECK_FALSE(projection.quotaReachedAtMs);  // 880 by midnight: it does not run out

  // Half an hour on, 100 more: (200 + 100) / 5.5 h = 54.5 an hour.
  projection = project(history, 500, kDaily, kToday, at("2026-11-23T12:30:00Z"));
  CHECK(projection.ratePerHour == doctest::Approx(300 / 5.5));
  REQUIRE(projection.quotaReachedAtMs);
  CHECK(isoTimestamp(*projection.quotaReachedAtMs) == "2026-11-23T21:40:00Z");

  // With little history, the period's average rate.
  projection = project(HourlyHistory{}, 120, kDaily, kToday, at("2026-11-23T12:00:00Z"));
  CHECK(projection.ratePerHour == doctest::Approx(10));
  CHECK(projection.endOfPeriod == doctest::Approx(240));

  const Allowance paid{Billing::Overage, Period::Month, 1e6, 5.0, 1e6, false};
  const Window november{day("2026-11-01"), day("2026-11-15"), day("2026-12-01")};
  projection = project(HourlyHistory{}, 1e6, paid, november, at("2026-11-16T00:00:00Z"));
  CHECK(projection.endOfPeriod == doctest::Approx(2e6));
  CHECK(projection.overageUsd == doctest::Approx(5.0));
}

TEST_CASE("evaluations alert on projections once a period and on spikes once a day") {
  const Config config = *parseConfig(json::parse(R"({"plan":"free"})")).config;
  auto kv = [](double writes) {
    DatasetOutcome outcome;
    outcome.dataset = "kvOperationsAdaptiveGroups";
    outcome.ok = true;
    outcome.rows = {{"kv-writes", "", day("2026-11-23"), writes}};
    return std::vector<DatasetOutcome>{outcome};
  };
  auto hasEvent = [](const Evaluation& evaluation, const char* level) {
    return std::any_of(evaluation.events.begin(), evaluation.events.end(), [&](const PollEvent& e) { return e.level == level; });
  };
  PollState state;
  // A steady trickle of 10 writes an hour from midnight.
  for (int hour = 1; hour <= 6; ++hour) {
    Evaluation evaluation = evaluate(config, state, kv(10.0 * hour), at("2026-11-23T00:00:00Z") + hour * kMsPerHour);
    CHECK_FALSE(hasEvent(evaluation, "spike"));
    CHECK_FALSE(hasEvent(evaluation, "projection"));
    state = applyChanges(state, evaluation.changes);
  }
  // Then 200 in 20 minutes: a spike, and on course for more than the 1,000 a day.
  Evaluation evaluation = evaluate(config, state, kv(260), at("2026-11-23T06:20:00Z"));
  CHECK(hasEvent(evaluation, "spike"));
  CHECK(hasEvent(evaluation, "projection"));
  const PollEvent& spike = *std::find_if(evaluation.events.begin(), evaluation.events.end(),
                                         [](const PollEvent& e) { return e.level == "spike"; });
  CHECK(spike.key == "kv-writes");
  CHECK(spike.details["used"] == 260);
  state = applyChanges(state, evaluation.changes);
  evaluation = evaluate(config, state, kv(300), at("2026-11-23T06:40:00Z"));
  CHECK_FALSE(hasEvent(evaluation, "spike"));       // once a day
  CHECK_FALSE(hasEvent(evaluation, "projection"));  // once a period
  for (const json& entry : evaluation.report["resources"]) {
    if (entry["key"] == "kv-writes") CHECK(entry["hourly"] == json::array({10, 10, 10, 10, 10}));
  }
}
