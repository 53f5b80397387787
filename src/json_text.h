#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace edgefuse {

// Serialises without ever throwing: invalid UTF-8 becomes U+FFFD. The WASM build has no
// exception handling, so a throw there would abort the whole module.
inline std::string toText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgefuse
