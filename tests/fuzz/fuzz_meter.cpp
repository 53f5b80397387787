// libFuzzer target: what the real-time meter reads (its stored state, a report, a tick's
// figures, a reset, an acknowledgement) and what an isolate reads back from it (an answer). Whatever the input,
// every reply is JSON that says ok or names its problems, a state the meter wrote reads back
// and takes the next report, and an unreadable answer gives the report's units back.
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "config.h"
#include "enforcer.h"
#include "live_meter.h"

namespace {

const std::string kReport =
    R"({"now":1795000000000,"lines":{"kv-writes":{"perMinute":100,"recoverPerMinute":50}},"units":{"kv-writes":7}})";

// The reply is an object with ok; when ok, its state takes another report.
void checkReply(const std::string& replyText) {
  const nlohmann::json reply = nlohmann::json::parse(replyText, nullptr, false);
  if (!reply.is_object() || !reply.contains("ok")) std::abort();
  if (reply["ok"] != true) return;
  const nlohmann::json next = nlohmann::json::parse(edgefuse::meterReportJson(reply["state"].get<std::string>(), kReport), nullptr, false);
  if (!next.is_object() || next["ok"] != true) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  checkReply(edgefuse::meterReportJson(text, kReport));  // as the stored state
  checkReply(edgefuse::meterReportJson("", text));       // as a report
  checkReply(edgefuse::meterBaselineJson("", text));     // as a tick's figures
  checkReply(edgefuse::meterResetJson("", text));        // as a reset
  {
    // As an acknowledgement of the record duty, to a meter that holds state.
    edgefuse::MeterBook book("");
    (void)book.report(kReport);
    const nlohmann::json reply = nlohmann::json::parse(book.recorded(text), nullptr, false);
    if (!reply.is_object() || !reply.contains("ok")) std::abort();
    checkReply(edgefuse::meterReportJson(book.state(), kReport));
  }

  // As the meter's answer to an isolate's report: a failure gives every unit back.
  static const edgefuse::Config config = *edgefuse::parseConfig(nlohmann::json::parse(
      R"({"plan":"free","rates":{"kv-writes":{"perMinute":100}},"limits":{"kv-writes":null}})")).config;
  edgefuse::Enforcer enforcer = edgefuse::Enforcer::fromConfig(config);
  edgefuse::MeterOutbox outbox(config);
  const std::size_t writes = static_cast<std::size_t>(edgefuse::findResource("kv-writes") - edgefuse::resources().begin());
  const int meter = enforcer.defineMeter(writes, "KV");
  enforcer.admit(enforcer.begin(), meter, 9);
  (void)outbox.take(enforcer, 1'795'000'000'000);
  const nlohmann::json settled = nlohmann::json::parse(outbox.settle(enforcer, text, "", 1'795'000'000'000), nullptr, false);
  if (!settled.is_object()) std::abort();
  if (settled["ok"] == false && enforcer.unreported(writes) != 9) std::abort();
  (void)outbox.hear(enforcer, text);
  // Whatever the answers said, a room is a number the enforcer can compare against.
  if (std::isnan(enforcer.room(writes))) std::abort();
  return 0;
}
