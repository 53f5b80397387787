#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "config.h"
#include "enforcer.h"
#include "live_meter.h"
#include "calendar.h"

using namespace edgefuse;
using nlohmann::json;

namespace {

constexpr std::int64_t kT0 = 1'795'000'000'000;  // 2026-11-18, on a bucket boundary

Config configWith(const json& extra) {
  json input = {{"plan", "free"}};
  input.update(extra);
  auto result = parseConfig(input);
  REQUIRE(result.problems.empty());
  return *result.config;
}

std::size_t indexOf(std::string_view id) { return static_cast<std::size_t>(findResource(id) - resources().begin()); }

// One isolate: a config, its enforcer and its outbox.
struct Isolate {
  explicit Isolate(const json& extra) : config(configWith(extra)), enforcer(Enforcer::fromConfig(config)), outbox(config) {
    writes = enforcer.defineMeter(indexOf("kv-writes"), "KV");
    reads = enforcer.defineMeter(indexOf("kv-reads"), "KV");
    invocation = enforcer.begin();
  }
  Verdict write(double units = 1) { return enforcer.admit(invocation, writes, units); }
  Config config;
  Enforcer enforcer;
  MeterOutbox outbox;
  int writes;
  int reads;
  std::uint32_t invocation;
};

// A meter: its stored state, and what each report answered.
struct Meter {
  std::string state;
  json last;
  json report(const std::string& text) {
    last = json::parse(meterReportJson(state, text));
    REQUIRE(last["ok"] == true);
    state = last["state"].get<std::string>();
    return last["answer"];
  }
};

// Sends the isolate's report to the meter and settles it.
json exchange(Isolate& isolate, Meter& meter, std::int64_t now) {
  const json answer = meter.report(isolate.outbox.take(isolate.enforcer, now));
  return json::parse(isolate.outbox.settle(isolate.enforcer, answer.dump(), "", now));
}

// A line of 1,000 KV writes a minute, and no per-invocation limit in the way.
const json kWriteLine = {{"rates", {{"kv-writes", {{"perMinute", 1000}}}}}, {"limits", {{"kv-writes", nullptr}}}};

}  // namespace

TEST_CASE("config: rate lines and the meter's settings, with clear errors") {
  const Config config = configWith({{"rates", {{"kv-writes", {{"perMinute", 1000}}}, {"d1-rows-written", {{"perMinute", 50}, {"recoverPerMinute", 10}}}}},
                                    {"meter", {{"binding", "METER"}, {"reportSeconds", 30}}}});
  CHECK(config.rates.at("kv-writes").perMinute == 1000);
  CHECK(config.rates.at("kv-writes").recoverPerMinute == 500);  // half the line by default
  CHECK(config.rates.at("d1-rows-written").recoverPerMinute == 10);
  CHECK(config.meterBinding == "METER");
  CHECK(config.meterReportSeconds == 30);
  // The normalised config reads back as itself (guard.config is a valid config).
  auto again = parseConfig(toJson(config));
  REQUIRE(again.problems.empty());
  CHECK(toJson(*again.config) == toJson(config));

  auto problems = [](const json& extra) {
    json input = {{"plan", "free"}};
    input.update(extra);
    auto result = parseConfig(input);
    CHECK_FALSE(result.config);
    return result.problems;
  };
  auto typo = problems({{"rates", {{"kv-write", {{"perMinute", 10}}}}}});
  REQUIRE(typo.size() == 1);
  CHECK(typo[0].path == "rates.kv-write");
  CHECK(typo[0].fix.find("kv-writes") != std::string::npos);
  auto uncounted = problems({{"rates", {{"workers-requests", {{"perMinute", 10}}}}}});
  CHECK(uncounted[0].message.find("not counted by guarded bindings") != std::string::npos);
  CHECK(problems({{"rates", {{"kv-writes", json::object()}}}})[0].path == "rates.kv-writes.perMinute");
  CHECK(problems({{"rates", {{"kv-writes", {{"perMinute", 0}}}}}})[0].path == "rates.kv-writes.perMinute");
  CHECK(problems({{"rates", {{"kv-writes", {{"perMinute", 10}, {"recoverPerMinute", 10}}}}}})[0].path ==
        "rates.kv-writes.recoverPerMinute");
  CHECK(problems({{"rates", {{"kv-writes", {{"perMinute", 10}, {"per", 1}}}}}})[0].path == "rates.kv-writes.per");
  CHECK(problems({{"meter", {{"reportSeconds", 0}}}})[0].path == "meter.reportSeconds");
  CHECK(problems({{"meter", {{"bindng", "X"}}}})[0].path == "meter.bindng");
}

