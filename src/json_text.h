#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "problem.h"

namespace edgefuse {

// Serialises without ever throwing: invalid UTF-8 becomes U+FFFD. The WASM build has no
// exception handling, so a throw there would abort the whole module.
inline std::string toText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A stored quantity as JSON: a whole number as an integer. nlohmann writes every double with
// a fraction ("1000.0"), and reading a fraction back in the WASM build goes through musl's
// strtod and its software 128-bit long double: most of what parsing a record used to cost.
inline nlohmann::json quantityJson(double value) {
  constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
  if (std::fabs(value) < kExactIntegers && value == std::trunc(value)) return static_cast<std::int64_t>(value);
  return value;
}

inline nlohmann::json problemsToJson(const std::vector<Problem>& problems) {
  nlohmann::json list = nlohmann::json::array();
  for (const Problem& problem : problems) {
    list.push_back({{"path", problem.path}, {"message", problem.message}, {"fix", problem.fix}});
  }
  return list;
}

// "path: message; path: message", for one line of a log or an error.
inline std::string describeProblems(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& problem : problems) out += (out.empty() ? "" : "; ") + problem.path + ": " + problem.message;
  return out;
}

// One log line for the shim to print as an object: {"level", "event": "edgefuse.<event>",
// "message", ...fields}.
inline nlohmann::json logLine(const std::string& level, const std::string& event, const std::string& message,
                              nlohmann::json fields = nlohmann::json::object()) {
  fields["level"] = level;
  fields["event"] = "edgefuse." + event;
  fields["message"] = message;
  return fields;
}

}  // namespace edgefuse
