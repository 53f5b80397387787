#include "poll_tick.h"

#include "live_meter.h"

#include <algorithm>
#include <cmath>

#include "alerts.h"
#include "breaker_lifecycle.h"
#include "breaker_state.h"
#include "identifier.h"
#include "json_text.h"

namespace edgefuse {
namespace {

using nlohmann::json;


// Alert retries: a failed delivery is kept as its event and retried on later ticks.
constexpr int kAlertTimeoutMs = 5000;
constexpr int kMaxAlertAttempts = 24;  // about two hours of 5-minute ticks
// Subrequests per tick for alerts: the free plan allows 50 per invocation
// (https://developers.cloudflare.com/workers/platform/limits/), and the usage poll needs 9
// (one request per dataset).
constexpr std::size_t kMaxAlertSends = 20;

std::optional<std::string> textOrNull(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Entries come back from KV: anything malformed is dropped rather than retried forever.
bool validPendingAlert(const json& entry) {
  if (!entry.is_object()) return false;
  auto channel = entry.find("channel");
  auto attempts = entry.find("attempts");
  auto event = entry.find("event");
  return channel != entry.end() && channel->is_number_integer() && *channel >= 0 && attempts != entry.end() &&
         attempts->is_number_integer() && *attempts >= 0 && *attempts < kMaxAlertAttempts && event != entry.end() &&
         event->is_object() && event->contains("level") && (*event)["level"].is_string() && event->contains("key") &&
         (*event)["key"].is_string();
}

constexpr std::size_t kMaxWarnedActionTypes = 64;

// The same breakers, but for meter leases that still have half their time to run: a duty
// handed on before the last was acknowledged writes nothing.
bool sameButLeases(const std::map<std::string, Breaker>& before, const std::map<std::string, Breaker>& after, std::int64_t nowMs) {
  if (before.size() != after.size()) return false;
  for (const auto& [key, breaker] : before) {
    auto other = after.find(key);
    if (other == after.end()) return false;
    if (breaker == other->second) continue;
    Breaker renewed = breaker;
    renewed.until = other->second.until;
    const auto until = parseIsoTimestamp(breaker.until);
    if (breaker.source != "meter" || renewed != other->second || !until || *until < nowMs + kMeterLeaseMs / 2) return false;
  }
  return true;
}

bool isPrintableAscii(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

PollTick::PollTick(GuardCore& core, const std::string& startText) : core_(core), config_(core.config) {
  const json start = json::parse(startText, nullptr, false);
  if (!start.is_object()) {
    startProblems_.push_back({"start", "must be an object", ""});
    return;
  }
  const std::string kind = stringField(start, "kind");
  if (kind == "tick") kind_ = Kind::Tick;
  else if (kind == "status") kind_ = Kind::Status;
  else if (kind == "trip") kind_ = Kind::Trip;
  else if (kind == "reset") kind_ = Kind::Reset;
  else if (kind == "meter") kind_ = Kind::Meter;
  else startProblems_.push_back({"kind", "must be tick, status, trip, reset or meter (a view is a ViewRead)", ""});
  auto now = start.find("now");
  if (now == start.end() || !now->is_number() || !std::isfinite(now->get<double>()) || now->get<double>() < 0 ||
      now->get<double>() > 1e14) {
    startProblems_.push_back({"now", "must be milliseconds since the epoch", ""});
  } else {
    now_ = static_cast<std::int64_t>(now->get<double>());
  }
  accountId_ = stringField(start, "accountId");
  token_ = stringField(start, "token");
  endpointOverride_ = stringField(start, "endpoint");
  if (auto binding = start.find("endpointBinding"); binding != start.end()) endpointIsBinding_ = binding->is_boolean() && binding->get<bool>();
  if (auto op = start.find("operation"); op != start.end()) operation_ = *op;
  if (kind_ == Kind::Meter) readMeterRecord(start.value("record", json()));
  if (auto actions = start.find("actions"); actions != start.end() && actions->is_object()) {
    actionTokenSet_ = actions->value("tokenSet", false) == true;
    actionScript_ = stringField(*actions, "script");
    actionEndpoint_ = stringField(*actions, "endpoint");
    actionEndpointIsBinding_ = actions->value("endpointBinding", false) == true;
  }
}

// The meter's "record" (MeterBook's answer): {"version", "breakers": {key: {reason, since}},
// "changes": [{key, event, reason}]}. Only whole resources' trips are written; every trip and
// recovery, a feature's too, is alerted.
void PollTick::readMeterRecord(const json& record) {
  const auto version = record.is_object() ? record.find("version") : record.end();
  const auto breakers = record.is_object() ? record.find("breakers") : record.end();
  const auto changes = record.is_object() ? record.find("changes") : record.end();
  if (!record.is_object() || version == record.end() || !version->is_number_integer() || *version < 0 ||
      breakers == record.end() || !breakers->is_object() || changes == record.end() || !changes->is_array()) {
    startProblems_.push_back({"record", "must be the meter's {version, breakers, changes}", ""});
    return;
  }
  meterVersion_ = version->get<std::int64_t>();
  const std::string until = isoTimestamp(now_ + kMeterLeaseMs);
  for (const auto& item : breakers->items()) {
    const BreakerKeyParts parts = splitBreakerKey(item.key());
    if (!parts.resource || !parts.binding.empty()) continue;  // a feature's line ("kv-writes@import")
    const std::string reason = stringField(item.value(), "reason").substr(0, 500);
    const std::string since = stringField(item.value(), "since");
    meterTrips_[item.key()] = Breaker{item.key(), "", reason.empty() ? "tripped by the real-time meter" : reason,
                                      parseIsoTimestamp(since) ? since : isoTimestamp(now_), "meter", until};
  }
  for (const json& change : *changes) {
    const std::string key = stringField(change, "key");
    const std::string event = stringField(change, "event");
    const std::string resource = key.substr(0, key.find('@'));
    if (!findResource(resource) || (event != "trip" && event != "recover")) continue;  // a reset is the operator's own
    const std::string reason = stringField(change, "reason").substr(0, 500);
    meterEvents_.push_back({event, key, reason + (event == "trip" ? " (the real-time meter)" : ""), config_.dryRun,
                            {{"resource", resource}, {"source", "meter"}}});
    const json version = change.is_object() ? change.value("version", json()) : json();
    meterEventVersions_.push_back(version.is_number_integer() ? version.get<std::int64_t>() : meterVersion_);
  }
}

// A meter tick: the meter's trips replace the record's (one write, none when the record
// already says so), then its changes are alerted: those the record had not recorded (by the
// meter's version), and of a whole resource only those that changed the record.
std::string PollTick::startMeter() {
  evaluation_ = Evaluation{};
  if (config_.dryRun) {  // a dry run trips nothing, and says what it would
    evaluation_->events = meterEvents_;
    return alertsAndContinue();
  }
  StateChanges changes;
  changes.meterTrips = meterTrips_;
  changes.meterVersion = meterVersion_;
  return startWrite(changes, config_.actions ? Step::Actions : Step::Alerts);
}

void PollTick::chooseMeterAlerts() {
  for (std::size_t i = 0; i < meterEvents_.size(); ++i) {
    if (meterEventVersions_[i] <= fresh_.state.meterVersion) continue;  // alerted by an earlier duty
    const std::string& key = meterEvents_[i].key;
    if (key.find('@') == std::string::npos) {
      auto before = fresh_.state.breakers.find(key);
      auto after = written_.breakers.find(key);
      const bool changed = (before == fresh_.state.breakers.end()) != (after == written_.breakers.end()) ||
                           (before != fresh_.state.breakers.end() && before->second.source != after->second.source);
      if (!changed) continue;  // another source's trip, or a reset's hold, stands on the key
    }
    evaluation_->events.push_back(meterEvents_[i]);
  }
}

void PollTick::log(const std::string& level, const std::string& event, const std::string& message, json fields) {
  logs_.push_back(logLine(level, event, message, std::move(fields)));
}

std::string PollTick::action(json body) {
  if (!logs_.empty()) {
    body["logs"] = logs_;
    logs_ = json::array();
  }
  return toText(body);
}

std::string PollTick::await(Await what, json body) {
  awaiting_ = what;
  return action(std::move(body));
}

std::string PollTick::done(json result) {
  step_ = Step::Done;
  json body = {{"do", "done"}};
  body["result"] = std::move(result);
  doneText_ = action(std::move(body));
  return doneText_;
}

std::string PollTick::fail(const std::string& error) {
  json result = {{"ok", false}, {"error", error}};
  if (kind_ == Kind::Meter) {
    log("warn", "meter-record-failed", "edgefuse: the real-time meter's trips were not recorded: " + error +
                                           "; the meter gives the duty to the next report");
  }
  if (kind_ == Kind::Tick || kind_ == Kind::Status) {
    result["error"] = "usage poll failed: " + error;
    log("error", "poll-failed", "edgefuse: usage poll failed: " + error);
  }
  if (wrote_) result["view"] = inForce_;
  return done(result);
}

void PollTick::failNext(const std::string& error) {
  failure_ = error;
  step_ = Step::Failed;
}

void PollTick::putInForce(const std::map<std::string, Breaker>& breakers) {
  std::vector<std::string> enforced;
  inForce_ = breakersInForce(config_, breakers, now_, enforced);
  core_.enforcer.setTripped(enforced);
}

std::string PollTick::next() {
  if (awaiting_ == Await::Answers) {
    awaiting_ = Await::Nothing;
    for (std::size_t i = 0; i < outcomes_.size(); ++i) {
      if (!outcomes_[i]) return fail("no answer was handed back for " + datasets_[i]);
    }
    step_ = Step::Evaluate;
  } else if (awaiting_ != Await::Nothing) {
    return fail("next() was called before the last action's result was handed back");
  }
  switch (step_) {
    case Step::Start: {
      if (!startProblems_.empty()) return fail(describeProblems(startProblems_));
      if (kind_ == Kind::Trip || kind_ == Kind::Reset) {
        ManualResult manual = manualOperation(config_, kind_ == Kind::Trip, operation_, now_);
        if (!manual.changes) return done({{"ok", false}, {"problems", problemsToJson(manual.problems)}});
        evaluation_ = Evaluation{};  // a manual trip or reset may take or undo actions, and alert them
        return startWrite(*manual.changes, config_.actions ? Step::Actions : Step::Finish);
      }
      if (kind_ == Kind::Meter) return startMeter();
      return await(Await::State, {{"do", "read"}, {"key", kStateKey}});
    }
    case Step::AfterState: {
      record_ = parsePollState(stateText_);
      previous_ = record_.state;
      readProblems_ = record_.problems;
      if (!record_.needsSafetyNet()) return fetchUsage();
      return await(Await::SafetyNet, {{"do", "read"}, {"key", kSafetyNetKey}});
    }
    case Step::AfterSafetyNet: {
      BreakerRecord net = parseBreakerRecord(safetyNetText_, "safety-net");
      // A missing, unreadable or damaged record: the safety net's trips stand until a tick
      // confirms recovery.
      previous_.breakers = standingBreakers(config_, record_.readable ? std::optional(record_.state.breakers) : std::nullopt,
                                            record_.damaged, net, now_);
      readProblems_.insert(readProblems_.end(), net.problems.begin(), net.problems.end());
      return fetchUsage();
    }
    case Step::Evaluate:
      return evaluateAndContinue();
    case Step::AfterFresh: {
      fresh_ = parsePollState(freshText_);
      if (fresh_.needsSafetyNet()) return await(Await::FreshSafetyNet, {{"do", "read"}, {"key", kSafetyNetKey}});
      step_ = Step::PutState;
      return next();
    }
    case Step::PutState: {
      written_ = applyChanges(fresh_.state, changes_);
      if (kind_ == Kind::Trip && written_.breakers.size() > kMaxStandingBreakers &&
          written_.breakers.size() > fresh_.state.breakers.size()) {
        const std::vector<Problem> full = {{"resources",
                                            "at most " + std::to_string(kMaxStandingBreakers) + " breakers can stand at once; " +
                                                std::to_string(fresh_.state.breakers.size()) + " do",
                                            "reset some first"}};
        return done({{"ok", false}, {"problems", problemsToJson(full)}});
      }
      if (kind_ == Kind::Meter && !meterAlertsChosen_) {  // the meter's own write, not an action's
        meterAlertsChosen_ = true;
        chooseMeterAlerts();
        Tally tally;
        for (const PollEvent& event : evaluation_->events) {
          countEvent(tally[dayOfMs(now_)], {isoTimestamp(now_), event.level, event.key, event.dryRun});
        }
        addTally(written_.digest.days, tally);
        if (sameButLeases(fresh_.state.breakers, written_.breakers, now_) && written_.meterVersion == fresh_.state.meterVersion) {
          step_ = afterWrite_;  // recorded already (by another isolate, or an earlier duty)
          return next();
        }
      }
      return await(Await::PutState, {{"do", "put"}, {"key", kStateKey}, {"value", serializePollState(written_)}});
    }
    case Step::PutSafetyNet: {
      const SafetyNetWrite net = safetyNetFor(config_, written_, now_);
      if (!net.put) return await(Await::PutSafetyNet, {{"do", "delete"}, {"key", kSafetyNetKey}});
      return await(Await::PutSafetyNet, {{"do", "put"},
                                         {"key", kSafetyNetKey},
                                         {"value", net.text},
                                         {"expirationTtl", net.expirationTtlSeconds}});
    }
    case Step::Actions:
      return actionsAndContinue();
    case Step::Alerts:
      return alertsAndContinue();
    case Step::AfterSend:
      return afterSend();
    case Step::Finish:
      return finish();
    case Step::Failed:
      return fail(failure_);
    case Step::Done:
      return doneText_;
  }
  return fail("unknown step");
}

void PollTick::handle(const std::string& resultText) {
  if (step_ == Step::Done) return;  // the tick is over: a stray result changes nothing
  const json result = json::parse(resultText, nullptr, false);
  std::optional<std::string> error;
  if (!result.is_object()) {
    error = "the result handed back is not an object";
  } else if (auto it = result.find("error"); it != result.end() && !it->is_null()) {
    error = it->is_string() ? it->get<std::string>() : toText(*it);
  }
  settle(std::move(error), result.is_object() ? textOrNull(result, "value") : std::nullopt, result);
}

void PollTick::read(bool found, const std::string& value, const std::string& error) {
  if (step_ == Step::Done) return;
  const bool reading = awaiting_ == Await::State || awaiting_ == Await::SafetyNet || awaiting_ == Await::Fresh ||
                       awaiting_ == Await::FreshSafetyNet;
  if (!reading) {
    awaiting_ = Await::Nothing;
    return failNext("a KV read was handed back when none was asked for");
  }
  settle(error.empty() ? std::nullopt : std::optional(error), found ? std::optional(value) : std::nullopt, json());
}

void PollTick::settle(std::optional<std::string> error, std::optional<std::string> value, const json& result) {
  const Await awaited = awaiting_;
  awaiting_ = Await::Nothing;
  // A KV failure while the actions record what they do ends the actions for this tick, not the
  // tick: its own alerts still go out. Nothing was changed that the record does not hold
  // (each change waits for its undo's write); the next tick takes up the record as it stands.
  const bool recordingActions = actionRun_ && (awaited == Await::Fresh || awaited == Await::FreshSafetyNet || awaited == Await::PutState);
  if (error && recordingActions) {
    log("error", "actions-not-recorded", "edgefuse: operator actions stop for this tick: the state record could not be read or written (" + *error + "); the next tick takes them up");
    actionRun_.reset();
    actionsAbandoned_ = true;
    step_ = Step::Alerts;
    return;
  }
  switch (awaited) {
    case Await::State:
      if (error) return failNext("reading " + std::string(kStateKey) + " from KV: " + *error);
      stateText_ = std::move(value);
      step_ = Step::AfterState;
      return;
    case Await::SafetyNet:
      if (error) return failNext("reading " + std::string(kSafetyNetKey) + " from KV: " + *error);
      safetyNetText_ = value;
      step_ = Step::AfterSafetyNet;
      return;
    case Await::Fresh:
      if (error) return failNext("reading " + std::string(kStateKey) + " from KV: " + *error);
      freshText_ = value;
      step_ = Step::AfterFresh;
      return;
    case Await::FreshSafetyNet: {
      if (error) return failNext("reading " + std::string(kSafetyNetKey) + " from KV: " + *error);
      fresh_.state.breakers = standingBreakers(config_, fresh_.readable ? std::optional(fresh_.state.breakers) : std::nullopt,
                                               fresh_.damaged, parseBreakerRecord(value, "safety-net"), now_);
      // What the tick's own first read found stands too, unless the tick ends it: with the
      // fresh record unreadable, it is the better witness.
      if (!fresh_.readable) keepWhatStands(previous_, changes_, fresh_.state.breakers);
      step_ = Step::PutState;
      return;
    }
    case Await::PutState:
      if (error) return failNext("writing the state to KV: " + *error);
      wrote_ = true;
      putInForce(written_.breakers);
      step_ = Step::PutSafetyNet;
      return;
    case Await::PutSafetyNet:
      if (error) log("warn", "safety-net-not-written", "edgefuse: writing the safety net to KV failed, the next write retries: " + *error);
      step_ = afterWrite_;
      return;
    case Await::Send:
      handleSent(result);
      step_ = Step::AfterSend;
      return;
    case Await::Api: {
      std::vector<std::tuple<int, std::string, std::string>> answers;
      const json results = result.is_object() ? result.value("results", json::array()) : json::array();
      for (const json& item : results.is_array() ? results : json::array()) {
        const json status = item.is_object() ? item.value("status", json(0)) : json(0);
        answers.emplace_back(status.is_number_integer() ? status.get<int>() : 0, item.is_object() ? stringField(item, "body") : "",
                             item.is_object() ? stringField(item, "error") : "no result");
      }
      actionRun_->answered(answers);
      step_ = Step::Actions;
      return;
    }
    case Await::Answers:
    case Await::Nothing:
      return failNext("a result was handed back when none was asked for");
  }
}

void PollTick::answer(int index, int status, const std::string& body, const std::string& error) {
  if (step_ == Step::Done) return;
  if (awaiting_ != Await::Answers || index < 0 || index >= static_cast<int>(outcomes_.size())) {
    awaiting_ = Await::Nothing;
    return failNext("an answer was handed back when none was asked for");
  }
  const std::string& dataset = datasets_[index];
  DatasetOutcome outcome;
  if (status == 0) {
    outcome.dataset = dataset;
    outcome.error = error.empty() ? "request failed" : error;
  } else {
    outcome = parseUsageResponse(dataset, status, body, dayOfMs(now_));
  }
  outcome.coveredFrom = requests_[index].window.first;
  outcome.byDay = requests_[index].window.byDay;
  outcomes_[index] = std::move(outcome);
}

std::string PollTick::fetchUsage() {
  requests_ = buildUsageRequests(config_, now_, accountId_, previous_.dailyTotals);
  datasets_.clear();
  for (const UsageRequest& request : requests_) datasets_.push_back(request.dataset);
  outcomes_.assign(datasets_.size(), std::nullopt);
  // Without credentials nothing is sent: every dataset fails with the reason.
  std::vector<std::string> missing;
  if (accountId_.empty()) missing.push_back(config_.accountIdEnv);
  if (token_.empty()) missing.push_back(config_.apiTokenEnv);
  std::string error;
  std::string endpoint = config_.endpoint;
  // env.<endpointEnv> as a service binding (the simulator in a test's auxiliary Worker):
  // the config's endpoint, fetched through it.
  std::optional<std::string> binding = config_.endpointBinding;
  if (endpointIsBinding_) {
    binding = config_.endpointEnv;
  } else if (!endpointOverride_.empty()) {
    if (isHttpUrl(endpointOverride_)) {
      endpoint = endpointOverride_;
    } else {
      error = "env." + config_.endpointEnv + " must be an http(s) URL or a service binding, got " +
              json(endpointOverride_.substr(0, 100)).dump() + "; the usage API was not asked";
    }
  } else if (isLoopbackUrl(config_.endpoint) && !core_.warnedLoopbackEndpoint) {
    core_.warnedLoopbackEndpoint = true;
    log("warn", "loopback-endpoint", "edgefuse: the config's usage-API endpoint, " + config_.endpoint +
                    ", is on this machine: a deployed Worker cannot reach it. For local development, set env." +
                    config_.endpointEnv + " in .dev.vars instead and leave the config on Cloudflare's");
  }
  for (const std::string& name : missing) {
    if (!error.empty() || !core_.warnedMissingSecrets.insert(name).second) continue;  // once per isolate
    log("warn", "missing-secret",
        "edgefuse: env." + name + " is not set, so the usage API cannot be asked: in local development add it to .dev.vars; " +
            "deployed, run wrangler secret put " + name,
        {{"variable", name}});
  }
  if (error.empty() && !missing.empty()) {
    const std::string names = missing[0] + (missing.size() > 1 ? " and " + missing[1] : "");
    error = "env." + missing[0] + (missing.size() > 1 ? " and env." + missing[1] : "") + " not set: in local development add " +
            (missing.size() > 1 ? "them" : "it") + " to .dev.vars; deployed, run wrangler secret put for " + names;
  } else if (error.empty() && !isPrintableAscii(token_)) {
    // A token is printable ASCII; anything else could end up echoed in a header error.
    error = "env." + config_.apiTokenEnv + " is not an API token (unexpected characters); it was not sent";
  } else if (error.empty() && !isAnalyticsId(accountId_)) {
    return fail("accountId: must be a Cloudflare account id (letters and digits)");
  }
  if (!error.empty()) {
    for (std::size_t i = 0; i < datasets_.size(); ++i) {
      DatasetOutcome outcome;
      outcome.dataset = datasets_[i];
      outcome.error = error;
      outcomes_[i] = outcome;
    }
    return evaluateAndContinue();
  }
  json list = json::array();
  for (const UsageRequest& request : requests_) {
    list.push_back({{"dataset", request.dataset}, {"query", request.query}, {"variables", request.variables}});
  }
  return await(Await::Answers, {{"do", "fetch"},
                                {"endpoint", endpoint},
                                {"binding", binding ? json(*binding) : json(nullptr)},
                                {"timeoutMs", config_.pollTimeoutSeconds * 1000},
                                {"requests", list}});
}

std::string PollTick::evaluateAndContinue() {
  std::vector<DatasetOutcome> outcomes;
  for (auto& answered : outcomes_) {
    outcomes.push_back(std::move(*answered));
    const DatasetOutcome& outcome = outcomes.back();
    for (const std::string& name : outcome.unknownActionTypes) {
      if (core_.warnedActionTypes.size() >= kMaxWarnedActionTypes) break;  // an answer full of new names
      if (!core_.warnedActionTypes.insert(outcome.dataset + ":" + name).second) continue;
      const bool storageClass = name.rfind(kUnknownStorageClassPrefix, 0) == 0;
      const std::string unknown = storageClass ? name.substr(kUnknownStorageClassPrefix.size()) : name;
      log("warn", "unknown-operation",
          "edgefuse: " + outcome.dataset + " reports " + (storageClass ? "a storage class" : "an operation") +
              " edgefuse does not know, " + toText(json(unknown)) + ": it is counted in the costlier class until edgefuse knows it",
          {{"dataset", outcome.dataset}, {storageClass ? "storageClass" : "actionType", unknown}});
    }
  }
  Evaluation evaluation = evaluate(config_, previous_, outcomes, now_);
  carryOver(record_, previous_, evaluation.write, evaluation.changes);
  if (evaluation.write && !evaluation.changes.health) {
    evaluation.changes.health = previous_.health;
    evaluation.changes.alerted = previous_.alerted;
  }
  evaluation_ = std::move(evaluation);
  if (kind_ == Kind::Tick && config_.digest) addDigestsDue();
  if (kind_ == Kind::Status) {
    json result = std::move(evaluation_->report);  // the status read ends here
    result["ok"] = true;
    result["live"] = true;
    // What the cron ticks recorded; `health` in the report is this read's own.
    const PollHealth& stored = record_.state.health;
    result["lastCheckAt"] = record_.readable && !stored.lastCheckAt.empty() ? json(stored.lastCheckAt) : json(nullptr);
    result["blind"] = blindness(stored, datasets_, config_.failuresUntilBlind).blind;
    result["lastError"] = stored.lastError;
    result["consecutiveFailures"] = stored.consecutiveFailures;
    // As the core read them (the record's, else the safety net's): checked, never raw.
    result["breakers"] = result["breakersBefore"];
    return done(result);
  }
  for (const Problem& problem : readProblems_) {
    log("warn", "state-problem", "edgefuse: " + problem.path + ": " + problem.message, {{"path", problem.path}});
  }
  for (const PollEvent& event : evaluation_->events) {
    // What happened, with its figures (resource, used, quota, unit, percent, overageUsd) as
    // fields; a digest's are the message it sends, not a log's.
    json fields = event.level == "digest" ? json::object() : event.details;
    fields["key"] = event.key;
    fields["dryRun"] = event.dryRun;
    log("log", event.level, "edgefuse: " + std::string(event.dryRun ? "[dry run] " : "") + event.level + ": " + event.message,
        std::move(fields));
  }
  // The state first: if it cannot be written, nothing is announced that did not happen, and
  // the next tick sees the same news again.
  if (evaluation_->write) return startWrite(evaluation_->changes, Step::Actions);
  return actionsAndContinue();
}

std::string PollTick::actionsAndContinue() {
  if (!config_.actions || actionsAbandoned_ || kind_ == Kind::Status) {
    return alertsAndContinue();
  }
  if (!actionRun_) {
    // What the actions changed is known only from a record that could be read: with it
    // unreadable, an action re-applied would take today's changed state for its undo.
    const bool fromRead = kind_ == Kind::Tick && !wrote_;
    const PollStateRecord& read = fromRead ? record_ : fresh_;
    if (read.present && !read.readable) {
      log("error", "actions-waiting",
          "edgefuse: operator actions wait: the state record could not be read, so what they changed is not known; "
          "check the Worker's workers.dev, routes and crons by hand");
      return alertsAndContinue();
    }
    const PollState& state = fromRead ? previous_ : written_;
    std::string endpoint = isHttpUrl(actionEndpoint_) ? actionEndpoint_ : config_.actions->endpoint;
    while (endpoint.size() > 8 && endpoint.back() == '/') endpoint.pop_back();
    // An override that is neither a URL nor a binding is refused, never replaced by the real API.
    const std::string endpointProblem = !actionEndpoint_.empty() && !isHttpUrl(actionEndpoint_)
                                            ? "env." + config_.actions->endpointEnv + " must be an http(s) URL or a service binding"
                                            : "";
    actionRun_.emplace(*config_.actions, ActionInputs{state.actions, state.actionsRefused, state.breakers, accountId_,
                                                      actionTokenSet_, actionScript_, endpoint, endpointProblem,
                                                      config_.dryRun || config_.actions->dryRun,
                                                      config_.evaluateCron.value_or(""), now_});
  }
  switch (actionRun_->next()) {
    case ActionRun::Need::Calls: {
      json calls = json::array();
      for (const RestCall& call : actionRun_->calls()) {
        json entry = {{"method", call.method}, {"url", call.url}};
        if (!call.body.is_null()) entry["body"] = toText(call.body);
        calls.push_back(entry);
        log("log", "action-call", "edgefuse: " + call.method + " " + call.url, {{"method", call.method}, {"url", call.url}});
      }
      return await(Await::Api, {{"do", "api"},
                                {"binding", actionEndpointIsBinding_ ? json(config_.actions->endpointEnv) : json(nullptr)},
                                {"tokenEnv", config_.actions->tokenEnv},
                                {"timeoutMs", kAlertTimeoutMs * 2},
                                {"calls", calls}});
    }
    case ActionRun::Need::Write: {
      StateChanges changes;
      changes.actions = actionRun_->states();
      changes.actionsRemoved = actionRun_->removed();
      changes.actionsRefused = actionRun_->refused();
      return startWrite(changes, Step::Actions);
    }
    case ActionRun::Need::Done:
      break;
  }
  for (const ActionEvent& event : actionRun_->events()) {
    log(event.key == "refused" ? "error" : "log", "action",
        "edgefuse: " + std::string(event.dryRun ? "[dry run] " : "") + "action: " + event.message, {{"key", event.key}, {"dryRun", event.dryRun}});
    evaluation_->events.push_back({"action", event.key, event.message, event.dryRun});
  }
  return alertsAndContinue();
}

// Each digest due is an event like the others: the record says it was sent in the same write
// that precedes the alerts, and a failed delivery is retried from the record.
void PollTick::addDigestsDue() {
  const std::vector<DigestPeriod> due = digestsDue(*config_.digest, previous_.digest, now_);
  if (due.empty()) return;
  std::vector<std::string> standing;
  for (const auto& [key, breaker] : applyChanges(previous_, evaluation_->changes).breakers) standing.push_back(key);
  for (const DigestPeriod& period : due) {
    json digest = composeDigest(config_, period, previous_.digest.days, evaluation_->report, standing);
    const std::string summary = digestSummary(digest);
    evaluation_->events.push_back({"digest", period.weekly ? "weekly-digest" : "daily-digest", summary, false,
                                   {{"digest", std::move(digest)}}});
    (period.weekly ? evaluation_->changes.digestSentWeek : evaluation_->changes.digestSentDay) = period.first;
  }
  evaluation_->write = true;
}

std::string PollTick::startWrite(StateChanges changes, Step after) {
  changes_ = std::move(changes);
  afterWrite_ = after;
  return await(Await::Fresh, {{"do", "read"}, {"key", kStateKey}});
}

std::string PollTick::alertsAndContinue() {
  const json& before = previous_.pendingAlerts;
  if (config_.alertChannels.empty()) {
    pendingChanged_ = !before.empty();
    return afterSend();
  }
  const json events = eventsToJson(evaluation_->events);
  const std::string nowIso = isoTimestamp(now_);
  json queue = json::array();
  for (const AlertDelivery& delivery : buildAlerts(config_, events, accountId_, nowIso)) {
    queue.push_back({{"channel", delivery.channel}, {"event", events[delivery.event]}, {"attempts", 0},
                     {"body", delivery.body}});
  }
  if (queue.empty() && before.empty()) return finish();
  for (const json& entry : before) {
    if (!validPendingAlert(entry)) continue;
    // Rebuilt from the event with today's text; an alert no longer configured is dropped.
    for (const AlertDelivery& delivery : buildAlerts(config_, json::array({entry["event"]}), accountId_, nowIso)) {
      if (delivery.channel != entry["channel"].get<std::size_t>()) continue;
      json retry = entry;
      retry["body"] = delivery.body;
      queue.push_back(retry);
      break;
    }
  }
  json deliveries = json::array();
  for (std::size_t i = 0; i < queue.size(); ++i) {
    json entry = queue[i];
    if (i >= kMaxAlertSends) {
      entry.erase("body");
      later_.push_back(entry);
      continue;
    }
    const AlertChannel& channel = config_.alertChannels[entry["channel"].get<std::size_t>()];
    deliveries.push_back({{"body", entry["body"]},
                          {"urlEnv", channel.urlEnv},
                          {"signingSecretEnv", channel.type == ChannelType::Webhook ? json(channel.secretEnv) : json(nullptr)},
                          {"binding", channel.binding ? json(*channel.binding) : json(nullptr)}});
    entry.erase("body");
    sending_.push_back(entry);
  }
  if (deliveries.empty()) {
    step_ = Step::AfterSend;
    handleSent(json{{"results", json::array()}});
    return afterSend();
  }
  return await(Await::Send, {{"do", "send"}, {"timeoutMs", kAlertTimeoutMs}, {"deliveries", deliveries}});
}

void PollTick::handleSent(const json& result) {
  const json* results = nullptr;
  if (result.is_object()) {
    auto it = result.find("results");
    if (it != result.end() && it->is_array()) results = &*it;
  }
  json pending = json::array();
  for (std::size_t i = 0; i < sending_.size(); ++i) {
    const json& entry = sending_[i];
    const json outcome = results && i < results->size() ? (*results)[i] : json("no result was handed back");
    if (outcome.is_null()) {
      ++sent_;
      continue;
    }
    const std::string error = outcome.is_string() ? outcome.get<std::string>() : toText(outcome);
    const AlertChannel& channel = config_.alertChannels[entry["channel"].get<std::size_t>()];
    const std::string where = std::string(nameOf(channel.type)) + " (env." + channel.urlEnv + ")";
    const std::string what = entry["event"]["level"].get<std::string>() + " alert for " +
                             entry["event"]["key"].get<std::string>();
    const int attempts = entry["attempts"].get<int>() + 1;
    if (attempts >= kMaxAlertAttempts) {
      log("error", "alert-abandoned",
          "edgefuse: gave up on a " + what + " to " + where + " after " + std::to_string(attempts) + " attempts: " + error,
          {{"channel", nameOf(channel.type)}, {"key", entry["event"]["key"]}, {"attempts", attempts}});
      continue;
    }
    log("warn", "alert-failed", "edgefuse: " + what + " to " + where + " failed (" + error + "); retrying next tick",
        {{"channel", nameOf(channel.type)}, {"key", entry["event"]["key"]}, {"attempts", attempts}});
    pending.push_back({{"channel", entry["channel"]}, {"event", entry["event"]}, {"attempts", attempts},
                       {"lastError", error}});
  }
  for (const json& entry : later_) pending.push_back(entry);
  if (pending.size() > kMaxPendingAlerts) {
    pending = json(std::vector<json>(pending.end() - kMaxPendingAlerts, pending.end()));
  }
  pendingChanged_ = pending != previous_.pendingAlerts;
  pendingAfter_ = pending;
}

std::string PollTick::afterSend() {
  if (pendingChanged_) {
    StateChanges changes;
    // A meter tick, a manual trip or a reset read no retry list: it adds its failures to the record's.
    if (kind_ != Kind::Tick) {
      changes.appendAlerts = pendingAfter_;
    } else {
      changes.pendingAlerts = pendingAfter_;
      changes.pendingAlertsReadFirst = previous_.pendingAlerts;
    }
    return startWrite(changes, Step::Finish);
  }
  return finish();
}

std::string PollTick::finish() {
  if (kind_ == Kind::Trip || kind_ == Kind::Reset) {
    return done({{"ok", true}, {"breakers", breakersToJson(written_.breakers)}, {"view", inForce_}});
  }
  if (kind_ == Kind::Meter) {
    json result = {{"ok", true}, {"wrote", wrote_}, {"events", eventsToJson(evaluation_->events)},
                   {"alerts", {{"sent", sent_}, {"pending", pendingAfter_.size()}}},
                   {"acknowledge", toText({{"now", now_}, {"version", meterVersion_}})}};
    if (wrote_) result["view"] = inForce_;
    return done(result);
  }
  json result = std::move(evaluation_->report);  // the tick ends here
  result["ok"] = true;
  result["wrote"] = evaluation_->write || pendingChanged_;
  result["events"] = eventsToJson(evaluation_->events);
  result["alerts"] = {{"sent", sent_}, {"pending", pendingAfter_.size()}};
  if (wrote_) result["view"] = inForce_;
  // For the real-time meter's live quotas: this tick's figures, for the shim to hand over.
  if (kind_ == Kind::Tick) {
    if (std::string baseline = meterBaselineFor(config_, result, now_); !baseline.empty()) result["meterBaseline"] = baseline;
  }
  return done(result);
}

}  // namespace edgefuse
