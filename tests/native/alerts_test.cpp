// Alert formatting: what each channel receives.
#include <doctest/doctest.h>

#include "alerts.h"

using namespace edgefuse;
using nlohmann::json;

namespace {
Config withChannels() {
  return *parseConfig(json::parse(R"({"plan":"free","alerts":{"channels":[
      {"type":"discord"},{"type":"slack"},{"type":"webhook","secretEnv":"HOOK_KEY"}]}})")).config;
}

const json kTrip = {{"level", "trip"},
                    {"key", "kv-writes"},
                    {"message", "kv-writes at 95.0% of its 1,000 operations per day (trips at 90.0%)"},
                    {"dryRun", false},
                    {"details", {{"used", 950}, {"quota", 1000}, {"unit", "operations"}, {"overageUsd", 0}, {"window", "day"}}}};
}  // namespace

TEST_CASE("an alert names the resource, usage against quota, the overage and what the guard did") {
  const std::string text = alertText(kTrip, maskAccountId("0123456789abcdef0123456789abcdef"));
  CHECK(text ==
        "[edgefuse] TRIP: kv-writes\n"
        "kv-writes at 95.0% of its 1,000 operations per day (trips at 90.0%)\n"
        "Usage: 950 operations of 1,000 included per day. Estimated overage: $0.00.\n"
        "Calls charged to kv-writes are refused until it recovers.\n"
        "Account 0123\u2026cdef");
  json dry = kTrip;
  dry["dryRun"] = true;
  CHECK(alertText(dry, "x").find("Dry run: nothing was blocked") != std::string::npos);
}

TEST_CASE("account ids are masked and mass mentions defused per channel") {
  CHECK(maskAccountId("0123456789abcdef0123456789abcdef") == "0123\u2026cdef");
  CHECK(maskAccountId("short") == "****");
  const std::string hostile = "ping @everyone and @here <!channel> <!here>";
  const std::string discord = escapeMentions(hostile, ChannelType::Discord);
  CHECK(discord.find("@everyone") == std::string::npos);
  CHECK(discord.find("@here") == std::string::npos);
  CHECK(discord.find("<!channel>") == std::string::npos);
  const std::string slack = escapeMentions(hostile, ChannelType::Slack);
  CHECK(slack.find("<!channel>") == std::string::npos);
  CHECK(slack.find("&lt;!channel&gt;") != std::string::npos);
}

TEST_CASE("one delivery per channel and event, shaped for each channel") {
  const Config config = withChannels();
  json events = json::array({kTrip});
  events[0]["message"] = "runaway @everyone";
  const auto deliveries = buildAlerts(config, events, "0123456789abcdef0123456789abcdef", "2026-11-23T12:00:00Z");
  REQUIRE(deliveries.size() == 3);
  const json discord = json::parse(deliveries[0].body);
  CHECK(discord["allowed_mentions"]["parse"] == json::array());
  CHECK(discord["content"].get<std::string>().find("@everyone") == std::string::npos);
  const json slack = json::parse(deliveries[1].body);
  CHECK(slack["text"].get<std::string>().rfind("[edgefuse] TRIP: kv-writes", 0) == 0);
  const json webhook = json::parse(deliveries[2].body);
  CHECK(webhook["level"] == "trip");
  CHECK(webhook["account"] == "0123\u2026cdef");
  CHECK(webhook["details"]["used"] == 950);
  for (const auto& delivery : deliveries) CHECK(delivery.body.find("0123456789abcdef0123") == std::string::npos);

  const Config tripsOnly = *parseConfig(json::parse(R"({"plan":"free","alerts":{"channels":[{"type":"slack"}],"levels":["trip"]}})")).config;
  json warn = kTrip;
  warn["level"] = "budget-warn";
  CHECK(buildAlerts(tripsOnly, json::array({warn}), "a", "t").empty());
  CHECK(buildAlerts(tripsOnly, json::array({kTrip}), "a", "t").size() == 1);
}

TEST_CASE("alert config is validated") {
  ConfigResult result = parseConfig(json::parse(R"({"plan":"free","alerts":{"channels":[{"type":"discrod"},{"type":"slack","secretEnv":"X"}],"levels":["trips"]}})"));
  REQUIRE(result.problems.size() == 3);
  CHECK(result.problems[0].path == "alerts.channels[0].type");
  CHECK(result.problems[0].fix == "did you mean discord?");
  CHECK(result.problems[1].path == "alerts.channels[1].secretEnv");
  CHECK(result.problems[2].message == "unknown level trips");
}
