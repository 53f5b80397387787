// The usage poll's core: requests, answers, evaluation and state changes.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "breaker_lifecycle.h"
#include "evaluate.h"
#include "json_text.h"
#include "poll_state.h"
#include "usage_query.h"

using namespace edgefuse;
using nlohmann::json;

namespace {

Config configOf(const char* text) {
  ConfigResult result = parseConfig(json::parse(text));
  REQUIRE_MESSAGE(result.config, (result.problems.empty() ? "" : result.problems[0].path + ": " + result.problems[0].message));
  return *result.config;
}

std::int64_t at(const char* iso) { return *parseIsoTimestamp(iso); }
Day day(const char* iso) { return *parseIsoDate(iso); }
const Day kToday = *parseIsoDate("2026-11-23");

DatasetOutcome usage(const std::string& dataset, std::vector<UsageRow> rows) {
  DatasetOutcome outcome;
  outcome.dataset = dataset;
  outcome.ok = true;
  outcome.rows = std::move(rows);
  return outcome;
}

DatasetOutcome failure(const std::string& dataset, const std::string& error) {
  DatasetOutcome outcome;
  outcome.dataset = dataset;
  outcome.error = error;
  return outcome;
}

// A KV answer for one day: reads and writes account-wide.
std::vector<DatasetOutcome> kv(Day on, double writes, double reads = 0) {
  return {usage("kvOperationsAdaptiveGroups",
                {{"kv-writes", "ns1", on, writes}, {"kv-reads", "ns1", on, reads}})};
}

// `outcomes`, plus an empty answer from every other polled dataset.
std::vector<DatasetOutcome> withAllDatasets(std::vector<DatasetOutcome> outcomes) {
  for (const Resource* resource : polledResources()) {
    const std::string dataset(resource->dataset);
    if (std::none_of(outcomes.begin(), outcomes.end(), [&](const DatasetOutcome& o) { return o.dataset == dataset; })) {
      outcomes.push_back(usage(dataset, {}));
    }
  }
  return outcomes;
}

const json* reportFor(const Evaluation& evaluation, const std::string& key) {
  for (const json& entry : evaluation.report["resources"]) {
    if (entry["key"] == key) return &entry;
  }
  return nullptr;
}

bool hasEvent(const Evaluation& evaluation, const std::string& level, const std::string& key) {
  return std::any_of(evaluation.events.begin(), evaluation.events.end(),
                     [&](const PollEvent& event) { return event.level == level && event.key == key; });
}

// Runs a tick and applies its changes the way the shim does.
PollState tick(const Config& config, const PollState& state, const std::vector<DatasetOutcome>& outcomes,
               std::int64_t now, Evaluation* out = nullptr) {
  Evaluation evaluation = evaluate(config, state, outcomes, now);
  PollState next = evaluation.write ? applyChanges(state, evaluation.changes) : state;
  if (out) *out = evaluation;
  return next;
}

}  // namespace

TEST_CASE("one request per documented dataset, over the window the config needs") {
  const Config free = configOf(R"({"plan":"free"})");
  const auto requests = buildUsageRequests(free, at("2026-11-23T10:00:00Z"), "abc123");
  std::vector<std::string> datasets;
  for (const auto& request : requests) datasets.push_back(request.dataset);
  CHECK(datasets == std::vector<std::string>{"workersInvocationsAdaptive", "kvOperationsAdaptiveGroups",
                                             "d1AnalyticsAdaptiveGroups", "r2OperationsAdaptiveGroups",
                                             "queueMessageOperationsAdaptiveGroups",
                                             "durableObjectsInvocationsAdaptiveGroups",
                                             "durableObjectsPeriodicGroups", "aiInferenceAdaptiveGroups",
                                             "vectorizeQueriesAdaptiveGroups", "vectorizeStorageAdaptiveGroups",
                                             "d1StorageAdaptiveGroups",
                                             "r2StorageAdaptiveGroups", "durableObjectsStorageGroups",
                                             "workersAnalyticsEngineAdaptiveGroups",
                                             "imagesUniqueTransformations", "hyperdriveQueriesAdaptiveGroups"});
  auto queryOf = [&](const std::string& dataset) {
    for (const auto& request : requests) if (request.dataset == dataset) return request.query;
    return std::string();
  };
  // Only what something is judged on is asked for: Stream is billed from the first minute,
  // with no quota to measure against, so on the free plan (no budget) nothing is decided on
  // it; with a budget, or a line of its own, it is.
  CHECK(queryOf("streamMinutesViewedAdaptiveGroups").empty());
  CHECK(judgedDatasets(configOf(R"({"plan":"free","thresholds":{"stream-minutes-delivered":{"tripAt":1000}}})")).size() ==
        requests.size() + 1);
  const auto paidDatasets = judgedDatasets(configOf(R"({"plan":"paid","budget":{"maxUsd":5}})"));
  CHECK(std::find(paidDatasets.begin(), paidDatasets.end(), "streamMinutesViewedAdaptiveGroups") != paidDatasets.end());
  // CPU time rides on the Workers request, the storage units on Durable Objects duration's.
  CHECK(requests[0].query.find("cpuTimeUs") != std::string::npos);
  CHECK(queryOf("durableObjectsPeriodicGroups").find("sum { duration inboundWebsocketMsgCount storageDeletes storageReadUnits storageWriteUnits }") != std::string::npos);
  // A stored level is always asked per day and per binding: a row across them would be their
  // largest, not their total.
  CHECK(queryOf("d1StorageAdaptiveGroups").find("max { databaseSizeBytes }") != std::string::npos);
  CHECK(queryOf("d1StorageAdaptiveGroups").find("dimensions { databaseId date }") != std::string::npos);
  // R2's storage classes are told apart: Infrequent Access has its own prices and no free tier.
  CHECK(queryOf("r2StorageAdaptiveGroups").find("dimensions { bucketName date storageClass }") != std::string::npos);
  CHECK(queryOf("r2OperationsAdaptiveGroups").find("dimensions { actionType storageClass }") != std::string::npos);

  // Free-plan D1 quotas are daily: today only, one total, split neither by day nor database.
  const UsageRequest& d1 = requests[2];
  CHECK(d1.query.find("sum { rowsRead rowsWritten }") != std::string::npos);
  CHECK(d1.query.find("dimensions") == std::string::npos);
  CHECK(d1.query.find("date_geq: $start, date_leq: $end") != std::string::npos);
  CHECK(d1.variables["start"] == "2026-11-23");
  CHECK(d1.variables["end"] == "2026-11-23");
  CHECK(d1.variables["accountTag"] == "abc123");
  // R2's free allowance is monthly: from the 1st.
  const UsageRequest& r2 = requests[3];
  CHECK(r2.query.find("datetime_geq: $start") != std::string::npos);
  CHECK(r2.variables["start"] == "2026-11-01T00:00:00Z");
  CHECK(r2.variables["end"] == "2026-11-23T10:00:00Z");

  // Paid: the billing month, from the renewal day.
  const Config paid = configOf(R"({"plan":"paid","billingDay":15,"budget":{"maxUsd":5}})");
  const UsageRequest kv = buildUsageRequests(paid, at("2026-11-10T00:00:00Z"), "abc")[1];
  CHECK(kv.variables["start"] == "2026-10-15");
  CHECK(kv.query.find("dimensions { actionType }") != std::string::npos);
  // A daily budget needs the month split by day, to tell today's overage from the rest.
  const Config daily = configOf(R"({"plan":"paid","budget":{"maxUsd":5,"granularity":"day"}})");
  CHECK(buildUsageRequests(daily, at("2026-11-10T00:00:00Z"), "abc")[1].query.find(
            "dimensions { actionType date }") != std::string::npos);
  // A per-binding threshold splits its dataset by binding.
  const Config perBinding = configOf(R"({"plan":"free","bindingIds":{"DB":"db-1"},"thresholds":{"d1-rows-written:DB":{"tripAt":5}}})");
  CHECK(buildUsageRequests(perBinding, at("2026-11-10T00:00:00Z"), "abc")[2].query.find("dimensions { databaseId }") !=
        std::string::npos);
}

