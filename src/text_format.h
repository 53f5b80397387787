// Figures as people read them in alerts, logs and digests.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace edgefuse {

// 1234567.8 -> "1,234,567" (rounded down: usage never reads as more than it is).
inline std::string withCommas(double value) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%.0f", std::floor(value));
  std::string out = digits;
  for (int at = static_cast<int>(out.size()) - 3; at > (out[0] == '-' ? 1 : 0); at -= 3) out.insert(at, ",");
  return out;
}

inline std::string usd(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "$%.2f", value);
  return text;
}

inline std::string percentText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", value);
  return text;
}

}  // namespace edgefuse
