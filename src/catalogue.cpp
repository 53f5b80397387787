#include "catalogue.h"

#include <array>

namespace edgefuse {
namespace {

// Page addresses, one per product. Every number below is stated on the page cited with it.
constexpr std::string_view kWorkersPricing =
    "https://developers.cloudflare.com/workers/platform/pricing/#workers "
    "https://developers.cloudflare.com/workers/platform/limits/#daily-request";
constexpr std::string_view kKvPricing = "https://developers.cloudflare.com/kv/platform/pricing/";
constexpr std::string_view kD1Pricing = "https://developers.cloudflare.com/d1/platform/pricing/";
constexpr std::string_view kR2Pricing = "https://developers.cloudflare.com/r2/pricing/";
constexpr std::string_view kQueuesPricing =
    "https://developers.cloudflare.com/queues/platform/pricing/";
constexpr std::string_view kDurableObjectsPricing =
    "https://developers.cloudflare.com/durable-objects/platform/pricing/";
constexpr std::string_view kWorkersAiPricing =
    "https://developers.cloudflare.com/workers-ai/platform/pricing/";
constexpr std::string_view kVectorizePricing =
    "https://developers.cloudflare.com/vectorize/platform/pricing/";
constexpr std::string_view kStreamPricing = "https://developers.cloudflare.com/stream/pricing/";

constexpr std::string_view kWorkersMetrics =
    "https://developers.cloudflare.com/analytics/graphql-api/tutorials/querying-workers-metrics/";
// Fields the prose docs do not show but the API's own schema has, found by introspection
// (a live dump kept in wrangler/simulator/analytics-schema.js with its provenance).
constexpr std::string_view kSchemaIntrospection =
    "https://developers.cloudflare.com/analytics/graphql-api/features/discovery/introspection/";
constexpr std::string_view kKvMetrics =
    "https://developers.cloudflare.com/kv/observability/metrics-analytics/";
constexpr std::string_view kD1Metrics =
    "https://developers.cloudflare.com/d1/observability/metrics-analytics/";
constexpr std::string_view kR2Metrics =
    "https://developers.cloudflare.com/r2/platform/metrics-analytics/";
constexpr std::string_view kQueuesMetrics =
    "https://developers.cloudflare.com/queues/observability/metrics/";
constexpr std::string_view kDurableObjectsMetrics =
    "https://developers.cloudflare.com/durable-objects/observability/metrics-and-analytics/";
constexpr std::string_view kStreamMetrics =
    "https://developers.cloudflare.com/stream/getting-analytics/fetching-bulk-analytics/";

// Why a resource is not polled, as whyNotPolled() says it.
constexpr std::string_view kNotInApi = "it is not in the GraphQL Analytics API";
constexpr std::string_view kNewerThanSchema =
    "its dataset is newer than the schema edgefuse checks its requests against";

constexpr double kMillion = 1e6;

constexpr Allowance dailyHardLimit(double included) {
  return {Billing::HardLimit, Period::Day, included, 0, 1, false};
}
constexpr Allowance monthlyHardLimit(double included) {
  return {Billing::HardLimit, Period::Month, included, 0, 1, false};
}
constexpr Allowance monthlyOverage(double included, double priceUsd, double priceUnit) {
  return {Billing::Overage, Period::Month, included, priceUsd, priceUnit, false};
}
// Bought in whole blocks of `priceUnit`: a block begun is a block paid.
constexpr Allowance monthlyBlocks(double priceUsd, double priceUnit) {
  return {Billing::Overage, Period::Month, 0, priceUsd, priceUnit, true};
}
constexpr Allowance notMetered() { return {Billing::NotMetered, Period::Day, 0, 0, 1, false}; }

// R2 bills by its own free tier whatever the Workers plan, and rounds up to whole millions.
constexpr Allowance r2Allowance(double included, double priceUsd) {
  return {Billing::Overage, Period::Month, included, priceUsd, kMillion, true};
}

constexpr std::string_view kR2ClassA =
    "ListBuckets,PutBucket,ListObjects,PutObject,CopyObject,CompleteMultipartUpload,"
    "CreateMultipartUpload,LifecycleStorageTierTransition,ListMultipartUploads,UploadPart,"
    "UploadPartCopy,ListParts,PutBucketEncryption,PutBucketCors,PutBucketLifecycleConfiguration";
constexpr std::string_view kR2ClassB =
    "HeadBucket,HeadObject,GetObject,UsageSummary,GetBucketEncryption,GetBucketLocation,"
    "GetBucketCors,GetBucketLifecycleConfiguration";
constexpr std::string_view kR2Free = "DeleteObject,DeleteBucket,AbortMultipartUpload";

// clang-format off
constexpr std::array kResources = {
  Resource{"workers-requests", "Workers", "requests", "requests",
    "workersInvocationsAdaptive", "sum.requests", 1, "", "scriptName", kWorkersMetrics,
    dailyHardLimit(100'000),
    monthlyOverage(10 * kMillion, 0.30, kMillion),
    kWorkersPricing,
    "Pages Functions requests are billed as Workers requests and share this quota "
    "(https://developers.cloudflare.com/pages/functions/pricing/). Subrequests and static "
    "asset requests are not billed."},
  Resource{"workers-cpu-ms", "Workers", "CPU time", "CPU milliseconds",
    "workersInvocationsAdaptive", "sum.cpuTimeUs", 0.001, "", "scriptName", kSchemaIntrospection,
    notMetered(),
    monthlyOverage(30 * kMillion, 0.02, kMillion),
    kWorkersPricing,
    "Priced per million CPU milliseconds. The free plan has no CPU quota, only a limit of "
    "10 ms per invocation. Read from sum.cpuTimeUs (CPU microseconds, in the API's schema; "
    "the prose docs show percentiles only) and divided by 1,000."},
  Resource{"kv-reads", "Workers KV", "read operations", "operations",
    "kvOperationsAdaptiveGroups", "sum.requests", 1, "read", "namespaceId", kKvMetrics,
    dailyHardLimit(100'000), monthlyOverage(10 * kMillion, 0.50, kMillion), kKvPricing,
    "Reads of missing keys are billed too."},
  Resource{"kv-writes", "Workers KV", "write operations", "operations",
    "kvOperationsAdaptiveGroups", "sum.requests", 1, "write", "namespaceId", kKvMetrics,
    dailyHardLimit(1'000), monthlyOverage(kMillion, 5.00, kMillion), kKvPricing, ""},
  Resource{"kv-deletes", "Workers KV", "delete operations", "operations",
    "kvOperationsAdaptiveGroups", "sum.requests", 1, "delete", "namespaceId", kKvMetrics,
    dailyHardLimit(1'000), monthlyOverage(kMillion, 5.00, kMillion), kKvPricing, ""},
  Resource{"kv-lists", "Workers KV", "list operations", "operations",
    "kvOperationsAdaptiveGroups", "sum.requests", 1, "list", "namespaceId", kKvMetrics,
    dailyHardLimit(1'000), monthlyOverage(kMillion, 5.00, kMillion), kKvPricing, ""},
  Resource{"d1-rows-read", "D1", "rows read", "rows",
    "d1AnalyticsAdaptiveGroups", "sum.rowsRead", 1, "", "databaseId", kD1Metrics,
    dailyHardLimit(5 * kMillion), monthlyOverage(25'000 * kMillion, 0.001, kMillion), kD1Pricing,
    "Billed on rows, not queries. Paid months run from the subscription renewal day."},
  Resource{"d1-rows-written", "D1", "rows written", "rows",
    "d1AnalyticsAdaptiveGroups", "sum.rowsWritten", 1, "", "databaseId", kD1Metrics,
    dailyHardLimit(100'000), monthlyOverage(50 * kMillion, 1.00, kMillion), kD1Pricing,
    "Billed on rows, not queries; index updates add written rows."},
  Resource{"r2-class-a", "R2", "Class A operations", "operations",
    "r2OperationsAdaptiveGroups", "sum.requests", 1, kR2ClassA, "bucketName", kR2Metrics,
    r2Allowance(kMillion, 4.50), r2Allowance(kMillion, 4.50), kR2Pricing,
    "list, put and multipart uploads are Class A. R2's free tier is monthly, applies on both "
    "Workers plans, and covers Standard storage only; usage rounds up to the next million."},
  Resource{"r2-class-b", "R2", "Class B operations", "operations",
    "r2OperationsAdaptiveGroups", "sum.requests", 1, kR2ClassB, "bucketName", kR2Metrics,
    r2Allowance(10 * kMillion, 0.36), r2Allowance(10 * kMillion, 0.36), kR2Pricing,
    "head and get are Class B. Usage rounds up to the next million."},
  Resource{"r2-deletes", "R2", "delete operations", "operations",
    "r2OperationsAdaptiveGroups", "sum.requests", 1, kR2Free, "bucketName", kR2Metrics,
    notMetered(), notMetered(), kR2Pricing,
    "Deletes are free; edgefuse counts them only for per-invocation limits."},
  Resource{"queues-operations", "Queues", "operations", "operations",
    "queueMessageOperationsAdaptiveGroups", "sum.billableOperations", 1, "", "queueId",
    kQueuesMetrics,
    dailyHardLimit(10'000), monthlyOverage(kMillion, 0.40, kMillion), kQueuesPricing,
    "One operation per 64 KB written, read or deleted: a delivered message usually costs 3."},
  Resource{"do-requests", "Durable Objects", "requests", "requests",
    "durableObjectsInvocationsAdaptiveGroups", "sum.requests", 1, "", "", kDurableObjectsMetrics,
    dailyHardLimit(100'000), monthlyOverage(kMillion, 0.15, kMillion), kDurableObjectsPricing,
    "HTTP requests, RPC sessions, WebSocket messages and alarms. Incoming WebSocket messages "
    "bill at 20:1, so analytics overstate them. The free plan offers SQLite-backed objects only."},
  Resource{"do-duration-gbs", "Durable Objects", "duration", "GB-s",
    "durableObjectsPeriodicGroups", "sum.duration", 1, "", "", kSchemaIntrospection,
    dailyHardLimit(13'000), monthlyOverage(400'000, 12.50, kMillion), kDurableObjectsPricing,
    "Billed for the 128 MB an object is allocated while active. Read from sum.duration, which "
    "the API's schema reports in GB-s already (activeTime is microseconds of activity)."},
  Resource{"ai-neurons", "Workers AI", "neurons", "neurons",
    "aiInferenceAdaptiveGroups", "sum.totalNeurons", 1, "", "", kSchemaIntrospection,
    dailyHardLimit(10'000),
    Allowance{Billing::Overage, Period::Day, 10'000, 0.011, 1'000, false},
    kWorkersAiPricing,
    "Priced per 1,000 neurons. Both plans include 10,000 neurons a day (daily, even on the "
    "paid plan). Read from sum.totalNeurons, a float in the API's schema."},
  Resource{"vectorize-queried-dimensions", "Vectorize", "queried vector dimensions", "dimensions",
    "vectorizeV2QueriesAdaptiveGroups", "sum.queriedVectorDimensions", 1, "", "indexName", "",
    monthlyHardLimit(30 * kMillion), monthlyOverage(50 * kMillion, 0.01, kMillion),
    kVectorizePricing,
    "Each query is charged for the whole index plus the query vector: (stored + queried "
    "vectors) x dimensions. Not polled yet: Vectorize's V2 datasets are newer than the schema "
    "dump edgefuse checks its requests against.", kNewerThanSchema},
  Resource{"vectorize-stored-dimensions", "Vectorize", "stored vector dimensions", "dimensions",
    "vectorizeV2StorageAdaptiveGroups", "max.storedVectorDimensions", 1, "", "indexName", "",
    monthlyHardLimit(5 * kMillion), monthlyOverage(10 * kMillion, 0.05, 100 * kMillion),
    kVectorizePricing, "Priced per 100 million stored dimensions. Not polled yet: Vectorize's V2 "
    "datasets are newer than the schema dump edgefuse checks its requests against.", kNewerThanSchema},
  Resource{"stream-minutes-delivered", "Stream", "minutes delivered", "minutes",
    "streamMinutesViewedAdaptiveGroups", "sum.minutesViewed", 1, "", "uid", kStreamMetrics,
    monthlyOverage(0, 1.00, 1'000), monthlyOverage(0, 1.00, 1'000), kStreamPricing,
    "Stream is its own subscription, billed the same on either Workers plan: $1 per 1,000 "
    "minutes delivered, postpaid, no free tier."},
  Resource{"stream-minutes-stored", "Stream", "minutes stored", "minutes",
    "", "", 1, "", "", "",
    monthlyBlocks(5.00, 1'000), monthlyBlocks(5.00, 1'000), kStreamPricing,
    "Prepaid in blocks of $5 per 1,000 minutes, so 1,001 minutes take two blocks; uploads stop "
    "when storage runs out. Not in the GraphQL Analytics API, so the usage poll cannot read it.",
    kNotInApi},
};
// clang-format on

}  // namespace

const Resource* ResourceList::begin() const { return kResources.data(); }
const Resource* ResourceList::end() const { return kResources.data() + kResources.size(); }
std::size_t ResourceList::size() const { return kResources.size(); }

ResourceList resources() { return {}; }

std::vector<std::string> resourceIds() {
  std::vector<std::string> ids;
  for (const Resource& resource : resources()) ids.emplace_back(resource.id);
  return ids;
}

const Resource* findResource(std::string_view id) {
  for (const Resource& resource : kResources) {
    if (resource.id == id) return &resource;
  }
  return nullptr;
}

const Allowance& allowanceFor(const Resource& resource, Plan plan) {
  return plan == Plan::Free ? resource.free : resource.paid;
}

bool isPolled(const Resource& resource) { return resource.notPolled.empty(); }

std::string_view whyNotPolled(const Resource& resource) { return resource.notPolled; }

std::string_view nameOf(Plan plan) { return plan == Plan::Free ? "free" : "paid"; }

std::string_view nameOf(Period period) { return period == Period::Day ? "day" : "month"; }

std::string_view nameOf(Billing billing) {
  switch (billing) {
    case Billing::NotMetered: return "not-metered";
    case Billing::HardLimit: return "hard-limit";
    case Billing::Overage: return "overage";
  }
  return "not-metered";
}

}  // namespace edgefuse