TEST_CASE("rows without a date count on today, a date in the future is an error") {
  const std::string body = R"({"data":{"viewer":{"accounts":[{"d1AnalyticsAdaptiveGroups":[
      {"sum":{"rowsRead":10,"rowsWritten":3},"dimensions":{"databaseId":"db-1"}}]}]}}})";
  DatasetOutcome outcome = parseUsageResponse("d1AnalyticsAdaptiveGroups", 200, body, kToday);
  REQUIRE(outcome.ok);
  REQUIRE(outcome.rows.size() == 2);
  CHECK(outcome.rows[0].day == kToday);
  CHECK(outcome.rows[0].resource == "d1-rows-read");
  CHECK(outcome.rows[1].units == 3);
  const std::string future = R"({"data":{"viewer":{"accounts":[{"d1AnalyticsAdaptiveGroups":[
      {"sum":{"rowsRead":10},"dimensions":{"date":"2026-11-24"}}]}]}}})";
  CHECK_FALSE(parseUsageResponse("d1AnalyticsAdaptiveGroups", 200, future, kToday).ok);
}

TEST_CASE("answers become per-day, per-binding usage rows, anything odd is an error") {
  const std::string body = R"({"data":{"viewer":{"accounts":[{"kvOperationsAdaptiveGroups":[
      {"sum":{"requests":700},"dimensions":{"date":"2026-11-23","actionType":"write","namespaceId":"ns1"}},
      {"sum":{"requests":50},"dimensions":{"date":"2026-11-22","actionType":"read","namespaceId":"ns2"}},
      {"sum":{"requests":9},"dimensions":{"date":"2026-11-23","actionType":"list","namespaceId":"ns1"}}]}]}},
      "errors":null})";
  DatasetOutcome outcome = parseUsageResponse("kvOperationsAdaptiveGroups", 200, body, kToday);
  REQUIRE(outcome.ok);
  REQUIRE(outcome.rows.size() == 3);
  CHECK(outcome.rows[2].resource == "kv-lists");
  outcome.rows.pop_back();
  REQUIRE(outcome.rows.size() == 2);
  CHECK(outcome.rows[0].resource == "kv-writes");
  CHECK(outcome.rows[0].bindingId == "ns1");
  CHECK(outcome.rows[0].units == 700);
  CHECK(outcome.rows[1].resource == "kv-reads");
  CHECK(outcome.rows[1].day == day("2026-11-22"));

  // KV bills four operations: any other name means the answer is not understood, and the
  // dataset is not trusted (no row of it is used).
  const std::string unknown = R"({"data":{"viewer":{"accounts":[{"kvOperationsAdaptiveGroups":[
      {"sum":{"requests":9},"dimensions":{"date":"2026-11-23","actionType":"somethingElse","namespaceId":"ns1"}}]}]}}})";
  const DatasetOutcome refused = parseUsageResponse("kvOperationsAdaptiveGroups", 200, unknown, kToday);
  CHECK_FALSE(refused.ok);
  CHECK(refused.error.find("unknown dimensions.actionType \"somethingElse\"") != std::string::npos);

  CHECK(parseUsageResponse("kvOperationsAdaptiveGroups", 500, "", kToday).error == "HTTP 500");
  CHECK(parseUsageResponse("kvOperationsAdaptiveGroups", 429, "", kToday).error.find("rate limited") != std::string::npos);
  CHECK(parseUsageResponse("kvOperationsAdaptiveGroups", 200, "{\"data\":", kToday).error == "the answer is not JSON");
  CHECK(parseUsageResponse("kvOperationsAdaptiveGroups", 200, R"({"data":null,"errors":[{"message":"no access"}]})", kToday).error ==
        "GraphQL error: no access");
  CHECK_FALSE(parseUsageResponse("kvOperationsAdaptiveGroups", 200, R"({"data":{"viewer":{"accounts":"x"}}})", kToday).ok);
  CHECK_FALSE(parseUsageResponse("kvOperationsAdaptiveGroups", 200, R"({"data":{"viewer":{"accounts":[{}]}}})", kToday).ok);
  for (const char* absurd : {"-5", "1e308", "\"NaN\"", "null"}) {
    const std::string bad = std::string(R"({"data":{"viewer":{"accounts":[{"kvOperationsAdaptiveGroups":[
        {"sum":{"requests":)") + absurd + R"(},"dimensions":{"date":"2026-11-23","actionType":"write"}}]}]}}})";
    DatasetOutcome garbage = parseUsageResponse("kvOperationsAdaptiveGroups", 200, bad, kToday);
    CHECK_MESSAGE(!garbage.ok, absurd);
    CHECK(garbage.rows.empty());
  }
}

TEST_CASE("a free-plan daily quota trips at the trip line, holds between the lines, and recovers below recover") {
  const Config config = configOf(R"({"plan":"free"})");  // kv-writes: 1,000/day, trip 90, recover 80
  const Day today = day("2026-11-23");
  Evaluation evaluation;
  PollState state = tick(config, {}, kv(today, 850), at("2026-11-23T10:00:00Z"), &evaluation);
  CHECK(state.breakers.empty());
  CHECK((*reportFor(evaluation, "kv-writes"))["decision"] == "warn");
  CHECK(hasEvent(evaluation, "warn", "kv-writes"));

  state = tick(config, state, kv(today, 920), at("2026-11-23T10:05:00Z"), &evaluation);
  REQUIRE(state.breakers.count("kv-writes"));
  CHECK(state.breakers["kv-writes"].source == "poll");
  CHECK(state.breakers["kv-writes"].reason == "kv-writes at 92.0% of its 1,000 operations per day (trips at 90.0%)");
  CHECK(hasEvent(evaluation, "trip", "kv-writes"));

  // Between recover (80) and trip (90): no flapping either way. Analytics can dip.
  state = tick(config, state, kv(today, 850), at("2026-11-23T10:10:00Z"), &evaluation);
  CHECK(state.breakers.count("kv-writes"));
  CHECK((*reportFor(evaluation, "kv-writes"))["decision"] == "tripped");
  CHECK_FALSE(hasEvent(evaluation, "trip", "kv-writes"));  // alerted once per window

  // The UTC day changes: the quota resets, the breaker recovers.
  state = tick(config, state, kv(day("2026-11-24"), 10), at("2026-11-24T00:05:00Z"), &evaluation);
  CHECK(state.breakers.empty());
  CHECK(hasEvent(evaluation, "recover", "kv-writes"));
  // Yesterday's usage no longer counts toward today's window.
  auto both = kv(today, 5000);
  both[0].rows.push_back({"kv-writes", "ns1", day("2026-11-24"), 100});
  state = tick(config, state, both, at("2026-11-24T00:10:00Z"), &evaluation);
  CHECK(state.breakers.empty());
  CHECK((*reportFor(evaluation, "kv-writes"))["used"] == 100);
}

TEST_CASE("a steady tick writes nothing, a heartbeat once an hour") {
  const Config config = configOf(R"({"plan":"free"})");
  const Day today = day("2026-11-23");
  PollState state = tick(config, {}, kv(today, 10), at("2026-11-23T10:00:00Z"));
  CHECK(state.health.lastWrittenAt == "2026-11-23T10:00:00Z");  // the first tick writes
  Evaluation evaluation = evaluate(config, state, kv(today, 20), at("2026-11-23T10:05:00Z"));
  CHECK_FALSE(evaluation.write);
  CHECK(evaluation.changes.empty());
  evaluation = evaluate(config, state, kv(today, 30), at("2026-11-23T11:00:00Z"));
  CHECK(evaluation.write);
}

