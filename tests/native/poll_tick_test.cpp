// The breaker lifecycle, driven through the tick driver (PollTick) the way the shim drives
// it: every rule of src/breaker_lifecycle.h, and each drift the issue tracker recorded.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "breaker_lifecycle.h"
#include "calendar.h"
#include "tick_test_support.h"

using namespace edgefuse;
using namespace edgefuse::testing;
using nlohmann::json;

namespace {

json start(const char* kind, std::int64_t now) {
  return {{"kind", kind}, {"now", now}, {"accountId", kAccount}, {"token", "token"}};
}

// A KV answer: `writes` write operations today, and any rows given as they come.
std::string kvAnswer(double writes, json extraRows = json::array()) {
  json rows = json::array({{{"sum", {{"requests", writes}}}, {"dimensions", {{"actionType", "write"}}}}});
  for (const json& row : extraRows) rows.push_back(row);
  return json{{"data", {{"viewer", {{"accounts", {{{"kvOperationsAdaptiveGroups", rows}}}}}}}}, {"errors", nullptr}}.dump();
}

// The usage API answering `kv` for KV and no rows for every other dataset.
void answerKv(TickWorld& world, std::string kv) {
  world.usageApi = [kv](const std::string& dataset, const json&) {
    return dataset == "kvOperationsAdaptiveGroups" ? std::pair<int, std::string>{200, kv}
                                                   : std::pair<int, std::string>{200, TickWorld::emptyAnswer(dataset)};
  };
}

json breaker(const char* source, const char* reason, const char* until = nullptr) {
  json entry = {{"reason", reason}, {"since", "2026-11-23T11:00:00Z"}, {"source", source}};
  if (until) entry["until"] = until;
  return entry;
}

std::string record(const json& breakers, const json& extra = json::object()) {
  json value = {{"version", 1}, {"breakers", breakers}};
  value.update(extra);
  return value.dump();
}

// Whether the core's enforcer refuses a kv-writes call on binding KV now.
bool refusesKvWrites(GuardCore& core) {
  const int meter = core.enforcer.defineMeter(static_cast<std::size_t>(findResource("kv-writes") - resources().begin()), "KV");
  return core.enforcer.check(core.enforcer.begin(), meter) == Verdict::Tripped;
}

// The decision a tick's report gives `key`.
// The settled days the record keeps for `id`, read as the core reads them.
std::map<Day, double> keptDays(const TickWorld& world, const std::string& id) {
  const auto record = world.kv.find(kStateKey);
  if (record == world.kv.end()) return {};
  const auto totals = parsePollState(record->second).state.dailyTotals;
  const auto days = totals.find(id);
  return days == totals.end() ? std::map<Day, double>{} : days->second;
}

std::string decisionOf(const json& result, const std::string& key) {
  for (const json& row : result["resources"]) {
    if (row["key"] == key) return row["decision"];
  }
  return "(no row)";
}

const char* kFree = R"({"plan":"free"})";

}  // namespace

TEST_CASE("lifecycle: a reading over the trip line trips, writes the record and a safety net, and is enforced") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record(json::object());
  answerKv(world, kvAnswer(950));
  const json result = world.run(core, start("tick", kNoon));
  REQUIRE(result["ok"] == true);
  CHECK(decisionOf(result, "kv-writes") == "trip");
  CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "poll");
  CHECK(stored(world, kSafetyNetKey)["breakers"].contains("kv-writes"));
  CHECK(world.ttl[kSafetyNetKey] == 12 * 3600);  // the UTC day ends at midnight
  CHECK(result["view"]["breakers"].contains("kv-writes"));
  CHECK(refusesKvWrites(core));
  CHECK(world.reads == 2);  // the record, then a fresh read before writing
  CHECK(world.writes == 2);
}

TEST_CASE("lifecycle: the safety net never asks KV for less than its floor") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  answerKv(world, kvAnswer(950));
  world.run(core, start("tick", *parseIsoTimestamp("2026-11-23T23:59:30Z")));
  CHECK(world.ttl[kSafetyNetKey] == kSafetyNetMinTtlSeconds);
}

TEST_CASE("lifecycle: a poll trip recovers under its recover line, the safety net goes with it") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record({{"kv-writes", breaker("poll", "storm")}});
  world.kv[kSafetyNetKey] = record({{"kv-writes", breaker("poll", "storm")}});
  answerKv(world, kvAnswer(100));
  const json result = world.run(core, start("tick", kNoon));
  CHECK(decisionOf(result, "kv-writes") == "recover");
  CHECK_FALSE(stored(world)["breakers"].contains("kv-writes"));
  CHECK(world.kv.count(kSafetyNetKey) == 0);
  CHECK_FALSE(refusesKvWrites(core));
}

