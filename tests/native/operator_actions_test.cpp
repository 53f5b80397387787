// Operator actions through the tick driver: the config's checks, the undo recorded before any
// change, a resumed action keeping what it first read, and a damaged record named.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "breaker_lifecycle.h"
#include "operator_actions.h"
#include "tick_test_support.h"

using namespace edgefuse;
using namespace edgefuse::testing;
using nlohmann::json;

namespace {

const char* kZone = "023e105f4ecef8ad9ca31a8372d0c353";

json actionsConfig(const json& actions) {
  json config = {{"plan", "free"}, {"evaluateCron", "*/5 * * * *"}};
  config["actions"] = actions;
  return config;
}

std::vector<std::string> problemsOf(const json& config) {
  std::vector<std::string> out;
  for (const Problem& problem : parseConfig(config).problems) out.push_back(problem.path + ": " + problem.message);
  return out;
}

json envelope(const json& result) { return {{"success", true}, {"errors", json::array()}, {"messages", json::array()}, {"result", result}}; }

// A platform with workers.dev on, one route to the Worker and two crons, that logs every call.
struct Platform {
  bool enabled = true;
  std::vector<std::string> crons = {"*/5 * * * *", "0 3 * * *"};
  bool routeThere = true;
  std::vector<std::string> log;
  std::pair<int, std::string> operator()(const json& call) {
    const std::string method = call["method"];
    const std::string url = call["url"];
    log.push_back(method + " " + url.substr(url.rfind('/') + 1));
    const json body = call.contains("body") ? json::parse(call["body"].get<std::string>()) : json();
    if (url.find("/subdomain") != std::string::npos) {
      if (method == "POST") enabled = body["enabled"];
      return {200, envelope({{"enabled", enabled}, {"previews_enabled", enabled}}).dump()};
    }
    if (url.find("/schedules") != std::string::npos) {
      if (method == "PUT") {
        crons.clear();
        for (const json& item : body) crons.push_back(item["cron"]);
      }
      json list = json::array();
      for (const std::string& cron : crons) list.push_back({{"cron", cron}});
      return {200, envelope({{"schedules", list}}).dump()};
    }
    if (method == "DELETE") routeThere = false;
    if (method == "POST") routeThere = true;
    json routes = json::array({{{"id", "r1"}, {"pattern", "example.com/*"}, {"script", "other"}}});
    if (routeThere) routes.push_back({{"id", "r2"}, {"pattern", "api.example.com/*"}, {"script", "my-worker"}});
    return {200, envelope(method == "GET" ? routes : json{{"id", "r2"}}).dump()};
  }
};

json tickAt(std::int64_t now) {
  return {{"kind", "tick"}, {"now", now}, {"accountId", kAccount}, {"token", "token"},
          {"actions", {{"tokenSet", true}, {"script", "my-worker"}}}};
}

std::string kvWritesAnswer(double writes) {
  const json rows = json::array({{{"sum", {{"requests", writes}}}, {"dimensions", {{"actionType", "write"}}}}});
  return json{{"data", {{"viewer", {{"accounts", {{{"kvOperationsAdaptiveGroups", rows}}}}}}}}, {"errors", nullptr}}.dump();
}

// What a run gets when the Worker is confirmed and the token set.
ActionInputs confirmedInputs() {
  ActionInputs inputs;
  inputs.accountId = kAccount;
  inputs.tokenSet = true;
  inputs.scriptFromEnv = "my-worker";
  inputs.endpoint = "https://api.example";
  return inputs;
}

}  // namespace