TEST_CASE("tripAt and granularity: an absolute daily line on a paid monthly resource") {
  const Config config = configOf(
      R"({"plan":"paid","budget":{"maxUsd":1000},"thresholds":{"kv-writes":{"tripAt":5000,"granularity":"day"}}})");
  const Day today = day("2026-11-23");
  auto outcomes = kv(today, 4000);
  outcomes[0].rows.push_back({"kv-writes", "ns1", day("2026-11-22"), 90000});  // yesterday: not today's window
  Evaluation evaluation;
  PollState state = tick(config, {}, outcomes, at("2026-11-23T12:00:00Z"), &evaluation);
  CHECK(state.breakers.empty());
  const json& entry = *reportFor(evaluation, "kv-writes");
  CHECK(entry["used"] == 4000);
  CHECK(entry["window"]["granularity"] == "day");
  CHECK(entry["quota"].get<double>() == doctest::Approx(1e6 / 30));  // a day's share of November
  outcomes[0].rows[0].units = 5200;
  state = tick(config, state, outcomes, at("2026-11-23T12:05:00Z"));
  REQUIRE(state.breakers.count("kv-writes"));
  CHECK(state.breakers["kv-writes"].reason == "kv-writes used 5,200 operations this day (trips at 5,000)");
}

TEST_CASE("a per-binding threshold trips only that binding") {
  const Config config = configOf(R"({"plan":"free","bindingIds":{"DB":"db-1"},
      "thresholds":{"d1-rows-written:DB":{"tripAt":1000},"d1-rows-written":{"trip":null}}})");
  std::vector<DatasetOutcome> outcomes = {usage("d1AnalyticsAdaptiveGroups", {
      {"d1-rows-written", "db-1", day("2026-11-23"), 1500},
      {"d1-rows-written", "db-2", day("2026-11-23"), 40000}})};
  Evaluation evaluation;
  PollState state = tick(config, {}, outcomes, at("2026-11-23T12:00:00Z"), &evaluation);
  REQUIRE(state.breakers.size() == 1);
  CHECK(state.breakers.count("d1-rows-written:DB"));
  CHECK(state.breakers["d1-rows-written:DB"].binding == "DB");
  CHECK((*reportFor(evaluation, "d1-rows-written:DB"))["used"] == 1500);
  CHECK((*reportFor(evaluation, "d1-rows-written"))["used"] == 41500);
}

TEST_CASE("per-binding thresholds need the binding's analytics id") {
  ConfigResult result = parseConfig(json::parse(R"({"plan":"free","thresholds":{"d1-rows-written:DB":{"tripAt":5}}})"));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].path == "thresholds.d1-rows-written:DB");
  CHECK(result.problems[0].fix == "add bindingIds.DB: its databaseId");
  result = parseConfig(json::parse(R"({"plan":"free","bindingIds":{"DB":"x\"}) { evil"}})"));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].path == "bindingIds.DB");
}

TEST_CASE("the budget trips only the resources that generate overage, and recovers under its warn line") {
  const Config config = configOf(R"({"plan":"paid","budget":{"maxUsd":10}})");
  const Day today = day("2026-11-23");
  // kv-writes: 3,000,000 this month = 2,000,000 over = $10. kv-reads within the inclusion.
  auto outcomes = kv(today, 3e6, 5e6);
  Evaluation evaluation;
  PollState state = tick(config, {}, outcomes, at("2026-11-23T12:00:00Z"), &evaluation);
  REQUIRE(state.breakers.size() == 1);
  CHECK(state.breakers["kv-writes"].source == "budget");
  CHECK(state.breakers["kv-writes"].reason == "budget: $10.00 of $10.00 overage this month (kv-writes $10.00)");
  CHECK(evaluation.report["budget"]["usedUsd"] == 10.0);
  CHECK(evaluation.report["budget"]["decision"] == "trip");

  // A new billing month, but R2 did not answer: the total is a lower bound, so it holds.
  state = tick(config, state, kv(day("2026-12-01"), 10), at("2026-12-01T00:10:00Z"), &evaluation);
  CHECK(state.breakers.count("kv-writes"));
  CHECK(evaluation.report["budget"]["stale"] == true);
  // Every dataset answered: no overage, the budget trip recovers.
  state = tick(config, state, withAllDatasets(kv(day("2026-12-01"), 10)), at("2026-12-01T00:15:00Z"), &evaluation);
  CHECK(state.breakers.empty());
  CHECK(hasEvent(evaluation, "recover", "kv-writes"));
}

TEST_CASE("a daily budget counts only the overage accrued today") {
  const Config config = configOf(R"({"plan":"paid","budget":{"maxUsd":4,"granularity":"day"}})");
  // 1,500,000 writes before today (500,000 over = $2.50), 1,000,000 today ($5.00 more).
  std::vector<DatasetOutcome> outcomes = {usage("kvOperationsAdaptiveGroups", {
      {"kv-writes", "", day("2026-11-10"), 1.5e6}, {"kv-writes", "", day("2026-11-23"), 1e6}})};
  Evaluation evaluation = evaluate(config, {}, outcomes, at("2026-11-23T12:00:00Z"));
  CHECK(evaluation.report["budget"]["usedUsd"].get<double>() == doctest::Approx(5.0));
  CHECK(evaluation.changes.trip.count("kv-writes"));
}

TEST_CASE("dry run reports what would happen and blocks nothing") {
  const Config config = configOf(R"({"plan":"free","dryRun":true})");
  Evaluation evaluation;
  PollState state = tick(config, {}, kv(day("2026-11-23"), 990), at("2026-11-23T12:00:00Z"), &evaluation);
  CHECK(state.breakers.empty());
  CHECK((*reportFor(evaluation, "kv-writes"))["decision"] == "trip");
  REQUIRE(hasEvent(evaluation, "trip", "kv-writes"));
  CHECK(evaluation.events[0].dryRun);
  CHECK(evaluation.report["dryRun"] == true);
}

TEST_CASE("a failing dataset changes nothing it feeds, and N failures in a row make the guard blind") {
  const Config config = configOf(R"({"plan":"free","failuresUntilBlind":2})");
  const Day today = day("2026-11-23");
  PollState state = tick(config, {}, kv(today, 950), at("2026-11-23T12:00:00Z"));
  REQUIRE(state.breakers.count("kv-writes"));

  Evaluation evaluation;
  const std::vector<DatasetOutcome> down = {failure("kvOperationsAdaptiveGroups", "HTTP 500"),
                                            usage("d1AnalyticsAdaptiveGroups", {})};
  state = tick(config, state, down, at("2026-11-23T12:05:00Z"), &evaluation);
  CHECK(state.breakers.count("kv-writes"));  // stays tripped: recovery is not confirmed
  CHECK((*reportFor(evaluation, "kv-writes"))["stale"] == true);
  CHECK(state.health.lastError == "kvOperationsAdaptiveGroups: HTTP 500");
  CHECK(state.health.consecutiveFailures == 1);
  CHECK(evaluation.write);
  CHECK_FALSE(hasEvent(evaluation, "blind", "usage-api"));

  // One dataset failing N times makes its resources blind, not the whole guard.
  state = tick(config, state, down, at("2026-11-23T12:10:00Z"), &evaluation);
  CHECK(state.health.consecutiveFailures == 2);
  CHECK(evaluation.report["health"]["blind"] == false);
  CHECK(evaluation.report["health"]["blindDatasets"] == json::array({"kvOperationsAdaptiveGroups"}));
  CHECK(hasEvent(evaluation, "blind", "kvOperationsAdaptiveGroups"));

  // Every dataset failing N times: the guard is blind, said once.
  const std::vector<DatasetOutcome> allDown = {failure("kvOperationsAdaptiveGroups", "HTTP 500"),
                                               failure("d1AnalyticsAdaptiveGroups", "HTTP 500")};
  state = tick(config, state, allDown, at("2026-11-23T12:15:00Z"), &evaluation);
  CHECK(evaluation.report["health"]["blind"] == false);  // d1 has failed once so far
  state = tick(config, state, allDown, at("2026-11-23T12:20:00Z"), &evaluation);
  CHECK(evaluation.report["health"]["blind"] == true);
  CHECK(hasEvent(evaluation, "blind", "usage-api"));
  state = tick(config, state, allDown, at("2026-11-23T12:25:00Z"), &evaluation);
  CHECK_FALSE(hasEvent(evaluation, "blind", "usage-api"));  // once

  state = tick(config, state, withAllDatasets(kv(today, 10)), at("2026-11-23T12:30:00Z"), &evaluation);
  CHECK(state.health.consecutiveFailures == 0);
  CHECK(state.health.lastError.empty());
  CHECK(evaluation.report["health"]["blind"] == false);
}