TEST_CASE("an isolate counts only the resources with a line, admitted units only, and refunds") {
  json rateOnly = kWriteLine;
  rateOnly["meter"] = {{"quotas", false}};
  Isolate isolate(rateOnly);
  CHECK(isolate.outbox.on());
  CHECK(isolate.write(3) == Verdict::Allow);
  CHECK(isolate.enforcer.admit(isolate.invocation, isolate.reads, 5) == Verdict::Allow);
  CHECK(isolate.enforcer.unreported(indexOf("kv-writes")) == 3);
  CHECK(isolate.enforcer.unreported(indexOf("kv-reads")) == 0);  // no line: never reported
  isolate.enforcer.refund(isolate.invocation, isolate.writes, 1);
  CHECK(isolate.enforcer.unreported(indexOf("kv-writes")) == 2);
  // Calls of an invocation whose counters are gone still reach the meter.
  isolate.enforcer.end(isolate.invocation);
  CHECK(isolate.write(4) == Verdict::Allow);
  CHECK(isolate.enforcer.unreported(indexOf("kv-writes")) == 6);
  // With live quotas (on by default), resources with a trip line are counted too: the free
  // plan's daily quotas trip at 90%.
  Isolate quotas(kWriteLine);
  quotas.enforcer.admit(quotas.invocation, quotas.reads, 5);
  CHECK(quotas.enforcer.unreported(indexOf("kv-reads")) == 5);
  // Without the meter there is nothing to report, ever.
  Isolate calm(json::object());
  CHECK_FALSE(calm.outbox.on());
  calm.write(100);
  CHECK_FALSE(calm.outbox.due(calm.enforcer, kT0 + 3'600'000));
}

