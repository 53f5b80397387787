#include "view_read.h"

#include <cmath>

#include "breaker_lifecycle.h"
#include "json_text.h"
#include "shared_constants.h"

namespace edgefuse {

using nlohmann::json;

ViewRead::ViewRead(GuardCore& core, const std::string& startText) : core_(core) {
  const json start = json::parse(startText, nullptr, false);
  auto now = start.is_object() ? start.find("now") : start.end();
  if (!start.is_object() || now == start.end() || !now->is_number() || !std::isfinite(now->get<double>()) ||
      now->get<double>() < 0 || now->get<double>() > 1e14) {
    startProblem_ = "now: must be milliseconds since the epoch";
  } else {
    now_ = static_cast<std::int64_t>(now->get<double>());
  }
}

std::string ViewRead::await(Await what, const char* key) {
  awaiting_ = what;
  json action = {{"do", "read"}, {"key", key}};
  if (!logs_.empty()) action["logs"] = std::exchange(logs_, json::array());
  return toText(action);
}

std::string ViewRead::done(const std::optional<std::map<std::string, Breaker>>& breakers) {
  json view = nullptr;
  if (breakers) {
    std::vector<std::string> enforced;
    view = breakersInForce(core_.config, *breakers, now_, enforced);
    core_.enforcer.setTripped(enforced);
  }
  step_ = Step::Done;
  json action = {{"do", "done"}, {"result", {{"view", view}, {"error", error_ ? json(*error_) : json(nullptr)}}}};
  if (!logs_.empty()) action["logs"] = std::exchange(logs_, json::array());
  doneText_ = toText(action);
  return doneText_;
}

void ViewRead::noteProblems(const BreakerRecord& record) {
  if (!record.problems.empty()) {
    const std::string problems = describeProblems(record.problems);
    logs_.push_back(logLine("warn", "state-problem", "edgefuse: " + problems, {{"record", record.what}}));
    error_ = error_ && record.what == "safety-net" ? *error_ + "; " + problems : problems;
  } else if (record.breakers && record.what == "state") {
    error_.reset();
  }
}

std::string ViewRead::next() {
  if (step_ == Step::Done) return doneText_;
  if (awaiting_ != Await::Nothing) {
    error_ = "next() was called before the last action's result was handed back";
    return done(std::nullopt);
  }
  switch (step_) {
    case Step::Start:
      if (startProblem_) {
        error_ = startProblem_;
        return done(std::nullopt);
      }
      return await(Await::State, kStateKey);
    case Step::AfterState:
      record_ = parseBreakerRecord(stateText_, "state");
      noteProblems(record_);
      if (!record_.needsSafetyNet()) return done(*record_.breakers);
      return await(Await::SafetyNet, kSafetyNetKey);
    case Step::AfterSafetyNet: {
      const BreakerRecord net = parseBreakerRecord(safetyNetText_, "safety-net");
      noteProblems(net);
      const auto standing = standingBreakers(core_.config, record_.breakers, record_.damaged, net, now_);
      if (record_.breakers || !standing.empty()) return done(standing);
      return done(std::nullopt);  // nothing readable: keep the view this isolate has
    }
    case Step::Keep:
      return done(std::nullopt);
    case Step::Done:
      break;
  }
  return doneText_;
}

void ViewRead::handle(const std::string& resultText) {
  if (step_ == Step::Done) return;
  const json result = json::parse(resultText, nullptr, false);
  std::optional<std::string> error;
  std::optional<std::string> value;
  if (!result.is_object()) {
    error = "the result handed back is not an object";
  } else {
    if (auto it = result.find("error"); it != result.end() && !it->is_null()) error = it->is_string() ? it->get<std::string>() : toText(*it);
    if (auto it = result.find("value"); it != result.end() && it->is_string()) value = it->get<std::string>();
  }
  settle(std::move(error), std::move(value));
}

void ViewRead::read(bool found, const std::string& value, const std::string& error) {
  if (step_ == Step::Done) return;
  settle(error.empty() ? std::nullopt : std::optional(error), found ? std::optional(value) : std::nullopt);
}

void ViewRead::settle(std::optional<std::string> error, std::optional<std::string> value) {
  const Await awaited = std::exchange(awaiting_, Await::Nothing);
  switch (awaited) {
    case Await::State:
      if (error) error_ = "reading state: " + *error;
      stateText_ = error ? std::nullopt : std::move(value);
      step_ = Step::AfterState;
      return;
    case Await::SafetyNet:
      if (error) {
        error_ = "reading safety-net: " + *error;
        // A readable record with a damaged entry still stands, with stand-ins for the entry.
        step_ = record_.breakers ? Step::AfterSafetyNet : Step::Keep;
        return;
      }
      safetyNetText_ = std::move(value);
      step_ = Step::AfterSafetyNet;
      return;
    case Await::Nothing:
      error_ = "a KV read was handed back when none was asked for";
      step_ = Step::Keep;
      return;
  }
}

}  // namespace edgefuse