TEST_CASE("stored levels: the day's peak against a free cap, GB-months where they are billed") {
  // Two databases' daily peaks, in GB, as the rows of d1StorageAdaptiveGroups give them.
  std::vector<UsageRow> rows;
  for (Day d = day("2026-11-01"); d <= kToday; ++d) {
    rows.push_back({"d1-storage-gb", "db-1", d, 3.0});
    rows.push_back({"d1-storage-gb", "db-2", d, d == kToday ? 1.8 : 0.5});
  }
  Evaluation evaluation;
  // Free: 5 GB in all is a level: today's 4.8 GB is 96% of it, however many days went before.
  tick(configOf(R"({"plan":"free"})"), {}, withAllDatasets({usage("d1StorageAdaptiveGroups", rows)}),
       at("2026-11-23T12:00:00Z"), &evaluation);
  const json& free = *reportFor(evaluation, "d1-storage-gb");
  CHECK(free["used"].get<double>() == doctest::Approx(4.8));
  CHECK(free["quota"] == 5);
  CHECK(free["decision"] == "trip");
  // Paid: 5 GB-months included, then $0.75 per GB-month; 22 days at 3.5 GB and one at 4.8 GB
  // are (22 x 3.5 + 4.8) / 30 = 2.7267 GB-months so far: within the inclusion.
  tick(configOf(R"({"plan":"paid","budget":{"maxUsd":5}})"), {}, withAllDatasets({usage("d1StorageAdaptiveGroups", rows)}),
       at("2026-11-23T12:00:00Z"), &evaluation);
  CHECK((*reportFor(evaluation, "d1-storage-gb"))["used"].get<double>() == doctest::Approx((22 * 3.5 + 4.8) / 30));
  CHECK((*reportFor(evaluation, "d1-storage-gb"))["overageUsd"] == 0);
  // 60 GB stored all month: 23 x 60 / 30 = 46 GB-months, $30.75 over: the budget trips it.
  std::vector<UsageRow> large;
  for (Day d = day("2026-11-01"); d <= kToday; ++d) large.push_back({"d1-storage-gb", "db-1", d, 60});
  tick(configOf(R"({"plan":"paid","budget":{"maxUsd":5}})"), {}, withAllDatasets({usage("d1StorageAdaptiveGroups", large)}),
       at("2026-11-23T12:00:00Z"), &evaluation);
  CHECK((*reportFor(evaluation, "d1-storage-gb"))["overageUsd"].get<double>() == doctest::Approx((46 - 5) * 0.75));
  CHECK(evaluation.report["budget"]["contributions"]["d1-storage-gb"].get<double>() == doctest::Approx(30.75));
  CHECK(hasEvent(evaluation, "trip", "d1-storage-gb"));
}