TEST_CASE("actions config: a script name, known lines and actions, zones for routes, the guard's cron for crons") {
  const json good = {{"script", "my-worker"}, {"zones", {kZone}}, {"on", {{"budget", {"detach-routes"}}, {"kv-writes", {"pause-crons"}}}}};
  const Config config = *parseConfig(actionsConfig(good)).config;
  REQUIRE(config.actions);
  CHECK(config.actions->on.at("kv-writes") == std::vector<OperatorAction>{OperatorAction::PauseCrons});
  CHECK(toJson(config)["actions"]["on"]["budget"] == json::array({"detach-routes"}));

  CHECK(problemsOf(actionsConfig({{"script", "My Worker"}, {"on", {{"kv-writes", {"disable-workers-dev"}}}}})) ==
        std::vector<std::string>{"actions.script: must be a Worker's script name, got \"My Worker\""});
  CHECK(problemsOf(actionsConfig({{"script", "w"}, {"on", {{"kv-writes", {"delete-worker"}}}}})) ==
        std::vector<std::string>{"actions.on.kv-writes: unknown action delete-worker"});
  CHECK(problemsOf(actionsConfig({{"script", "w"}, {"on", {{"kv-write", {"pause-crons"}}}}})).at(0) ==
        "actions.on.kv-write: is not a line: a resource, a resource:binding with a threshold, or budget");
  CHECK(problemsOf(actionsConfig({{"script", "w"}, {"on", {{"budget", {"detach-routes"}}}}})) ==
        std::vector<std::string>{"actions.zones: is required for detach-routes"});
  CHECK(problemsOf(json{{"plan", "free"}, {"actions", {{"script", "w"}, {"on", {{"budget", {"pause-crons"}}}}}}}) ==
        std::vector<std::string>{"actions.on: pause-crons needs evaluateCron"});
  CHECK(problemsOf(actionsConfig({{"script", "w"}, {"on", json::object()}})).at(0) == "actions.on: must map a line to the actions its trip takes");
}