TEST_CASE("when an isolate reports: at once when new, then as its burn nears what is left") {
  Isolate isolate(kWriteLine);
  Meter meter;
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0));  // nothing to report
  isolate.write();
  CHECK(isolate.outbox.due(isolate.enforcer, kT0));  // new: learns what stands at once
  CHECK(exchange(isolate, meter, kT0)["ok"] == true);
  // 1 of 1,000 used: a report is due at 5% of the 999 left, 50 units.
  for (int i = 0; i < 49; ++i) isolate.write();
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 1000));
  isolate.write();
  CHECK(isolate.outbox.due(isolate.enforcer, kT0 + 1000));
  // Within 250 ms of the last answer only a quarter of what is left makes one due.
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 100));
  for (int i = 0; i < 199; ++i) isolate.write();
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 100));
  isolate.write();
  CHECK(isolate.outbox.due(isolate.enforcer, kT0 + 100));  // 250 of the 999 left
  exchange(isolate, meter, kT0 + 100);
  CHECK(meter.last["answer"]["rates"]["kv-writes"] == 251);
  for (int i = 0; i < 50; ++i) isolate.write();
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 200));  // 50 of 749 left, but spaced
  CHECK(isolate.outbox.due(isolate.enforcer, kT0 + 1000));
  exchange(isolate, meter, kT0 + 1000);
  CHECK(meter.last["answer"]["rates"]["kv-writes"] == 301);
  // A calm isolate: a few units report only once reportSeconds (60 s) have passed.
  isolate.write(2);
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 30'000));
  CHECK(isolate.outbox.due(isolate.enforcer, kT0 + 61'000));
  // Nothing unreported: no report, however long.
  exchange(isolate, meter, kT0 + 61'000);
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 600'000));
}

TEST_CASE("an isolate that alone spends what the meter said was left refuses until the next answer") {
  Isolate isolate(kWriteLine);
  Isolate other(kWriteLine);
  Meter meter;
  isolate.write(900);
  isolate.outbox.take(isolate.enforcer, kT0);
  isolate.write(30);  // admitted while the report is on its way: not in its answer
  const json answer = meter.report(json({{"now", kT0}, {"lines", {{"kv-writes", {{"perMinute", 1000}, {"recoverPerMinute", 500}}}}}, {"units", {{"kv-writes", 900}}}}).dump());
  isolate.outbox.settle(isolate.enforcer, answer.dump(), "", kT0);
  CHECK(answer["headroom"]["kv-writes"] == 100);
  CHECK(isolate.enforcer.room(indexOf("kv-writes")) == 70);  // 100 left, less the 30 since
  CHECK(isolate.write(69) == Verdict::Allow);
  CHECK((isolate.outbox.poll(isolate.enforcer, kT0 + 300) & MeterOutbox::kInForceChanged) == 0);  // 1 left: not spent
  CHECK(isolate.write(2) == Verdict::Tripped);  // past the room: the line is crossed whatever the others did
  CHECK(isolate.write() == Verdict::Allow);     // the last unit reaches the line exactly
  CHECK(isolate.enforcer.admit(isolate.invocation, isolate.reads, 1) == Verdict::Allow);  // other resources carry on
  CHECK(isolate.outbox.poll(isolate.enforcer, kT0 + 300) == (MeterOutbox::kDue | MeterOutbox::kInForceChanged));
  const json inForce = json::parse(isolate.outbox.inForce());
  CHECK(inForce["kv-writes"]["reason"].get<std::string>().find("left 100 under its line, and this isolate alone has used them") !=
        std::string::npos);
  CHECK(isolate.write() == Verdict::Tripped);
  CHECK(isolate.outbox.poll(isolate.enforcer, kT0 + 300) == MeterOutbox::kDue);  // unchanged: named once
  // The answer is the meter's word: here, the line crossed indeed (1,000 in the minute).
  exchange(isolate, meter, kT0 + 300);
  CHECK(json::parse(isolate.outbox.inForce())["kv-writes"]["reason"].get<std::string>().find("in the last minute across isolates") !=
        std::string::npos);
  CHECK(isolate.write() == Verdict::Tripped);
  // Another isolate, two minutes on, the old units aged out: 999 left, and it spends them alone.
  other.write(1);
  exchange(other, meter, kT0 + 120'000);
  CHECK(other.write(999) == Verdict::Allow);
  CHECK(other.write() == Verdict::Tripped);
  // Its report fails: what was left is not known any more, and the guard fails open.
  other.outbox.take(other.enforcer, kT0 + 121'000);
  other.outbox.settle(other.enforcer, "", "the meter timed out", kT0 + 126'000);
  CHECK(other.write() == Verdict::Allow);
  CHECK(json::parse(other.outbox.inForce()).empty());
}

TEST_CASE("a spent room ends with an answer that has room, and a dry run refuses nothing") {
  Isolate isolate(kWriteLine);
  Meter meter;
  isolate.write(900);
  exchange(isolate, meter, kT0);
  CHECK(isolate.write(100) == Verdict::Allow);
  CHECK(isolate.write() == Verdict::Tripped);
  // 70 s on, the 900 have aged out of the minute: the meter counts 100 and answers with room.
  exchange(isolate, meter, kT0 + 70'000);
  CHECK(meter.last["answer"]["breakers"].empty());
  CHECK(isolate.write() == Verdict::Allow);
  CHECK(isolate.enforcer.room(indexOf("kv-writes")) == 899);
  json dry = kWriteLine;
  dry["dryRun"] = true;
  Isolate dryRun(dry);
  Meter other;
  dryRun.write(990);
  exchange(dryRun, other, kT0);
  CHECK(dryRun.write(20) == Verdict::Allow);
  CHECK(dryRun.outbox.poll(dryRun.enforcer, kT0 + 300) == MeterOutbox::kDue);
}

TEST_CASE("near a line, the isolates reporting share what is left, each as its room") {
  MeterBook book("");
  const json line = {{"kv-writes", {{"perMinute", 1000}, {"recoverPerMinute", 500}}}};
  const auto report = [&](const char* isolate, double units, std::int64_t now) {
    const json reply = json::parse(book.report(json({{"now", now}, {"lines", line}, {"units", {{"kv-writes", units}}}, {"isolate", isolate}}).dump()));
    REQUIRE(reply["ok"] == true);
    return reply["answer"];
  };
  // Far from the line (900 left, a minute's pace of 100): each isolate's room is all of it.
  report("a", 50, kT0);
  CHECK_FALSE(report("b", 50, kT0 + 100).contains("shares"));
  // 100 left, at a pace that reaches it in under 10 s: the three isolates share it. Each is
  // granted an equal part of what the others' grants leave (shared with those holding
  // none), and a grant lasts until its isolate reports again (what it spent is then counted).
  CHECK(report("c", 800, kT0 + 200)["shares"]["kv-writes"] == 34);  // 100 / 3, in whole units up
  const json near = report("a", 0, kT0 + 300);
  CHECK(near["headroom"]["kv-writes"] == 100);
  CHECK(near["shares"]["kv-writes"] == 33);  // (100 - c's 34) / 2
  CHECK(report("c", 0, kT0 + 350)["shares"]["kv-writes"] == 34);  // (100 - a's 33) / 2
  CHECK(report("b", 0, kT0 + 360)["shares"]["kv-writes"] == 33);  // (100 - 67) / 1
  // The isolate's room is its share, less what it admitted while its report was out.
  Isolate isolate(kWriteLine);
  isolate.outbox.identify("d");
  isolate.write(1);
  const json taken = json::parse(isolate.outbox.take(isolate.enforcer, kT0 + 400));
  CHECK(taken["isolate"] == "d");
  isolate.write(3);
  isolate.outbox.settle(isolate.enforcer, near.dump(), "", kT0 + 400);
  CHECK(isolate.enforcer.room(indexOf("kv-writes")) == 30);
  CHECK(isolate.write(30) == Verdict::Allow);
  CHECK(isolate.write(1) == Verdict::Tripped);
  // What its room refused goes in its next report; a line that cannot grant it trips.
  const json wanting = json::parse(isolate.outbox.take(isolate.enforcer, kT0 + 700));
  CHECK(wanting["wanted"]["kv-writes"] == 1);
  // Another isolate refused a call of 2, with the others' grants holding all that is left:
  // it is granted the call all the same (the line may be passed by a call an isolate, never
  // held short of it for good).
  const auto wants = [&](const char* isolate, double units, double call, std::int64_t now) {
    return json::parse(book.report(json({{"now", now}, {"lines", line}, {"units", {{"kv-writes", units}}},
                                         {"wanted", {{"kv-writes", call}}}, {"isolate", isolate}}).dump()))["answer"];
  };
  const json granted = wants("d", 30, 2, kT0 + 800);
  CHECK(granted["shares"]["kv-writes"] == 2);
  CHECK(granted["breakers"].empty());
  // A call that does not fit under the line at all would pass it: the line trips.
  const json tripped = wants("d", 0, 80, kT0 + 900);
  CHECK(tripped["breakers"]["kv-writes"]["reason"].get<std::string>().find("a call of 80 was refused with 70 left") != std::string::npos);
  // A name that is not one is refused, naming the field.
  const json bad = json::parse(book.report(json({{"now", kT0 + 500}, {"lines", line}, {"units", json::object()}, {"isolate", "a b"}}).dump()));
  CHECK(bad["problems"][0]["path"] == "report.isolate");
  // A minute on, the reporters of the last minute are forgotten: one isolate, no share.
  CHECK_FALSE(report("a", 1, kT0 + 61'000).contains("shares"));
}

TEST_CASE("a room goes stale, forgotten 10 s after its answer, and a share outlives answers that carry none") {
  Isolate isolate(kWriteLine);
  Meter meter;
  isolate.write(990);
  exchange(isolate, meter, kT0);
  CHECK(isolate.enforcer.room(indexOf("kv-writes")) == 10);
  // Idle, then a burst: the window has slid since, so the old room is not held against it.
  isolate.outbox.poll(isolate.enforcer, kT0 + 10'000);
  CHECK(isolate.enforcer.room(indexOf("kv-writes")) == Enforcer::kNoRoomLimit);
  CHECK(isolate.write(20) == Verdict::Allow);
  // A share near the line is kept when a baseline's or an acknowledgement's answer (which
  // carry none) comes in, and never grows past what is left.
  Isolate sharing(kWriteLine);
  json answer = {{"version", 1}, {"breakers", json::object()}, {"headroom", {{"kv-writes", 60}}}, {"shares", {{"kv-writes", 20}}}};
  sharing.write(1);
  sharing.outbox.take(sharing.enforcer, kT0);
  sharing.outbox.settle(sharing.enforcer, answer.dump(), "", kT0);
  CHECK(sharing.enforcer.room(indexOf("kv-writes")) == 20);
  sharing.outbox.hear(sharing.enforcer, json({{"version", 1}, {"breakers", json::object()}}).dump());
  CHECK(sharing.enforcer.room(indexOf("kv-writes")) == 20);
  sharing.outbox.hear(sharing.enforcer, json({{"version", 1}, {"breakers", json::object()}, {"headroom", {{"kv-writes", 12}}}}).dump());
  CHECK(sharing.enforcer.room(indexOf("kv-writes")) == 12);
}

TEST_CASE("a failed report loses nothing, backs off, and one report is in flight at a time") {
  Isolate isolate(kWriteLine);
  Meter meter;
  isolate.write(7);
  const std::string report = isolate.outbox.take(isolate.enforcer, kT0);
  CHECK(json::parse(report)["units"]["kv-writes"] == 7);
  isolate.write(2);
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 10));  // one in flight
  const json failed = json::parse(isolate.outbox.settle(isolate.enforcer, "", "the meter timed out", kT0 + 5000));
  CHECK(failed["ok"] == false);
  CHECK(failed["error"] == "the meter timed out");
  CHECK(isolate.enforcer.unreported(indexOf("kv-writes")) == 9);  // the 7 came back
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 5500));   // 1 s after a failure
  CHECK(isolate.outbox.due(isolate.enforcer, kT0 + 6000));
  isolate.outbox.take(isolate.enforcer, kT0 + 6000);
  isolate.outbox.settle(isolate.enforcer, "", "down", kT0 + 6000);
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 7500));  // 2 s after the second
  CHECK(isolate.outbox.due(isolate.enforcer, kT0 + 8000));
  // An answer that is not the meter's is a failure too, and names what was wrong.
  isolate.outbox.take(isolate.enforcer, kT0 + 8000);
  const json bad = json::parse(isolate.outbox.settle(isolate.enforcer, R"({"breakers":{"kv-wrongs":{"reason":"x"}}})", "", kT0 + 8000));
  CHECK(bad["error"].get<std::string>().find("kv-wrongs") != std::string::npos);
  CHECK(isolate.enforcer.unreported(indexOf("kv-writes")) == 9);
  // Delivered at last: every unit counted once.
  isolate.outbox.take(isolate.enforcer, kT0 + 20'000);
  const json answer = meter.report(json({{"now", kT0 + 20'000}, {"lines", {{"kv-writes", {{"perMinute", 1000}, {"recoverPerMinute", 500}}}}}, {"units", {{"kv-writes", 9}}}}).dump());
  isolate.outbox.settle(isolate.enforcer, answer.dump(), "", kT0 + 20'000);
  CHECK(answer["rates"]["kv-writes"] == 9);
  CHECK(isolate.enforcer.unreported(indexOf("kv-writes")) == 0);
}

TEST_CASE("the meter trips a line crossed by many isolates, and every reporting isolate refuses") {
  Meter meter;
  std::vector<std::unique_ptr<Isolate>> isolates;
  for (int i = 0; i < 10; ++i) isolates.push_back(std::make_unique<Isolate>(kWriteLine));
  // Each isolate writes 90 units in its first 20 s: 900 together, under the line.
  for (auto& isolate : isolates) {
    isolate->write(90);
    exchange(*isolate, meter, kT0 + 20'000);
  }
  CHECK(meter.last["answer"]["breakers"].empty());
  CHECK(meter.last["answer"]["rates"]["kv-writes"] == 900);
  // The eleventh hundred crosses the line: the report that carries it trips it.
  isolates[0]->write(100);
  const json settled = exchange(*isolates[0], meter, kT0 + 25'000);
  CHECK(meter.last["changes"][0]["event"] == "trip");
  CHECK(settled["breakers"]["kv-writes"]["reason"].get<std::string>().find("1000 in the last minute") != std::string::npos);
  CHECK(settled["breakers"]["kv-writes"]["source"] == "meter");
  CHECK(meter.last["persist"] == true);
  CHECK(isolates[0]->write() == Verdict::Tripped);
  // Another isolate learns it on its next report: the last to report heard a rate of 900,
  // so 5% of the 100 left, 5 units, makes one due.
  Isolate& last = *isolates[9];
  last.write();
  CHECK_FALSE(last.outbox.due(last.enforcer, kT0 + 26'000));
  last.write(4);
  CHECK(last.outbox.due(last.enforcer, kT0 + 26'000));
  exchange(last, meter, kT0 + 26'000);
  CHECK(last.write() == Verdict::Tripped);
  CHECK(last.enforcer.admit(last.invocation, last.reads, 1) == Verdict::Allow);
}

TEST_CASE("a meter trip recovers at the recover line, not the trip line, and isolates ask again") {
  Isolate isolate(kWriteLine);
  Meter meter;
  isolate.write(400);
  exchange(isolate, meter, kT0 + 1'000);   // bucket 0
  CHECK(isolate.write(700) == Verdict::Tripped);  // past the 600 the meter left: refused whole
  CHECK(isolate.write(600) == Verdict::Allow);
  const json tripped = exchange(isolate, meter, kT0 + 31'000);  // 1,000 in the minute: tripped
  REQUIRE(tripped["breakers"].contains("kv-writes"));
  // With nothing more, the rate falls to 600 when the first bucket ages out (65 s): still over
  // the recover line of 500; to 0 when the second does (95 s).
  CHECK(meter.last["answer"]["recheckAtMs"] == kT0 + 95'000);
  CHECK(isolate.write() == Verdict::Tripped);
  CHECK_FALSE(isolate.outbox.due(isolate.enforcer, kT0 + 70'000));  // nothing to report, not yet time
  CHECK(isolate.outbox.due(isolate.enforcer, kT0 + 95'000));        // the meter said: ask again then
  // Asked at 70 s (another isolate's report), the rate of 600 is under the trip line and
  // over the recover line: still tripped.
  Isolate other(kWriteLine);
  other.write(1);
  CHECK(exchange(other, meter, kT0 + 70'000)["breakers"].contains("kv-writes"));
  const json recovered = exchange(isolate, meter, kT0 + 95'000);
  CHECK(recovered["breakers"].empty());
  CHECK(meter.last["changes"][0]["event"] == "recover");
  CHECK(isolate.write() == Verdict::Allow);
}

TEST_CASE("a dry run reports and hears the meter's trips, but refuses nothing") {
  json extra = kWriteLine;
  extra["dryRun"] = true;
  Isolate isolate(extra);
  Meter meter;
  isolate.write(1500);
  const json settled = exchange(isolate, meter, kT0);
  CHECK(settled["breakers"].contains("kv-writes"));
  CHECK(isolate.write() == Verdict::Allow);
}

TEST_CASE("the meter refuses a malformed report whole, and reads damaged state as empty") {
  auto refused = [](const std::string& report) {
    const json reply = json::parse(meterReportJson("", report));
    CHECK(reply["ok"] == false);
    return reply["problems"][0]["path"].get<std::string>();
  };
  CHECK(refused("not json") == "report");
  CHECK(refused(R"({"lines":{},"units":{}})") == "report.now");
  CHECK(refused(R"({"now":1,"lines":{"kv-write":{"perMinute":5,"recoverPerMinute":1}},"units":{}})") == "report.lines.kv-write");
  CHECK(refused(R"({"now":1,"lines":{"kv-writes":{"perMinute":5,"recoverPerMinute":5}},"units":{}})") == "report.lines.kv-writes");
  CHECK(refused(R"({"now":1,"lines":{},"units":{"kv-writes":-1}})") == "report.units.kv-writes");
  CHECK(refused(R"({"now":1,"lines":{}})") == "report.units");
  const json reply = json::parse(meterReportJson("{broken", R"({"now":1795000000000,"lines":{},"units":{}})"));
  CHECK(reply["ok"] == true);
  CHECK(reply["problems"][0]["path"] == "meter state");
  CHECK(reply["persist"] == true);  // the repaired state is written back
}

TEST_CASE("the meter persists on a change, else at most every 10 s, a line removed holds nothing") {
  Meter meter;
  const std::string lines = R"("lines":{"kv-writes":{"perMinute":10,"recoverPerMinute":5}})";
  auto report = [&](std::int64_t now, int units) {
    return meter.report("{\"now\":" + std::to_string(now) + "," + lines + ",\"units\":{\"kv-writes\":" + std::to_string(units) + "}}");
  };
  report(kT0, 1);
  CHECK(meter.last["persist"] == true);  // nothing stored yet
  report(kT0 + 2'000, 1);
  CHECK(meter.last["persist"] == false);
  report(kT0 + 11'000, 1);
  CHECK(meter.last["persist"] == true);
  report(kT0 + 12'000, 9);
  CHECK(meter.last["persist"] == true);  // tripped
  CHECK(meter.last["answer"]["version"] == 1);
  // The next report's lines no longer name kv-writes: its breaker ends.
  const json answer = meter.report("{\"now\":" + std::to_string(kT0 + 13'000) + ",\"lines\":{},\"units\":{}}");
  CHECK(answer["breakers"].empty());
  CHECK(answer["version"] == 2);
}

TEST_CASE("a meter whose clock is behind an isolate's never goes back in time") {
  Meter meter;
  const std::string lines = R"("lines":{"kv-writes":{"perMinute":100,"recoverPerMinute":50}})";
  meter.report("{\"now\":" + std::to_string(kT0 + 60'000) + "," + lines + ",\"units\":{\"kv-writes\":60}}");
  // A report stamped a minute earlier counts in the latest minute, not a past one.
  const json answer = meter.report("{\"now\":" + std::to_string(kT0) + "," + lines + ",\"units\":{\"kv-writes\":60}}");
  CHECK(answer["breakers"].contains("kv-writes"));
  CHECK(answer["rates"]["kv-writes"] == 120);
}

TEST_CASE("a manual reset at the meter ends its trip and holds the line off, then lets it trip again") {
  Isolate isolate(kWriteLine);
  Meter meter;
  isolate.write(1200);
  REQUIRE(exchange(isolate, meter, kT0)["breakers"].contains("kv-writes"));
  const json reset = json::parse(meterResetJson(meter.state, json({{"now", kT0 + 1000}, {"keys", {"kv-writes"}}, {"holdSeconds", 120}}).dump()));
  REQUIRE(reset["ok"] == true);
  CHECK(reset["persist"] == true);
  CHECK(reset["changes"][0]["event"] == "reset");
  CHECK(reset["answer"]["breakers"].empty());
  meter.state = reset["state"].get<std::string>();
  // The isolate that made the reset hears its answer at once, without a report of its own.
  CHECK(json::parse(isolate.outbox.hear(isolate.enforcer, reset["answer"].dump()))["ok"] == true);
  CHECK(isolate.write() == Verdict::Allow);
  // Held: the rate is still far over the line, and it does not trip again...
  isolate.write(100);
  CHECK(exchange(isolate, meter, kT0 + 2000)["breakers"].empty());
  // ...until the hold ends (121 s on, with the storm still going).
  isolate.write(1200);
  CHECK(exchange(isolate, meter, kT0 + 122'000)["breakers"].contains("kv-writes"));
  // A reset of nothing known is refused, naming what.
  const json bad = json::parse(meterResetJson(meter.state, R"({"now":1795000000000,"keys":["kv-wrongs"]})"));
  CHECK(bad["ok"] == false);
  CHECK(bad["problems"][0]["message"].get<std::string>().find("kv-wrongs") != std::string::npos);
  CHECK(json::parse(meterResetJson("", R"({"now":1795000000000,"keys":["kv-writes"],"holdSeconds":0})"))["problems"][0]["path"] ==
        "reset.holdSeconds");
}

TEST_CASE("live quotas: the poll's figure plus what the meter counted since, on the poll's own lines") {
  // The free plan's 1,000 KV writes a day trip at 90% (900) and recover at 80% (800).
  Isolate isolate(kWriteLine);
  Meter meter;
  // A tick at 10:00 read 850 writes today: under the line.
  const std::int64_t tenAm = kT0 - kT0 % 86'400'000 + 10 * 3'600'000;
  const json report = {{"resources", json::array({
      {{"key", "kv-writes"}, {"stale", false}, {"used", 850}, {"quota", 1000},
       {"lines", {{"warn", 80}, {"trip", 90}, {"recover", 80}, {"tripAt", nullptr}}},
       {"window", {{"from", isoDate(dayOfMs(tenAm))}, {"resetsAt", isoTimestamp(msOfDay(dayOfMs(tenAm) + 1))}}}},
      {{"key", "kv-reads"}, {"stale", true}, {"used", nullptr}},
      {{"key", "workers-requests"}, {"stale", false}, {"used", 5}, {"quota", 100000},
       {"lines", {{"warn", 80}, {"trip", 90}, {"recover", 80}, {"tripAt", nullptr}}},
       {"window", {{"from", isoDate(dayOfMs(tenAm))}, {"resetsAt", isoTimestamp(msOfDay(dayOfMs(tenAm) + 1))}}}}})}};
  const std::string baseline = meterBaselineFor(isolate.config, report, tenAm);
  const json parsed = json::parse(baseline);
  CHECK(parsed["quotas"].size() == 1);  // not the stale figure, nor a resource no call is charged to
  CHECK(parsed["quotas"]["kv-writes"]["trip"] == 900);
  CHECK(parsed["quotas"]["kv-writes"]["recover"] == 800);
  json answer = json::parse(meterBaselineJson(meter.state, baseline));
  REQUIRE(answer["ok"] == true);
  meter.state = answer["state"].get<std::string>();
  CHECK(answer["answer"]["breakers"].empty());
  CHECK(answer["answer"]["headroom"]["kv-writes"] == 50);
  // 49 more writes reported a minute later: 899, under. The 50th crosses 900 and trips it,
  // hours before the next ticks could have seen it.
  isolate.write(49);
  exchange(isolate, meter, tenAm + 60'000);
  CHECK(meter.last["answer"]["breakers"].empty());
  isolate.write(1);
  const json settled = exchange(isolate, meter, tenAm + 61'000);
  REQUIRE(settled["breakers"].contains("kv-writes"));
  CHECK(settled["breakers"]["kv-writes"]["reason"].get<std::string>().find("the usage poll's 850 and 50 counted live") !=
        std::string::npos);
  CHECK(isolate.write() == Verdict::Tripped);
  // It holds until the window resets (the recover line is 800, and live use only grows)...
  CHECK(meter.last["answer"]["recheckAtMs"] == msOfDay(dayOfMs(tenAm) + 1));
  // ...and the next day starts again from what the meter counted since midnight.
  const json tomorrow = exchange(isolate, meter, msOfDay(dayOfMs(tenAm) + 1) + 1000);
  CHECK(tomorrow["breakers"].empty());
  CHECK(isolate.write() == Verdict::Allow);
}

TEST_CASE("live quotas over-count, never under-count, when the figure lags") {
  Isolate isolate(kWriteLine);
  Meter meter;
  const std::int64_t noon = kT0 - kT0 % 86'400'000 + 12 * 3'600'000;
  // 300 writes counted at 11:55, before a tick at noon whose figure may or may not hold them.
  isolate.write(300);
  exchange(isolate, meter, noon - 5 * 60'000);
  const json baseline = {{"asOfMs", noon},
                         {"quotas", {{"kv-writes", {{"used", 500}, {"trip", 900}, {"recover", 800},
                                                    {"windowStartMs", noon - 12 * 3'600'000}, {"windowEndMs", noon + 12 * 3'600'000}}}}}};
  const json answer = json::parse(meterBaselineJson(meter.state, baseline.dump()));
  // Counted within 10 minutes before the figure: added, so 800 rather than maybe 500.
  CHECK(answer["answer"]["headroom"]["kv-writes"] == 100);
  // A figure the meter cannot read is refused whole, naming where.
  const json bad = json::parse(meterBaselineJson("", R"({"asOfMs":1795000000000,"quotas":{"kv-writes":{"used":-1}}})"));
  CHECK(bad["ok"] == false);
  CHECK(bad["problems"][0]["path"] == "baseline.quotas.kv-writes");
}

TEST_CASE("features: a line on one feature trips its invocations only, the rest carry on") {
  const json extra = {{"features", {{"import", {{"route", "/import/"}}}, {"nightly", {{"cron", "0 3 * * *"}}}, {"ingest", {{"queue", "events"}}}}},
                      {"rates", {{"kv-writes@import", {{"perMinute", 100}}}}},
                      {"limits", {{"kv-writes", nullptr}}}};
  Isolate isolate(extra);
  const Config& config = isolate.config;
  // Which feature an invocation belongs to: the longest route, the cron, the queue.
  CHECK(featureOf(config, "fetch", "/import") == 1);
  CHECK(featureOf(config, "fetch", "/import/csv") == 1);
  CHECK(featureOf(config, "fetch", "/imports") == 0);
  CHECK(featureOf(config, "fetch", "/") == 0);
  CHECK(featureOf(config, "scheduled", "0 3 * * *") == 3);  // ids follow the names: import, ingest, nightly
  CHECK(featureOf(config, "scheduled", "*/5 * * * *") == 0);
  CHECK(featureOf(config, "queue", "events") == 2);
  CHECK(featureOf(config, "queue", "") == 0);
  // By name (guard.env's explicit label): a name the config lacks is -1, never "no feature".
  CHECK(featureOf(config, "name", "ingest") == 2);
  CHECK(featureOf(config, "name", "imports") == -1);
  // The normalised config reads back as itself.
  auto again = parseConfig(toJson(config));
  REQUIRE(again.problems.empty());
  CHECK(toJson(*again.config) == toJson(config));

  Meter meter;
  const auto importing = isolate.enforcer.begin(1);
  const auto other = isolate.enforcer.begin(0);
  CHECK(isolate.enforcer.admit(other, isolate.writes, 500) == Verdict::Allow);  // not the import's
  CHECK(isolate.enforcer.unreported(indexOf("kv-writes"), 1) == 0);
  CHECK(isolate.enforcer.admit(importing, isolate.writes, 120) == Verdict::Allow);
  CHECK(isolate.enforcer.unreported(indexOf("kv-writes"), 1) == 120);
  const std::string report = isolate.outbox.take(isolate.enforcer, kT0);
  CHECK(json::parse(report)["units"]["kv-writes@import"] == 120);
  const json answer = meter.report(report);
  CHECK(answer["breakers"].contains("kv-writes@import"));
  isolate.outbox.settle(isolate.enforcer, answer.dump(), "", kT0);
  CHECK(isolate.enforcer.admit(importing, isolate.writes, 1) == Verdict::Tripped);
  CHECK(isolate.enforcer.check(importing, isolate.writes) == Verdict::Tripped);
  CHECK(isolate.enforcer.admit(other, isolate.writes, 1) == Verdict::Allow);
  CHECK(isolate.enforcer.admit(isolate.enforcer.begin(1), isolate.writes, 1) == Verdict::Tripped);
  // A reset of the resource ends its features' trips too.
  const json reset = json::parse(meterResetJson(meter.state, json({{"now", kT0 + 1000}, {"keys", {"kv-writes"}}}).dump()));
  CHECK(reset["answer"]["breakers"].empty());
  CHECK(reset["changes"][0]["key"] == "kv-writes@import");
  // And a reset of the feature's own key ends that trip alone.
  const json byFeature = json::parse(meterResetJson(meter.state, json({{"now", kT0 + 1000}, {"keys", {"kv-writes@import"}}}).dump()));
  REQUIRE(byFeature["ok"] == true);
  CHECK(byFeature["answer"]["breakers"].empty());
  CHECK(byFeature["changes"][0]["key"] == "kv-writes@import");
  const json unknown = json::parse(meterResetJson(meter.state, json({{"now", kT0 + 1000}, {"keys", {"kv-wrongs@import"}}}).dump()));
  CHECK(unknown["ok"] == false);
}

TEST_CASE("features: config errors name the feature and the fix") {
  auto problems = [](const json& extra) {
    json input = {{"plan", "free"}};
    input.update(extra);
    return parseConfig(input).problems;
  };
  auto undeclared = problems({{"rates", {{"kv-writes@imprt", {{"perMinute", 10}}}}}, {"features", {{"import", {{"route", "/i/"}}}}}});
  REQUIRE(undeclared.size() == 1);
  CHECK(undeclared[0].path == "rates.kv-writes@imprt");
  CHECK(undeclared[0].fix.find("import") != std::string::npos);
  CHECK(problems({{"features", {{"both", {{"route", "/a/"}, {"cron", "* * * * *"}}}}}})[0].message == "must name exactly one of route, cron or queue");
  CHECK(problems({{"features", {{"a", {{"route", "/x/"}}}, {"b", {{"route", "/x"}}}}}})[0].message == "repeats feature a");
  CHECK(problems({{"features", {{"a", {{"cron", "0 3 * * *"}}}, {"b", {{"cron", "0 3 * * *"}}}}}})[0].path == "features.b.cron");
  CHECK(problems({{"features", {{"a", {{"queue", "events"}}}, {"b", {{"queue", "events"}}}}}})[0].message == "repeats feature a");
  CHECK(problems({{"features", {{"bad name", {{"route", "/x/"}}}}}})[0].path == "features.bad name");
  CHECK(problems({{"features", {{"q", {{"queue", ""}}}}}})[0].path == "features.q.queue");
}
