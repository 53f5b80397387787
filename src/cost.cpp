#include "cost.h"

#include <algorithm>
#include <cmath>

#include "suggest.h"

namespace edgefuse {
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
    double billedUnits = over / allowance.priceUnit;  // pro rata unless the product rounds up
    if (allowance.roundsUpToUnit) billedUnits = std::ceil(billedUnits);
    const double overageUsd =
        allowance.billing == Billing::Overage ? billedUnits * allowance.priceUsd : 0.0;
    std::optional<double> percent;
    if (allowance.included > 0) percent = used / allowance.included * 100.0;
    estimate.resources.push_back({std::string(resource.id), used, allowance.included, over,
                                  overageUsd, percent, allowance.period, allowance.billing});
    estimate.totalOverageUsd += overageUsd;
  }
  result.estimate = estimate;
  return result;
}

}  // namespace edgefuse