TEST_CASE("lifecycle: a manual trip is never recovered by a reading, and a budget trip only by the budget") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record({{"kv-writes", breaker("manual", "by hand")}});
  answerKv(world, kvAnswer(0));
  CHECK(decisionOf(world.run(core, start("tick", kNoon)), "kv-writes") == "tripped");
  CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "manual");
}

TEST_CASE("lifecycle: a reset holds off the poll's re-trip until the hold runs out") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record({{"kv-writes", breaker("poll", "storm")}});
  const json reset = world.run(core, {{"kind", "reset"}, {"now", kNoon}, {"operation", {{"resources", {"kv-writes"}}, {"holdSeconds", 600}}}});
  REQUIRE(reset["ok"] == true);
  answerKv(world, kvAnswer(990));
  json held = world.run(core, start("tick", kNoon + 300'000));
  CHECK(decisionOf(held, "kv-writes") == "held");
  CHECK_FALSE(stored(world)["breakers"].contains("kv-writes"));
  json tripped = world.run(core, start("tick", kNoon + 601'000));
  CHECK(decisionOf(tripped, "kv-writes") == "trip");
  CHECK(stored(world)["breakers"].contains("kv-writes"));
}

TEST_CASE("lifecycle: a manual trip with an until lapses at that time, on the hot path and in the record alike") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record({{"kv-writes", breaker("manual", "for an hour", "2026-11-23T13:00:00Z")}});
  answerKv(world, kvAnswer(0));
  world.run(core, start("view", kNoon));
  CHECK(refusesKvWrites(core));
  world.run(core, start("tick", kNoon));
  CHECK(stored(world)["breakers"].contains("kv-writes"));
  world.run(core, start("view", *parseIsoTimestamp("2026-11-23T13:00:00Z")));
  CHECK_FALSE(refusesKvWrites(core));
  world.run(core, start("tick", *parseIsoTimestamp("2026-11-23T13:00:00Z")));
  CHECK_FALSE(stored(world)["breakers"].contains("kv-writes"));
}

TEST_CASE("lifecycle: changes merge with a fresh read, so a manual trip made during a tick survives it") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  answerKv(world, kvAnswer(950));
  bool tripped = false;
  world.meanwhile = [&](const json& action) {
    // Between the tick's evaluation and its write, someone trips d1-rows-written by hand.
    if (action["do"] == "read" && world.fetches == 1 && !tripped) {
      tripped = true;
      world.kv[kStateKey] = record({{"d1-rows-written", breaker("manual", "meanwhile")}});
    }
  };
  world.run(core, start("tick", kNoon));
  CHECK(stored(world)["breakers"].contains("kv-writes"));
  CHECK(stored(world)["breakers"]["d1-rows-written"]["reason"] == "meanwhile");
}

TEST_CASE("lifecycle: with the record unreadable, the safety net's trips stand and the tick repairs the record") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = "{corrupt";
  world.kv[kSafetyNetKey] = record({{"kv-writes", breaker("manual", "held by the net")}});
  answerKv(world, kvAnswer(0));
  world.run(core, start("view", kNoon));
  CHECK(refusesKvWrites(core));
  world.run(core, start("tick", kNoon));
  CHECK(stored(world)["breakers"]["kv-writes"]["reason"] == "held by the net");
}

TEST_CASE("drift 1: a malformed entry in a readable record falls back to the safety net's copy, and is repaired") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = R"({"version":1,"breakers":{"kv-writes":"corrupt"}})";
  world.kv[kSafetyNetKey] = record({{"kv-writes", breaker("poll", "kv-writes at 95.0%")}});
  const json view = world.run(core, start("view", kNoon));
  CHECK(view["view"]["breakers"]["kv-writes"]["reason"] == "kv-writes at 95.0%");
  CHECK(refusesKvWrites(core));
  CHECK(view["error"].get<std::string>().find("state.breakers.kv-writes") != std::string::npos);

  answerKv(world, kvAnswer(950));
  world.run(core, start("tick", kNoon));
  CHECK(stored(world)["breakers"]["kv-writes"]["reason"] == "kv-writes at 95.0%");
  CHECK(stored(world, kSafetyNetKey)["breakers"].contains("kv-writes"));
}

