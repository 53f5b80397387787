// What a period's usage costs: units over each allowance and the overage in USD.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalogue.h"
#include "problem.h"

namespace edgefuse {

struct ResourceCost {
  std::string id;
  double used;
  double included;
  double over;                           // units beyond `included`
  double overageUsd;                     // 0 unless the plan bills overage
  std::optional<double> percentOfQuota;  // nullopt when nothing is included
  Period period;
  Billing billing;
};

struct CostEstimate {
  std::vector<ResourceCost> resources;  // in catalogue order
  double totalOverageUsd;
};

struct CostResult {
  std::optional<CostEstimate> estimate;  // set only when problems is empty
  std::vector<Problem> problems;
};

// USD beyond `allowance` for `used` units in its period (0 unless it bills overage).
double overageUsd(const Allowance& allowance, double used);

// `usage` maps resource ids to units used in that resource's allowance period on `plan`.
CostResult estimateCost(const std::map<std::string, double>& usage, Plan plan);

}  // namespace edgefuse
