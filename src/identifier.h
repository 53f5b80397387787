#pragma once

#include <algorithm>
#include <cctype>
#include <string>

namespace edgefuse {

// Names of bindings and env vars: letters, digits and _, not starting with a digit.
// Hand-written rather than std::regex, which would double the size of the .wasm.
inline bool isIdentifier(const std::string& text, std::size_t maxLength) {
  if (text.empty() || text.size() > maxLength || std::isdigit(static_cast<unsigned char>(text[0]))) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Ids of bindings in the usage API (namespace and database ids, bucket and queue names):
// a safe alphabet, so that nothing built from config can smuggle text into a query.
inline bool isAnalyticsId(const std::string& text) {
  if (text.empty() || text.size() > 128) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

// Cloudflare zone ids: 32 hexadecimal characters.
inline bool isZoneId(const std::string& text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace edgefuse
