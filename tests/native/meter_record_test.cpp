// The real-time meter's trips in the KV state record: the meter hands one isolate at a time
// the duty to record them (MeterBook), that isolate's meter tick writes them with a lease and
// alerts them (PollTick kind "meter"), and the poll and the record's other sources keep
// their precedence.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "breaker_lifecycle.h"
#include "calendar.h"
#include "live_meter.h"
#include "tick_test_support.h"

using namespace edgefuse;
using namespace edgefuse::testing;
using nlohmann::json;

namespace {

const json kSlackAlerts = {{"plan", "free"}, {"alerts", {{"channels", json::array({{{"type", "slack"}}})}}}};

// A report from one isolate of `units` kv-writes against a line of 1,000 a minute.
std::string report(std::int64_t now, double units) {
  return json{{"now", now},
              {"lines", {{"kv-writes", {{"perMinute", 1000}, {"recoverPerMinute", 500}}}}},
              {"units", {{"kv-writes", units}}}}
      .dump();
}

json answerOf(const std::string& reply) {
  const json parsed = json::parse(reply);
  REQUIRE(parsed["ok"] == true);
  return parsed["answer"];
}

json meterStart(const json& record, std::int64_t now = kNoon) {
  return {{"kind", "meter"}, {"now", now}, {"accountId", kAccount}, {"record", record}};
}

std::string stateWith(const json& breakers, const json& extra = json::object()) {
  json value = {{"version", 1}, {"breakers", breakers}};
  value.update(extra);
  return value.dump();
}

json entry(const char* source, const char* until = nullptr) {
  json value = {{"reason", std::string("by ") + source}, {"since", "2026-11-23T11:00:00Z"}, {"source", source}};
  if (until) value["until"] = until;
  return value;
}

bool refusesKvWrites(GuardCore& core) {
  const int meter = core.enforcer.defineMeter(static_cast<std::size_t>(findResource("kv-writes") - resources().begin()), "KV");
  return core.enforcer.check(core.enforcer.begin(), meter) == Verdict::Tripped;
}

// The meter's answer's record after a kv-writes trip at noon (version 1).
json tripRecord() {
  MeterBook book("");
  return answerOf(book.report(report(kNoon, 1100)))["record"];
}

}  // namespace

TEST_CASE("meter record: one isolate at a time gets the duty, until it acknowledges") {
  MeterBook book("");
  const json tripped = answerOf(book.report(report(kNoon, 1100)));
  REQUIRE(tripped["breakers"].contains("kv-writes"));
  REQUIRE(tripped.contains("record"));
  CHECK(tripped["record"]["version"] == 1);
  CHECK(tripped["record"]["changes"][0]["event"] == "trip");
  CHECK(tripped["record"]["breakers"].contains("kv-writes"));
  // The duty is out: the next reports within 30 s carry none.
  CHECK_FALSE(answerOf(book.report(report(kNoon + 1'000, 1))).contains("record"));
  CHECK_FALSE(answerOf(book.report(report(kNoon + 29'000, 1))).contains("record"));
  // Not acknowledged in 30 s: the next report gets it, with the same change.
  const json again = answerOf(book.report(report(kNoon + 31'000, 1)));
  REQUIRE(again.contains("record"));
  CHECK(again["record"]["changes"].size() == 1);
  // Acknowledged, and kept so across a restart of the object: no duty while nothing changes.
  answerOf(book.recorded(json{{"now", kNoon + 32'000}, {"version", 1}}.dump()));
  MeterBook restarted(book.state());
  CHECK_FALSE(answerOf(restarted.report(report(kNoon + 62'000, 1100))).contains("record"));
  // Half the lease on, with the trip still standing: the duty again, to renew the lease.
  const json renew = answerOf(restarted.report(report(kNoon + 32'000 + kMeterLeaseMs / 2, 1100)));
  REQUIRE(renew.contains("record"));
  CHECK(renew["record"]["changes"].empty());
  CHECK(renew["record"]["breakers"].contains("kv-writes"));
}

TEST_CASE("meter record: a change made while the duty is out is recorded by the next duty") {
  MeterBook book("");
  answerOf(book.report(report(kNoon, 1100)));  // v1: trip, duty out
  // The trip ends (the rate ages out) before the first duty is acknowledged.
  const json recovered = answerOf(book.report(report(kNoon + 125'000, 1)));
  CHECK(recovered["breakers"].empty());
  REQUIRE(recovered.contains("record"));  // the first duty lapsed at 30 s
  CHECK(recovered["record"]["version"] == 2);
  CHECK(recovered["record"]["changes"].size() == 2);  // the trip and its recovery, both unrecorded
  answerOf(book.recorded(json{{"now", kNoon + 126'000}, {"version", 2}}.dump()));
  CHECK_FALSE(answerOf(book.report(report(kNoon + 200'000, 1))).contains("record"));
  // An acknowledgement is checked: anything else is refused, naming it.
  const json refused = json::parse(book.recorded("{\"version\":-1}"));
  CHECK(refused["ok"] == false);
  CHECK(refused["problems"][0]["path"] == "recorded");
}

TEST_CASE("meter record: a manual reset at the meter gives no duty (the reset wrote the record)") {
  MeterBook book("");
  answerOf(book.report(report(kNoon, 1100)));
  answerOf(book.recorded(json{{"now", kNoon + 1'000}, {"version", 1}}.dump()));
  const json reset = answerOf(book.reset(json{{"now", kNoon + 2'000}, {"keys", {"kv-writes"}}}.dump()));
  CHECK(reset["breakers"].empty());
  CHECK_FALSE(reset.contains("record"));
}

TEST_CASE("meter tick: the meter's trips are written with a lease, alerted, and enforced") {
  GuardCore core = coreOf(kSlackAlerts);
  TickWorld world;
  world.kv[kStateKey] = stateWith({{"d1-rows-written", entry("manual")}});
  json record = tripRecord();
  record["breakers"]["kv-writes@import"] = {{"reason", "import storm"}, {"since", "2026-11-23T12:00:00Z"}, {"source", "meter"}};
  record["changes"].push_back({{"key", "kv-writes@import"}, {"event", "trip"}, {"reason", "import storm"}});
  record["breakers"]["d1-rows-written"] = {{"reason", "rows"}, {"since", "2026-11-23T12:00:00Z"}, {"source", "meter"}};
  const json result = world.run(core, meterStart(record));
  REQUIRE(result["ok"] == true);
  CHECK(result["wrote"] == true);
  const json breakers = stored(world)["breakers"];
  CHECK(breakers["kv-writes"]["source"] == "meter");
  CHECK(breakers["kv-writes"]["until"] == isoTimestamp(kNoon + kMeterLeaseMs));
  CHECK(breakers["d1-rows-written"]["source"] == "manual");  // never over another source's
  CHECK_FALSE(breakers.contains("kv-writes@import"));        // a feature's stays with the meter
  CHECK(stored(world, kSafetyNetKey)["breakers"]["kv-writes"]["until"] == isoTimestamp(kNoon + kMeterLeaseMs));
  CHECK(refusesKvWrites(core));
  CHECK(world.writes == 2);  // the record and its safety net
  // Each change alerted once, on every channel: the whole resource's and the feature's.
  REQUIRE(world.sent.size() == 2);
  CHECK(world.sent[0]["body"].get<std::string>().find("kv-writes") != std::string::npos);
  CHECK(world.sent[0]["body"].get<std::string>().find("real-time meter") != std::string::npos);
  CHECK(world.sent[1]["body"].get<std::string>().find("kv-writes@import") != std::string::npos);
  CHECK(json::parse(result["acknowledge"].get<std::string>()) == json{{"now", kNoon}, {"version", 1}});
  // The same record again (a duty handed on before the acknowledgement): nothing to write.
  world.sent.clear();
  json renewal = record;
  renewal["changes"] = json::array();
  CHECK(world.run(core, meterStart(renewal))["wrote"] == false);
  CHECK(world.writes == 2);
  CHECK(world.sent.empty());
}

TEST_CASE("meter tick: a recovery clears only the meter's trip, and a reset's hold keeps it off") {
  GuardCore core = coreOf(kSlackAlerts);
  TickWorld world;
  world.kv[kStateKey] = stateWith({{"kv-writes", entry("meter", "2026-11-23T12:10:00Z")}, {"kv-reads", entry("poll")}},
                                  {{"holds", {{"d1-rows-written", "2026-11-23T13:00:00Z"}}}});
  const json record = {{"version", 4},
                       {"breakers", {{"kv-reads", entry("meter")}, {"d1-rows-written", entry("meter")}}},
                       {"changes", json::array({{{"key", "kv-writes"}, {"event", "recover"}, {"reason", "kv-writes is back"}},
                                                {{"key", "kv-writes"}, {"event", "reset"}, {"reason", "by hand"}}})}};
  const json result = world.run(core, meterStart(record, kNoon + 60'000));
  REQUIRE(result["ok"] == true);
  const json breakers = stored(world)["breakers"];
  CHECK_FALSE(breakers.contains("kv-writes"));
  CHECK(breakers["kv-reads"]["source"] == "poll");  // the poll's stands as it was
  CHECK(world.ttl[kSafetyNetKey] > kMeterLeaseMs / 1000);  // the poll's trip keeps it to the day's end
  CHECK_FALSE(breakers.contains("d1-rows-written"));  // held by a reset
  CHECK_FALSE(refusesKvWrites(core));
  REQUIRE(world.sent.size() == 1);  // the recovery; a reset is the operator's own
  CHECK(world.sent[0]["body"].get<std::string>().find("kv-writes is back") != std::string::npos);
}

TEST_CASE("meter tick: failed alerts join the record's retry list, never replace it") {
  GuardCore core = coreOf(kSlackAlerts);
  TickWorld world;
  const json waiting = {{"channel", 0}, {"event", {{"level", "trip"}, {"key", "kv-reads"}, {"message", "m"}}}, {"attempts", 1}};
  world.kv[kStateKey] = stateWith(json::object(), {{"pendingAlerts", json::array({waiting})}});
  world.channel = [](const json&) { return json("HTTP 500"); };
  const json result = world.run(core, meterStart(tripRecord()));
  REQUIRE(result["ok"] == true);
  CHECK(result["alerts"]["pending"] == 1);
  const json pending = stored(world)["pendingAlerts"];
  REQUIRE(pending.size() == 2);
  CHECK(pending[0]["event"]["key"] == "kv-reads");
  CHECK(pending[1]["event"]["key"] == "kv-writes");
  CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "meter");
  CHECK(world.ttl[kSafetyNetKey] == kMeterLeaseMs / 1000);  // the lease, not the day's end
}

TEST_CASE("meter tick: a dry run writes nothing and alerts what it would do") {
  json config = kSlackAlerts;
  config["dryRun"] = true;
  GuardCore core = coreOf(config);
  TickWorld world;
  const json result = world.run(core, meterStart(tripRecord()));
  REQUIRE(result["ok"] == true);
  CHECK(world.writes == 0);
  REQUIRE(world.sent.size() == 1);
  CHECK(result["events"][0]["dryRun"] == true);
}

TEST_CASE("meter tick: a failed write is reported and not acknowledged, and a bad record is refused") {
  GuardCore core = coreOf(kSlackAlerts);
  TickWorld world;
  world.failingPuts.insert(kStateKey);
  const json failed = world.run(core, meterStart(tripRecord()));
  CHECK(failed["ok"] == false);
  CHECK_FALSE(failed.contains("acknowledge"));
  CHECK(world.sent.empty());  // nothing is announced that did not happen
  const json refused = world.run(core, meterStart(json{{"version", "one"}}));
  CHECK(refused["ok"] == false);
  CHECK(refused["error"].get<std::string>().find("record") != std::string::npos);
}

TEST_CASE("meter trips in the record: the lease lapses, and the poll replaces it once its own line is over") {
  GuardCore core = coreOf(json{{"plan", "free"}});
  TickWorld world;
  world.kv[kStateKey] = stateWith({{"kv-writes", entry("meter", "2026-11-23T12:10:00Z")}});
  CHECK(world.run(core, {{"kind", "view"}, {"now", kNoon}})["view"]["breakers"].contains("kv-writes"));
  CHECK(refusesKvWrites(core));
  // Past its lease, with no renewal: not in force.
  CHECK_FALSE(world.run(core, {{"kind", "view"}, {"now", kNoon + kMeterLeaseMs}})["view"]["breakers"].contains("kv-writes"));
  CHECK_FALSE(refusesKvWrites(core));
  // The poll under its line leaves the meter's trip to the meter.
  const auto kvAnswer = [](double writes) {
    const json rows = json::array({{{"sum", {{"requests", writes}}}, {"dimensions", {{"actionType", "write"}}}}});
    return json{{"data", {{"viewer", {{"accounts", {{{"kvOperationsAdaptiveGroups", rows}}}}}}}}, {"errors", nullptr}}.dump();
  };
  const auto answer = [&](double writes) {
    world.usageApi = [answer = kvAnswer(writes)](const std::string& dataset, const json&) {
      return std::pair<int, std::string>{200, dataset == "kvOperationsAdaptiveGroups" ? answer : TickWorld::emptyAnswer(dataset)};
    };
  };
  const json tick = {{"kind", "tick"}, {"accountId", kAccount}, {"token", "token"}};
  answer(100);
  json start = tick;
  start["now"] = kNoon + 60'000;
  world.run(core, start);
  CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "meter");
  // Over it: the poll's trip replaces the meter's, with no second trip alert.
  answer(960);
  start["now"] = kNoon + 120'000;
  const json confirmed = world.run(core, start);
  CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "poll");
  CHECK_FALSE(stored(world)["breakers"]["kv-writes"].contains("until"));
  for (const json& event : confirmed["events"]) CHECK(event["level"] != "trip");
}

TEST_CASE("meter tick: a duty handed on after a lost acknowledgement alerts nothing twice") {
  GuardCore core = coreOf(kSlackAlerts);
  TickWorld world;
  const json record = tripRecord();
  REQUIRE(world.run(core, meterStart(record))["ok"] == true);
  CHECK(world.sent.size() == 1);
  CHECK(stored(world)["meterVersion"] == 1);
  // The acknowledgement was lost; 30 s on, another isolate gets the same duty.
  const int writes = world.writes;
  const json again = world.run(core, meterStart(record, kNoon + 31'000));
  CHECK(again["ok"] == true);
  CHECK(world.sent.size() == 1);
  CHECK(world.writes == writes);
}

TEST_CASE("meter tick: a change the record does not show (another source's trip stands) is not alerted") {
  GuardCore core = coreOf(kSlackAlerts);
  TickWorld world;
  world.kv[kStateKey] = stateWith({{"kv-writes", entry("poll")}});
  const json record = {{"version", 2},
                       {"breakers", json::object()},
                       {"changes", json::array({{{"key", "kv-writes"}, {"event", "recover"}, {"reason", "kv-writes is back"}, {"version", 2}}})}};
  CHECK(world.run(core, meterStart(record))["ok"] == true);
  CHECK(world.sent.empty());  // the poll's trip still refuses: no "recovered" alert
  CHECK(stored(world)["breakers"]["kv-writes"]["source"] == "poll");
  CHECK(stored(world)["meterVersion"] == 2);
}

TEST_CASE("a poll tick keeps the retries a meter tick appended while it polled") {
  GuardCore core = coreOf(kSlackAlerts);
  TickWorld world;
  world.kv[kStateKey] = stateWith(json::object());
  world.channel = [](const json&) { return json("HTTP 500"); };
  world.usageApi = [](const std::string& dataset, const json&) {
    const json rows = json::array({{{"sum", {{"requests", 960}}}, {"dimensions", {{"actionType", "write"}}}}});
    const std::string kv = json{{"data", {{"viewer", {{"accounts", {{{"kvOperationsAdaptiveGroups", rows}}}}}}}}, {"errors", nullptr}}.dump();
    return std::pair<int, std::string>{200, dataset == "kvOperationsAdaptiveGroups" ? kv : TickWorld::emptyAnswer(dataset)};
  };
  // Between the tick's first read and its last write, a meter tick appends a retry.
  const json appended = {{"channel", 0}, {"event", {{"level", "trip"}, {"key", "d1-rows-written@import"}, {"message", "m"}}}, {"attempts", 1}};
  int reads = 0;
  world.meanwhile = [&](const json& action) {
    if (action.value("do", "") == "read" && action.value("key", "") == kStateKey && ++reads == 3) {
      json state = json::parse(world.kv[kStateKey]);
      state["pendingAlerts"].push_back(appended);
      world.kv[kStateKey] = state.dump();
    }
  };
  const json result = world.run(core, {{"kind", "tick"}, {"now", kNoon}, {"accountId", kAccount}, {"token", "token"}});
  REQUIRE(result["ok"] == true);
  const json pending = stored(world)["pendingAlerts"];
  CHECK(std::find(pending.begin(), pending.end(), appended) != pending.end());
  CHECK(std::any_of(pending.begin(), pending.end(), [](const json& e) { return e["event"]["key"] == "kv-writes"; }));
}

TEST_CASE("meter record: a meter trip takes the operator actions its line calls for at once") {
  GuardCore core = coreOf(json{{"plan", "free"},
                               {"actions", {{"script", "my-worker"}, {"on", {{"kv-writes", {"disable-workers-dev"}}}}}}});
  TickWorld world;
  bool enabled = true;
  world.restApi = [&enabled](const json& call) {
    if (call["method"] == "POST") enabled = json::parse(call["body"].get<std::string>())["enabled"];
    return std::pair<int, std::string>{200, json{{"success", true}, {"result", {{"enabled", enabled}, {"previews_enabled", enabled}}}}.dump()};
  };
  json start = meterStart(tripRecord());
  start["actions"] = {{"tokenSet", true}, {"script", "my-worker"}};
  const json result = world.run(core, start);
  REQUIRE(result["ok"] == true);
  CHECK_FALSE(enabled);
  CHECK(stored(world)["actions"]["disable-workers-dev"]["undo"]["enabled"] == true);
  bool alerted = false;
  for (const json& event : result["events"]) alerted |= event["level"] == "action";
  CHECK(alerted);
}
