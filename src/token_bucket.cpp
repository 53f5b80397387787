#include "token_bucket.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace edgefuse {

BucketState fullBucket(const BucketParams& params, std::int64_t nowMs) { return {params.capacity, nowMs}; }

BucketResult takeTokens(const BucketParams& params, const BucketState& state, std::int64_t nowMs) {
  // Refill for the time that passed; none if the clock went back (and keep the later time,
  // so that a clock swinging back and forth cannot mint tokens either).
  const std::int64_t elapsedMs = std::max<std::int64_t>(0, nowMs - state.updatedMs);
  const double tokens = std::min(params.capacity, state.tokens + params.refillPerSecond * elapsedMs / 1000.0);
  BucketResult result{{false, tokens, 0, 0, 0, 0}, {tokens, std::max(nowMs, state.updatedMs)}};
  if (tokens >= params.cost) {
    result.decision.allowed = true;
    result.state.tokens = tokens - params.cost;
  } else {
    const double waitSeconds = params.refillPerSecond > 0 ? (params.cost - tokens) / params.refillPerSecond : INFINITY;
    result.decision.retryAfterSeconds = std::ceil(waitSeconds);
    result.decision.retryAfterMs = std::ceil(waitSeconds * 1000);
  }
  result.decision.remaining = std::max(0.0, result.state.tokens);
  const double fullInSeconds =
      params.refillPerSecond > 0 ? (params.capacity - result.state.tokens) / params.refillPerSecond : INFINITY;
  result.decision.resetSeconds = std::ceil(fullInSeconds);
  result.decision.resetMs = std::ceil(fullInSeconds * 1000);
  return result;
}

BucketState consumeTokens(const BucketParams& params, const BucketState& state, double taken, std::int64_t nowMs) {
  const BucketParams free{params.capacity, params.refillPerSecond, 0};
  BucketState refilled = takeTokens(free, state, nowMs).state;
  // Spent beyond what was there is owed: the refill pays it back before anything is admitted.
  // The only floor is what the state can hold; the debt bounds itself, as a bucket in debt
  // admits nothing until it is paid.
  refilled.tokens = std::max(-kMaxTokens, refilled.tokens - std::max(0.0, taken));
  return refilled;
}

std::string serializeBucket(const BucketState& state) {
  char text[64];  // %.17g: the shortest form that always reads back as the same double
  std::snprintf(text, sizeof text, "%.17g@%lld", state.tokens, static_cast<long long>(state.updatedMs));
  return text;
}

std::optional<BucketState> parseBucket(const std::string& text) {
  const std::size_t at = text.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == text.size() || text.size() > 64) return std::nullopt;
  char* end = nullptr;
  const std::string tokensText = text.substr(0, at);
  const double tokens = std::strtod(tokensText.c_str(), &end);
  if (end != tokensText.c_str() + tokensText.size() || !std::isfinite(tokens) || std::abs(tokens) > kMaxTokens) {
    return std::nullopt;
  }
  const std::string msText = text.substr(at + 1);
  const long long ms = std::strtoll(msText.c_str(), &end, 10);
  if (end != msText.c_str() + msText.size() || ms < 0 || ms > 100'000'000'000'000LL) return std::nullopt;
  return BucketState{tokens, ms};
}

}  // namespace edgefuse
