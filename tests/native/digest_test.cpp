// The daily and weekly digest: its schedule, the tally of each day kept in the state record,
// and the digest a tick sends on each channel, once per period.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "breaker_lifecycle.h"
#include "calendar.h"
#include "digest.h"
#include "tick_test_support.h"

using namespace edgefuse;
using namespace edgefuse::testing;
using nlohmann::json;

namespace {

const json kChannels = json::array({{{"type", "discord"}}, {{"type", "slack"}}, {{"type", "webhook"}}});

json digestConfig(const json& digest = {{"hourUtc", 9}}) {
  return {{"plan", "free"}, {"alerts", {{"channels", kChannels}, {"digest", digest}}}};
}

std::int64_t at(const char* iso) { return *parseIsoTimestamp(iso); }

json tickAt(std::int64_t now) { return {{"kind", "tick"}, {"now", now}, {"accountId", kAccount}, {"token", "token"}}; }

// The usage API: `writes()` KV writes today, no rows for the other datasets.
void answerKvWrites(TickWorld& world, const std::function<double()>& writes) {
  world.usageApi = [writes](const std::string& dataset, const json&) {
    if (dataset != "kvOperationsAdaptiveGroups") return std::pair<int, std::string>{200, TickWorld::emptyAnswer(dataset)};
    const json rows = json::array({{{"sum", {{"requests", writes()}}}, {"dimensions", {{"actionType", "write"}}}}});
    return std::pair<int, std::string>{
        200, json{{"data", {{"viewer", {{"accounts", {{{"kvOperationsAdaptiveGroups", rows}}}}}}}}, {"errors", nullptr}}.dump()};
  };
}

// The digests among the deliveries sent, as {channel body} in order.
std::vector<json> digestsSent(const TickWorld& world) {
  std::vector<json> out;
  for (const json& delivery : world.sent) {
    const json body = json::parse(delivery["body"].get<std::string>());
    const std::string text = body.value("content", body.value("text", ""));
    if (text.find("digest") != std::string::npos) out.push_back(body);
  }
  return out;
}

std::vector<std::string> problemPaths(const json& config) {
  std::vector<std::string> paths;
  for (const Problem& problem : parseConfig(config).problems) paths.push_back(problem.path + ": " + problem.message);
  return paths;
}

}  // namespace

TEST_CASE("digest config: alerts.digest is checked, and a digest that could not be sent is an error") {
  const Config config = *parseConfig(digestConfig({{"hourUtc", 7}, {"weekly", true}})).config;
  REQUIRE(config.digest);
  CHECK(config.digest->hourUtc == 7);
  CHECK(config.digest->daily);
  CHECK(config.digest->weekly);
  CHECK_FALSE(parseConfig(json{{"plan", "free"}}).config->digest);

  CHECK(problemPaths(digestConfig({{"hourUtc", 24}})) ==
        std::vector<std::string>{"alerts.digest.hourUtc: must be a whole number from 0 to 23, got 24"});
  CHECK(problemPaths(digestConfig({{"daily", false}})) ==
        std::vector<std::string>{"alerts.digest: sends nothing with daily and weekly both false"});
  CHECK(problemPaths(digestConfig({{"hour", 9}})).at(0).find("alerts.digest.hour") == 0);
  CHECK(problemPaths(json{{"plan", "free"}, {"alerts", {{"digest", json::object()}}}}) ==
        std::vector<std::string>{"alerts.digest: has no channel to go to"});
}

TEST_CASE("digest schedule: a day's digest is due from its hour the next day, a week's from Monday's") {
  const DigestSchedule both{9, true, true};
  DigestRecord record;
  record.sentDay = *parseIsoDate("2026-11-22");
  record.sentWeek = *parseIsoDate("2026-11-16");
  // Monday 2026-11-23: at 08:59 the 22nd's digest (sent) is still the last one due.
  CHECK(digestsDue(both, record, at("2026-11-23T08:59:59Z")).empty());
  auto due = digestsDue(both, record, at("2026-11-24T09:00:00Z"));
  REQUIRE(due.size() == 1);
  CHECK_FALSE(due[0].weekly);
  CHECK(isoDate(due[0].first) == "2026-11-23");

  record.sentWeek = *parseIsoDate("2026-11-09");
  due = digestsDue(both, record, at("2026-11-23T09:00:00Z"));
  REQUIRE(due.size() == 1);
  CHECK(due[0].weekly);
  CHECK(isoDate(due[0].first) == "2026-11-16");
  CHECK(isoDate(due[0].last) == "2026-11-22");
  // A week stays sent until the next Monday's hour; a clock gone back sends nothing twice.
  const DigestSchedule weekly{9, false, true};
  record.sentWeek = *parseIsoDate("2026-11-16");
  CHECK(digestsDue(weekly, record, at("2026-11-30T08:59:00Z")).empty());
  CHECK(digestsDue(weekly, record, at("2026-11-20T12:00:00Z")).empty());
  CHECK(digestsDue(weekly, record, at("2026-11-30T09:00:00Z")).size() == 1);
  CHECK(digestsDue(both, record, at("2026-11-30T09:00:00Z")).size() == 2);
  // Nothing sent yet: the last period that ended is due at once.
  CHECK(digestsDue({0, true, false}, DigestRecord{}, at("2026-11-23T00:30:00Z")).size() == 1);
}

