// The usage poll's control flow as a sans-IO state machine, in quinn-proto's poll/handle
// shape: a cron tick, a status read, a manual trip or reset (an isolate's read of the
// breakers is a ViewRead, view_read.h, with the same protocol). `next()` says what I/O to
// do; the shim does exactly that and hands the result back with `handle()` (or `answer()`,
// for the usage API's answers, whose bodies pass unescaped). The shim decides nothing: every
// branch between two I/O steps is taken here.
//
// Actions (JSON objects; any may carry "logs": [{"level": "log"|"warn"|"error", "event",
// "message", ...fields}] for the shim to print, each as one object, before it acts):
//   {"do":"read","key":kStateKey|kSafetyNetKey}
//       -> read(found, text, "") or read(false, "", message)
//          (or handle({"value": text|null}) or handle({"error": message}))
//   {"do":"put","key":...,"value":text,"expirationTtl":seconds|absent}
//   {"do":"delete","key":kSafetyNetKey}
//       -> handle({}) or handle({"error": message})
//   {"do":"fetch","endpoint":url,"binding":name|null,"timeoutMs":n,"requests":[{"dataset","query","variables"}]}
//       (each POSTed as the JSON body {"query", "variables"})
//       -> answer(i, status, body, error) for each request (status 0: failed, with error)
//   {"do":"send","timeoutMs":n,"deliveries":[{"body","urlEnv","signingSecretEnv"|null,"binding"|null}]}
//       -> handle({"results": [null | why it failed, ...]})
//   {"do":"done","result":{...}}: the tick is over; `result` is what the caller gets. Later
//       calls to handle() or answer() are ignored, and next() repeats this action.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "breaker_state.h"
#include "evaluate.h"
#include "operator_actions.h"
#include "guard_core.h"
#include "poll_state.h"
#include "shared_constants.h"
#include "usage_query.h"

namespace edgefuse {

class PollTick {
 public:
  // `start`: {"kind": "tick"|"status"|"trip"|"reset"|"meter", "now": ms since the epoch,
  //           "accountId": s|null, "token": s|null (tick and status; accountId for meter's alerts),
  //           "endpoint": env.<endpointEnv> when a string, "endpointBinding": true when a service binding,
  //           "operation": {"resources": [keys], "reason", "ttlSeconds", "holdSeconds"} (trip, reset),
  //           "record": the meter's answer's "record" (meter: its trips written to the record,
  //           never over another source's, with a lease; its changes alerted)}.
  // A meter tick's result carries "acknowledge": the text for MeterBook::recorded.
  // `core` outlives the tick; a tick that writes breakers puts them in force in its enforcer.
  PollTick(GuardCore& core, const std::string& start);

  std::string next();
  // The result of a `send`, `put` or `delete` action as JSON ({"error": s} when it failed),
  // or of a `read` as {"value": s|null}.
  void handle(const std::string& result);
  // The result of a `read` action as text: `found` false for a missing key, `error` non-empty
  // when the read failed. A record of tens of KB is handed over without being JSON-encoded.
  void read(bool found, const std::string& value, const std::string& error);
  void answer(int index, int status, const std::string& body, const std::string& error);

 private:
  enum class Kind { Tick, Status, Trip, Reset, Meter };
  // What next() does.
  enum class Step {
    Start, AfterState, AfterSafetyNet, Evaluate,
    AfterFresh, PutState, PutSafetyNet, Actions, Alerts, AfterSend, Finish, Failed, Done,
  };
  // What handle() (or answer()) expects.
  enum class Await { Nothing, State, SafetyNet, Answers, Fresh, FreshSafetyNet, PutState, PutSafetyNet, Send, Api };

  // What handle() and read() share: the awaited step, given the result.
  void settle(std::optional<std::string> error, std::optional<std::string> value, const nlohmann::json& result);
  std::string action(nlohmann::json body);
  std::string await(Await what, nlohmann::json body);
  std::string done(nlohmann::json result);
  std::string fail(const std::string& error);
  void failNext(const std::string& error);
  // One structured line: {"level", "event": "edgefuse.<event>", "message", ...fields}.
  void log(const std::string& level, const std::string& event, const std::string& message,
           nlohmann::json fields = nlohmann::json::object());

  std::string startWrite(StateChanges changes, Step after);
  std::string fetchUsage();
  std::string evaluateAndContinue();
  void addDigestsDue();
  std::string alertsAndContinue();
  // Operator actions (operator_actions.h), after the breakers are written: their REST calls
  // and writes, then their events join the alerts.
  std::string actionsAndContinue();
  std::optional<ActionRun> actionRun_;
  bool actionTokenSet_ = false;
  std::string actionScript_;    // env.<actions.scriptEnv>
  std::string actionEndpoint_;  // env.<actions.endpointEnv> when a URL
  bool actionEndpointIsBinding_ = false;
  bool actionsAbandoned_ = false;  // a KV failure ended them for this tick
  bool meterAlertsChosen_ = false;  // a meter tick chose its alerts at its own write
  void handleSent(const nlohmann::json& result);
  std::string afterSend();
  std::string finish();

  void putInForce(const std::map<std::string, Breaker>& breakers);

  GuardCore& core_;
  const Config& config_;
  Kind kind_ = Kind::Tick;
  std::int64_t now_ = 0;
  std::string accountId_;
  std::string token_;
  std::string endpointOverride_;  // env.<endpointEnv>, "" when not set
  bool endpointIsBinding_ = false;  // env.<endpointEnv> is a service binding
  nlohmann::json operation_;
  std::vector<Problem> startProblems_;
  // A meter tick's: what to write, what to alert, and the version it is.
  std::map<std::string, Breaker> meterTrips_;
  std::vector<PollEvent> meterEvents_;
  std::vector<std::int64_t> meterEventVersions_;  // the meter's version of each change
  std::int64_t meterVersion_ = 0;

  void readMeterRecord(const nlohmann::json& record);
  std::string startMeter();
  // After the fresh read: which of the meter's changes to alert.
  void chooseMeterAlerts();

  Step step_ = Step::Start;
  Await awaiting_ = Await::Nothing;
  nlohmann::json logs_ = nlohmann::json::array();
  std::string failure_;
  std::string doneText_;  // the last action, once the tick is over

  // What was read before the tick decided anything.
  std::optional<std::string> stateText_;
  std::optional<std::string> safetyNetText_;
  PollStateRecord record_;
  PollState previous_;
  std::vector<Problem> readProblems_;

  // The usage API: one request and one outcome per dataset.
  std::vector<UsageRequest> requests_;
  std::vector<std::string> datasets_;
  std::vector<std::optional<DatasetOutcome>> outcomes_;

  // A write in progress: `changes_` applied to a fresh read of the record.
  std::optional<Evaluation> evaluation_;
  StateChanges changes_;
  Step afterWrite_ = Step::Finish;
  std::optional<std::string> freshText_;
  PollStateRecord fresh_;
  PollState written_;
  bool wrote_ = false;
  nlohmann::json inForce_;  // the breakers this tick put in force, once a write succeeded

  // Alerts: what this tick sends, and what is left to retry.
  nlohmann::json sending_ = nlohmann::json::array();  // {channel, event, attempts} per delivery sent
  nlohmann::json later_ = nlohmann::json::array();     // queued past the per-tick cap
  int sent_ = 0;
  nlohmann::json pendingAfter_ = nlohmann::json::array();  // what is left to retry after this tick
  bool pendingChanged_ = false;
};

}  // namespace edgefuse