TEST_CASE("incoming WebSocket messages, in another dataset, are billed as Durable Objects requests at 20:1") {
  const Config free = configOf(R"({"plan":"free"})");
  // 60,000 requests, and 900,000 messages that bill as 45,000 more: 105% of 100,000 a day.
  const DatasetOutcome requests = usage("durableObjectsInvocationsAdaptiveGroups", {{"do-requests", "", kToday, 60'000}});
  const DatasetOutcome periodic = parseUsageResponse(
      "durableObjectsPeriodicGroups", 200,
      R"({"data":{"viewer":{"accounts":[{"durableObjectsPeriodicGroups":[{"sum":{"duration":1,"inboundWebsocketMsgCount":900000,"storageDeletes":0,"storageReadUnits":0,"storageWriteUnits":0}}]}]}},"errors":null})",
      kToday);
  REQUIRE(periodic.ok);
  Evaluation evaluation;
  tick(free, {}, withAllDatasets({requests, periodic}), at("2026-11-23T12:00:00Z"), &evaluation);
  CHECK((*reportFor(evaluation, "do-requests"))["used"].get<double>() == doctest::Approx(105'000));
  CHECK((*reportFor(evaluation, "do-requests"))["decision"] == "trip");
  CHECK(reportFor(evaluation, "do-websocket-messages") == nullptr);  // judged within do-requests
  // Without the messages' dataset, requests alone are no trustworthy figure.
  tick(free, {}, withAllDatasets({requests, failure("durableObjectsPeriodicGroups", "HTTP 500")}),
       at("2026-11-23T12:00:00Z"), &evaluation);
  CHECK((*reportFor(evaluation, "do-requests"))["stale"] == true);
  CHECK(evaluation.report["health"]["datasetFailures"] == json{{"durableObjectsPeriodicGroups", 1}});
  // A messages' dataset the token may not read leaves requests judged on their own.
  DatasetOutcome noAccess = failure("durableObjectsPeriodicGroups", "GraphQL error: does not have access to the path");
  noAccess.inaccessible = true;
  tick(free, {}, withAllDatasets({usage("durableObjectsInvocationsAdaptiveGroups", {{"do-requests", "", kToday, 95'000}}), noAccess}),
       at("2026-11-23T12:00:00Z"), &evaluation);
  CHECK((*reportFor(evaluation, "do-requests"))["decision"] == "trip");
  // A line on the part is refused: it is judged in the whole.
  const ConfigResult refused = parseConfig(json::parse(R"({"plan":"free","thresholds":{"do-websocket-messages":{"tripAt":5}}})"));
  REQUIRE(refused.problems.size() == 1);
  CHECK(refused.problems[0].message == "do-websocket-messages is billed as do-requests and judged there");
}

TEST_CASE("a breaker the poll tripped on a resource no longer judged is lifted, not left for ever") {
  // Hyperdrive trips on the free plan's daily queries; on the paid plan they are unlimited and
  // nothing is judged on them, so nothing would ever confirm or lift that breaker.
  Evaluation evaluation;
  PollState state = tick(configOf(R"({"plan":"free"})"), {},
                         withAllDatasets({usage("hyperdriveQueriesAdaptiveGroups", {{"hyperdrive-queries", "", kToday, 95'000}})}),
                         at("2026-11-23T12:00:00Z"), &evaluation);
  REQUIRE(state.breakers.count("hyperdrive-queries"));
  const Config paid = configOf(R"({"plan":"paid","budget":{"maxUsd":5}})");
  CHECK_FALSE(isJudged(paid, *findResource("hyperdrive-queries")));
  state = tick(paid, state, withAllDatasets({}), at("2026-11-23T12:05:00Z"), &evaluation);
  CHECK_FALSE(state.breakers.count("hyperdrive-queries"));
  CHECK(hasEvent(evaluation, "recover", "hyperdrive-queries"));
  // A manual trip stands whatever is judged.
  state.breakers["hyperdrive-queries"] = Breaker{"hyperdrive-queries", "", "by hand", "2026-11-23T12:06:00Z", "manual", ""};
  state = tick(paid, state, withAllDatasets({}), at("2026-11-23T12:10:00Z"), &evaluation);
  CHECK(state.breakers.count("hyperdrive-queries"));
}

TEST_CASE("R2's storage classes are told apart, and one R2 adds is counted in the dearer") {
  const std::string body = R"({"data":{"viewer":{"accounts":[{"r2OperationsAdaptiveGroups":[
      {"sum":{"requests":100},"dimensions":{"actionType":"PutObject","storageClass":"Standard"}},
      {"sum":{"requests":20},"dimensions":{"actionType":"PutObject","storageClass":"InfrequentAccess"}},
      {"sum":{"requests":3},"dimensions":{"actionType":"GetObject","storageClass":"InfrequentAccess"}},
      {"sum":{"requests":4},"dimensions":{"actionType":"PutObject","storageClass":"DeepArchive"}},
      {"sum":{"requests":5},"dimensions":{"actionType":"BrandNewWrite","storageClass":"InfrequentAccess"}}]}]}},"errors":null})";
  const DatasetOutcome outcome = parseUsageResponse("r2OperationsAdaptiveGroups", 200, body, kToday);
  REQUIRE(outcome.ok);
  std::map<std::string, double> units;
  for (const UsageRow& row : outcome.rows) units[std::string(row.resource)] += row.units;
  CHECK(units["r2-class-a"] == 100);
  CHECK(units["r2-ia-class-a"] == 20 + 4 + 5);  // an unknown class, an unknown operation: the dearer
  CHECK(units["r2-ia-class-b"] == 3);
  CHECK(units["r2-class-b"] == 0);
  CHECK(outcome.unknownActionTypes == std::set<std::string>{"BrandNewWrite", "storage class DeepArchive"});
  // A row without its class cannot be priced: the dataset is not trusted.
  CHECK_FALSE(parseUsageResponse("r2OperationsAdaptiveGroups", 200,
                                 R"({"data":{"viewer":{"accounts":[{"r2OperationsAdaptiveGroups":[{"sum":{"requests":1},"dimensions":{"actionType":"PutObject"}}]}]}},"errors":null})",
                                 kToday).ok);
  // Storage: an unknown class counts as Standard, whose GB-month is dearer.
  const DatasetOutcome storage = parseUsageResponse("r2StorageAdaptiveGroups", 200, R"({"data":{"viewer":{"accounts":[{"r2StorageAdaptiveGroups":[
      {"max":{"payloadSize":2000000000},"dimensions":{"bucketName":"b","date":"2026-11-23","storageClass":"InfrequentAccess"}},
      {"max":{"payloadSize":7000000000},"dimensions":{"bucketName":"b","date":"2026-11-23","storageClass":"Cold"}}]}]}},"errors":null})", kToday);
  REQUIRE(storage.ok);
  REQUIRE(storage.rows.size() == 2);
  CHECK(storage.rows[0].resource == "r2-ia-storage-gb");
  CHECK(storage.rows[0].units == doctest::Approx(2));
  CHECK(storage.rows[1].resource == "r2-storage-gb");
}

TEST_CASE("a capped level stands over a new day not sampled yet, and a level is not a rate") {
  const Config free = configOf(R"({"plan":"free","projection":{"alertAtPercent":90},"spike":{"factor":3}})");
  // The query reaches back a day for a capped level: a new UTC day has no sample for a while.
  for (const auto& request : buildUsageRequests(free, at("2026-11-23T00:05:00Z"), "abc")) {
    if (request.dataset == "d1StorageAdaptiveGroups") CHECK(request.variables["start"] == "2026-11-22");
  }
  // 4.8 GB yesterday and no sample yet today: still 4.8 GB, still tripped.
  Evaluation evaluation;
  PollState state = tick(free, {}, withAllDatasets({usage("d1StorageAdaptiveGroups", {{"d1-storage-gb", "db-1", kToday - 1, 4.8}})}),
                         at("2026-11-22T23:55:00Z"), &evaluation);
  REQUIRE(state.breakers.count("d1-storage-gb"));
  state = tick(free, state, withAllDatasets({usage("d1StorageAdaptiveGroups", {{"d1-storage-gb", "db-1", kToday - 1, 4.8}})}),
               at("2026-11-23T00:05:00Z"), &evaluation);
  CHECK((*reportFor(evaluation, "d1-storage-gb"))["used"].get<double>() == doctest::Approx(4.8));
  CHECK(state.breakers.count("d1-storage-gb"));
  // A steady 1 GB over days is no spike and no course for the cap: a level, not a rate.
  PollState steady;
  for (int hour = 0; hour < 30; ++hour) {
    const std::int64_t now = at("2026-11-22T00:30:00Z") + hour * 3'600'000LL;
    const Day on = dayOfMs(now);
    steady = tick(free, steady, withAllDatasets({usage("d1StorageAdaptiveGroups", {{"d1-storage-gb", "db-1", on, 1.0}})}), now, &evaluation);
    CHECK_FALSE(hasEvent(evaluation, "spike", "d1-storage-gb"));
    CHECK_FALSE(hasEvent(evaluation, "projection", "d1-storage-gb"));
  }
  CHECK((*reportFor(evaluation, "d1-storage-gb"))["projection"]["percent"].get<double>() == doctest::Approx(20));
  CHECK_FALSE(steady.history.count("d1-storage-gb"));
  // Billed per GB-month: today's level for each day left. 6 GB of D1 on the paid plan from
  // Nov 1 to 23 is 4.6 GB-months; 7 more days of it make 6 by the 30th.
  std::vector<UsageRow> rows;
  for (Day d = day("2026-11-01"); d <= kToday; ++d) rows.push_back({"d1-storage-gb", "db-1", d, 6.0});
  tick(configOf(R"({"plan":"paid","budget":{"maxUsd":50}})"), {}, withAllDatasets({usage("d1StorageAdaptiveGroups", rows)}),
       at("2026-11-23T12:00:00Z"), &evaluation);
  const json& projection = (*reportFor(evaluation, "d1-storage-gb"))["projection"];
  CHECK(projection["endOfPeriod"].get<double>() == doctest::Approx(6.0));
  CHECK(projection["overageUsd"].get<double>() == doctest::Approx(0.75));
}

TEST_CASE("a bare count and a flat row of days are asked for and read like any other field") {
  const Config free = configOf(R"({"plan":"free"})");
  const auto requests = buildUsageRequests(free, at("2026-11-23T10:00:00Z"), "abc123");
  auto queryOf = [&](const std::string& dataset) {
    for (const auto& request : requests) if (request.dataset == dataset) return request.query;
    FAIL("no request for " << dataset);
    return std::string();
  };
  // Hyperdrive's queries are the group's count; Images' rows are days: no dimensions block.
  CHECK(queryOf("hyperdriveQueriesAdaptiveGroups").find("        count\n") != std::string::npos);
  const std::string images = queryOf("imagesUniqueTransformations");
  CHECK(images.find("        date transformations\n") != std::string::npos);
  CHECK(images.find("dimensions") == std::string::npos);

  const DatasetOutcome hyperdrive = parseUsageResponse(
      "hyperdriveQueriesAdaptiveGroups", 200,
      R"({"data":{"viewer":{"accounts":[{"hyperdriveQueriesAdaptiveGroups":[{"count":95000,"dimensions":{"configId":"cfg"}}]}]}},"errors":null})",
      kToday);
  REQUIRE(hyperdrive.ok);
  REQUIRE(hyperdrive.rows.size() == 1);
  CHECK(hyperdrive.rows[0].resource == "hyperdrive-queries");
  CHECK(hyperdrive.rows[0].units == 95000);
  const DatasetOutcome transformations = parseUsageResponse(
      "imagesUniqueTransformations", 200,
      R"({"data":{"viewer":{"accounts":[{"imagesUniqueTransformations":[{"date":"2026-11-22","transformations":40},{"date":"2026-11-23","transformations":2}]}]}},"errors":null})",
      kToday);
  REQUIRE(transformations.ok);
  REQUIRE(transformations.rows.size() == 2);
  CHECK(transformations.rows[0].day == day("2026-11-22"));
  CHECK(transformations.rows[1].units == 2);
  // A row without its count is not a zero.
  CHECK_FALSE(parseUsageResponse("hyperdriveQueriesAdaptiveGroups", 200,
                                 R"({"data":{"viewer":{"accounts":[{"hyperdriveQueriesAdaptiveGroups":[{"dimensions":{}}]}]}},"errors":null})",
                                 kToday).ok);

  // On the free plan, Hyperdrive's 100,000 queries a day trip like any quota.
  Evaluation evaluation;
  tick(free, {}, withAllDatasets({hyperdrive}), at("2026-11-23T12:00:00Z"), &evaluation);
  CHECK((*reportFor(evaluation, "hyperdrive-queries"))["decision"] == "trip");
}

TEST_CASE("a dataset the account may not read is said once, as such, and is no sign of blindness") {
  // The refusal Cloudflare documents (https://developers.cloudflare.com/analytics/graphql-api/errors/).
  const std::string refusal =
      R"({"data":null,"errors":[{"message":"account '0123' does not have access to the path","path":["viewer","accounts","0","aiInferenceAdaptiveGroups"]}]})";
  const DatasetOutcome refused = parseUsageResponse("aiInferenceAdaptiveGroups", 200, refusal, kToday);
  CHECK_FALSE(refused.ok);
  CHECK(refused.inaccessible);
  CHECK_FALSE(parseUsageResponse("aiInferenceAdaptiveGroups", 200, R"({"data":null,"errors":[{"message":"internal"}]})", kToday).inaccessible);
  CHECK(parseUsageResponse("x", 200, R"({"data":null,"errors":[{"message":"not available for your plan. Upgrade to..."}]})", kToday).inaccessible);

  const Config config = configOf(R"({"plan":"free","failuresUntilBlind":1})");
  std::vector<DatasetOutcome> outcomes = withAllDatasets({refused});
  Evaluation evaluation;
  PollState state = tick(config, {}, outcomes, at("2026-11-23T12:00:00Z"), &evaluation);
  REQUIRE(hasEvent(evaluation, "inaccessible", "aiInferenceAdaptiveGroups"));
  CHECK(state.health.inaccessible == std::set<std::string>{"aiInferenceAdaptiveGroups"});
  CHECK(state.health.lastError.empty());  // not an outage: nothing to retry or alert on as one
  CHECK(state.health.datasetFailures.empty());
  CHECK(evaluation.report["health"]["blindDatasets"] == json::array());
  CHECK((*reportFor(evaluation, "ai-neurons"))["stale"] == true);
  for (const json& entry : evaluation.report["coverage"]) {
    if (entry["resource"] != "ai-neurons") continue;
    CHECK(entry["polled"] == false);
    CHECK(entry["reason"] == "the account or API token may not read aiInferenceAdaptiveGroups");
  }
  // Once: the next tick says nothing new, and the fact survives the state record.
  state = parsePollState(serializePollState(state)).state;
  state = tick(config, state, outcomes, at("2026-11-23T12:05:00Z"), &evaluation);
  CHECK_FALSE(hasEvent(evaluation, "inaccessible", "aiInferenceAdaptiveGroups"));
  CHECK(state.health.inaccessible.count("aiInferenceAdaptiveGroups"));
  // Every readable dataset failing makes the guard blind; the refused one is not counted.
  std::vector<DatasetOutcome> down;
  for (const DatasetOutcome& outcome : outcomes) {
    down.push_back(outcome.inaccessible ? outcome : failure(outcome.dataset, "HTTP 500"));
  }
  tick(config, state, down, at("2026-11-23T12:10:00Z"), &evaluation);
  CHECK(evaluation.report["health"]["blind"] == true);
  // Every dataset refused: nothing can be seen, and that is blind, said as such.
  std::vector<DatasetOutcome> allRefused;
  for (const DatasetOutcome& outcome : outcomes) {
    DatasetOutcome refusedToo = failure(outcome.dataset, "GraphQL error: does not have access to the path");
    refusedToo.inaccessible = true;
    allRefused.push_back(refusedToo);
  }
  tick(config, {}, allRefused, at("2026-11-23T12:10:00Z"), &evaluation);
  CHECK(evaluation.report["health"]["blind"] == true);
  REQUIRE(hasEvent(evaluation, "blind", "usage-api"));
  // A dataset no longer asked for leaves the health record with it.
  {
    Evaluation without;
    std::vector<DatasetOutcome> others;
    for (const DatasetOutcome& outcome : outcomes) {
      if (outcome.dataset != "aiInferenceAdaptiveGroups") others.push_back(outcome);
    }
    const PollState pruned = tick(config, state, others, at("2026-11-23T12:12:00Z"), &without);
    CHECK(pruned.health.inaccessible.empty());
  }
  // Access granted: the dataset counts again, and a later refusal is news again.
  state = tick(config, state, withAllDatasets({}), at("2026-11-23T12:15:00Z"), &evaluation);
  CHECK(state.health.inaccessible.empty());
  state = tick(config, state, outcomes, at("2026-11-23T12:20:00Z"), &evaluation);
  CHECK(hasEvent(evaluation, "inaccessible", "aiInferenceAdaptiveGroups"));
}

TEST_CASE("a tick racing a manual trip never erases it") {
  const Config config = configOf(R"({"plan":"free"})");
  const Day today = day("2026-11-23");
  PollState stored = tick(config, {}, kv(today, 950), at("2026-11-23T12:00:00Z"));  // kv-writes tripped by the poll
  // The tick starts from what it read, and recovers kv-writes while a manual trip of d1 and
  // of kv-writes itself lands in KV before the tick writes.
  Evaluation evaluation = evaluate(config, stored, kv(day("2026-11-24"), 1), at("2026-11-24T00:05:00Z"));
  REQUIRE(evaluation.write);
  ManualResult manual = manualTrip(config, {"d1-rows-written", "kv-writes"}, "runaway import", 0, at("2026-11-24T00:05:01Z"));
  REQUIRE(manual.changes);
  PollState fresh = applyChanges(stored, *manual.changes);
  PollState written = applyChanges(fresh, evaluation.changes);
  REQUIRE(written.breakers.count("d1-rows-written"));
  REQUIRE(written.breakers.count("kv-writes"));
  CHECK(written.breakers["kv-writes"].source == "manual");
  CHECK(written.breakers["kv-writes"].reason == "runaway import");
}

TEST_CASE("a manual reset holds off the poll until the window resets, a TTL trip lapses") {
  const Config config = configOf(R"({"plan":"free"})");
  const Day today = day("2026-11-23");
  PollState state = tick(config, {}, kv(today, 950), at("2026-11-23T12:00:00Z"));
  ManualResult reset = manualReset(config, {"kv-writes"}, 0, at("2026-11-23T12:01:00Z"));
  REQUIRE(reset.changes);
  state = applyChanges(state, *reset.changes);
  CHECK(state.breakers.empty());
  CHECK(state.holds["kv-writes"] == "2026-11-24T00:00:00Z");
  Evaluation evaluation;
  state = tick(config, state, kv(today, 990), at("2026-11-23T12:05:00Z"), &evaluation);
  CHECK(state.breakers.empty());
  CHECK((*reportFor(evaluation, "kv-writes"))["decision"] == "held");
  state = tick(config, state, kv(day("2026-11-24"), 995), at("2026-11-24T00:05:00Z"));
  CHECK(state.breakers.count("kv-writes"));  // the hold ended with the day
  CHECK(state.holds.empty());

  ManualResult timed = manualTrip(config, {"r2-class-a"}, "", 60, at("2026-11-24T00:06:00Z"));
  state = applyChanges(state, *timed.changes);
  CHECK(state.breakers["r2-class-a"].until == "2026-11-24T00:07:00Z");
  state = tick(config, state, kv(day("2026-11-24"), 995), at("2026-11-24T00:08:00Z"));
  CHECK_FALSE(state.breakers.count("r2-class-a"));

  CHECK(manualTrip(config, {"kv-writez"}, "", 0, 0).problems[0].path == "resources.kv-writez");
}

TEST_CASE("the safety net lasts to the end of the latest window a breaker belongs to") {
  const Config config = configOf(R"({"plan":"paid","budget":{"maxUsd":5},"billingDay":15})");
  PollState state;
  state.breakers["kv-writes"] = {"kv-writes", "", "x", "", "budget", ""};
  CHECK(safetyNetExpiryMs(config, state, at("2026-11-23T12:00:00Z")) == at("2026-12-15T00:00:00Z"));
  state.breakers.clear();
  CHECK(safetyNetExpiryMs(config, state, at("2026-11-23T12:00:00Z")) == at("2026-11-23T12:01:00Z"));
}

TEST_CASE("the state record round-trips and its changes survive JSON") {
  PollState state;
  state.breakers["kv-writes:KV"] = {"kv-writes", "KV", "r", "2026-11-23T00:00:00Z", "manual", "2026-11-24T00:00:00Z"};
  state.holds["d1-rows-read"] = "2026-11-24T00:00:00Z";
  state.alerted["warn:kv-reads"] = "2026-11-23";
  state.health.consecutiveFailures = 2;
  state.health.datasetFailures["kvOperationsAdaptiveGroups"] = 2;
  PollStateRecord record = parsePollState(serializePollState(state));
  REQUIRE(record.readable);
  CHECK(record.state.breakers["kv-writes:KV"].until == "2026-11-24T00:00:00Z");
  CHECK(record.state.holds == state.holds);
  CHECK(record.state.alerted == state.alerted);
  CHECK(record.state.health.datasetFailures == state.health.datasetFailures);
  CHECK_FALSE(parsePollState(std::string("{corrupt")).readable);
  CHECK_FALSE(parsePollState(std::string(R"({"version":2,"breakers":{}})")).readable);

  StateChanges changes;
  changes.trip["kv-reads"] = {"kv-reads", "", "r", "s", "poll", ""};
  changes.clear = {"kv-writes"};
  auto back = changesFromJson(changesToJson(changes));
  REQUIRE(back);
  CHECK(back->trip.count("kv-reads"));
  CHECK(back->clear == changes.clear);
}

TEST_CASE("settled daily totals are kept as a run of days, gaps null, and older records still read") {
  const Day first = *parseIsoDate("2026-11-01");
  PollState state;
  state.dailyTotals["kv-reads"] = {{first, 1000}, {first + 1, 0}, {first + 3, 2.5}};
  const json written = json::parse(serializePollState(state))["dailyTotals"];
  CHECK(written == json::parse(R"({"kv-reads":{"from":"2026-11-01","units":[1000,0,null,2.5]}})"));
  // Whole quantities are written as integers: a fraction is read back through strtod.
  CHECK(written["kv-reads"]["units"][0].is_number_integer());
  CHECK(written["kv-reads"]["units"][3].is_number_float());
  CHECK(parsePollState(serializePollState(state)).state.dailyTotals == state.dailyTotals);
  // A record written with a date key per day.
  const auto older = parsePollState(std::string(
      R"({"version":1,"breakers":{},"dailyTotals":{"kv-reads":{"2026-11-01":1000,"2026-11-02":0,"2026-11-04":2.5}}})"));
  CHECK(older.state.dailyTotals == state.dailyTotals);
  // What does not parse is dropped, never guessed: a bad start, a run longer than is kept,
  // negative or non-numeric units, an unknown resource.
  json tooLong = json::array();
  for (Day day = 0; day <= kDailyTotalsDays; ++day) tooLong.push_back(1);
  const json damagedTotals = {{"kv-reads", {{"from", "Nov 1"}, {"units", {1}}}},
                              {"kv-writes", {{"from", "2026-11-01"}, {"units", tooLong}}},
                              {"d1-rows-read", {{"from", "2026-11-01"}, {"units", {-1, "2", 3}}}},
                              {"no-such", {{"from", "2026-11-01"}, {"units", {1}}}}};
  const auto damaged = parsePollState(json{{"version", 1}, {"breakers", json::object()}, {"dailyTotals", damagedTotals}}.dump());
  CHECK(damaged.readable);
  CHECK(damaged.state.dailyTotals.size() == 1);
  CHECK(damaged.state.dailyTotals.at("d1-rows-read") == std::map<Day, double>{{first + 2, 3}});
}

TEST_CASE("the normalised config validates again unchanged") {
  const Config config = configOf(R"({"plan":"paid","budget":{"maxUsd":5},"bindingIds":{"DB":"db-1"},
      "thresholds":{"d1-rows-written:DB":{"tripAt":10,"granularity":"week"}},"evaluateCron":"*/5 * * * *"})");
  const json once = toJson(config);
  ConfigResult again = parseConfig(once);
  REQUIRE(again.config);
  CHECK(toJson(*again.config) == once);
}

TEST_CASE("review: recover at or above 100 with no percent trip is refused, absolute lines cannot flap") {
  ConfigResult result = parseConfig(json::parse(R"({"plan":"free","thresholds":{"kv-writes":{"trip":null,"tripAt":1000,"recover":150}}})"));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].message == "recover (150) must be below 100 when trip is off");
  const Config config = configOf(R"({"plan":"free","thresholds":{"kv-writes":{"trip":null,"tripAt":1000}}})");
  PollState state = tick(config, {}, kv(kToday, 1200), at("2026-11-23T12:00:00Z"));
  REQUIRE(state.breakers.count("kv-writes"));
  state = tick(config, state, kv(kToday, 1200), at("2026-11-23T12:05:00Z"));
  CHECK(state.breakers.count("kv-writes"));  // steady usage over the line: stays tripped
}