TEST_CASE("actions tick: each undo is in the record before the first change, and the trip's end puts it all back") {
  GuardCore core = coreOf(actionsConfig({{"script", "my-worker"}, {"zones", {kZone}},
                                         {"on", {{"kv-writes", {"disable-workers-dev", "detach-routes", "pause-crons"}}}}}));
  TickWorld world;
  Platform platform;
  world.restApi = [&platform](const json& call) { return platform(call); };
  double writes = 950;
  world.usageApi = [&writes](const std::string& dataset, const json&) {
    return std::pair<int, std::string>{200, dataset == "kvOperationsAdaptiveGroups" ? kvWritesAnswer(writes) : TickWorld::emptyAnswer(dataset)};
  };
  const json result = world.run(core, tickAt(kNoon));
  REQUIRE(result["ok"] == true);
  CHECK_FALSE(platform.enabled);
  CHECK_FALSE(platform.routeThere);
  CHECK(platform.crons == std::vector<std::string>{"*/5 * * * *"});
  // The order of what the tick did: the reads, the record with every undo, then the changes.
  std::vector<std::string> order;
  for (const json& action : world.actions) {
    if (action["do"] == "api") order.push_back(std::string("api ") + action["calls"][0]["method"].get<std::string>());
    if (action["do"] == "put" && action["key"] == kStateKey) {
      const json actions = json::parse(action["value"].get<std::string>())["actions"];
      order.push_back("put " + (actions.empty() ? std::string("none") : actions["detach-routes"]["phase"].get<std::string>()));
    }
  }
  CHECK(order == std::vector<std::string>{"put none", "api GET", "put applying", "api POST", "put applied"});
  const json undo = stored(world)["actions"];
  CHECK(undo["disable-workers-dev"]["undo"] == json{{"enabled", true}, {"previews_enabled", true}});
  CHECK(undo["detach-routes"]["undo"]["routes"] == json::array({{{"zone", kZone}, {"pattern", "api.example.com/*"}}}));
  CHECK(undo["pause-crons"]["undo"]["schedules"] == json::array({"*/5 * * * *", "0 3 * * *"}));

  writes = 10;
  world.run(core, tickAt(kNoon + 5 * 60'000));
  CHECK(platform.enabled);
  CHECK(platform.routeThere);
  CHECK(platform.crons == std::vector<std::string>{"*/5 * * * *", "0 3 * * *"});
  CHECK(stored(world)["actions"] == json::object());
}

TEST_CASE("actions run: a resumed action keeps what it read before its first change") {
  const Config config = *parseConfig(actionsConfig({{"script", "my-worker"}, {"on", {{"kv-writes", {"disable-workers-dev"}}}}})).config;
  ActionInputs inputs = confirmedInputs();
  inputs.recorded["disable-workers-dev"] = {"applying", "2026-11-23T12:00:00Z", {{"enabled", true}, {"previews_enabled", false}}, "HTTP 500", 1};
  inputs.breakers["kv-writes"] = Breaker{"kv-writes", "", "over", "2026-11-23T12:00:00Z", "poll", ""};
  inputs.nowMs = kNoon;
  ActionRun run(*config.actions, inputs);
  REQUIRE(run.next() == ActionRun::Need::Calls);
  // The platform now says "off" (the first POST landed before its answer was lost).
  run.answered({{200, envelope({{"enabled", false}, {"previews_enabled", false}}).dump(), ""}});
  REQUIRE(run.next() == ActionRun::Need::Write);
  CHECK(run.states().at("disable-workers-dev").undo == json{{"enabled", true}, {"previews_enabled", false}});
  REQUIRE(run.next() == ActionRun::Need::Calls);
  CHECK(run.calls().at(0).body == json{{"enabled", false}, {"previews_enabled", false}});
  run.answered({{200, envelope({{"enabled", false}, {"previews_enabled", false}}).dump(), ""}});
  REQUIRE(run.next() == ActionRun::Need::Write);
  CHECK(run.states().at("disable-workers-dev").phase == "applied");
  CHECK(run.states().at("disable-workers-dev").attempts == 0);
  CHECK(run.next() == ActionRun::Need::Done);
}

TEST_CASE("actions record: an entry that cannot be read is named, as its undo is lost, and a usable one is cleaned") {
  const json routes = json::array({{{"zone", kZone}, {"pattern", "api.example.com/*"}}});
  const PollStateRecord record = parsePollState(
      json{{"version", 1}, {"breakers", json::object()},
           {"actions", {{"pause-crons", {{"phase", "applied"}, {"undo", "gone"}}},
                        {"disable-workers-dev", {{"phase", "applied"}, {"undo", {{"enabled", "yes"}}}}},
                        {"detach-routes", {{"phase", "applied"}, {"undo", {{"routes", routes}}}}}}}}
          .dump());
  REQUIRE(record.state.actions.size() == 1);
  CHECK(record.state.actions.at("detach-routes").undo["routes"] ==
        json::array({{{"zone", kZone}, {"pattern", "api.example.com/*"}}}));
  REQUIRE(record.problems.size() == 2);
  CHECK(record.problems[0].path == "actions.disable-workers-dev");
  CHECK(record.problems[1].path == "actions.pause-crons");
  // One route that could not be put back puts the whole undo in doubt.
  const json doubtful = json::array({{{"zone", kZone}, {"pattern", "a/*"}}, {{"zone", "../../accounts"}, {"pattern", "x/*"}}});
  const PollStateRecord partial = parsePollState(
      json{{"version", 1}, {"breakers", json::object()},
           {"actions", {{"detach-routes", {{"phase", "applied"}, {"undo", {{"routes", doubtful}}}}}}}}.dump());
  CHECK(partial.state.actions.empty());
  CHECK(partial.problems.at(0).path == "actions.detach-routes");
}

TEST_CASE("actions record: an undo recorded first is kept when a later run, which read the changed Worker, writes") {
  PollState fresh;
  fresh.actions["disable-workers-dev"] = {"applying", "2026-11-23T12:00:00Z", {{"enabled", true}, {"previews_enabled", true}}, "", 0};
  StateChanges late;
  late.actions = ActionStates{{"disable-workers-dev", {"applied", "2026-11-23T12:00:01Z", {{"enabled", false}, {"previews_enabled", false}}, "", 0}}};
  const PollState merged = applyChanges(fresh, late);
  CHECK(merged.actions.at("disable-workers-dev").phase == "applied");
  CHECK(merged.actions.at("disable-workers-dev").undo == json{{"enabled", true}, {"previews_enabled", true}});
  StateChanges undone;
  undone.actionsRemoved = {"disable-workers-dev"};
  CHECK(applyChanges(merged, undone).actions.empty());
}

TEST_CASE("actions run: an undo that fails part-way is retried, and a new trip applies the action again") {
  const Config config = *parseConfig(actionsConfig({{"script", "my-worker"}, {"zones", {kZone}}, {"on", {{"kv-writes", {"detach-routes"}}}}})).config;
  ActionInputs inputs = confirmedInputs();
  const json twoRoutes = json::array({{{"zone", kZone}, {"pattern", "a/*"}}, {{"zone", kZone}, {"pattern", "b/*"}}});
  inputs.recorded["detach-routes"] = {"applied", "2026-11-23T12:00:00Z", {{"routes", twoRoutes}}, "", 0};
  inputs.nowMs = kNoon;
  ActionRun undo(*config.actions, inputs);  // no breaker stands: the undo is due
  REQUIRE(undo.next() == ActionRun::Need::Calls);
  REQUIRE(undo.calls().size() == 2);
  undo.answered({{200, envelope({{"id", "r8"}}).dump(), ""}, {500, R"({"success":false,"errors":[{"code":10013,"message":"down"}]})", ""}});
  REQUIRE(undo.next() == ActionRun::Need::Write);
  CHECK(undo.states().at("detach-routes").phase == "undoing");
  CHECK(undo.states().at("detach-routes").undo["routes"] == twoRoutes);

  inputs.recorded = undo.states();
  inputs.breakers["kv-writes"] = Breaker{"kv-writes", "", "over", "2026-11-23T12:05:00Z", "poll", ""};
  ActionRun again(*config.actions, inputs);
  REQUIRE(again.next() == ActionRun::Need::Calls);  // the routes are read again, to be detached
  CHECK(again.calls().at(0).method == "GET");
}

TEST_CASE("actions run: an answer whose success is not a boolean is a failure, not an abort") {
  const Config config = *parseConfig(actionsConfig({{"script", "my-worker"}, {"on", {{"kv-writes", {"disable-workers-dev"}}}}})).config;
  ActionInputs inputs = confirmedInputs();
  inputs.breakers["kv-writes"] = Breaker{"kv-writes", "", "over", "2026-11-23T12:00:00Z", "poll", ""};
  ActionRun run(*config.actions, inputs);
  REQUIRE(run.next() == ActionRun::Need::Calls);
  run.answered({{200, R"({"success":"true","result":{"enabled":true}})", ""}});
  REQUIRE(run.next() == ActionRun::Need::Write);
  CHECK(run.states().at("disable-workers-dev").lastError == "reading /accounts/0123\u2026cdef/workers/scripts/my-worker/subdomain: HTTP 200");
}

TEST_CASE("actions run: an answer of the wrong shape, or a route id that is not an id, fails the action and changes nothing") {
  const Config config = *parseConfig(actionsConfig({{"script", "my-worker"}, {"zones", {kZone}},
                                                    {"on", {{"kv-writes", {"disable-workers-dev", "detach-routes"}}}}})).config;
  ActionInputs inputs = confirmedInputs();
  inputs.breakers["kv-writes"] = Breaker{"kv-writes", "", "over", "2026-11-23T12:00:00Z", "poll", ""};
  inputs.nowMs = kNoon;
  ActionRun run(*config.actions, inputs);
  REQUIRE(run.next() == ActionRun::Need::Calls);
  REQUIRE(run.calls().size() == 2);
  run.answered({{200, envelope({{"enabled", "yes"}}).dump(), ""},
                {200, envelope(json::array({{{"id", "../../accounts/x"}, {"pattern", "a/*"}, {"script", "my-worker"}}})).dump(), ""}});
  REQUIRE(run.next() == ActionRun::Need::Write);  // the failures, recorded to be retried
  CHECK(run.states().at("disable-workers-dev").phase == "waiting");
  CHECK(run.states().at("detach-routes").lastError == "the routes answer holds a route of my-worker without a usable id or pattern");
  CHECK(run.next() == ActionRun::Need::Done);
  CHECK(run.events().size() == 2);
}

TEST_CASE("actions tick: with the record unreadable the actions wait, as what they changed is not known") {
  GuardCore core = coreOf(actionsConfig({{"script", "my-worker"}, {"on", {{"kv-writes", {"disable-workers-dev"}}}}}));
  TickWorld world;
  Platform platform;
  world.restApi = [&platform](const json& call) { return platform(call); };
  world.usageApi = [](const std::string& dataset, const json&) {
    return std::pair<int, std::string>{200, dataset == "kvOperationsAdaptiveGroups" ? kvWritesAnswer(950) : TickWorld::emptyAnswer(dataset)};
  };
  world.kv[kStateKey] = "{not json";
  world.failingPuts.insert(kStateKey);  // it stays unreadable
  world.run(core, tickAt(kNoon));
  CHECK(platform.log.empty());
  CHECK(platform.enabled);
}
