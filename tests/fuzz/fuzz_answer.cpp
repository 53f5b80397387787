// libFuzzer target: a usage-API answer for one dataset (the first byte picks it). Whatever
// the body, the parse ends in an error or in rows of sane, finite, non-negative units.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "usage_query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto resources = edgefuse::polledResources();
  const std::string dataset(resources[data[0] % resources.size()]->dataset);
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  const edgefuse::Day today = 20'415;  // 2025-11-23
  const edgefuse::DatasetOutcome outcome = edgefuse::parseUsageResponse(dataset, 200, body, today);
  if (outcome.ok && !outcome.error.empty()) std::abort();
  if (!outcome.ok && !outcome.rows.empty()) std::abort();  // a failed read never counts as usage
  for (const auto& row : outcome.rows) {
    if (!std::isfinite(row.units) || row.units < 0 || row.day > today) std::abort();
  }
  return 0;
}