TEST_CASE("review: rows that are not objects, or lack the field, fail the dataset") {
  auto answer = [](const char* rows) {
    return std::string(R"({"data":{"viewer":{"accounts":[{"d1AnalyticsAdaptiveGroups":)") + rows + "}]}}}";
  };
  CHECK_FALSE(parseUsageResponse("d1AnalyticsAdaptiveGroups", 200, answer(R"([5,"junk"])"), kToday).ok);
  CHECK_FALSE(parseUsageResponse("d1AnalyticsAdaptiveGroups", 200, answer(R"([{"summ":{"rowsRead":1}}])"), kToday).ok);
  CHECK_FALSE(parseUsageResponse("d1AnalyticsAdaptiveGroups", 200, answer(R"([{"sum":{"rowsRead":1}}])"), kToday).ok);
  CHECK(parseUsageResponse("d1AnalyticsAdaptiveGroups", 200, answer(R"([])"), kToday).ok);
}

TEST_CASE("review: a weekly budget counts the overage of a week that straddles a renewal") {
  const Config config = configOf(R"({"plan":"paid","budget":{"maxUsd":4,"granularity":"week"}})");
  // Monday Nov 30 is in November's billing month; the week runs to Sunday Dec 6.
  // Nov 1 is 32 days back: more than KV answers. The query stops at Nov 2; the guard's own
  // stored total for Nov 1 covers the rest (issue 15).
  const UsageRequest kvRequest = buildUsageRequests(config, at("2026-12-02T12:00:00Z"), "abc")[1];
  CHECK(kvRequest.variables["start"] == "2026-11-02");
  std::vector<DatasetOutcome> outcomes = {usage("kvOperationsAdaptiveGroups", {
      {"kv-writes", "", day("2026-11-30"), 2e6}, {"kv-writes", "", day("2026-12-01"), 0.5e6}})};
  Evaluation evaluation = evaluate(config, {}, outcomes, at("2026-12-02T12:00:00Z"));
  CHECK(evaluation.report["budget"]["usedUsd"].get<double>() == doctest::Approx(5.0));  // $5 in November, $0 in December
  CHECK(evaluation.changes.trip.count("kv-writes"));
}

