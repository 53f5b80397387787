// Guard configuration: parsed from plain JSON, validated completely, defaults applied.
// A Config only exists when every problem has been ruled out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalogue.h"
#include "problem.h"

namespace edgefuse {

enum class OnBlocked { Throw, Skip };
enum class BudgetGranularity { Day, Week, Month };

struct Threshold {
  double warnPercent;
  std::optional<double> tripPercent;     // nullopt: no percentage trip for this resource
  double recoverPercent;
  std::optional<double> tripAt;          // absolute units
  std::optional<double> maxOverageUsd;
};

struct Budget {
  double maxUsd;
  double warnPercent;
  BudgetGranularity granularity;
};

struct Config {
  Plan plan;
  int billingDay;
  std::string accountIdEnv;
  std::string apiTokenEnv;
  std::string endpoint;
  std::string stateBinding;
  int refreshSeconds;
  OnBlocked onBlocked;
  bool dryRun;
  std::map<std::string, std::string> bindings;    // binding name -> kind
  std::map<std::string, Threshold> thresholds;    // every resource
  std::map<std::string, std::optional<double>> limits;  // per invocation; nullopt: none
  std::optional<Budget> budget;
};

struct ConfigResult {
  std::optional<Config> config;        // set only when problems is empty
  std::vector<Problem> problems;
};

ConfigResult parseConfig(const nlohmann::json& input);

// The normalised config, defaults included, as handed to the JS shim.
nlohmann::json toJson(const Config& config);

// Per-invocation limits out of the box, for every resource a binding call is charged to.
// They stop runaway loops, not ordinary requests.
const std::map<std::string, double>& defaultInvocationLimits();

// Binding kinds the `bindings` option accepts.
const std::vector<std::string>& bindingKinds();

}  // namespace edgefuse
