// libFuzzer target: what the guard reads back from storage: the state record and change
// sets, and a rate limiter's bucket. A readable record serialises to one that reads back the
// same; changes apply without harm; a bucket never gains tokens by being stored.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string>

#include "breaker_lifecycle.h"
#include "poll_state.h"
#include "token_bucket.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const edgefuse::PollStateRecord record = edgefuse::parsePollState(text);
  if (record.readable) {
    const std::string once = edgefuse::serializePollState(record.state);
    const edgefuse::PollStateRecord again = edgefuse::parsePollState(once);
    if (!again.readable || edgefuse::serializePollState(again.state) != once) std::abort();
  }
  const nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (auto changes = edgefuse::changesFromJson(value)) {
    const edgefuse::PollState next = edgefuse::applyChanges(record.state, *changes);
    (void)edgefuse::serializePollState(next);
  }
  if (auto bucket = edgefuse::parseBucket(text)) {
    const edgefuse::BucketParams params{10, 1, 1};
    const edgefuse::BucketResult taken = edgefuse::takeTokens(params, *bucket, bucket->updatedMs);
    const auto stored = edgefuse::parseBucket(edgefuse::serializeBucket(taken.state));
    if (!stored || stored->tokens != taken.state.tokens || stored->updatedMs != taken.state.updatedMs) std::abort();
    if (taken.state.tokens > std::max(bucket->tokens, params.capacity)) std::abort();
    (void)edgefuse::consumeTokens(params, *bucket, 3, bucket->updatedMs - 1);
  }
  return 0;
}
