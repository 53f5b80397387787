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

}  // namespace edgefuse
