// A small world for driving PollTick (and ViewRead) natively, the way js/poll.js drives them in a Worker: a
// KV namespace (a map), a usage API (answers per dataset) and alert channels. It carries out
// each action and hands the result back, so tests run the same path production runs.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_text.h"
#include "poll_tick.h"
#include "view_read.h"

#include <type_traits>

namespace edgefuse::testing {

struct TickWorld {
  std::map<std::string, std::string> kv;
  std::map<std::string, long long> ttl;  // key -> expirationTtl of its last put
  std::set<std::string> failingReads;    // keys whose reads throw
  std::set<std::string> failingPuts;     // keys whose puts throw
  // The usage API's answer to one dataset's request: {status, body}. Default: no rows.
  std::function<std::pair<int, std::string>(const std::string& dataset, const nlohmann::json& request)> usageApi;
  // One alert delivery's result: null when delivered, else why not. Default: delivered.
  std::function<nlohmann::json(const nlohmann::json& delivery)> channel;
  // Cloudflare's REST API for operator actions: one call {method, url, body} -> {status, body}.
  // Default: 404.
  std::function<std::pair<int, std::string>(const nlohmann::json& call)> restApi;
  // Runs between two actions: a concurrent writer, say. Gets the action about to be done.
  std::function<void(const nlohmann::json& action)> meanwhile;

  int reads = 0, writes = 0, deletes = 0, fetches = 0, coreCalls = 0;
  std::vector<nlohmann::json> actions;
  std::vector<nlohmann::json> sent;  // deliveries
  std::vector<std::string> logs;     // "level: message"

  static std::string emptyAnswer(const std::string& dataset) {
    return nlohmann::json{{"data", {{"viewer", {{"accounts", {{{dataset, nlohmann::json::array()}}}}}}}}, {"errors", nullptr}}
        .dump();
  }

  // Runs a tick (a ViewRead for kind "view", as js/poll.js does) to its end and returns its result.
  nlohmann::json run(GuardCore& core, const nlohmann::json& start) {
    if (start.is_object() && start.value("kind", "") == "view") return drive<ViewRead>(core, start);
    return drive<PollTick>(core, start);
  }

  template <typename Driver>
  nlohmann::json drive(GuardCore& core, const nlohmann::json& start) {
    Driver tick(core, toText(start));
    ++coreCalls;
    for (int guard = 0; guard < 100; ++guard) {
      const nlohmann::json action = nlohmann::json::parse(tick.next());
      ++coreCalls;
      actions.push_back(action);
      if (action.contains("logs")) {
        for (const auto& line : action["logs"]) logs.push_back(line["level"].get<std::string>() + ": " + line["message"].get<std::string>());
      }
      if (meanwhile) meanwhile(action);
      const std::string verb = action["do"];
      if (verb == "done") return action["result"];
      if (verb == "fetch") {
        ++fetches;
        int index = 0;
        for (const auto& request : action["requests"]) {
          const std::string dataset = request["dataset"];
          // The body js/poll.js POSTs.
          const nlohmann::json body = {{"query", request["query"]}, {"variables", request["variables"]}};
          auto [status, answer] = usageApi ? usageApi(dataset, nlohmann::json::parse(toText(body)))
                                           : std::pair<int, std::string>{200, emptyAnswer(dataset)};
          if constexpr (std::is_same_v<Driver, PollTick>) tick.answer(index++, status, answer, status == 0 ? answer : "");
          ++coreCalls;
        }
        continue;
      }
      nlohmann::json result = nlohmann::json::object();
      if (verb == "api") {
        nlohmann::json results = nlohmann::json::array();
        for (const auto& call : action["calls"]) {
          auto [status, body] = restApi ? restApi(call) : std::pair<int, std::string>{404, "{}"};
          results.push_back({{"status", status}, {"body", body}, {"error", ""}});
        }
        result["results"] = results;
      } else if (verb == "send") {
        nlohmann::json results = nlohmann::json::array();
        for (const auto& delivery : action["deliveries"]) {
          sent.push_back(delivery);
          results.push_back(channel ? channel(delivery) : nlohmann::json(nullptr));
        }
        result["results"] = results;
      } else {
        const std::string key = action["key"];
        if (verb == "read") {  // handed back as js/poll.js does, as text
          ++reads;
          ++coreCalls;
          auto it = kv.find(key);
          if (failingReads.count(key)) tick.read(false, "", "KV GET failed");
          else tick.read(it != kv.end(), it == kv.end() ? "" : it->second, "");
          continue;
        } else if (verb == "put") {
          ++writes;
          if (failingPuts.count(key)) {
            result["error"] = "KV PUT failed";
          } else {
            kv[key] = action["value"];
            if (action.contains("expirationTtl")) ttl[key] = action["expirationTtl"];
          }
        } else if (verb == "delete") {
          ++deletes;
          kv.erase(key);
        }
      }
      tick.handle(toText(result));
      ++coreCalls;
    }
    return {{"ok", false}, {"error", "the tick never ended"}};
  }
};

}  // namespace edgefuse::testing
