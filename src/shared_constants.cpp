#include "shared_constants.h"

#include <nlohmann/json.hpp>

#include "breaker_lifecycle.h"
#include "enforcer.h"
#include "json_text.h"
#include "live_meter.h"

namespace edgefuse {

const std::vector<BindingKind>& bindingKindTable() {
  // Charges: https://developers.cloudflare.com/kv/platform/pricing/ (reads, writes, deletes,
  // lists), https://developers.cloudflare.com/r2/pricing/ (Class A, Class B, free deletes),
  // https://developers.cloudflare.com/d1/platform/pricing/ (rows read and written),
  // https://developers.cloudflare.com/queues/platform/pricing/ (operations),
  // https://developers.cloudflare.com/durable-objects/platform/pricing/ (requests),
  // https://developers.cloudflare.com/workers-ai/platform/pricing/ (neurons, counted per call),
  // https://developers.cloudflare.com/vectorize/platform/pricing/ (dimensions, counted per call).
  static const std::vector<BindingKind> table = {
      {"kv",
       {"get", "getWithMetadata", "put", "delete", "list"},
       {{"get", "kv-reads"}, {"getWithMetadata", "kv-reads"}, {"put", "kv-writes"}, {"delete", "kv-deletes"},
        {"list", "kv-lists"}}},
      {"d1", {"prepare", "batch", "exec"}, {{"read", "d1-rows-read"}, {"written", "d1-rows-written"}}},
      {"r2",
       {"head", "get", "put", "delete", "list", "createMultipartUpload"},
       {{"head", "r2-class-b"},
        {"get", "r2-class-b"},
        {"put", "r2-class-a"},
        {"list", "r2-class-a"},
        {"createMultipartUpload", "r2-class-a"},
        {"resumeMultipartUpload", ""},  // makes no request; the upload it returns is guarded
        {"delete", "r2-deletes"}}},
      {"r2-multipart", {}, {{"uploadPart", "r2-class-a"}, {"complete", "r2-class-a"}, {"abort", "r2-deletes"}}},
      {"queue", {"send", "sendBatch"}, {{"send", "queues-operations"}, {"sendBatch", "queues-operations"}}},
      {"ai", {"run", "gateway"}, {{"run", "ai-neurons"}}},
      {"vectorize",
       {"query", "insert", "upsert", "getByIds", "deleteByIds"},
       {{"query", "vectorize-queried-dimensions"},
        {"queryById", "vectorize-queried-dimensions"},
        {"getByIds", "vectorize-queried-dimensions"},
        {"insert", "vectorize-stored-dimensions"},
        {"upsert", "vectorize-stored-dimensions"},
        {"deleteByIds", "vectorize-stored-dimensions"}}},
      {"durable-object", {"idFromName", "idFromString", "newUniqueId", "get"}, {{"request", "do-requests"}}},
  };
  return table;
}

std::string constantsJson() {
  using nlohmann::json;
  json kinds = json::array();
  json charges = json::object();
  for (const BindingKind& kind : bindingKindTable()) {
    json shape = json::array();
    for (std::string_view method : kind.shape) shape.push_back(method);
    if (!kind.shape.empty()) kinds.push_back({{"kind", kind.name}, {"shape", shape}});
    json methods = json::object();
    for (const auto& [method, resource] : kind.charges) {
      methods[std::string(method)] = resource.empty() ? json(nullptr) : json(resource);
    }
    charges[std::string(kind.name)] = methods;
  }
  return toText(json{{"stateKey", kStateKey},
                     {"safetyNetKey", kSafetyNetKey},
                     {"verdicts",
                      {{"allow", static_cast<int>(Verdict::Allow)},
                       {"tripped", static_cast<int>(Verdict::Tripped)},
                       {"overLimit", static_cast<int>(Verdict::OverLimit)},
                       {"overBindingLimit", static_cast<int>(Verdict::OverBindingLimit)}}},
                     {"invocationSlots", kInvocationSlots},
                     {"queueBytesPerOperation", kQueueBytesPerOperation},
                     {"maxStandingBreakers", kMaxStandingBreakers},
                     {"meterReportTimeoutMs", kMeterReportTimeoutMs},
                     {"meterAsked", {{"due", MeterOutbox::kDue}, {"inForceChanged", MeterOutbox::kInForceChanged}}},
                     {"bindingKinds", kinds},
                     {"charges", charges}});
}

}  // namespace edgefuse