TEST_CASE("drift 1: a malformed entry with no copy anywhere still stands, until a reading confirms recovery") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = R"({"version":1,"breakers":{"kv-writes":"corrupt"}})";
  world.run(core, start("view", kNoon));
  CHECK(refusesKvWrites(core));
  answerKv(world, kvAnswer(950));
  world.run(core, start("tick", kNoon));
  CHECK(stored(world)["breakers"].contains("kv-writes"));
  answerKv(world, kvAnswer(10));
  world.run(core, start("tick", kNoon + 300'000));
  CHECK_FALSE(stored(world)["breakers"].contains("kv-writes"));
}

TEST_CASE("drift 2: an until that is not an ISO time never lapses, on the hot path or in a tick") {
  for (const char* until : {"2099-01-01", "Jan 1 2099", "2000-01-01"}) {
    CAPTURE(until);
    GuardCore core = coreOf(kFree);
    TickWorld world;
    world.kv[kStateKey] = record({{"kv-writes", breaker("manual", "by hand", until)}});
    answerKv(world, kvAnswer(0));
    world.run(core, start("view", kNoon));
    CHECK(refusesKvWrites(core));
    world.run(core, start("tick", kNoon));
    CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "manual");
    CHECK(std::any_of(world.logs.begin(), world.logs.end(),
                      [](const std::string& line) { return line.find("until: is not an ISO 8601 UTC time") != std::string::npos; }));
  }
}

