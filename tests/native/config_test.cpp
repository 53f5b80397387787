#include <doctest/doctest.h>

#include <string>

#include "config.h"

using namespace edgefuse;
using nlohmann::json;

namespace {
std::string describe(const Problem& problem) {
  std::string text = problem.path + ": " + problem.message;
  if (!problem.fix.empty()) text += " (" + problem.fix + ")";
  return text;
}

std::vector<std::string> problemsOf(const json& input) {
  ConfigResult result = parseConfig(input);
  CHECK_FALSE(result.config.has_value());
  std::vector<std::string> lines;
  for (const Problem& problem : result.problems) lines.push_back(describe(problem));
  return lines;
}

bool contains(const std::vector<std::string>& lines, const std::string& line) {
  for (const auto& candidate : lines) {
    if (candidate == line) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("a minimal free config gets every default") {
  ConfigResult result = parseConfig({{"plan", "free"}});
  REQUIRE(result.config);
  const Config& config = *result.config;
  CHECK(config.plan == Plan::Free);
  CHECK(config.billingDay == 1);
  CHECK(config.accountIdEnv == "CF_ACCOUNT_ID");
  CHECK(config.apiTokenEnv == "CF_API_TOKEN");
  CHECK(config.endpoint == "https://api.cloudflare.com/client/v4/graphql");
  CHECK(config.stateBinding == "EDGEFUSE_STATE");
  CHECK(config.refreshSeconds == 60);
  CHECK(config.onBlocked == OnBlocked::Throw);
  CHECK_FALSE(config.dryRun);
  CHECK_FALSE(config.budget);
  // Daily hard quotas trip at 90% by default; unmetered ones never trip.
  CHECK(*config.thresholds.at("kv-writes").tripPercent == 90);
  CHECK(config.thresholds.at("kv-writes").recoverPercent == 80);
  CHECK_FALSE(config.thresholds.at("workers-cpu-ms").tripPercent);
  // A line for every resource the poll reads, and none for what it cannot (no silent gaps).
  std::size_t polled = 0;
  for (const Resource& resource : resources()) polled += isPolled(resource) && resource.billedAs.empty() ? 1 : 0;
  CHECK(config.thresholds.size() == polled);
  CHECK_FALSE(config.thresholds.count("kv-storage-gb"));
  CHECK(config.thresholds.count("d1-storage-gb"));  // a stored level is judged too
}

TEST_CASE("the paid plan needs a budget and warns on inclusions by default") {
  CHECK(contains(problemsOf({{"plan", "paid"}}),
                 "budget: is required on the paid plan (add \"budget\": { \"maxUsd\": 50 }, "
                 "the most overage in USD you accept per month)"));
  ConfigResult result = parseConfig({{"plan", "paid"}, {"budget", {{"maxUsd", 25}}}});
  REQUIRE(result.config);
  CHECK(result.config->budget->maxUsd == 25);
  CHECK(result.config->budget->warnPercent == 80);
  CHECK(result.config->budget->granularity == Granularity::Month);
  CHECK_FALSE(result.config->thresholds.at("kv-writes").tripPercent);
  CHECK(result.config->thresholds.at("kv-writes").warnPercent == 80);
}

TEST_CASE("the examples from the issue, all reported at once") {
  auto lines = problemsOf({{"plan", "paid"},
                           {"thresholds",
                            {{"kv-writez", {{"trip", 90}}},
                             {"kv-writes", {{"trip", 90}, {"recover", 95}}}}},
                           {"budget", {{"maxUsd", "10$"}}}});
  CHECK(lines.size() == 3);
  CHECK(contains(lines, "thresholds.kv-writez: unknown resource (did you mean kv-writes?)"));
  CHECK(contains(lines, "budget.maxUsd: must be a positive number, got \"10$\""));
  CHECK(contains(lines,
                 "thresholds.kv-writes: recover (95) must be below trip (90) (set recover under "
                 "trip so a breaker cannot flap)"));
}

TEST_CASE("every option is checked") {
  auto lines = problemsOf({{"plan", "fre"},
                           {"billingDay", 32},
                           {"apiTokenEnv", "abc-secret-token-value"},
                           {"endpoint", "ftp://example.com"},
                           {"refreshSeconds", 0},
                           {"onBlocked", "ignore"},
                           {"dryRun", "yes"},
                           {"bindings", {{"MY_DB", "d2"}}},
                           {"treshold", {}}});
  CHECK(contains(lines, "plan: must be one of free, paid, got \"fre\" (did you mean free?)"));
  CHECK(contains(lines, "billingDay: must be a whole number from 1 to 31, got 32"));
  CHECK(contains(lines, "refreshSeconds: must be a whole number from 1 to 3600, got 0"));
  CHECK(contains(lines, "onBlocked: must be one of throw, skip, got \"ignore\""));
  CHECK(contains(lines, "dryRun: must be true or false, got \"yes\""));
  CHECK(contains(lines,
                 "bindings.MY_DB: must be one of kv, d1, r2, queue, ai, vectorize, "
                 "durable-object, ignore, got \"d2\" (did you mean d1?)"));
  CHECK(contains(lines, "treshold: unknown option (did you mean thresholds?)"));
  bool endpointReported = false;
  for (const auto& line : lines) {
    if (line.rfind("endpoint: must be an http(s) URL", 0) == 0) endpointReported = true;
    // A secret pasted into an *Env option is never echoed back.
    CHECK(line.find("abc-secret-token-value") == std::string::npos);
  }
  CHECK(endpointReported);
  CHECK(contains(lines,
                 "apiTokenEnv: must be the name of an environment variable (letters, digits "
                 "and _, at most 64), not its value"));
  CHECK(lines.size() == 9);
}

TEST_CASE("a missing plan and a non-object config are explained") {
  CHECK(contains(problemsOf(json::object()),
                 "plan: is required (set \"free\" or \"paid\": quotas and prices differ)"));
  CHECK(contains(problemsOf(json::array()), "(config): must be an object, got []"));
  CHECK(contains(problemsOf({{"plan", "free"}, {"thresholds", 5}}),
                 "thresholds: must be an object, got 5"));
}

TEST_CASE("threshold defaults follow an explicit trip, and trip can be switched off") {
  ConfigResult result = parseConfig(
      {{"plan", "free"},
       {"thresholds", {{"kv-reads", {{"trip", 50}}}, {"kv-writes", {{"trip", nullptr}}},
                       {"d1-rows-read", {{"tripAt", 2e6}}}}}});
  REQUIRE(result.config);
  const Threshold& reads = result.config->thresholds.at("kv-reads");
  CHECK(*reads.tripPercent == 50);
  CHECK(reads.recoverPercent == 40);
  CHECK(reads.warnPercent == 50);
  CHECK_FALSE(result.config->thresholds.at("kv-writes").tripPercent);
  CHECK(*result.config->thresholds.at("d1-rows-read").tripAt == 2e6);
}

TEST_CASE("thresholds that cannot work are refused") {
  auto lines = problemsOf({{"plan", "free"},
                           {"thresholds",
                            {{"kv-reads", {{"warn", 95}, {"trip", 90}, {"maxOverageUsd", 5}}},
                             {"kv-lists", {{"trip", -1}, {"tirp", 5}}}}}});
  CHECK(contains(lines, "thresholds.kv-reads: warn (95) must not be above trip (90)"));
  CHECK(contains(lines,
                 "thresholds.kv-reads.maxOverageUsd: this resource has no overage on this plan "
                 "(use trip or tripAt instead)"));
  CHECK(contains(lines,
                 "thresholds.kv-lists.trip: must be a percentage above 0, or null for none, got -1"));
  CHECK(contains(lines, "thresholds.kv-lists.tirp: unknown threshold option (did you mean trip?)"));
}

TEST_CASE("the normalised config round-trips as JSON") {
  ConfigResult result = parseConfig({{"plan", "paid"},
                                     {"billingDay", 31},
                                     {"bindings", {{"MY_DB", "d1"}}},
                                     {"budget", {{"maxUsd", 10}, {"granularity", "week"}}}});
  REQUIRE(result.config);
  json out = toJson(*result.config);
  CHECK(out["plan"] == "paid");
  CHECK(out["billingDay"] == 31);
  CHECK(out["bindings"]["MY_DB"] == "d1");
  CHECK(out["budget"]["granularity"] == "week");
  CHECK(out["thresholds"]["kv-reads"]["trip"].is_null());
  // Feeding the normalised form back in gives the same config.
  json again = out;
  ConfigResult second = parseConfig(again);
  REQUIRE(second.config);
  CHECK(toJson(*second.config) == out);
}

TEST_CASE("rate-limit routes: limits checked like guard.rateLimit()'s, paths unique") {
  const json routes = json::array({
      {{"path", "/api/"}, {"capacity", 10}, {"refillPerSecond", 0.5}},
      {{"path", "/api"}, {"capacity", 2.5}, {"refillPerSecond", 1e-9}, {"cost", 5}},
      {{"path", "/b"}, {"capacity", 3}, {"cost", 4}},
  });
  const auto lines = problemsOf({{"plan", "free"}, {"rateLimit", {{"routes", routes}}}});
  CHECK(contains(lines, "rateLimit.routes[1].path: repeats the route \"/api/\""));
  CHECK(contains(lines, "rateLimit.routes[1].capacity: must be a whole number from 1 to 1000000000, got 2.5"));
  CHECK(contains(lines, "rateLimit.routes[1].refillPerSecond: must be a rate from 0.000001 to 1e9 tokens a second, got 1e-09"));
  CHECK(contains(lines, "rateLimit.routes[2].refillPerSecond: is required"));
  CHECK(contains(lines, "rateLimit.routes[2].cost: must not be above capacity (3)"));
  CHECK(lines.size() == 5);
  // Requests are matched decoded, without their query, slashes collapsed: a prefix that would
  // match something else, or nothing, is an error; trailing slashes and a bare % are fine.
  const auto routeWith = [](const char* prefix) {
    return json{{"plan", "free"}, {"rateLimit", {{"routes", {{{"path", prefix}, {"capacity", 1}, {"refillPerSecond", 1}}}}}}};
  };
  for (const char* wrong : {"/caf%C3%A9/", "/a//b", "/search?q=", "/a#b", "api/", "%2Fapi"}) {
    const auto bad = problemsOf(routeWith(wrong));
    REQUIRE(bad.size() == 1);
    CHECK(bad[0] == std::string("rateLimit.routes[0].path: must be a path prefix such as \"/api/\", written decoded "
                                "(\"/café/\", not \"/caf%C3%A9/\"), with no query or fragment (? #) and no \"//\" "
                                "inside, got \"") + wrong + "\"");
  }
  for (const char* right : {"/café/", "/api//", "/", "/50%off", "/100%"}) CHECK(parseConfig(routeWith(right)).config);

  std::vector<Problem> problems;
  CHECK_FALSE(bucketParamsFrom(json::object(), "params", problems));
  REQUIRE(problems.size() == 2);  // both missing, not a misleading cost message
  CHECK(describe(problems[0]) == "params.capacity: is required");
  CHECK(describe(problems[1]) == "params.refillPerSecond: is required");
  problems.clear();
  const auto limit = bucketParamsFrom({{"capacity", 5}, {"refillPerSecond", 2}}, "params", problems);
  REQUIRE(limit);
  CHECK(limit->cost == 1);
  CHECK(problems.empty());
}

TEST_CASE("rate-limit key secret: named by its environment variable, never given itself") {
  REQUIRE(parseConfig({{"plan", "free"}}).config);
  CHECK(toJson(*parseConfig({{"plan", "free"}}).config)["rateLimit"]["keySecretEnv"].is_null());  // the shim's default
  const auto named = parseConfig({{"plan", "free"}, {"rateLimit", {{"keySecretEnv", "RL_SECRET"}}}});
  REQUIRE(named.config);
  CHECK(named.config->rateLimitKeySecretEnv == "RL_SECRET");
  CHECK(toJson(*named.config)["rateLimit"]["keySecretEnv"] == "RL_SECRET");
  const auto lines = problemsOf({{"plan", "free"}, {"rateLimit", {{"keySecretEnv", "s3cr3t value!"}}}});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "rateLimit.keySecretEnv: must be the name of an environment variable (letters, digits and _, at most 64), not its value");
  CHECK(lines[0].find("s3cr3t") == std::string::npos);
}

TEST_CASE("no silent gaps: a threshold on a resource the poll cannot read is refused, naming why") {
  for (const char* id : {"workers-logs-gb", "stream-minutes-stored", "do-sqlite-rows-read",
                         "kv-storage-gb", "browser-hours"}) {
    CAPTURE(id);
    ConfigResult result = parseConfig(json{{"plan", "paid"}, {"budget", {{"maxUsd", 10}}}, {"thresholds", {{id, {{"tripAt", 1}}}}}});
    REQUIRE_FALSE(result.config);
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].path == std::string("thresholds.") + id);
    CHECK(result.problems[0].message.find(std::string("the usage poll cannot read ") + id + ": ") == 0);
  }
  // What the poll does read is accepted: Workers AI on a daily dollar cap, CPU time.
  CHECK(parseConfig(json::parse(R"({"plan":"paid","budget":{"maxUsd":10},
      "thresholds":{"ai-neurons":{"maxOverageUsd":5,"granularity":"day"},"workers-cpu-ms":{"maxOverageUsd":5},
                    "do-duration-gbs":{"tripAt":1}}})")).config);
}
