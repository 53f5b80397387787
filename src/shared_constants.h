// Constants the JS shim needs too, defined once, here. scripts/generate-constants.mjs writes
// them to dist/constants.js from the built core (constantsJson), so the shim never keeps a
// copy of its own: verdict codes, binding kinds and their shapes, what each guarded method
// is charged to, and the KV keys of the breaker state.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgefuse {

// The KV keys of the breaker state record and its safety net.
constexpr const char* kStateKey = "edgefuse:state";
constexpr const char* kSafetyNetKey = "edgefuse:safety-net";

// Queues bill one operation per 64 KB of a message written, read or deleted, so a 100 KB
// message is 2 per write: https://developers.cloudflare.com/queues/platform/pricing/
constexpr int kQueueBytesPerOperation = 64 * 1024;

struct BindingKind {
  std::string_view name;
  // Methods a binding of this kind has: it is recognised by having all of them.
  std::vector<std::string_view> shape;
  // What each guarded method (or, for D1 and Durable Objects, each role) is charged to; ""
  // for a method that is guarded but makes no billed request.
  std::vector<std::pair<std::string_view, std::string_view>> charges;
};

// Every kind the guard wraps. A binding is of the first kind whose whole shape it has (KV,
// R2 and Durable Object namespaces all have get(), but no two shapes are alike).
const std::vector<BindingKind>& bindingKindTable();

// {"stateKey","safetyNetKey","queueBytesPerOperation","maxStandingBreakers","meterReportTimeoutMs","invocationSlots",
//  "verdicts":{...},"bindingKinds":[{"kind","shape"}],"charges":{kind:{method:resource|null}}}
std::string constantsJson();

}  // namespace edgefuse
