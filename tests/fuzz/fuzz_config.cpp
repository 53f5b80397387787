// libFuzzer target: config validation. Any input either fails with problems or yields a
// config whose normalised JSON validates again to the same thing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json input = nlohmann::json::parse(data, data + size, nullptr, false);
  if (input.is_discarded()) return 0;
  const edgefuse::ConfigResult result = edgefuse::parseConfig(input);
  if (result.config.has_value() == !result.problems.empty()) std::abort();  // exactly one of them
  if (!result.config) return 0;
  const nlohmann::json normalised = edgefuse::toJson(*result.config);
  const edgefuse::ConfigResult again = edgefuse::parseConfig(normalised);
  if (!again.config || edgefuse::toJson(*again.config) != normalised) std::abort();
  return 0;
}
