// Breaker records as persisted in KV: the state record and the safety-net key share one
// versioned format. Parsing never trusts the text: anything unreadable is reported, never
// half-used.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalogue.h"
#include "problem.h"

namespace edgefuse {

constexpr int kStateVersion = 1;

struct Breaker {
  std::string resource;  // catalogue id
  std::string binding;   // "" when the whole resource is tripped
  std::string reason;
  std::string since;     // ISO 8601 UTC
  std::string source;    // "manual", "poll", "budget" or "meter" (the real-time meter's)
  std::string until;     // ISO 8601 UTC when a manual trip, or a meter trip's lease, lapses; "" for never
};
bool operator==(const Breaker& a, const Breaker& b);
inline bool operator!=(const Breaker& a, const Breaker& b) { return !(a == b); }

// "<resource>" or "<resource>:<binding>"
std::string breakerKey(const Breaker& breaker);

// A breaker key's parts: the resource (nullptr when the catalogue has no such id) and the
// binding ("" for the whole resource).
struct BreakerKeyParts {
  const Resource* resource = nullptr;
  std::string binding;
};
BreakerKeyParts splitBreakerKey(const std::string& key);

struct BreakerRecord {
  std::string what;                       // which record: "state", "safety-net"
  bool present = false;                   // false: the key does not exist
  std::optional<std::map<std::string, Breaker>> breakers;  // set when readable
  std::vector<Problem> problems;          // why it is unreadable, or entries skipped
  // Keys of known resources whose entries could not be read: breakers that may well be
  // tripped. Not in `breakers`; the lifecycle decides what stands for them.
  std::vector<std::string> damaged;
  bool needsSafetyNet() const { return !breakers || !damaged.empty(); }
};

// `text` is the KV value, nullopt when the key is missing. `what` names it in problems.
BreakerRecord parseBreakerRecord(const std::optional<std::string>& text, const std::string& what);
// The same, for text already parsed (`value` is discarded when it was not JSON).
BreakerRecord breakerRecordOf(const nlohmann::json& value, const std::string& what);

// How many KV records (state or safety net) this process has parsed: for the benchmark.
std::size_t recordParses();
// Parses a KV record's text: the one place it is done, so that it can be counted.
nlohmann::json parseRecordText(const std::string& text);

// object[key] when it is a string (of at most `maxSize` bytes), else "".
std::string stringField(const nlohmann::json& object, const char* key, std::size_t maxSize = std::string::npos);

nlohmann::json breakersToJson(const std::map<std::string, Breaker>& breakers);

}  // namespace edgefuse
