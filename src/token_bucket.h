// A token bucket for per-client rate limits. Sans-IO: the state and `now` go in, the
// decision and the new state come out. Time going backwards never mints tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace edgefuse {

// The most tokens (or debt) a state holds.
constexpr double kMaxTokens = 1e12;

struct BucketParams {
  double capacity;        // tokens when full
  double refillPerSecond;
  double cost;            // tokens one request takes
};

struct BucketState {
  double tokens;           // below zero when more was spent than there was (KV mode's debt)
  std::int64_t updatedMs;  // when `tokens` was last brought up to date
};

struct BucketDecision {
  bool allowed;
  double remaining;          // tokens left after this request
  double retryAfterSeconds;  // 0 when allowed: when enough tokens for this cost will be back
  double resetSeconds;       // until the bucket is full again
  // The same two in milliseconds, for timers: whole seconds would round a 10 ms wait up to 1 s.
  double retryAfterMs;
  double resetMs;
};

struct BucketResult {
  BucketDecision decision;
  BucketState state;
};

// A full bucket for a key seen for the first time.
BucketState fullBucket(const BucketParams& params, std::int64_t nowMs);

BucketResult takeTokens(const BucketParams& params, const BucketState& state, std::int64_t nowMs);

// The shared bucket after `taken` tokens were spent elsewhere since it was read: refilled to
// `nowMs`, then reduced. Spending more than there was leaves a debt that the refill pays back
// first, so over-admission is repaid rather than forgiven.
BucketState consumeTokens(const BucketParams& params, const BucketState& state, double taken, std::int64_t nowMs);

// "tokens@updatedMs", e.g. "12.5@1795435200000": a few bytes per key, and exact: a state
// read back is the state written, so frequent saves lose no fraction of a refill.
std::string serializeBucket(const BucketState& state);
std::optional<BucketState> parseBucket(const std::string& text);

}  // namespace edgefuse
