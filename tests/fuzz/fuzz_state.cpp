// libFuzzer target: the state record and change sets as read back from KV. A readable
// record serialises to one that reads back the same; changes apply without harm.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "poll_state.h"

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
  return 0;
}
