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
constexpr std::string_view kDoKeyValuePricing =
    "https://developers.cloudflare.com/durable-objects/platform/pricing/#key-value-storage-backend";
constexpr std::string_view kDoSqlitePricing =
    "https://developers.cloudflare.com/durable-objects/platform/pricing/#sqlite-storage-backend";
constexpr std::string_view kR2Storage = "https://developers.cloudflare.com/r2/pricing/#storage-usage";
constexpr std::string_view kWorkersLogsPricing =
    "https://developers.cloudflare.com/workers/observability/logs/workers-logs/#pricing "
    "https://developers.cloudflare.com/observability/pricing/";
constexpr std::string_view kAnalyticsEnginePricing =
    "https://developers.cloudflare.com/analytics/analytics-engine/pricing/";
constexpr std::string_view kBrowserPricing = "https://developers.cloudflare.com/browser-rendering/platform/pricing/";
constexpr std::string_view kImagesPricing = "https://developers.cloudflare.com/images/pricing/#images-transformed";
constexpr std::string_view kHyperdrivePricing =
    "https://developers.cloudflare.com/hyperdrive/platform/pricing/";

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
// A plan's cap on a stored level (Measure::DailyPeak): judged on the day's peak, not summed.
constexpr Allowance levelCap(double included) { return {Billing::HardLimit, Period::Day, included, 0, 1, false}; }

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
// R2's storage classes, as its API names them (https://developers.cloudflare.com/r2/buckets/storage-classes/).
constexpr std::string_view kStandard = "Standard";
constexpr std::string_view kInfrequentAccess = "InfrequentAccess";

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
    "list, put and multipart uploads are Class A, on Standard storage. R2's free tier is monthly, "
    "applies on both Workers plans, and covers Standard storage only; usage rounds up to the next "
    "million.", "", Measure::Sum, kStandard},
  Resource{"r2-class-b", "R2", "Class B operations", "operations",
    "r2OperationsAdaptiveGroups", "sum.requests", 1, kR2ClassB, "bucketName", kR2Metrics,
    r2Allowance(10 * kMillion, 0.36), r2Allowance(10 * kMillion, 0.36), kR2Pricing,
    "head and get are Class B, on Standard storage. Usage rounds up to the next million.", "",
    Measure::Sum, kStandard},
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
  // Incoming WebSocket messages (not hibernated) are counted in durableObjectsPeriodicGroups,
  // apart from requests (https://developers.cloudflare.com/durable-objects/observability/graphql-analytics/),
  // and billed as requests at 20:1 (https://developers.cloudflare.com/durable-objects/platform/pricing/#compute-billing).
  Resource{"do-websocket-messages", "Durable Objects", "incoming WebSocket messages", "requests",
    "durableObjectsPeriodicGroups", "sum.inboundWebsocketMsgCount", 1.0 / 20, "", "", kSchemaIntrospection,
    notMetered(), notMetered(), kDurableObjectsPricing,
    "Billed as Durable Objects requests at 20:1 (100 messages are 5 requests), and judged within "
    "do-requests. Messages to hibernating WebSockets arrive as invocations instead and are "
    "counted 1:1 there, which overstates them.", "", Measure::Sum, "", "do-requests"},
  // Key-value storage backend: Workers Paid only, and since 2026-07 only for accounts that
  // already had such a namespace. A request unit is 4 KB read or written.
  Resource{"do-storage-read-units", "Durable Objects", "key-value storage read units", "request units",
    "durableObjectsPeriodicGroups", "sum.storageReadUnits", 1, "", "", kSchemaIntrospection,
    notMetered(), monthlyOverage(kMillion, 0.20, kMillion), kDoKeyValuePricing,
    "Key-value storage backend only (Workers Paid): one unit per 4 KB read; a list that returns "
    "nothing is one unit. SQLite-backed objects are billed by rows instead."},
  Resource{"do-storage-write-units", "Durable Objects", "key-value storage write units", "request units",
    "durableObjectsPeriodicGroups", "sum.storageWriteUnits", 1, "", "", kSchemaIntrospection,
    notMetered(), monthlyOverage(kMillion, 1.00, kMillion), kDoKeyValuePricing,
    "Key-value storage backend only (Workers Paid): one unit per 4 KB written; each setAlarm "
    "is one unit."},
  Resource{"do-storage-deletes", "Durable Objects", "key-value storage deletes", "requests",
    "durableObjectsPeriodicGroups", "sum.storageDeletes", 1, "", "", kSchemaIntrospection,
    notMetered(), monthlyOverage(kMillion, 1.00, kMillion), kDoKeyValuePricing,
    "Key-value storage backend only (Workers Paid): one per key deleted, whatever its size."},
  Resource{"do-sqlite-rows-read", "Durable Objects", "SQLite rows read", "rows",
    "", "", 1, "", "", "",
    dailyHardLimit(5 * kMillion), monthlyOverage(25'000 * kMillion, 0.001, kMillion), kDoSqlitePricing,
    "SQLite storage backend; key-value calls on it are billed as rows too.",
    "the schema edgefuse checks its requests against has no rows-read field for Durable Objects"},
  Resource{"do-sqlite-rows-written", "Durable Objects", "SQLite rows written", "rows",
    "", "", 1, "", "", "",
    dailyHardLimit(100'000), monthlyOverage(50 * kMillion, 1.00, kMillion), kDoSqlitePricing,
    "SQLite storage backend; each setAlarm and each delete is a row written.",
    "the schema edgefuse checks its requests against has no rows-written field for Durable Objects"},
  Resource{"ai-neurons", "Workers AI", "neurons", "neurons",
    "aiInferenceAdaptiveGroups", "sum.totalNeurons", 1, "", "", kSchemaIntrospection,
    dailyHardLimit(10'000),
    Allowance{Billing::Overage, Period::Day, 10'000, 0.011, 1'000, false},
    kWorkersAiPricing,
    "Priced per 1,000 neurons. Both plans include 10,000 neurons a day (daily, even on the "
    "paid plan). Read from sum.totalNeurons, a float in the API's schema."},
  Resource{"vectorize-queried-dimensions", "Vectorize", "queried vector dimensions", "dimensions",
    "vectorizeQueriesAdaptiveGroups", "sum.queriedVectorDimensions", 1, "", "vectorizeIndexId",
    kSchemaIntrospection,
    monthlyHardLimit(30 * kMillion), monthlyOverage(50 * kMillion, 0.01, kMillion),
    kVectorizePricing,
    "Each query is charged for the whole index plus the query vector: (stored + queried "
    "vectors) x dimensions. Read from vectorizeQueriesAdaptiveGroups, the dataset in the API's "
    "schema (introspected 2024-06); whether indexes made since Vectorize V2 also report there is "
    "not documented."},
  Resource{"vectorize-stored-dimensions", "Vectorize", "stored vector dimensions", "dimensions",
    "vectorizeStorageAdaptiveGroups", "max.storedVectorDimensions", 1, "", "vectorizeIndexId",
    kSchemaIntrospection,
    levelCap(5 * kMillion), monthlyOverage(10 * kMillion, 0.05, 100 * kMillion),
    kVectorizePricing, "Priced per 100 million stored dimensions a month; empty indexes do not "
    "count. The pricing page does not say how a month of storage is measured: edgefuse averages "
    "each day's peak over 30 days, as R2 bills storage.", "", Measure::DailyPeak},
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
  // Stored data, billed in GB-months: the average of each day's peak over 30 days
  // (https://developers.cloudflare.com/r2/pricing/#storage-usage). The free plans cap the level.
  Resource{"kv-storage-gb", "Workers KV", "stored data", "GB",
    "", "", 1, "", "", "",
    levelCap(1), monthlyOverage(1, 0.50, 1), kKvPricing,
    "Billed per GB-month. The free plan stores at most 1 GB. kvStorageAdaptiveGroups (max "
    "byteCount) is documented on https://developers.cloudflare.com/kv/observability/metrics-analytics/ "
    "but newer than the schema edgefuse checks its requests against.",
    kNewerThanSchema, Measure::DailyPeak},
  Resource{"d1-storage-gb", "D1", "stored data", "GB",
    "d1StorageAdaptiveGroups", "max.databaseSizeBytes", 1e-9, "", "databaseId", kD1Metrics,
    levelCap(5), monthlyOverage(5, 0.75, 1), kD1Pricing,
    "Billed per GB-month, summed over every database in the account, tables and indexes; the "
    "free plan stores at most 5 GB in all. Read as each database's daily peak.", "", Measure::DailyPeak},
  Resource{"r2-storage-gb", "R2", "Standard storage", "GB",
    "r2StorageAdaptiveGroups", "max.payloadSize", 1e-9, "", "bucketName", kR2Metrics,
    Allowance{Billing::Overage, Period::Month, 10, 0.015, 1, true},
    Allowance{Billing::Overage, Period::Month, 10, 0.015, 1, true}, kR2Storage,
    "Per GB-month: the average of each day's peak over 30 days, rounded up to whole GB-months; "
    "10 GB-months free on either Workers plan.", "", Measure::DailyPeak, kStandard},
  Resource{"r2-ia-storage-gb", "R2", "Infrequent Access storage", "GB",
    "r2StorageAdaptiveGroups", "max.payloadSize", 1e-9, "", "bucketName", kR2Metrics,
    Allowance{Billing::Overage, Period::Month, 0, 0.01, 1, true},
    Allowance{Billing::Overage, Period::Month, 0, 0.01, 1, true}, kR2Storage,
    "No free tier; each object is billed for at least 30 days, and reading it costs $0.01 per "
    "GB retrieved (not polled: the API has no retrieval total).", "", Measure::DailyPeak,
    kInfrequentAccess},
  Resource{"do-storage-gb", "Durable Objects", "stored data", "GB",
    "durableObjectsStorageGroups", "max.storedBytes", 1e-9, "", "", kDurableObjectsMetrics,
    levelCap(5), monthlyOverage(5, 0.20, 1), kDoSqlitePricing,
    "SQLite backend: 5 GB on the free plan, 5 GB-months then $0.20 per GB-month on the paid "
    "plan (key-value backend: 1 GB included), billed from 2026-01-07. How Durable Objects "
    "measure a GB-month is not published: edgefuse averages daily peaks over 30 days, as R2 does.",
    "", Measure::DailyPeak},
  // R2 Infrequent Access: its own prices and no free tier (https://developers.cloudflare.com/r2/pricing/).
  Resource{"r2-ia-class-a", "R2", "Infrequent Access Class A operations", "operations",
    "r2OperationsAdaptiveGroups", "sum.requests", 1, kR2ClassA, "bucketName", kR2Metrics,
    r2Allowance(0, 9.00), r2Allowance(0, 9.00), kR2Pricing,
    "Class A operations on Infrequent Access storage: no free tier; usage rounds up to the next "
    "million.", "", Measure::Sum, kInfrequentAccess},
  Resource{"r2-ia-class-b", "R2", "Infrequent Access Class B operations", "operations",
    "r2OperationsAdaptiveGroups", "sum.requests", 1, kR2ClassB, "bucketName", kR2Metrics,
    r2Allowance(0, 0.90), r2Allowance(0, 0.90), kR2Pricing,
    "Class B operations on Infrequent Access storage: no free tier; reads also cost $0.01 per GB "
    "retrieved, which the API does not total.", "", Measure::Sum, kInfrequentAccess},
  Resource{"r2-ia-retrieval-gb", "R2", "Infrequent Access data retrieval", "GB",
    "", "", 1, "", "", "",
    Allowance{Billing::Overage, Period::Month, 0, 0.01, 1, true},
    Allowance{Billing::Overage, Period::Month, 0, 0.01, 1, true}, kR2Pricing,
    "Any read or copy of an Infrequent Access object, per GB; no free tier.",
    "the API has no total of the data read from Infrequent Access storage"},
  Resource{"workers-logs-gb", "Workers Logs", "log data ingested", "GB",
    "", "", 1, "", "", "",
    dailyHardLimit(0.5), monthlyOverage(50, 0.25, 1), kWorkersLogsPricing,
    "Cloudflare Observability pricing from 2026-12-01, shared with traces and other logs; the "
    "free plan stops ingesting for the day. Before that: 200,000 events a day free, 20 million "
    "a month then $0.60 per million on the paid plan.",
    kNotInApi},
  Resource{"analytics-engine-data-points", "Workers Analytics Engine", "data points written", "data points",
    "workersAnalyticsEngineAdaptiveGroups", "count", 1, "", "", kSchemaIntrospection,
    dailyHardLimit(100'000), monthlyOverage(10 * kMillion, 0.25, kMillion), kAnalyticsEnginePricing,
    "Published prices; Cloudflare says it does not bill Analytics Engine yet."},
  Resource{"analytics-engine-read-queries", "Workers Analytics Engine", "read queries", "queries",
    "", "", 1, "", "", "",
    dailyHardLimit(10'000), monthlyOverage(kMillion, 1.00, kMillion), kAnalyticsEnginePricing,
    "Each post to the SQL API is one query. Published prices; not billed yet.", kNotInApi},
  Resource{"browser-hours", "Browser Rendering", "browser hours", "hours",
    "", "", 1, "", "", "",
    dailyHardLimit(10.0 / 60), monthlyOverage(10, 0.09, 1), kBrowserPricing,
    "The free plan has 10 minutes a day, then new sessions get HTTP 429. Monthly totals round to "
    "the nearest hour.",
    "the API reports browser sessions but no total of their time"},
  Resource{"browser-concurrency", "Browser Rendering", "concurrent browsers", "browsers",
    "", "", 1, "", "", "",
    monthlyHardLimit(3), monthlyOverage(10, 2.00, 1), kBrowserPricing,
    "Billed on the month's average of each day's peak of concurrent browsers.",
    "the API reports browser sessions but no count of concurrent browsers"},
  Resource{"images-unique-transformations", "Images", "unique transformations", "transformations",
    "imagesUniqueTransformations", "transformations", 1, "", "", kSchemaIntrospection,
    monthlyHardLimit(5'000), monthlyOverage(5'000, 0.50, 1'000), kImagesPricing,
    "Images has its own Free and Paid plans; edgefuse reads the Workers plan as the Images plan. "
    "Counted over a 30-day sliding window; on Images Free new transformations fail past 5,000."},
  Resource{"hyperdrive-queries", "Hyperdrive", "database queries", "queries",
    "hyperdriveQueriesAdaptiveGroups", "count", 1, "", "configId", kSchemaIntrospection,
    dailyHardLimit(100'000), notMetered(), kHyperdrivePricing,
    "The free plan allows 100,000 queries a day, then queries fail; unlimited on the paid plan."},
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

std::string_view nameOf(Measure measure) { return measure == Measure::Sum ? "sum" : "daily-peak"; }

std::string_view nameOf(Billing billing) {
  switch (billing) {
    case Billing::NotMetered: return "not-metered";
    case Billing::HardLimit: return "hard-limit";
    case Billing::Overage: return "overage";
  }
  return "not-metered";
}

}  // namespace edgefuse