TEST_CASE("digest tally: each completed hour is counted on its day, with the hour that stood out most") {
  HourlyHistory history;
  Tally tally;
  // Hourly totals of a resource whose period began 2026-11-23: 100 an hour, then 900.
  const std::int64_t start = at("2026-11-23T20:00:00Z");
  double total = 0;
  for (int hour = 0; hour <= 6; ++hour) {
    const HourlyHistory before = history;
    recordTotal(history, total, 0, start + hour * kMsPerHour + 60'000);
    tallyNewHours(tally, "kv-reads", before, history, 10);
    total += hour == 5 ? 900 : 100;
  }
  const DayTally& first = tally.at(*parseIsoDate("2026-11-23"));
  const DayTally& second = tally.at(*parseIsoDate("2026-11-24"));
  // 20:00-24:00 on the 23rd; the first mark was taken mid-hour, so 20:00 is not a full hour.
  CHECK(first.hours.at("kv-reads") == 3);
  CHECK(first.usage.at("kv-reads") == 300);
  CHECK(second.hours.at("kv-reads") == 2);
  CHECK(second.usage.at("kv-reads") == 1000);
  CHECK_FALSE(first.peak);  // no hour above the ones before it
  REQUIRE(second.peak);
  CHECK(isoTimestamp(second.peak->hour * kMsPerHour) == "2026-11-24T01:00:00Z");
  CHECK(second.peak->units == 900);
  CHECK(second.peak->baseline == 100);
}

TEST_CASE("digest record: the tally is added to a fresh read, trimmed, never sends twice, and hostile entries are dropped") {
  PollState state;
  StateChanges changes;
  const Day day = *parseIsoDate("2026-11-23");
  countEvent(changes.tally[day], {"2026-11-23T12:00:00Z", "trip", "kv-writes", false});
  changes.tally[day].usage["kv-reads"] = 50;
  changes.digestSentDay = day - 1;
  state = applyChanges(state, changes);
  state = applyChanges(state, changes);  // another tick's own news, added again
  CHECK(state.digest.days.at(day).events.at("trip") == 2);
  CHECK(state.digest.days.at(day).usage.at("kv-reads") == 100);
  StateChanges older;
  older.digestSentDay = day - 5;
  older.tally[day - 20].failedChecks = 1;  // far older than the days kept
  state = applyChanges(state, older);
  CHECK(isoDate(*state.digest.sentDay) == "2026-11-22");
  CHECK_FALSE(state.digest.days.count(day - 20));

  const PollStateRecord back = parsePollState(serializePollState(state));
  CHECK(back.state.digest == state.digest);
  CHECK(changesFromJson(changesToJson(changes))->tally == changes.tally);

  json hostile = json::parse(serializePollState(state));
  hostile["digest"] = {{"sentDay", "yesterday"},
                       {"days", {{"2026-11-23", {{"usage", {{"kv-reads", -5}, {"no-such-resource", 3}}},
                                                 {"events", {{"trip", "many"}}},
                                                 {"first", json::array({1, {{"level", "trip"}}})},
                                                 {"peak", {{"resource", "kv-reads"}, {"hour", 1}, {"units", 5}, {"baseline", 0}}}}},
                                 {"not-a-date", 1}}}};
  const DigestRecord read = parsePollState(hostile.dump()).state.digest;
  CHECK_FALSE(read.sentDay);
  REQUIRE(read.days.size() == 1);
  const DayTally& kept = read.days.begin()->second;
  CHECK(kept.usage.empty());
  CHECK(kept.events.at("trip") == 0);
  CHECK(kept.firstEvents.empty());
  CHECK_FALSE(kept.peak);
}

TEST_CASE("digest tick: sent once a day on every channel, each in its own markdown, from the tally of the day") {
  GuardCore core = coreOf(digestConfig());
  TickWorld world;
  double writes = 0;
  answerKvWrites(world, [&writes] { return writes; });
  // The first tick: nothing sent yet, so the day that ended is due at once (with no tally).
  json result = world.run(core, tickAt(at("2026-11-23T09:00:00Z")));
  REQUIRE(result["ok"] == true);
  CHECK(digestsSent(world).size() == 3);
  CHECK(stored(world)["digest"]["sentDay"] == "2026-11-22");
  world.sent.clear();
  world.run(core, tickAt(at("2026-11-23T09:02:00Z")));
  CHECK(digestsSent(world).empty());

  // The 23rd: 50 writes an hour, then 700 in the hour from 20:00, which trips kv-writes.
  for (std::int64_t now = at("2026-11-23T09:05:00Z"); now <= at("2026-11-23T23:05:00Z"); now += kMsPerHour) {
    writes += dayOfMs(now) == dayOfMs(now - kMsPerHour) ? (now == at("2026-11-23T21:05:00Z") ? 700 : 50) : 0;
    world.run(core, tickAt(now));
  }
  CHECK(digestsSent(world).empty());
  writes = 10;  // the 24th's
  world.run(core, tickAt(at("2026-11-24T08:59:00Z")));
  CHECK(digestsSent(world).empty());
  result = world.run(core, tickAt(at("2026-11-24T09:01:00Z")));
  const std::vector<json> digests = digestsSent(world);
  REQUIRE(digests.size() == 3);
  CHECK(result["events"].back()["level"] == "digest");
  CHECK(result["events"].back()["message"].get<std::string>().find("daily digest for 2026-11-23: 1 trip") == 0);

  const std::string discord = digests[0]["content"];
  INFO(discord);
  CHECK(digests[0]["allowed_mentions"] == json{{"parse", json::array()}});
  CHECK(discord.size() <= 2000);
  CHECK(discord.find("**edgefuse daily digest**: 2026-11-23 (UTC)") == 0);
  CHECK(discord.find("Account 0123\u2026cdef, free plan") != std::string::npos);
  // The hours of the 23rd from 09:00 (when the guard began) to 24:00; the last is measured
  // only in part, as a daily quota's total starts again at 00:00 UTC.
  CHECK(discord.find("\u2022 kv-writes: 1,401 operations on the day (15 of 24 hours measured); now 10 of 1,000 per day (1.0%)") !=
        std::string::npos);
  CHECK(discord.find("**Breakers**: 1 trip, 0 recoveries") != std::string::npos);
  CHECK(discord.find("trip kv-writes") != std::string::npos);
  CHECK(discord.find("**Biggest spike**: kv-writes, the hour from 11-23 20:00 UTC: 700 operations, 12.8x the hours before it") != std::string::npos);
  CHECK(discord.find("**Blind spots**: every check answered") != std::string::npos);
  const std::string slack = digests[1]["text"];
  CHECK(slack.find("*edgefuse daily digest*: 2026-11-23 (UTC)") == 0);
  CHECK(slack.find("**") == std::string::npos);
  const json& webhook = digests[2];
  CHECK(webhook["level"] == "digest");
  CHECK(webhook["digest"]["period"] == "day");
  CHECK(webhook["digest"]["events"]["trip"] == 1);
  CHECK(webhook["digest"]["breakers"] == json::array());  // the 24th's first tick recovered it
  CHECK(webhook["text"].get<std::string>().find("edgefuse daily digest: 2026-11-23") == 0);
  CHECK(webhook["text"].get<std::string>().find("token") == std::string::npos);
  CHECK(stored(world)["digest"]["sentDay"] == "2026-11-23");
}

TEST_CASE("digest tick: a failed delivery is retried from the record, and the week's comes on Monday") {
  GuardCore core = coreOf(digestConfig({{"hourUtc", 9}, {"daily", false}, {"weekly", true}}));
  TickWorld world;
  bool slackDown = true;
  world.channel = [&slackDown](const json& delivery) {
    const json body = json::parse(delivery["body"].get<std::string>());
    return slackDown && body.contains("text") && !body.contains("source") ? json("503 from Slack") : json(nullptr);
  };
  world.run(core, tickAt(at("2026-11-23T09:30:00Z")));  // a Monday
  CHECK(digestsSent(world).size() == 3);
  CHECK(stored(world)["digest"]["sentWeek"] == "2026-11-16");
  CHECK(stored(world)["pendingAlerts"].size() == 1);
  world.sent.clear();
  slackDown = false;
  world.run(core, tickAt(at("2026-11-23T09:35:00Z")));
  const std::vector<json> retried = digestsSent(world);
  REQUIRE(retried.size() == 1);
  CHECK(retried[0]["text"].get<std::string>().find("*edgefuse weekly digest*: 2026-11-16 to 2026-11-22 (UTC)") == 0);
  CHECK(stored(world)["pendingAlerts"].empty());
  world.sent.clear();
  world.run(core, tickAt(at("2026-11-29T23:00:00Z")));
  CHECK(digestsSent(world).empty());
  world.run(core, tickAt(at("2026-11-30T09:00:00Z")));
  CHECK(digestsSent(world).size() == 3);
}
