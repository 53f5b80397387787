#include "operator_actions.h"

#include <algorithm>

#include "alerts.h"
#include "calendar.h"
#include "identifier.h"
#include "json_text.h"

namespace edgefuse {
namespace {

using nlohmann::json;


std::optional<OperatorAction> actionNamed(const std::string& name) {
  for (OperatorAction action : operatorActions()) {
    if (nameOf(action) == name) return action;
  }
  return std::nullopt;
}

// Cloudflare's envelope: {success, errors: [{code, message}], result}. The reason a call
// failed, or nullopt with `result` set.
std::optional<std::string> failureOf(int status, const std::string& body, const std::string& error, json& result) {
  if (status == 0) return error.empty() ? "no answer" : error;
  const json parsed = json::parse(body, nullptr, false);
  const auto success = parsed.is_object() ? parsed.find("success") : parsed.end();
  if (success != parsed.end() && success->is_boolean() && success->get<bool>() && status >= 200 && status < 300) {
    result = parsed.value("result", json());
    return std::nullopt;
  }
  std::string why = "HTTP " + std::to_string(status);
  if (parsed.is_object() && parsed.contains("errors") && parsed["errors"].is_array() && !parsed["errors"].empty()) {
    const json& first = parsed["errors"][0];
    const std::string message = first.is_object() ? stringField(first, "message", 200) : "";
    if (!message.empty()) why += ": " + message;
    if (first.is_object() && first.contains("code") && first["code"].is_number_integer()) {
      why += " (code " + std::to_string(first["code"].get<long long>()) + ")";
    }
  }
  return why;
}

int errorCode(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("errors") || !parsed["errors"].is_array() || parsed["errors"].empty()) return 0;
  const json& first = parsed["errors"][0];
  return first.is_object() && first.contains("code") && first["code"].is_number_integer() ? first["code"].get<int>() : 0;
}

std::string onOff(bool value) { return value ? "on" : "off"; }

// What an undo holds, read without trusting it: it comes back from KV.
bool flagOf(const json& undo, const char* key) {
  const auto it = undo.is_object() ? undo.find(key) : undo.end();
  return it == undo.end() || !it->is_boolean() || it->get<bool>();
}

json listOf(const json& undo, const char* key) {
  const auto it = undo.is_object() ? undo.find(key) : undo.end();
  return it != undo.end() && it->is_array() ? *it : json::array();
}

// Route ids come from the API's answers and go into a URL path: letters, digits, - and _ only.
bool isRouteId(const std::string& text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// An undo as the record may hold it, in the one shape the run uses; nullopt when it cannot be
// trusted to put anything back.
std::optional<json> canonicalUndo(const std::string& action, const std::string& phase, const json& undo) {
  if (!undo.is_object()) return std::nullopt;
  if (phase == "waiting") return json::object();  // nothing was read or changed yet
  if (action == "disable-workers-dev") {
    if (!undo.contains("enabled") || !undo["enabled"].is_boolean()) return std::nullopt;
    return json{{"enabled", undo["enabled"]}, {"previews_enabled", flagOf(undo, "previews_enabled")}};
  }
  if (action == "pause-crons") {
    if (!undo.contains("schedules") || !undo["schedules"].is_array()) return std::nullopt;
    json crons = json::array();
    for (const json& cron : undo["schedules"]) {
      if (cron.is_string() && !cron.get<std::string>().empty() && cron.get<std::string>().size() <= 100) crons.push_back(cron);
    }
    return json{{"schedules", crons}};
  }
  if (!undo.contains("routes") || !undo["routes"].is_array()) return std::nullopt;
  json routes = json::array();
  for (const json& route : undo["routes"]) {
    if (!route.is_object()) return std::nullopt;
    const std::string zone = stringField(route, "zone", 32);
    const std::string pattern = stringField(route, "pattern", 300);
    if (isZoneId(zone) && !pattern.empty()) {
      routes.push_back({{"zone", zone}, {"pattern", pattern}});
    } else {
      return std::nullopt;  // a route that could not be put back: the whole undo is in doubt
    }
  }
  return json{{"routes", routes}};
}

std::string routeCount(std::size_t count) { return std::to_string(count) + (count == 1 ? " route" : " routes"); }

std::string namesOf(const json& values, const char* key) {
  std::string out;
  for (const json& value : values) {
    const std::string text = key ? stringField(value, key, 200) : (value.is_string() ? value.get<std::string>() : "");
    out += (out.empty() ? "" : ", ") + text;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

json actionStatesToJson(const ActionStates& states) {
  json out = json::object();
  for (const auto& [name, state] : states) {
    out[name] = {{"phase", state.phase}, {"at", state.at}, {"undo", state.undo}, {"lastError", state.lastError},
                 {"attempts", state.attempts}};
  }
  return out;
}

ActionStates actionStatesFromJson(const json& value, std::vector<std::string>& damaged) {
  ActionStates states;
  if (!value.is_object()) return states;
  for (const auto& item : value.items()) {
    const json& entry = item.value();
    const std::string phase = entry.is_object() ? stringField(entry, "phase", 20) : "";
    const bool known = actionNamed(item.key()) && (phase == "waiting" || phase == "applying" || phase == "applied" || phase == "undoing" || phase == "dry-run");
    const std::optional<json> undo = known && entry.contains("undo") ? canonicalUndo(item.key(), phase, entry["undo"]) : std::nullopt;
    if (!undo) {
      damaged.push_back(item.key().substr(0, 64));
      continue;
    }
    ActionState state{phase, stringField(entry, "at", 40), *undo, stringField(entry, "lastError", 500), 0};
    if (entry.contains("attempts") && entry["attempts"].is_number_integer()) {
      state.attempts = static_cast<int>(std::clamp<long long>(entry["attempts"].get<long long>(), 0, 1'000'000));
    }
    states[item.key()] = state;
  }
  return states;
}

std::set<OperatorAction> wantedActions(const ActionsConfig& actions, const std::map<std::string, Breaker>& breakers) {
  std::set<OperatorAction> wanted;
  for (const auto& [key, breaker] : breakers) {
    for (const std::string& line : {key, breaker.source == "budget" ? std::string("budget") : std::string()}) {
      auto it = actions.on.find(line);
      if (it != actions.on.end()) wanted.insert(it->second.begin(), it->second.end());
    }
  }
  return wanted;
}

ActionRun::ActionRun(const ActionsConfig& config, ActionInputs inputs) : config_(config), in_(std::move(inputs)) {
  states_ = in_.recorded;
  refused_ = in_.refused;
}

std::string ActionRun::scriptUrl(const std::string& part) const {
  return in_.endpoint + "/accounts/" + in_.accountId + "/workers/scripts/" + config_.script + "/" + part;
}

void ActionRun::fail(const std::string& action, std::string why) {
  // The account id in a path is masked, as alerts mask it.
  for (std::size_t at = why.find(in_.accountId); !in_.accountId.empty() && at != std::string::npos; at = why.find(in_.accountId)) {
    why.replace(at, in_.accountId.size(), maskAccountId(in_.accountId));
  }
  failed_[action] = why;
  ActionState& state = states_[action];
  const std::string phase = state.phase;
  if (state.phase.empty()) state.phase = "waiting";  // nothing changed yet; retried next tick
  // An undo that failed may have put back part: a new trip applies the action again.
  if (std::find(toUndo_.begin(), toUndo_.end(), action) != toUndo_.end()) state.phase = "undoing";
  const bool news = state.attempts == 0 || state.lastError != why;
  state.lastError = why;
  state.attempts += 1;
  // The same failure again is not news: written (and said) once, not on every tick.
  if (news || state.phase != phase) stateChanged_ = true;
  if (news) events_.push_back({action, action + " on " + config_.script + " failed: " + why + "; retried on the next tick"});
}

ActionRun::Need ActionRun::next() {
  switch (phase_) {
    case Phase::Plan:
      return plan();
    case Phase::Read:  // the reads were answered
      if (in_.dryRun || std::none_of(toApply_.begin(), toApply_.end(), [&](OperatorAction a) { return !failed_.count(std::string(nameOf(a))); })) {
        changeCalls();  // undos may still be due
      } else {
        phase_ = Phase::RecordUndo;
        return Need::Write;  // each undo is recorded before anything changes
      }
      break;
    case Phase::RecordUndo:
      changeCalls();
      break;
    case Phase::Change:  // the changes were answered
      phase_ = Phase::RecordDone;
      return stateChanged_ ? Need::Write : Need::Done;
    case Phase::RecordDone:
    case Phase::Done:
      phase_ = Phase::Done;
      return Need::Done;
  }
  if (!calls_.empty()) {
    phase_ = Phase::Change;
    return Need::Calls;
  }
  phase_ = Phase::RecordDone;
  return stateChanged_ ? Need::Write : Need::Done;
}

ActionRun::Need ActionRun::plan() {
  const std::set<OperatorAction> wanted = wantedActions(config_, in_.breakers);
  for (OperatorAction action : wanted) {
    const std::string name(nameOf(action));
    auto recorded = states_.find(name);
    const std::string phase = recorded == states_.end() ? "" : recorded->second.phase;
    // A dry run changes nothing: what an earlier run changed stays as recorded.
    const bool done = phase == "applied" || (in_.dryRun && (phase == "dry-run" || phase == "applying" || phase == "undoing"));
    if (!done) toApply_.push_back(action);
  }
  for (auto it = states_.begin(); it != states_.end();) {
    const auto action = actionNamed(it->first);
    if (action && wanted.count(*action)) {
      ++it;
      continue;
    }
    if (it->second.phase == "dry-run" || it->second.phase == "waiting") {
      // Nothing was changed: there is nothing to put back.
      if (it->second.phase == "dry-run") {
        events_.push_back({it->first, "would put " + config_.script + " back as it was (" + it->first + ")", true});
      }
      removed_.push_back(it->first);
      it = states_.erase(it);
      stateChanged_ = true;
      continue;
    }
    toUndo_.push_back(it->first);
    ++it;
  }
  phase_ = Phase::Done;
  if (toApply_.empty() && toUndo_.empty()) {
    if (!refused_.empty()) {
      refused_.clear();  // nothing to do: the refusal no longer stands
      stateChanged_ = true;
    }
    return stateChanged_ ? Need::Write : Need::Done;
  }
  std::string reason = in_.endpointProblem;
  if (!reason.empty()) {
  } else if (in_.scriptFromEnv.empty()) {
    reason = "env." + config_.scriptEnv + " is not set: set it to \"" + config_.script +
             "\" (vars in the Worker's wrangler config) to confirm the Worker the actions may touch";
  } else if (in_.scriptFromEnv != config_.script) {
    reason = "env." + config_.scriptEnv + " names the script " + toText(json(in_.scriptFromEnv.substr(0, 64))) +
             " but actions.script names \"" + config_.script + "\": no action is taken on a Worker the config does not name";
  } else if (!isAnalyticsId(in_.accountId)) {
    reason = "no account id: set the account id env var the usage poll reads";
  } else if (!in_.tokenSet) {
    reason = "env." + config_.tokenEnv + " is not set: give it an API token with Workers Scripts Edit" +
             std::string(config_.zones.empty() ? "" : " and Workers Routes Edit");
  }
  if (!reason.empty()) {
    if (reason != refused_) {
      events_.push_back({"refused", "operator actions refused: " + reason});
      refused_ = reason;
      stateChanged_ = true;
    }
    return stateChanged_ ? Need::Write : Need::Done;
  }
  if (!refused_.empty()) {
    refused_.clear();
    stateChanged_ = true;
  }
  readCalls();
  if (calls_.empty()) {  // only undos: their undo is in the record already
    phase_ = Phase::RecordUndo;
    return next();
  }
  phase_ = Phase::Read;
  return Need::Calls;
}

void ActionRun::readCalls() {
  calls_.clear();
  callOwners_.clear();
  for (OperatorAction action : toApply_) {
    const std::string name(nameOf(action));
    if (action == OperatorAction::DisableWorkersDev) {
      calls_.push_back({"GET", scriptUrl("subdomain"), nullptr});
      callOwners_.push_back(name);
    } else if (action == OperatorAction::PauseCrons) {
      calls_.push_back({"GET", scriptUrl("schedules"), nullptr});
      callOwners_.push_back(name);
    } else {
      for (const std::string& zone : config_.zones) {
        calls_.push_back({"GET", in_.endpoint + "/zones/" + zone + "/workers/routes", nullptr});
        callOwners_.push_back(name);
      }
    }
  }
}

void ActionRun::answered(const std::vector<std::tuple<int, std::string, std::string>>& answers) {
  if (phase_ == Phase::Read) readAnswers(answers);
  else if (phase_ == Phase::Change) changeAnswers(answers);
}

void ActionRun::readAnswers(const std::vector<std::tuple<int, std::string, std::string>>& answers) {
  std::map<std::string, json> found;  // action -> what it found
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    const std::string& name = callOwners_[i];
    if (failed_.count(name)) continue;
    json result;
    const auto [status, body, error] = i < answers.size() ? answers[i] : std::tuple<int, std::string, std::string>{0, "", "no answer"};
    if (auto why = failureOf(status, body, error, result)) {
      fail(name, "reading " + calls_[i].url.substr(in_.endpoint.size()) + ": " + *why);
      continue;
    }
    if (name == "disable-workers-dev") {
      if (!result.is_object() || !result.contains("enabled") || !result["enabled"].is_boolean()) {
        fail(name, "the subdomain answer has no enabled flag");
        continue;
      }
      const bool previews = result.contains("previews_enabled") && result["previews_enabled"].is_boolean()
                                ? result["previews_enabled"].get<bool>() : result["enabled"].get<bool>();
      found[name] = {{"enabled", result["enabled"]}, {"previews_enabled", previews}};
    } else if (name == "pause-crons") {
      const json schedules = result.is_object() ? result.value("schedules", json()) : json();
      if (!schedules.is_array()) {
        fail(name, "the schedules answer has no list");
        continue;
      }
      json crons = json::array();
      for (const json& item : schedules) {
        if (item.is_object() && !stringField(item, "cron", 100).empty()) crons.push_back(stringField(item, "cron", 100));
      }
      found[name] = {{"schedules", crons}};
    } else {
      if (!result.is_array()) {
        fail(name, "the routes answer is not a list");
        continue;
      }
      const std::string zone = calls_[i].url.substr(in_.endpoint.size() + 7, 32);
      json& routes = found[name]["routes"];
      if (!routes.is_array()) routes = json::array();
      for (const json& route : result) {
        if (!route.is_object() || stringField(route, "script", 64) != config_.script) continue;  // another Worker's
        const std::string id = stringField(route, "id", 64);
        const std::string pattern = stringField(route, "pattern", 300);
        if (!isRouteId(id) || pattern.empty()) {
          fail(name, "the routes answer holds a route of " + config_.script + " without a usable id or pattern");
          break;
        }
        routes.push_back({{"zone", zone}, {"id", id}, {"pattern", pattern}});
      }
    }
  }
  for (auto& [name, now] : found) {
    if (failed_.count(name)) continue;
    ActionState& state = states_[name];
    const bool resuming = state.phase == "applying" || state.phase == "undoing";
    json undo = resuming ? state.undo : json::object();
    if (name == "detach-routes") {
      // What this read finds is detached now; the undo keeps every route ever detached.
      json all = listOf(undo, "routes");
      for (const json& route : now["routes"]) {
        const bool known = std::any_of(all.begin(), all.end(), [&](const json& r) { return r.value("zone", "") == route["zone"] && r.value("pattern", "") == route["pattern"]; });
        if (!known) all.push_back({{"zone", route["zone"]}, {"pattern", route["pattern"]}});
      }
      undo["routes"] = all;
      detach_[name] = now["routes"];
    } else if (!resuming) {
      undo = now;  // a resumed action keeps what it read before its first change
    }
    state.undo = undo;
    state.at = isoTimestamp(in_.nowMs);
    state.phase = in_.dryRun ? "dry-run" : "applying";
    stateChanged_ = true;
    if (in_.dryRun) {
      std::string what;
      if (name == "disable-workers-dev") what = "take " + config_.script + " off workers.dev (it is " + onOff(flagOf(undo, "enabled")) + ")";
      else if (name == "pause-crons") what = "pause " + config_.script + "'s cron triggers but the guard's own (" + namesOf(listOf(undo, "schedules"), nullptr) + ")";
      else what = "detach " + routeCount(now["routes"].size()) + " of " + config_.script + " (" + namesOf(now["routes"], "pattern") + ")";
      events_.push_back({name, "would " + what, true});
    }
  }
}

void ActionRun::changeCalls() {
  calls_.clear();
  callOwners_.clear();
  if (!in_.dryRun) {
    for (OperatorAction action : toApply_) {
      const std::string name(nameOf(action));
      auto state = states_.find(name);
      if (failed_.count(name) || state == states_.end() || state->second.phase != "applying") continue;
      const json& undo = state->second.undo;
      if (action == OperatorAction::DisableWorkersDev) {
        if (flagOf(undo, "enabled") || flagOf(undo, "previews_enabled")) {
          calls_.push_back({"POST", scriptUrl("subdomain"), {{"enabled", false}, {"previews_enabled", false}}});
        }
      } else if (action == OperatorAction::PauseCrons) {
        const json current = listOf(undo, "schedules");
        const bool keepsGuard = std::find(current.begin(), current.end(), in_.guardCron) != current.end();
        json kept = json::array();
        if (keepsGuard) kept.push_back({{"cron", in_.guardCron}});
        if (current.size() != kept.size()) calls_.push_back({"PUT", scriptUrl("schedules"), kept});
      } else {
        for (const json& route : detach_[name]) {
          calls_.push_back({"DELETE", in_.endpoint + "/zones/" + stringField(route, "zone", 32) + "/workers/routes/" + stringField(route, "id", 64), nullptr});
        }
      }
      callOwners_.resize(calls_.size(), name);  // none: already as the action leaves it, applied at once
    }
  }
  for (const std::string& name : toUndo_) {
    if (in_.dryRun) continue;  // a dry run changes nothing, an undo included
    const json& undo = states_[name].undo;
    if (name == "disable-workers-dev") {
      calls_.push_back({"POST", scriptUrl("subdomain"), {{"enabled", flagOf(undo, "enabled")}, {"previews_enabled", flagOf(undo, "previews_enabled")}}});
    } else if (name == "pause-crons") {
      json schedules = json::array();
      for (const json& cron : listOf(undo, "schedules")) schedules.push_back({{"cron", cron}});
      calls_.push_back({"PUT", scriptUrl("schedules"), schedules});
    } else {
      for (const json& route : listOf(undo, "routes")) {
        calls_.push_back({"POST", in_.endpoint + "/zones/" + stringField(route, "zone", 32) + "/workers/routes",
                          {{"pattern", stringField(route, "pattern", 300)}, {"script", config_.script}}});
      }
    }
    callOwners_.resize(calls_.size(), name);
  }
  // What needed no call is settled at once.
  std::vector<std::tuple<int, std::string, std::string>> none;
  if (calls_.empty()) changeAnswers(none);
}

void ActionRun::changeAnswers(const std::vector<std::tuple<int, std::string, std::string>>& answers) {
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    const std::string& name = callOwners_[i];
    if (failed_.count(name)) continue;
    json result;
    const auto [status, body, error] = i < answers.size() ? answers[i] : std::tuple<int, std::string, std::string>{0, "", "no answer"};
    auto why = failureOf(status, body, error, result);
    // A route already gone (detach) or already there again (undo) is as the call wanted it.
    if (why && calls_[i].method == "DELETE" && status == 404) why.reset();
    if (why && calls_[i].method == "POST" && status == 409 && errorCode(body) == 10020) why.reset();
    if (why) fail(name, calls_[i].method + " " + calls_[i].url.substr(in_.endpoint.size()) + ": " + *why);
  }
  for (OperatorAction action : toApply_) {
    const std::string name(nameOf(action));
    auto state = states_.find(name);
    if (in_.dryRun || failed_.count(name) || state == states_.end() || state->second.phase != "applying") continue;
    const json& undo = state->second.undo;
    state->second.phase = "applied";
    state->second.lastError.clear();
    state->second.attempts = 0;
    stateChanged_ = true;
    std::string what;
    if (action == OperatorAction::DisableWorkersDev) {
      what = "took " + config_.script + " off workers.dev (it was " + onOff(flagOf(undo, "enabled")) + ", previews " + onOff(flagOf(undo, "previews_enabled")) + ")";
    } else if (action == OperatorAction::PauseCrons) {
      what = "paused " + config_.script + "'s cron triggers (" + namesOf(listOf(undo, "schedules"), nullptr) + "), all but the guard's own (" + in_.guardCron + ")";
    } else {
      what = "detached " + routeCount(detach_[name].size()) + " of " + config_.script + " (" + namesOf(detach_[name], "pattern") + ")";
    }
    events_.push_back({name, what});
  }
  for (const std::string& name : toUndo_) {
    if (in_.dryRun || failed_.count(name)) continue;
    const json undo = states_[name].undo;
    states_.erase(name);
    removed_.push_back(name);
    stateChanged_ = true;
    std::string what;
    if (name == "disable-workers-dev") {
      what = "put " + config_.script + " back on workers.dev as it was (" + onOff(flagOf(undo, "enabled")) + ", previews " + onOff(flagOf(undo, "previews_enabled")) + ")";
    } else if (name == "pause-crons") {
      what = "restored " + config_.script + "'s cron triggers (" + namesOf(listOf(undo, "schedules"), nullptr) + ")";
    } else {
      what = "re-attached " + routeCount(listOf(undo, "routes").size()) + " of " + config_.script + " (" + namesOf(listOf(undo, "routes"), "pattern") + ")";
    }
    events_.push_back({name, what});
  }
}

}  // namespace edgefuse