TEST_CASE("lifecycle: a record with any problem is written back clean by the next tick") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record(json::object());
  answerKv(world, kvAnswer(0));
  world.run(core, start("tick", kNoon));  // the record as a tick writes it
  json damaged = stored(world);
  damaged["breakers"]["kv-writes"] = breaker("manual", "by hand", "Jan 1 2099");
  world.kv[kStateKey] = damaged.dump();
  const json steady = world.run(core, start("tick", kNoon + 300'000));
  CHECK(steady["wrote"] == true);  // nothing else changed: only the repair writes
  CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "manual");
  CHECK_FALSE(stored(world)["breakers"]["kv-writes"].contains("until"));
  world.logs.clear();
  CHECK(world.run(core, start("tick", kNoon + 600'000))["wrote"] == false);
  CHECK(world.logs.empty());  // nothing left to warn of
}

TEST_CASE("review: a damaged entry the poll never judges stands as a manual trip, until a reset") {
  GuardCore core = coreOf(R"({"plan":"free","bindingIds":{"NOTES":"ns1"}})");
  for (const char* key : {"kv-storage-gb", "stream-minutes-stored", "kv-writes:NOTES"}) {
    CAPTURE(key);
    TickWorld world;
    world.kv[kStateKey] = record({{key, "corrupt"}});
    answerKv(world, kvAnswer(0));
    for (int tick = 0; tick < 3; ++tick) world.run(core, start("tick", kNoon + tick * 300'000));
    CHECK(stored(world)["breakers"][key]["source"] == "manual");
    world.run(core, {{"kind", "reset"}, {"now", kNoon + 900'000}, {"operation", {{"resources", {key}}}}});
    CHECK_FALSE(stored(world)["breakers"].contains(key));
  }
}

TEST_CASE("review: with the safety net unreadable, a readable record's trips still stand on the hot path") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record({{"kv-writes", breaker("poll", "storm")}, {"kv-reads", "corrupt"}});
  world.failingReads.insert(kSafetyNetKey);
  const json view = world.run(core, start("view", kNoon));
  CHECK(view["view"]["breakers"].contains("kv-writes"));
  CHECK(view["view"]["breakers"].contains("kv-reads"));
  CHECK(refusesKvWrites(core));
}

TEST_CASE("review: an entry whose source is not manual, poll, budget or meter stands until reset, and is reported") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record({{"kv-writes", {{"reason", "odd"}, {"since", "2026-11-23T11:00:00Z"}, {"source", 7}}}});
  answerKv(world, kvAnswer(0));
  world.run(core, start("tick", kNoon));
  CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "manual");
  CHECK(std::any_of(world.logs.begin(), world.logs.end(),
                    [](const std::string& line) { return line.find("kv-writes.source: is not manual, poll, budget or meter (got 7)") != std::string::npos; }));
}

TEST_CASE("review: an odd actionType is named, but clipped, in lastError") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  json row = {{"sum", {{"requests", 1}}}, {"dimensions", {{"actionType", std::string(100'000, 'W')}}}};
  answerKv(world, kvAnswer(1, json::array({row})));
  const json result = world.run(core, start("tick", kNoon));
  const std::string lastError = result["health"]["lastError"];
  CHECK(lastError.find("unknown dimensions.actionType \"WWW") != std::string::npos);
  CHECK(lastError.size() < 400);
  CHECK(world.kv[kStateKey].size() < 10'000);
}

TEST_CASE("a manual trip never brings the standing breakers past 64, a reset always goes") {
  GuardCore core = coreOf(kFree);
  json breakers = json::object();
  for (int i = 0; i < 60; ++i) {
    const std::string binding = "B" + std::to_string(i);
    breakers["kv-writes:" + binding] = {{"resource", "kv-writes"}, {"binding", binding}, {"reason", "r"},
                                         {"since", "2026-11-23T00:00:00Z"}, {"source", "manual"}};
  }
  TickWorld world;
  world.kv[kStateKey] = json{{"version", 1}, {"breakers", breakers}}.dump();
  json names = json::array();
  json keys = json::array();
  for (int i = 0; i < 100; ++i) names.push_back("B" + std::to_string(i));
  for (int i = 60; i < 70; ++i) keys.push_back("kv-writes:B" + std::to_string(i));
  json trip = {{"kind", "trip"}, {"now", kNoon}, {"operation", {{"resources", keys}, {"envBindings", names}}}};
  const json refused = world.run(core, trip);
  REQUIRE(refused["problems"].is_array());
  CHECK(refused["problems"][0]["message"] == "at most 64 breakers can stand at once; 60 do");
  CHECK(json::parse(world.kv[kStateKey])["breakers"].size() == 60);  // nothing written
  trip["operation"]["resources"] = json::array({"kv-writes:B60", "kv-writes:B61", "kv-writes:B62", "kv-writes:B63"});
  CHECK(world.run(core, trip)["ok"] == true);
  const json reset = {{"kind", "reset"}, {"now", kNoon}, {"operation", {{"resources", {"kv-writes:B0"}}}}};
  CHECK(world.run(core, reset)["ok"] == true);
}

TEST_CASE("review: once a view read is over, stray results change nothing") {
  GuardCore core = coreOf(kFree);
  ViewRead view(core, start("view", kNoon).dump());
  REQUIRE(json::parse(view.next())["key"] == kStateKey);
  view.handle(R"({"value":null})");
  REQUIRE(json::parse(view.next())["key"] == kSafetyNetKey);  // no record: the safety net
  view.handle(R"({"value":null})");
  const std::string done = view.next();
  REQUIRE(json::parse(done)["do"] == "done");
  CHECK(json::parse(done)["result"]["view"].is_null());  // nothing readable: the isolate keeps its view
  view.handle(R"({"value":"x"})");
  view.read(true, "x", "");
  CHECK(view.next() == done);
}

TEST_CASE("a view read: bad starts and out-of-turn results end it with the reason, never a view") {
  GuardCore core = coreOf(kFree);
  ViewRead noClock(core, R"({"now":"noon"})");
  const json bad = json::parse(noClock.next());
  CHECK(bad["result"]["error"] == "now: must be milliseconds since the epoch");
  CHECK(bad["result"]["view"].is_null());
  ViewRead early(core, start("view", kNoon).dump());
  early.read(true, R"({"version":1,"breakers":{}})", "");
  CHECK(json::parse(early.next())["result"]["error"] == "a KV read was handed back when none was asked for");
  ViewRead impatient(core, start("view", kNoon).dump());
  impatient.next();
  CHECK(json::parse(impatient.next())["result"]["error"] ==
        "next() was called before the last action's result was handed back");
  PollTick notAView(core, start("view", kNoon).dump());
  CHECK(json::parse(notAView.next())["result"]["error"].get<std::string>().find("a view is a ViewRead") != std::string::npos);
}

TEST_CASE("a KV read handed back when no read was asked for fails the tick") {
  GuardCore core = coreOf(kFree);
  PollTick tick(core, start("status", kNoon).dump());
  REQUIRE(json::parse(tick.next())["do"] == "read");
  tick.read(false, "", "");
  REQUIRE(json::parse(tick.next())["do"] == "read");  // no record: the safety net
  tick.read(false, "", "");
  REQUIRE(json::parse(tick.next())["do"] == "fetch");
  tick.read(true, R"({"version":1,"breakers":{}})", "");
  const json done = json::parse(tick.next());
  CHECK(done["do"] == "done");
  CHECK(done["result"]["error"].get<std::string>().find("a KV read was handed back when none was asked for") != std::string::npos);
}

TEST_CASE("a failed KV read of the record fails the tick with its reason") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.failingReads.insert(kStateKey);
  const json result = world.run(core, start("status", kNoon));
  CHECK(result["ok"] == false);
  CHECK(result["error"].get<std::string>().find("KV GET failed") != std::string::npos);
}

TEST_CASE("review: a fresh read that turns out unreadable keeps the trips the tick's first read found") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.kv[kStateKey] = record({{"kv-writes", breaker("poll", "storm")}});
  answerKv(world, kvAnswer(950));  // still over: the trip stands, and something else changes
  world.meanwhile = [&](const json& action) {
    if (action["do"] == "read" && world.fetches == 1) world.kv[kStateKey] = R"({"version":2,"breakers":{}})";
  };
  world.run(core, start("tick", kNoon));
  CHECK(stored(world)["version"] == 1);
  CHECK(stored(world)["breakers"].contains("kv-writes"));
}

namespace {

// A usage API holding KV writes per day, answering each request for its range as the real
// one does: per day when the query asks for the date, else one total. It refuses a range
// wider than 31 days, as KV does.
struct DailyKvWrites {
  std::map<Day, double> writes;
  std::vector<std::string> refused;

  std::pair<int, std::string> operator()(const std::string& dataset, const json& request) {
    if (dataset != "kvOperationsAdaptiveGroups") return {200, TickWorld::emptyAnswer(dataset)};
    const Day first = *parseIsoDate(request["variables"]["start"].get<std::string>());
    const Day last = *parseIsoDate(request["variables"]["end"].get<std::string>());
    if (last - first + 1 > 31) {
      refused.push_back(isoDate(first) + ".." + isoDate(last));
      return {200, R"({"data":null,"errors":[{"message":"cannot request a time range wider than 31d"}]})"};
    }
    const bool byDay = request["query"].get<std::string>().find("date") != std::string::npos &&
                       request["query"].get<std::string>().find("dimensions { actionType date") != std::string::npos;
    json rows = json::array();
    double total = 0;
    for (const auto& [day, units] : writes) {
      if (day < first || day > last) continue;
      total += units;
      if (byDay) rows.push_back({{"sum", {{"requests", units}}}, {"dimensions", {{"actionType", "write"}, {"date", isoDate(day)}}}});
    }
    if (!byDay) rows.push_back({{"sum", {{"requests", total}}}, {"dimensions", {{"actionType", "write"}}}});
    return {200, json{{"data", {{"viewer", {{"accounts", {{{dataset, rows}}}}}}}}, {"errors", nullptr}}.dump()};
  }
};

json tickOn(TickWorld& world, GuardCore& core, Day day) {
  return world.run(core, start("tick", msOfDay(day) + 12 * 3'600'000));
}

}  // namespace

TEST_CASE("a week budget that began in the previous billing month: no query reaches past 31 days, stored days fill in") {
  GuardCore core = coreOf(R"({"plan":"paid","budget":{"maxUsd":4,"granularity":"week"}})");
  TickWorld world;
  auto api = std::make_shared<DailyKvWrites>();
  for (Day day = *parseIsoDate("2026-08-01"); day <= *parseIsoDate("2026-09-06"); ++day) api->writes[day] = 100'000;
  world.usageApi = [api](const std::string& dataset, const json& request) { return (*api)(dataset, request); };
  json result;
  for (Day day = *parseIsoDate("2026-08-01"); day <= *parseIsoDate("2026-09-06"); ++day) result = tickOn(world, core, day);
  CHECK(api->refused.empty());
  // Sunday Sep 6: the week began Monday Aug 31, in August's billing month. August's 3.1M
  // writes are $10.50 over the 1M included; the 0.1M written on Aug 31 cost $0.50 of it.
  const json& budget = result["budget"];
  CHECK(budget["usedUsd"].get<double>() == doctest::Approx(0.5));
  CHECK(budget["unmeasuredDays"] == 0);
  CHECK(budget["stale"] == false);
  // What is kept is bounded: settled days of the last kDailyTotalsDays only.
  const auto stored = keptDays(world, "kv-writes");
  CHECK(stored.size() <= static_cast<std::size_t>(kDailyTotalsDays));
  CHECK(stored.count(*parseIsoDate("2026-08-01")));
  CHECK_FALSE(stored.count(*parseIsoDate("2026-09-05")));  // not settled yet
}

TEST_CASE("the first tick after a long outage: days it never measured make the budget a lower bound") {
  GuardCore core = coreOf(R"({"plan":"paid","budget":{"maxUsd":4,"granularity":"week"}})");
  TickWorld world;
  auto api = std::make_shared<DailyKvWrites>();
  for (Day day = *parseIsoDate("2026-08-01"); day <= *parseIsoDate("2026-09-06"); ++day) api->writes[day] = 100'000;
  world.usageApi = [api](const std::string& dataset, const json& request) { return (*api)(dataset, request); };
  const json result = tickOn(world, core, *parseIsoDate("2026-09-06"));
  CHECK(api->refused.empty());
  CHECK(result["budget"]["unmeasuredDays"] == 6);  // Aug 1-6: older than KV answers, never stored
  CHECK(result["budget"]["stale"] == true);        // enough to trip, never to recover
}

TEST_CASE("review: unmeasured days never let a resource billed in whole millions trip the budget") {
  // R2 rounds up to the million: with Aug 1 never measured, "before" and "to the end" are no
  // bound on the week's cost. Truly: 1.5M before the week and 1.6M with it owe the same $4.50.
  GuardCore core = coreOf(R"({"plan":"paid","budget":{"maxUsd":4,"granularity":"week"}})");
  TickWorld world;
  world.usageApi = [](const std::string& dataset, const json& request) {
    if (dataset != "r2OperationsAdaptiveGroups") return std::pair<int, std::string>{200, TickWorld::emptyAnswer(dataset)};
    const Day first = dayOfMs(*parseIsoTimestamp(request["variables"]["start"].get<std::string>()));
    json rows = json::array();
    for (const auto& [date, units] : std::map<std::string, double>{{"2026-08-01", 500'000}, {"2026-08-02", 1e6}, {"2026-08-31", 100'000}}) {
      if (*parseIsoDate(date) < first) continue;  // older than the query reaches
      rows.push_back({{"sum", {{"requests", units}}},
                      {"dimensions", {{"actionType", "ListBuckets"}, {"storageClass", "Standard"}, {"date", date}}}});
    }
    return std::pair<int, std::string>{200, json{{"data", {{"viewer", {{"accounts", {{{dataset, rows}}}}}}}}, {"errors", nullptr}}.dump()};
  };
  const json result = world.run(core, start("tick", *parseIsoTimestamp("2026-09-02T12:00:00Z")));
  CHECK(result["health"]["lastError"] == "");  // R2 answered: the budget is stale for its days alone
  CHECK(result["budget"]["stale"] == true);
  CHECK(result["budget"]["usedUsd"].get<double>() == 0);
  CHECK(result["budget"]["decision"] != "trip");
  CHECK_FALSE(json::parse(world.kv[kStateKey])["breakers"].contains("r2-class-a"));
}

TEST_CASE("a stored level billed per GB-month is asked only for its unsettled days once the rest are kept") {
  // R2 storage on the free plan: 10 GB-months free, then billed. 90 GB in one bucket all month.
  GuardCore core = coreOf(kFree);
  TickWorld world;
  std::vector<std::string> starts;
  world.usageApi = [&](const std::string& dataset, const json& request) {
    if (dataset != "r2StorageAdaptiveGroups") return std::pair<int, std::string>{200, TickWorld::emptyAnswer(dataset)};
    const std::string start = request["variables"]["start"];
    starts.push_back(start.substr(0, 10));
    json rows = json::array();
    const std::string end = request["variables"]["end"];
    for (Day day = *parseIsoDate(start.substr(0, 10)); day <= *parseIsoDate(end.substr(0, 10)); ++day) {
      rows.push_back({{"max", {{"payloadSize", 90e9}}},
                      {"dimensions", {{"bucketName", "b"}, {"date", isoDate(day)}, {"storageClass", "Standard"}}}});
    }
    return std::pair<int, std::string>{200, json{{"data", {{"viewer", {{"accounts", {{{dataset, rows}}}}}}}}, {"errors", nullptr}}.dump()};
  };
  auto usedOf = [](const json& result) {
    for (const json& entry : result["resources"]) {
      if (entry["key"] == "r2-storage-gb") return entry["used"].get<double>();
    }
    return -1.0;
  };
  // First tick: the whole month so far is asked for, and the settled days (to the 21st) kept.
  const json first = world.run(core, start("tick", *parseIsoTimestamp("2026-11-23T12:00:00Z")));
  CHECK(starts.back() == "2026-11-01");
  CHECK(usedOf(first) == doctest::Approx(23 * 90.0 / 30));
  CHECK(keptDays(world, "r2-storage-gb").size() == 21);
  // Then only from the 21st: what is kept makes up the rest, to the same figure.
  const json second = world.run(core, start("tick", *parseIsoTimestamp("2026-11-23T12:05:00Z")));
  CHECK(starts.back() == "2026-11-21");
  CHECK(usedOf(second) == doctest::Approx(23 * 90.0 / 30));
  CHECK(decisionOf(second, "r2-storage-gb") == decisionOf(first, "r2-storage-gb"));
  // A new day: still three days asked for, and the newly settled one kept.
  const json next = world.run(core, start("tick", *parseIsoTimestamp("2026-11-24T00:05:00Z")));
  CHECK(starts.back() == "2026-11-22");
  CHECK(usedOf(next) == doctest::Approx(24 * 90.0 / 30));
  CHECK(keptDays(world, "r2-storage-gb").size() == 22);
  // With the record gone, the whole month is asked for again.
  world.kv.erase(kStateKey);
  world.kv.erase(kSafetyNetKey);
  world.run(core, start("tick", *parseIsoTimestamp("2026-11-24T00:10:00Z")));
  CHECK(starts.back() == "2026-11-01");
}

TEST_CASE("a daily budget asks for a flow's unsettled days only, once the rest are kept") {
  // 20M KV reads a day on the paid plan (10M a month included): the budget needs the month's
  // reads to price today's, and keeps the settled days rather than asking a month of rows.
  GuardCore core = coreOf(R"({"plan":"paid","budget":{"maxUsd":100,"granularity":"day"}})");
  TickWorld world;
  std::map<std::string, std::string> starts;
  world.usageApi = [&](const std::string& dataset, const json& request) {
    const std::string start = request["variables"]["start"];
    starts[dataset] = start.substr(0, 10);
    if (dataset != "kvOperationsAdaptiveGroups" && dataset != "durableObjectsPeriodicGroups") {
      return std::pair<int, std::string>{200, TickWorld::emptyAnswer(dataset)};
    }
    const bool kv = dataset == "kvOperationsAdaptiveGroups";
    json rows = json::array();
    const std::string end = request["variables"]["end"];
    for (Day day = *parseIsoDate(start.substr(0, 10)); day <= *parseIsoDate(end.substr(0, 10)); ++day) {
      json dimensions = {{"date", isoDate(day)}};
      if (kv) dimensions["actionType"] = "read";
      rows.push_back({{"sum", kv ? json{{"requests", 20e6}} : json{{"inboundWebsocketMsgCount", 20e6}, {"duration", 0}, {"storageReadUnits", 0},
                                                            {"storageWriteUnits", 0}, {"storageDeletes", 0}}}, {"dimensions", dimensions}});
    }
    return std::pair<int, std::string>{200, json{{"data", {{"viewer", {{"accounts", {{{dataset, rows}}}}}}}}, {"errors", nullptr}}.dump()};
  };
  auto figures = [](const json& result) {
    std::map<std::string, double> out;
    for (const json& entry : result["resources"]) {
      if (entry["key"] == "kv-reads" || entry["key"] == "do-requests") out[entry["key"]] = entry["used"].get<double>();
    }
    out["budget"] = result["budget"]["usedUsd"].get<double>();
    return out;
  };
  const json first = world.run(core, start("tick", *parseIsoTimestamp("2026-11-23T12:00:00Z")));
  CHECK(starts["kvOperationsAdaptiveGroups"] == "2026-11-01");
  CHECK(starts["durableObjectsPeriodicGroups"] == "2026-11-01");
  CHECK(first["budget"]["stale"] == false);
  CHECK(keptDays(world, "kv-reads").size() == 21);
  // The WebSocket messages are kept as the requests they are billed as.
  CHECK(keptDays(world, "do-requests").size() == 21);
  const json second = world.run(core, start("tick", *parseIsoTimestamp("2026-11-23T12:05:00Z")));
  CHECK(starts["kvOperationsAdaptiveGroups"] == "2026-11-21");
  CHECK(starts["durableObjectsPeriodicGroups"] == "2026-11-21");
  CHECK(second["budget"]["stale"] == false);
  CHECK(figures(second) == figures(first));
  CHECK(figures(second)["budget"] > 0);
}

TEST_CASE("the usage-API endpoint: env.<endpointEnv> replaces the config's, checked, a loopback config is warned of once") {
  auto fetchedFrom = [](const TickWorld& world) -> std::string {
    for (const json& action : world.actions) {
      if (action["do"] == "fetch") return action["endpoint"];
    }
    return "(no fetch)";
  };
  GuardCore core = coreOf(kFree);
  TickWorld world;
  json withOverride = start("tick", kNoon);
  withOverride["endpoint"] = "http://127.0.0.1:8799/graphql";
  world.run(core, withOverride);
  CHECK(fetchedFrom(world) == "http://127.0.0.1:8799/graphql");
  CHECK(world.logs.empty());  // a local endpoint from the environment is local development

  TickWorld plain;
  plain.run(core, start("tick", kNoon));
  CHECK(fetchedFrom(plain) == "https://api.cloudflare.com/client/v4/graphql");

  TickWorld badOverride;
  json bad = start("tick", kNoon);
  bad["endpoint"] = "ftp://example.com";
  const json result = badOverride.run(core, bad);
  CHECK(fetchedFrom(badOverride) == "(no fetch)");
  CHECK(result["health"]["lastError"].get<std::string>().find(
            "env.EDGEFUSE_USAGE_API_ENDPOINT must be an http(s) URL or a service binding, got \"ftp://example.com\"") !=
        std::string::npos);

  // A service binding in env.<endpointEnv>: the config's endpoint, fetched through it.
  TickWorld viaBinding;
  json withBinding = start("tick", kNoon);
  withBinding["endpointBinding"] = true;
  viaBinding.run(core, withBinding);
  bool fetchedThroughBinding = false;
  for (const json& action : viaBinding.actions) {
    if (action["do"] == "fetch") fetchedThroughBinding = action["binding"] == "EDGEFUSE_USAGE_API_ENDPOINT";
  }
  CHECK(fetchedThroughBinding);
  CHECK(fetchedFrom(viaBinding) == "https://api.cloudflare.com/client/v4/graphql");

  GuardCore local = coreOf(R"({"plan":"free","endpoint":"http://localhost:8799/graphql"})");
  TickWorld first;
  first.run(local, start("tick", kNoon));
  TickWorld second;
  second.run(local, start("tick", kNoon + 60'000));
  REQUIRE(first.logs.size() == 1);
  CHECK(first.logs[0].find("is on this machine: a deployed Worker cannot reach it") != std::string::npos);
  CHECK(second.logs.empty());
}

TEST_CASE("missing secrets are logged one line each, once per isolate, naming both fixes") {
  GuardCore core = coreOf(kFree);
  TickWorld first;
  first.run(core, {{"kind", "tick"}, {"now", kNoon}});
  REQUIRE(first.logs.size() >= 2);
  CHECK(first.logs[0] ==
        "warn: edgefuse: env.CF_ACCOUNT_ID is not set, so the usage API cannot be asked: in local development add it to "
        ".dev.vars; deployed, run wrangler secret put CF_ACCOUNT_ID");
  CHECK(first.logs[1].find("warn: edgefuse: env.CF_API_TOKEN is not set") == 0);
  TickWorld second;
  second.run(core, {{"kind", "tick"}, {"now", kNoon + 60'000}, {"accountId", kAccount}});
  for (const std::string& line : second.logs) CHECK(line.find("is not set") == std::string::npos);
}

TEST_CASE("missing secrets name the local fix and the deployed one, once for every dataset") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  const json result = world.run(core, {{"kind", "tick"}, {"now", kNoon}, {"accountId", kAccount}});
  const std::string lastError = result["health"]["lastError"];
  CHECK(lastError.rfind("all ", 0) == 0);
  CHECK(lastError.find(" datasets: env.CF_API_TOKEN not set: in local development add it to .dev.vars; deployed, run "
                       "wrangler secret put for CF_API_TOKEN") != std::string::npos);
  CHECK(lastError.find("not set") == lastError.rfind("not set"));  // said once
}

TEST_CASE("datasets failing for the same reason are named together, each reason said once") {
  GuardCore core = coreOf(kFree);
  TickWorld world;
  world.usageApi = [](const std::string& dataset, const json&) {
    if (dataset == "kvOperationsAdaptiveGroups" || dataset == "d1AnalyticsAdaptiveGroups") return std::pair<int, std::string>{500, "oops"};
    if (dataset == "r2OperationsAdaptiveGroups") return std::pair<int, std::string>{429, "slow down"};
    return std::pair<int, std::string>{200, TickWorld::emptyAnswer(dataset)};
  };
  const std::string lastError = world.run(core, start("tick", kNoon))["health"]["lastError"];
  CHECK(lastError.find("d1AnalyticsAdaptiveGroups, kvOperationsAdaptiveGroups: HTTP 500") != std::string::npos);
  CHECK(lastError.find("r2OperationsAdaptiveGroups: HTTP 429") != std::string::npos);
  CHECK(lastError.find("HTTP 500") == lastError.rfind("HTTP 500"));
}

TEST_CASE("loopback URLs are told apart from remote ones") {
  CHECK(isLoopbackUrl("http://127.0.0.1:8799/graphql"));
  CHECK(isLoopbackUrl("http://LOCALHOST/graphql"));
  CHECK(isLoopbackUrl("http://[::1]:8799/"));
  CHECK(isLoopbackUrl("http://sim.localhost/graphql"));
  CHECK(isLoopbackUrl("http://user@127.0.0.1/"));
  CHECK_FALSE(isLoopbackUrl("https://api.cloudflare.com/client/v4/graphql"));
  CHECK_FALSE(isLoopbackUrl("https://127.0.0.1.example.com/"));
  CHECK_FALSE(isLoopbackUrl("https://localhost.example.com/"));
}
