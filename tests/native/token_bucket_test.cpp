// The token bucket's maths.
#include <doctest/doctest.h>

#include <algorithm>

#include "token_bucket.h"

using namespace edgefuse;

TEST_CASE("a full bucket admits capacity requests, then refuses with Retry-After") {
  const BucketParams params{5, 1, 1};
  BucketState state = fullBucket(params, 1000);
  for (int i = 0; i < 5; ++i) {
    const BucketResult result = takeTokens(params, state, 1000);
    REQUIRE(result.decision.allowed);
    CHECK(result.decision.remaining == 4 - i);
    state = result.state;
  }
  const BucketResult refused = takeTokens(params, state, 1000);
  CHECK_FALSE(refused.decision.allowed);
  CHECK(refused.decision.remaining == 0);
  CHECK(refused.decision.retryAfterSeconds == 1);
  CHECK(refused.decision.resetSeconds == 5);
}

TEST_CASE("refill follows elapsed time, clamped to capacity") {
  const BucketParams params{10, 2, 1};
  BucketState empty{0, 0};
  CHECK(takeTokens(params, empty, 1500).decision.remaining == doctest::Approx(2));  // 3 refilled, 1 taken
  CHECK(takeTokens(params, empty, 3'600'000).decision.remaining == 9);             // capped at 10, 1 taken
  const BucketParams costly{10, 2, 4};
  const BucketResult wait = takeTokens(costly, BucketState{1, 0}, 0);
  CHECK_FALSE(wait.decision.allowed);
  CHECK(wait.decision.retryAfterSeconds == 2);  // 3 more tokens at 2 a second
}

TEST_CASE("time going backwards never mints tokens") {
  const BucketParams params{10, 1, 1};
  BucketState state{0, 10'000};
  BucketResult back = takeTokens(params, state, 5'000);
  CHECK_FALSE(back.decision.allowed);
  CHECK(back.state.updatedMs == 10'000);  // the later time is kept
  back = takeTokens(params, back.state, 10'500);
  CHECK_FALSE(back.decision.allowed);  // half a second after the latest time seen: 0.5 tokens
  CHECK(takeTokens(params, back.state, 11'000).decision.allowed);
}

TEST_CASE("the state serialises compactly and parses strictly") {
  const BucketState state{12.5, 1'795'435'200'000};
  CHECK(serializeBucket(state) == "12.5@1795435200000");
  auto back = parseBucket(serializeBucket(state));
  REQUIRE(back);
  CHECK(back->tokens == 12.5);
  CHECK(back->updatedMs == state.updatedMs);
  for (const char* bad : {"", "@", "5@", "@5", "x@5", "5@x", "5@-1", "nan@5", "inf@5", "1e300@5", "-1e300@5", "5@1e3"}) {
    CHECK_MESSAGE(!parseBucket(bad), bad);
  }
  REQUIRE(parseBucket("-1.5@5"));  // a debt (KV mode)
  CHECK(parseBucket("-1.5@5")->tokens == -1.5);
}

TEST_CASE("storing a bucket never adds tokens, however large or small its balance") {
  for (const double capacity : {1.0, 50.0, 5e6, 1e9}) {
    const BucketParams params{capacity, 1, 1};
    BucketState state = fullBucket(params, 0);
    for (int i = 0; i < 100; ++i) {
      const BucketResult result = takeTokens(params, *parseBucket(serializeBucket(state)), 0);
      if (!result.decision.allowed) break;
      state = result.state;
    }
    // Each stored round trip kept what was taken: capacity 5e6 drains by exactly 100 (or to 0).
    CHECK_MESSAGE(parseBucket(serializeBucket(state))->tokens == std::max(0.0, capacity - 100), capacity);
  }
  // Exact: a balance just under a token is not stored as one, nor a fraction dropped.
  for (const double tokens : {0.9999996, 0.1, 1.0 / 3, 999999.9999999, -2.5}) {
    CHECK_MESSAGE(parseBucket(serializeBucket(BucketState{tokens, 0}))->tokens == tokens, tokens);
  }
}

TEST_CASE("a slow refill still refills when the bucket is saved after every request") {
  // 0.1 tokens a second, a request every 5 ms for 61 s, the state stored and read back each
  // time (as the Durable Object does): 0.0005 tokens a step must not be lost.
  const BucketParams params{1, 0.1, 1};
  BucketState state{0, 0};
  int admitted = 0;
  for (std::int64_t now = 5; now <= 61'000; now += 5) {
    const BucketResult result = takeTokens(params, *parseBucket(serializeBucket(state)), now);
    admitted += result.decision.allowed ? 1 : 0;
    state = result.state;
  }
  CHECK(admitted == 6);  // 6.1 tokens earned
}

TEST_CASE("waits are also given in milliseconds, for timers") {
  const BucketResult refused = takeTokens(BucketParams{1, 10, 1}, BucketState{0.9, 0}, 0);
  CHECK_FALSE(refused.decision.allowed);
  CHECK(refused.decision.retryAfterSeconds == 1);
  CHECK(refused.decision.retryAfterMs == 10);
  CHECK(refused.decision.resetMs == 10);
}

TEST_CASE("tokens spent elsewhere are taken from the shared bucket, and overspending leaves a debt") {
  const BucketParams params{10, 1, 1};
  CHECK(consumeTokens(params, BucketState{10, 0}, 4, 0).tokens == 6);
  CHECK(consumeTokens(params, BucketState{2, 0}, 4, 1000).tokens == -1);   // 3 after refill, 4 spent
  CHECK(consumeTokens(params, BucketState{2, 0}, 400, 0).tokens == -398);  // all of it is owed
  CHECK(consumeTokens(params, BucketState{-kMaxTokens, 0}, 400, 0).tokens == -kMaxTokens);  // representable
  // A bucket in debt refuses until the refill has paid it back and earned the cost.
  const BucketResult owed = takeTokens(params, BucketState{-3, 0}, 1000);
  CHECK_FALSE(owed.decision.allowed);
  CHECK(owed.decision.remaining == 0);
  CHECK(owed.decision.retryAfterSeconds == 3);  // -2 now, 1 needed at 1 a second
  CHECK(takeTokens(params, BucketState{-3, 0}, 4000).decision.allowed);
  CHECK(consumeTokens(params, BucketState{5, 10'000}, 0, 5'000).tokens == 5);  // time back: no refill
  CHECK(consumeTokens(params, BucketState{5, 10'000}, 0, 5'000).updatedMs == 10'000);
}