TEST_CASE("review: a reset made while a tick polls is not undone by it") {
  const Config config = configOf(R"({"plan":"free"})");
  PollState stored;  // nothing tripped when the tick read
  Evaluation evaluation = evaluate(config, stored, kv(kToday, 950), at("2026-11-23T12:00:00Z"));
  REQUIRE(evaluation.changes.trip.count("kv-writes"));
  ManualResult reset = manualReset(config, {"kv-writes"}, 0, at("2026-11-23T12:00:01Z"));
  PollState fresh = applyChanges(stored, *reset.changes);
  PollState written = applyChanges(fresh, evaluation.changes);
  CHECK_FALSE(written.breakers.count("kv-writes"));
  CHECK(written.holds.count("kv-writes"));
}

TEST_CASE("review: the budget does not take over a key its own line trips in the same tick") {
  const Config config = configOf(R"({"plan":"paid","budget":{"maxUsd":1},"thresholds":{"kv-writes":{"tripAt":2000000}}})");
  Evaluation evaluation = evaluate(config, {}, kv(kToday, 3e6), at("2026-11-23T12:00:00Z"));
  REQUIRE(evaluation.changes.trip.count("kv-writes"));
  CHECK(evaluation.changes.trip["kv-writes"].source == "poll");
}

TEST_CASE("manual operations take only what they say: whole seconds in range, text reasons, known keys") {
  const Config config = configOf(R"({"plan":"free","bindingIds":{"DB":"d1-id"}})");
  auto problems = [&](const json& op) {
    std::vector<std::string> found;
    for (const Problem& problem : manualOperation(config, true, op, 0).problems) found.push_back(problem.path + ": " + problem.message);
    return found;
  };
  const json base = {{"resources", {"kv-writes"}}};
  CHECK(problems(base).empty());
  for (const json& loose : {json(true), json({60}), json("0x10"), json(""), json(nullptr), json(0), json(0.5), json(31536001), json(-1)}) {
    json op = base;
    op["ttlSeconds"] = loose;
    const auto found = problems(op);
    REQUIRE(found.size() == 1);
    CHECK(found[0].rfind("ttlSeconds: must be whole seconds from 1 to 31,536,000 (365 days)", 0) == 0);
  }
  json year = base;
  year["ttlSeconds"] = 31536000;
  CHECK(problems(year).empty());
  json objectReason = base;
  objectReason["reason"] = {{"toString", 1}};
  CHECK(problems(objectReason) == std::vector<std::string>{R"(reason: must be text, got {"toString":1})"});
  json longReason = base;
  longReason["reason"] = std::string(501, 'x');
  CHECK(problems(longReason) == std::vector<std::string>{"reason: at most 500 characters, got 501"});
  longReason["reason"] = std::string(500, 'x');
  CHECK(problems(longReason).empty());
  json tooMany = {{"resources", json::array()}};
  for (int i = 0; i < 65; ++i) tooMany["resources"].push_back("kv-writes");
  CHECK(problems(tooMany)[0] == "resources: at most 64 breaker keys at once, got 65");
  // Per-binding keys: only bindings the config names or the env holds.
  CHECK(problems({{"resources", {"d1-rows-written:DB"}}}).empty());
  CHECK(problems({{"resources", {"kv-writes:INVENTED"}}}) == std::vector<std::string>{"resources.kv-writes:INVENTED: no binding INVENTED in this Worker"});
  CHECK(problems({{"resources", {"kv-writes:CACHE"}}, {"envBindings", {"CACHE"}}}).empty());
  // A stale per-binding breaker can always be reset.
  CHECK(manualOperation(config, false, {{"resources", {"kv-writes:GONE"}}}, 0).problems.empty());
}

