// An isolate's read of the breakers, as a sans-IO state machine with the tick driver's
// action protocol (poll_tick.h): read the state record, and the safety net when the record
// is missing or damaged; put what stands in force in the enforcer. It is apart from the
// poll's driver so that a cold isolate's first request compiles and runs only this.
//
// start: {"now": ms since the epoch}. Actions: {"do":"read","key":...} (-> read() or
// handle()), then {"do":"done","result":{"view": {...}|null, "error": s|null}}; any may carry
// "logs". A null view keeps the view the isolate has (nothing readable was found).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "breaker_state.h"
#include "guard_core.h"

namespace edgefuse {

class ViewRead {
 public:
  ViewRead(GuardCore& core, const std::string& start);

  std::string next();
  // {"value": s|null} or {"error": s}, as PollTick::handle takes a read's result.
  void handle(const std::string& result);
  void read(bool found, const std::string& value, const std::string& error);

 private:
  enum class Step { Start, AfterState, AfterSafetyNet, Keep, Done };
  enum class Await { Nothing, State, SafetyNet };

  void settle(std::optional<std::string> error, std::optional<std::string> value);
  std::string await(Await what, const char* key);
  std::string done(const std::optional<std::map<std::string, Breaker>>& breakers);
  void noteProblems(const BreakerRecord& record);

  GuardCore& core_;
  std::int64_t now_ = 0;
  std::optional<std::string> startProblem_;
  Step step_ = Step::Start;
  Await awaiting_ = Await::Nothing;
  nlohmann::json logs_ = nlohmann::json::array();
  std::string doneText_;
  std::optional<std::string> stateText_;
  std::optional<std::string> safetyNetText_;
  BreakerRecord record_;
  std::optional<std::string> error_;
};

}  // namespace edgefuse
