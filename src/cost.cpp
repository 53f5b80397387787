#include "cost.h"

#include <algorithm>
#include <cmath>

#include "suggest.h"

namespace edgefuse {

double overageUsd(const Allowance& allowance, double used) {
  if (allowance.billing != Billing::Overage) return 0.0;
  double billedUnits = std::max(0.0, used - allowance.included) / allowance.priceUnit;
  // Rounded up to whole units, but not for float noise: a sum of per-day shares that is
  // 230 GB-months exactly may add up to 230.00000000000003.
  if (allowance.roundsUpToUnit) billedUnits = std::ceil(billedUnits - 1e-9);  // else pro rata
  return billedUnits * allowance.priceUsd;
}

CostResult estimateCost(const std::map<std::string, double>& usage, Plan plan) {
  CostResult result;
  for (const auto& [id, used] : usage) {
    const std::string path = "usage." + id;
    const Resource* resource = findResource(id);
    if (!resource) {
      result.problems.push_back({path, "unknown resource", didYouMean(id, resourceIds())});
    } else if (!std::isfinite(used) || used < 0) {
      result.problems.push_back({path, "must be a finite number of units, 0 or more", ""});
    }
  }
  if (!result.problems.empty()) return result;

  CostEstimate estimate{{}, 0.0};
  for (const Resource& resource : resources()) {
    auto it = usage.find(std::string(resource.id));
    if (it == usage.end()) continue;
    const Allowance& allowance = allowanceFor(resource, plan);
    const double used = it->second;
    const double over = allowance.billing == Billing::NotMetered
                            ? 0.0
                            : std::max(0.0, used - allowance.included);
    const double overage = overageUsd(allowance, used);
    std::optional<double> percent;
    if (allowance.included > 0) percent = used / allowance.included * 100.0;
    estimate.resources.push_back({std::string(resource.id), used, allowance.included, over,
                                  overage, percent, allowance.period, allowance.billing});
    estimate.totalOverageUsd += overage;
  }
  result.estimate = estimate;
  return result;
}

}  // namespace edgefuse