TEST_CASE("a feature's key is reset at the meter, never tripped by hand, and changes nothing in the record") {
  const Config config = configOf(R"({"plan":"free","features":{"import":{"cron":"0 * * * *"}},
    "rates":{"kv-writes@import":{"perMinute":10,"recoverPerMinute":5}}})");
  auto problems = [&](bool trip, const json& keys) {
    std::vector<std::string> found;
    for (const Problem& problem : manualOperation(config, trip, {{"resources", keys}}, 0).problems) found.push_back(problem.path + ": " + problem.message);
    return found;
  };
  const ManualResult reset = manualOperation(config, false, {{"resources", {"kv-writes@import", "kv-reads"}}}, 0);
  REQUIRE(reset.problems.empty());
  REQUIRE(reset.changes);
  CHECK(reset.changes->clear == std::vector<std::string>{"kv-reads"});
  CHECK(reset.changes->holds.count("kv-writes@import") == 0);
  CHECK(problems(false, {"kv-writes@export"}) == std::vector<std::string>{"resources.kv-writes@export: names a feature the config does not declare"});
  CHECK(problems(false, {"kv-written@import"}) == std::vector<std::string>{"resources.kv-written@import: unknown resource"});
  CHECK(problems(true, {"kv-writes@import"}) == std::vector<std::string>{"resources.kv-writes@import: names a feature's line: only the real-time meter trips those"});
  const Config meterOff = configOf(R"({"plan":"free","features":{"import":{"cron":"0 * * * *"}}})");
  const auto off = manualOperation(meterOff, false, {{"resources", {"kv-writes@import"}}}, 0).problems;
  REQUIRE(off.size() == 1);
  CHECK(off[0].message == "names a feature's line, which only the real-time meter trips, and the meter is off");
}

TEST_CASE("review: manual seconds are checked, dry run cleans up a stale poll trip") {
  const Config config = configOf(R"({"plan":"free"})");
  CHECK(manualTrip(config, {"kv-writes"}, "", 1e300, 0).problems.size() == 1);
  CHECK(manualReset(config, {"kv-writes"}, -1, 0).problems.size() == 1);
  const Config dry = configOf(R"({"plan":"free","dryRun":true})");
  PollState state;
  state.breakers["kv-writes"] = {"kv-writes", "", "old", "", "poll", ""};
  state = tick(dry, state, kv(kToday, 10), at("2026-11-23T12:00:00Z"));
  CHECK(state.breakers.empty());
}

TEST_CASE("review: config gaps") {
  CHECK(parseConfig(json::parse(R"({"plan":null})")).problems[0].path == "plan");
  CHECK(parseConfig(json::parse(R"({"plan":"paid","budget":{"maxUsd":null}})")).problems[0].path == "budget.maxUsd");
  ConfigResult result = parseConfig(json::parse(
      R"({"plan":"paid","budget":{"maxUsd":5},"bindingIds":{"DB":"x"},"thresholds":{"d1-rows-written:DB":{"maxOverageUsd":1}}})"));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].path == "thresholds.d1-rows-written:DB.maxOverageUsd");
  json limits = json::object();
  for (int i = 0; i < 17; ++i) limits["kv-writes:B" + std::to_string(i)] = 1;
  CHECK(parseConfig(json{{"plan", "free"}, {"limits", limits}}).problems[0].path == "limits");
}

TEST_CASE("review: a trip after a manual reset in the same window alerts again") {
  const Config config = configOf(R"({"plan":"free"})");
  Evaluation evaluation;
  PollState state = tick(config, {}, kv(kToday, 950), at("2026-11-23T10:00:00Z"), &evaluation);
  REQUIRE(hasEvent(evaluation, "trip", "kv-writes"));
  state = applyChanges(state, *manualReset(config, {"kv-writes"}, 600, at("2026-11-23T10:30:00Z")).changes);
  state = tick(config, state, kv(kToday, 960), at("2026-11-23T10:50:00Z"), &evaluation);
  CHECK(state.breakers.count("kv-writes"));
  CHECK(hasEvent(evaluation, "trip", "kv-writes"));
}
