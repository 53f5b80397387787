#pragma once

#include <string>

namespace edgefuse {

// One thing wrong with an input, located by its JSON path so a user can find it.
struct Problem {
  std::string path;     // e.g. "thresholds.kv-writes"
  std::string message;  // what is wrong with it
  std::string fix;      // how to put it right ("" when the message says it all)
};

}  // namespace edgefuse
