// Operator actions: what breakers cannot stop (requests to a tripped Worker are still billed)
// stopped outside the Worker, through Cloudflare's REST API, while a configured line stands
// tripped: the Worker taken off workers.dev, its routes detached, its cron triggers paused
// (all but the guard's own, which must run to put them back). What an action changes is
// recorded in the state record before it is changed, so that an undo restores it exactly.
//   https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/subdomain/
//   https://developers.cloudflare.com/api/resources/workers/subresources/routes/
//   https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/schedules/
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "breaker_state.h"
#include "config.h"

namespace edgefuse {

// One action as the state record keeps it.
struct ActionState {
  std::string phase;  // "waiting": wanted, nothing read or changed yet (a call failed);
                      // "applying": its undo is recorded, the change not yet confirmed;
                      // "applied"; "undoing": an undo failed part-way, retried;
                      // "dry-run": what it would do was said, nothing was done
  std::string at;     // when it was applied (or said)
  nlohmann::json undo = nlohmann::json::object();  // what puts it back, as read before the change
  std::string lastError;  // of the last attempt to apply or undo it, "" when none failed
  int attempts = 0;       // failed attempts in a row
  bool operator==(const ActionState& other) const {
    return phase == other.phase && at == other.at && undo == other.undo && lastError == other.lastError &&
           attempts == other.attempts;
  }
};
using ActionStates = std::map<std::string, ActionState>;  // action name -> state

nlohmann::json actionStatesToJson(const ActionStates& states);
// What does not parse is dropped, and reported: an action whose undo is lost cannot be undone.
ActionStates actionStatesFromJson(const nlohmann::json& value, std::vector<std::string>& damaged);

// The actions the standing breakers call for: each breaker's key, and "budget" for a budget trip.
std::set<OperatorAction> wantedActions(const ActionsConfig& actions, const std::map<std::string, Breaker>& breakers);

// What a run is given: the record's actions and breakers after this tick's write, and what
// the shim read from env (never logged: the token is only checked for presence).
struct ActionInputs {
  ActionStates recorded;
  std::string refused;  // the refusal the record last alerted, "" for none
  std::map<std::string, Breaker> breakers;
  std::string accountId;
  bool tokenSet = false;
  std::string scriptFromEnv;  // env.<scriptEnv>, "" when unset
  std::string endpoint;       // the REST API's base URL
  std::string endpointProblem;  // why the endpoint override cannot be used ("" when it can)
  bool dryRun = false;
  std::string guardCron;  // config.evaluateCron: kept when crons are paused
  std::int64_t nowMs = 0;
};

// A REST call for the shim: method, path under the endpoint, JSON body or null.
struct RestCall {
  std::string method;
  std::string url;
  nlohmann::json body;
};

// One event for the alert channels and logs: {level: "action", key: the action, message, dryRun}.
struct ActionEvent {
  std::string key;
  std::string message;
  bool dryRun = false;
};

// A run of the actions, as a small state machine: next() says what to do, the driver
// (PollTick) does it and hands the answers back.
class ActionRun {
 public:
  ActionRun(const ActionsConfig& config, ActionInputs inputs);

  enum class Need { Calls, Write, Done };
  Need next();
  const std::vector<RestCall>& calls() const { return calls_; }
  // After Need::Calls: one {status, body, error} per call, in order (status 0: no answer).
  void answered(const std::vector<std::tuple<int, std::string, std::string>>& answers);
  // After Need::Write: the record's actions and refusal as they must be written.
  const ActionStates& states() const { return states_; }
  const std::string& refused() const { return refused_; }
  // The actions this run took out of the record (undone, or only ever said or waited for).
  const std::vector<std::string>& removed() const { return removed_; }
  const std::vector<ActionEvent>& events() const { return events_; }

 private:
  enum class Phase { Plan, Read, RecordUndo, Change, RecordDone, Done };
  const ActionsConfig& config_;
  ActionInputs in_;
  Phase phase_ = Phase::Plan;
  ActionStates states_;
  std::string refused_;
  std::vector<RestCall> calls_;
  std::vector<std::string> callOwners_;  // the action each call is for
  std::vector<ActionEvent> events_;
  std::vector<OperatorAction> toApply_;
  std::vector<std::string> toUndo_;
  std::vector<std::string> removed_;
  std::map<std::string, std::string> failed_;  // action -> why, in this run
  std::map<std::string, nlohmann::json> detach_;  // detach-routes: the routes this run's read found
  bool stateChanged_ = false;

  Need plan();
  void readCalls();
  void readAnswers(const std::vector<std::tuple<int, std::string, std::string>>& answers);
  void changeCalls();
  void changeAnswers(const std::vector<std::tuple<int, std::string, std::string>>& answers);
  void fail(const std::string& action, std::string why);
  std::string scriptUrl(const std::string& part) const;
};

}  // namespace edgefuse
