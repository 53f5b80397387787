// Cloudflare's GraphQL Analytics schema, for the datasets a usage guard can read: what the
// simulator validates every request against, and what the tests hold the guard's own
// requests to.
//
// Provenance: the SDL below is ../shared/reference/cloudflare-analytics-subset.graphql as
// the project was given it (tests/workerd/usage-queries.test.js checks the copy is whole):
// a live introspection dump of https://api.cloudflare.com/client/v4/graphql taken
// 2024-06-04 (public repository zeet-dev/cloudflare-graphql-go, schema.graphql), cut down to
// the account-level datasets, descriptions removed, plus kvOperationsAdaptiveGroups as
// https://developers.cloudflare.com/kv/observability/metrics-analytics/ documents it. The
// dump predates Vectorize's V2 datasets, so they are not here.
//
// ROOT is ours: the path every query takes to an account, as Cloudflare's docs write it
// (https://developers.cloudflare.com/analytics/graphql-api/getting-started/querying-basics/):
// viewer { accounts(filter: { accountTag: $accountTag }) { <dataset>(...) { ... } } }.
export const ROOT = `
type Query {
  viewer: viewer
}

type viewer {
  accounts(filter: AccountFilter_InputObject!): [account!]!
}

input AccountFilter_InputObject {
  accountTag: string
}
`;

export const DATASETS = String.raw`# Subset of Cloudflare's GraphQL Analytics schema: the account-level datasets a usage guard reads.
# Derived from a live introspection dump taken 2024-06-04 (public repo zeet-dev/cloudflare-graphql-go, schema.graphql)
# plus kvOperationsAdaptiveGroups as documented (the dump predates it). Descriptions removed.
# Query path: viewer { accounts(filter: { accountTag: $accountTag }) { <dataset>(...) { ... } } }

type account {
  aiInferenceAdaptiveGroups(filter: AccountAiInferenceAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountAiInferenceAdaptiveGroupsOrderBy!]): [AccountAiInferenceAdaptiveGroups!]!
  browserRenderingEventsAdaptive(filter: AccountBrowserRenderingEventsAdaptiveFilter_InputObject!, limit: uint64!, orderBy: [AccountBrowserRenderingEventsAdaptiveOrderBy!]): [AccountBrowserRenderingEventsAdaptive!]!
  browserRenderingEventsAdaptiveGroups(filter: AccountBrowserRenderingEventsAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountBrowserRenderingEventsAdaptiveGroupsOrderBy!]): [AccountBrowserRenderingEventsAdaptiveGroups!]!
  d1AnalyticsAdaptiveGroups(filter: AccountD1AnalyticsAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountD1AnalyticsAdaptiveGroupsOrderBy!]): [AccountD1AnalyticsAdaptiveGroups!]!
  d1StorageAdaptiveGroups(filter: AccountD1StorageAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountD1StorageAdaptiveGroupsOrderBy!]): [AccountD1StorageAdaptiveGroups!]!
  durableObjectsInvocationsAdaptiveGroups(filter: AccountDurableObjectsInvocationsAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountDurableObjectsInvocationsAdaptiveGroupsOrderBy!]): [AccountDurableObjectsInvocationsAdaptiveGroups!]!
  durableObjectsPeriodicGroups(filter: AccountDurableObjectsPeriodicGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountDurableObjectsPeriodicGroupsOrderBy!]): [AccountDurableObjectsPeriodicGroups!]!
  durableObjectsStorageGroups(filter: AccountDurableObjectsStorageGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountDurableObjectsStorageGroupsOrderBy!]): [AccountDurableObjectsStorageGroups!]!
  durableObjectsSubrequestsAdaptiveGroups(filter: AccountDurableObjectsSubrequestsAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountDurableObjectsSubrequestsAdaptiveGroupsOrderBy!]): [AccountDurableObjectsSubrequestsAdaptiveGroups!]!
  hyperdriveQueriesAdaptiveGroups(filter: AccountHyperdriveQueriesAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountHyperdriveQueriesAdaptiveGroupsOrderBy!]): [AccountHyperdriveQueriesAdaptiveGroups!]!
  imagesRequestsAdaptiveGroups(filter: AccountImagesRequestsAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountImagesRequestsAdaptiveGroupsOrderBy!]): [AccountImagesRequestsAdaptiveGroups!]!
  imagesUniqueTransformations(filter: AccountImagesUniqueTransformationsFilter_InputObject!, limit: uint64!, orderBy: [AccountImagesUniqueTransformationsOrderBy!]): [AccountImagesUniqueTransformations!]!
  queueBacklogAdaptiveGroups(filter: AccountQueueBacklogAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountQueueBacklogAdaptiveGroupsOrderBy!]): [AccountQueueBacklogAdaptiveGroups!]!
  queueMessageOperationsAdaptiveGroups(filter: AccountQueueMessageOperationsAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountQueueMessageOperationsAdaptiveGroupsOrderBy!]): [AccountQueueMessageOperationsAdaptiveGroups!]!
  r2OperationsAdaptiveGroups(filter: AccountR2OperationsAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountR2OperationsAdaptiveGroupsOrderBy!]): [AccountR2OperationsAdaptiveGroups!]!
  r2StorageAdaptiveGroups(filter: AccountR2StorageAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountR2StorageAdaptiveGroupsOrderBy!]): [AccountR2StorageAdaptiveGroups!]!
  streamMinutesViewedAdaptiveGroups(filter: AccountStreamMinutesViewedAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountStreamMinutesViewedAdaptiveGroupsOrderBy!]): [AccountStreamMinutesViewedAdaptiveGroups!]!
  vectorizeQueriesAdaptiveGroups(filter: AccountVectorizeQueriesAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountVectorizeQueriesAdaptiveGroupsOrderBy!]): [AccountVectorizeQueriesAdaptiveGroups!]!
  vectorizeStorageAdaptiveGroups(filter: AccountVectorizeStorageAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountVectorizeStorageAdaptiveGroupsOrderBy!]): [AccountVectorizeStorageAdaptiveGroups!]!
  workersAnalyticsEngineAdaptiveGroups(filter: AccountWorkersAnalyticsEngineAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountWorkersAnalyticsEngineAdaptiveGroupsOrderBy!]): [AccountWorkersAnalyticsEngineAdaptiveGroups!]!
  workersInvocationsAdaptive(filter: AccountWorkersInvocationsAdaptiveFilter_InputObject!, limit: uint64!, orderBy: [AccountWorkersInvocationsAdaptiveOrderBy!]): [AccountWorkersInvocationsAdaptive!]!
  kvOperationsAdaptiveGroups(filter: AccountKvOperationsAdaptiveGroupsFilter_InputObject!, limit: uint64!, orderBy: [AccountKvOperationsAdaptiveGroupsOrderBy!]): [AccountKvOperationsAdaptiveGroups!]!
}

type AccountAiInferenceAdaptiveGroups {
  count: uint64!
  dimensions: AccountAiInferenceAdaptiveGroupsDimensions
  sum: AccountAiInferenceAdaptiveGroupsSum
}

scalar uint64

type AccountAiInferenceAdaptiveGroupsDimensions {
  date: Date!
  datetimeFifteenMinutes: Time!
  datetimeFiveMinutes: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  errorCode: uint32!
  inferenceTimeMs: uint64!
  modelId: string!
  modelIsBeta: uint8!
  neurons: float64!
  requestBytesIn: uint64!
  requestBytesOut: uint64!
  requestSource: string!
}

scalar Date

scalar Time

scalar uint32

scalar string

scalar uint8

scalar float64

type AccountAiInferenceAdaptiveGroupsSum {
  totalInferenceTimeMs: uint64!
  totalNeurons: float64!
  totalRequestBytesIn: uint64!
  totalRequestBytesOut: uint64!
}

input AccountAiInferenceAdaptiveGroupsFilter_InputObject {
  AND: [AccountAiInferenceAdaptiveGroupsFilter_InputObject!]
  OR: [AccountAiInferenceAdaptiveGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetimeFifteenMinutes: Time
  datetimeFifteenMinutes_geq: Time
  datetimeFifteenMinutes_gt: Time
  datetimeFifteenMinutes_in: [Time!]
  datetimeFifteenMinutes_leq: Time
  datetimeFifteenMinutes_lt: Time
  datetimeFifteenMinutes_neq: Time
  datetimeFifteenMinutes_notin: [Time!]
  datetimeFiveMinutes: Time
  datetimeFiveMinutes_geq: Time
  datetimeFiveMinutes_gt: Time
  datetimeFiveMinutes_in: [Time!]
  datetimeFiveMinutes_leq: Time
  datetimeFiveMinutes_lt: Time
  datetimeFiveMinutes_neq: Time
  datetimeFiveMinutes_notin: [Time!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  errorCode: uint32
  errorCode_geq: uint32
  errorCode_gt: uint32
  errorCode_in: [uint32!]
  errorCode_leq: uint32
  errorCode_lt: uint32
  errorCode_neq: uint32
  errorCode_notin: [uint32!]
  inferenceTimeMs: uint64
  inferenceTimeMs_geq: uint64
  inferenceTimeMs_gt: uint64
  inferenceTimeMs_in: [uint64!]
  inferenceTimeMs_leq: uint64
  inferenceTimeMs_lt: uint64
  inferenceTimeMs_neq: uint64
  inferenceTimeMs_notin: [uint64!]
  modelId: string
  modelId_geq: string
  modelId_gt: string
  modelId_in: [string!]
  modelId_leq: string
  modelId_like: string
  modelId_lt: string
  modelId_neq: string
  modelId_notin: [string!]
  modelId_notlike: string
  modelIsBeta: uint8
  modelIsBeta_geq: uint8
  modelIsBeta_gt: uint8
  modelIsBeta_in: bytes
  modelIsBeta_leq: uint8
  modelIsBeta_lt: uint8
  modelIsBeta_neq: uint8
  modelIsBeta_notin: bytes
  neurons: float64
  neurons_geq: float64
  neurons_gt: float64
  neurons_in: [float64!]
  neurons_leq: float64
  neurons_lt: float64
  neurons_neq: float64
  neurons_notin: [float64!]
  requestBytesIn: uint64
  requestBytesIn_geq: uint64
  requestBytesIn_gt: uint64
  requestBytesIn_in: [uint64!]
  requestBytesIn_leq: uint64
  requestBytesIn_lt: uint64
  requestBytesIn_neq: uint64
  requestBytesIn_notin: [uint64!]
  requestBytesOut: uint64
  requestBytesOut_geq: uint64
  requestBytesOut_gt: uint64
  requestBytesOut_in: [uint64!]
  requestBytesOut_leq: uint64
  requestBytesOut_lt: uint64
  requestBytesOut_neq: uint64
  requestBytesOut_notin: [uint64!]
  requestSource: string
  requestSource_geq: string
  requestSource_gt: string
  requestSource_in: [string!]
  requestSource_leq: string
  requestSource_like: string
  requestSource_lt: string
  requestSource_neq: string
  requestSource_notin: [string!]
  requestSource_notlike: string
}

scalar bytes

enum AccountAiInferenceAdaptiveGroupsOrderBy {
  count_ASC
  count_DESC
  date_ASC
  date_DESC
  datetimeFifteenMinutes_ASC
  datetimeFifteenMinutes_DESC
  datetimeFiveMinutes_ASC
  datetimeFiveMinutes_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  errorCode_ASC
  errorCode_DESC
  inferenceTimeMs_ASC
  inferenceTimeMs_DESC
  modelId_ASC
  modelId_DESC
  modelIsBeta_ASC
  modelIsBeta_DESC
  neurons_ASC
  neurons_DESC
  requestBytesIn_ASC
  requestBytesIn_DESC
  requestBytesOut_ASC
  requestBytesOut_DESC
  requestSource_ASC
  requestSource_DESC
  sum_totalInferenceTimeMs_ASC
  sum_totalInferenceTimeMs_DESC
  sum_totalNeurons_ASC
  sum_totalNeurons_DESC
  sum_totalRequestBytesIn_ASC
  sum_totalRequestBytesIn_DESC
  sum_totalRequestBytesOut_ASC
  sum_totalRequestBytesOut_DESC
}

type AccountBrowserRenderingEventsAdaptive {
  browserCloseReason: string!
  browserEndTime: Time!
  browserStartTime: Time!
  connectionEndTime: Time!
  connectionId: string!
  connectionStartTime: Time!
  datetime: Time!
  sampleInterval: uint32!
  scriptName: string!
  sessionId: string!
}

input AccountBrowserRenderingEventsAdaptiveFilter_InputObject {
  AND: [AccountBrowserRenderingEventsAdaptiveFilter_InputObject!]
  OR: [AccountBrowserRenderingEventsAdaptiveFilter_InputObject!]
  browserCloseReason: string
  browserCloseReason_geq: string
  browserCloseReason_gt: string
  browserCloseReason_in: [string!]
  browserCloseReason_leq: string
  browserCloseReason_like: string
  browserCloseReason_lt: string
  browserCloseReason_neq: string
  browserCloseReason_notin: [string!]
  browserCloseReason_notlike: string
  browserEndTime: Time
  browserEndTime_geq: Time
  browserEndTime_gt: Time
  browserEndTime_in: [Time!]
  browserEndTime_leq: Time
  browserEndTime_lt: Time
  browserEndTime_neq: Time
  browserEndTime_notin: [Time!]
  browserStartTime: Time
  browserStartTime_geq: Time
  browserStartTime_gt: Time
  browserStartTime_in: [Time!]
  browserStartTime_leq: Time
  browserStartTime_lt: Time
  browserStartTime_neq: Time
  browserStartTime_notin: [Time!]
  connectionEndTime: Time
  connectionEndTime_geq: Time
  connectionEndTime_gt: Time
  connectionEndTime_in: [Time!]
  connectionEndTime_leq: Time
  connectionEndTime_lt: Time
  connectionEndTime_neq: Time
  connectionEndTime_notin: [Time!]
  connectionId: string
  connectionId_geq: string
  connectionId_gt: string
  connectionId_in: [string!]
  connectionId_leq: string
  connectionId_like: string
  connectionId_lt: string
  connectionId_neq: string
  connectionId_notin: [string!]
  connectionId_notlike: string
  connectionStartTime: Time
  connectionStartTime_geq: Time
  connectionStartTime_gt: Time
  connectionStartTime_in: [Time!]
  connectionStartTime_leq: Time
  connectionStartTime_lt: Time
  connectionStartTime_neq: Time
  connectionStartTime_notin: [Time!]
  datetime: Time
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  sampleInterval: uint32
  sampleInterval_geq: uint32
  sampleInterval_gt: uint32
  sampleInterval_in: [uint32!]
  sampleInterval_leq: uint32
  sampleInterval_lt: uint32
  sampleInterval_neq: uint32
  sampleInterval_notin: [uint32!]
  scriptName: string
  scriptName_geq: string
  scriptName_gt: string
  scriptName_in: [string!]
  scriptName_leq: string
  scriptName_like: string
  scriptName_lt: string
  scriptName_neq: string
  scriptName_notin: [string!]
  scriptName_notlike: string
  sessionId: string
  sessionId_geq: string
  sessionId_gt: string
  sessionId_in: [string!]
  sessionId_leq: string
  sessionId_like: string
  sessionId_lt: string
  sessionId_neq: string
  sessionId_notin: [string!]
  sessionId_notlike: string
}

enum AccountBrowserRenderingEventsAdaptiveOrderBy {
  browserCloseReason_ASC
  browserCloseReason_DESC
  browserEndTime_ASC
  browserEndTime_DESC
  browserStartTime_ASC
  browserStartTime_DESC
  connectionEndTime_ASC
  connectionEndTime_DESC
  connectionId_ASC
  connectionId_DESC
  connectionStartTime_ASC
  connectionStartTime_DESC
  datetime_ASC
  datetime_DESC
  sampleInterval_ASC
  sampleInterval_DESC
  scriptName_ASC
  scriptName_DESC
  sessionId_ASC
  sessionId_DESC
}

type AccountBrowserRenderingEventsAdaptiveGroups {
  count: uint64!
  dimensions: AccountBrowserRenderingEventsAdaptiveGroupsDimensions
  max: AccountBrowserRenderingEventsAdaptiveGroupsMax
  min: AccountBrowserRenderingEventsAdaptiveGroupsMin
  uniq: AccountBrowserRenderingEventsAdaptiveGroupsUniq
}

type AccountBrowserRenderingEventsAdaptiveGroupsDimensions {
  browserCloseReason: string!
  connectionId: string!
  date: Date!
  datetimeFifteenMinutes: Time!
  datetimeFiveMinutes: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  scriptName: string!
  sessionId: string!
}

type AccountBrowserRenderingEventsAdaptiveGroupsMax {
  finalBrowserCloseReason: string!
  latestBrowserEndTime: Time!
}

type AccountBrowserRenderingEventsAdaptiveGroupsMin {
  earliestBrowserStartTime: Time!
}

type AccountBrowserRenderingEventsAdaptiveGroupsUniq {
  connectionIdCount: uint32!
  sessionIdCount: uint32!
}

input AccountBrowserRenderingEventsAdaptiveGroupsFilter_InputObject {
  AND: [AccountBrowserRenderingEventsAdaptiveGroupsFilter_InputObject!]
  OR: [AccountBrowserRenderingEventsAdaptiveGroupsFilter_InputObject!]
  browserCloseReason: string
  browserCloseReason_geq: string
  browserCloseReason_gt: string
  browserCloseReason_in: [string!]
  browserCloseReason_leq: string
  browserCloseReason_like: string
  browserCloseReason_lt: string
  browserCloseReason_neq: string
  browserCloseReason_notin: [string!]
  browserCloseReason_notlike: string
  connectionId: string
  connectionId_geq: string
  connectionId_gt: string
  connectionId_in: [string!]
  connectionId_leq: string
  connectionId_like: string
  connectionId_lt: string
  connectionId_neq: string
  connectionId_notin: [string!]
  connectionId_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetimeFifteenMinutes: Time
  datetimeFifteenMinutes_geq: Time
  datetimeFifteenMinutes_gt: Time
  datetimeFifteenMinutes_in: [Time!]
  datetimeFifteenMinutes_leq: Time
  datetimeFifteenMinutes_lt: Time
  datetimeFifteenMinutes_neq: Time
  datetimeFifteenMinutes_notin: [Time!]
  datetimeFiveMinutes: Time
  datetimeFiveMinutes_geq: Time
  datetimeFiveMinutes_gt: Time
  datetimeFiveMinutes_in: [Time!]
  datetimeFiveMinutes_leq: Time
  datetimeFiveMinutes_lt: Time
  datetimeFiveMinutes_neq: Time
  datetimeFiveMinutes_notin: [Time!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  scriptName: string
  scriptName_geq: string
  scriptName_gt: string
  scriptName_in: [string!]
  scriptName_leq: string
  scriptName_like: string
  scriptName_lt: string
  scriptName_neq: string
  scriptName_notin: [string!]
  scriptName_notlike: string
  sessionId: string
  sessionId_geq: string
  sessionId_gt: string
  sessionId_in: [string!]
  sessionId_leq: string
  sessionId_like: string
  sessionId_lt: string
  sessionId_neq: string
  sessionId_notin: [string!]
  sessionId_notlike: string
}

enum AccountBrowserRenderingEventsAdaptiveGroupsOrderBy {
  browserCloseReason_ASC
  browserCloseReason_DESC
  connectionId_ASC
  connectionId_DESC
  count_ASC
  count_DESC
  date_ASC
  date_DESC
  datetimeFifteenMinutes_ASC
  datetimeFifteenMinutes_DESC
  datetimeFiveMinutes_ASC
  datetimeFiveMinutes_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  max_finalBrowserCloseReason_ASC
  max_finalBrowserCloseReason_DESC
  max_latestBrowserEndTime_ASC
  max_latestBrowserEndTime_DESC
  min_earliestBrowserStartTime_ASC
  min_earliestBrowserStartTime_DESC
  scriptName_ASC
  scriptName_DESC
  sessionId_ASC
  sessionId_DESC
  uniq_connectionIdCount_ASC
  uniq_connectionIdCount_DESC
  uniq_sessionIdCount_ASC
  uniq_sessionIdCount_DESC
}

type AccountD1AnalyticsAdaptiveGroups {
  avg: AccountD1AnalyticsAdaptiveGroupsAvg
  count: uint64!
  dimensions: AccountD1AnalyticsAdaptiveGroupsDimensions
  quantiles: AccountD1AnalyticsAdaptiveGroupsQuantiles
  sum: AccountD1AnalyticsAdaptiveGroupsSum
}

type AccountD1AnalyticsAdaptiveGroupsAvg {
  queryBatchResponseBytes: float64!
  queryBatchTimeMs: float64!
  sampleInterval: float64!
}

type AccountD1AnalyticsAdaptiveGroupsDimensions {
  databaseId: string!
  date: Date!
  datetimeFifteenMinutes: Time!
  datetimeFiveMinutes: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
}

type AccountD1AnalyticsAdaptiveGroupsQuantiles {
  queryBatchResponseBytesP50: float64!
  queryBatchResponseBytesP90: float64!
  queryBatchTimeMsP50: float64!
  queryBatchTimeMsP90: float64!
}

type AccountD1AnalyticsAdaptiveGroupsSum {
  queryBatchResponseBytes: float64!
  readQueries: uint64!
  rowsRead: uint64!
  rowsWritten: uint64!
  writeQueries: uint64!
}

input AccountD1AnalyticsAdaptiveGroupsFilter_InputObject {
  AND: [AccountD1AnalyticsAdaptiveGroupsFilter_InputObject!]
  OR: [AccountD1AnalyticsAdaptiveGroupsFilter_InputObject!]
  databaseId: string
  databaseId_geq: string
  databaseId_gt: string
  databaseId_in: [string!]
  databaseId_leq: string
  databaseId_like: string
  databaseId_lt: string
  databaseId_neq: string
  databaseId_notin: [string!]
  databaseId_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetimeFifteenMinutes: Time
  datetimeFifteenMinutes_geq: Time
  datetimeFifteenMinutes_gt: Time
  datetimeFifteenMinutes_in: [Time!]
  datetimeFifteenMinutes_leq: Time
  datetimeFifteenMinutes_lt: Time
  datetimeFifteenMinutes_neq: Time
  datetimeFifteenMinutes_notin: [Time!]
  datetimeFiveMinutes: Time
  datetimeFiveMinutes_geq: Time
  datetimeFiveMinutes_gt: Time
  datetimeFiveMinutes_in: [Time!]
  datetimeFiveMinutes_leq: Time
  datetimeFiveMinutes_lt: Time
  datetimeFiveMinutes_neq: Time
  datetimeFiveMinutes_notin: [Time!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
}

enum AccountD1AnalyticsAdaptiveGroupsOrderBy {
  avg_queryBatchResponseBytes_ASC
  avg_queryBatchResponseBytes_DESC
  avg_queryBatchTimeMs_ASC
  avg_queryBatchTimeMs_DESC
  avg_sampleInterval_ASC
  avg_sampleInterval_DESC
  count_ASC
  count_DESC
  databaseId_ASC
  databaseId_DESC
  date_ASC
  date_DESC
  datetimeFifteenMinutes_ASC
  datetimeFifteenMinutes_DESC
  datetimeFiveMinutes_ASC
  datetimeFiveMinutes_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  quantiles_queryBatchResponseBytesP50_ASC
  quantiles_queryBatchResponseBytesP50_DESC
  quantiles_queryBatchResponseBytesP90_ASC
  quantiles_queryBatchResponseBytesP90_DESC
  quantiles_queryBatchTimeMsP50_ASC
  quantiles_queryBatchTimeMsP50_DESC
  quantiles_queryBatchTimeMsP90_ASC
  quantiles_queryBatchTimeMsP90_DESC
  sum_queryBatchResponseBytes_ASC
  sum_queryBatchResponseBytes_DESC
  sum_readQueries_ASC
  sum_readQueries_DESC
  sum_rowsRead_ASC
  sum_rowsRead_DESC
  sum_rowsWritten_ASC
  sum_rowsWritten_DESC
  sum_writeQueries_ASC
  sum_writeQueries_DESC
}

type AccountD1StorageAdaptiveGroups {
  dimensions: AccountD1StorageAdaptiveGroupsDimensions
  max: AccountD1StorageAdaptiveGroupsMax
}

type AccountD1StorageAdaptiveGroupsDimensions {
  databaseId: string!
  date: Date!
  datetimeFifteenMinutes: Time!
  datetimeFiveMinutes: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
}

type AccountD1StorageAdaptiveGroupsMax {
  databaseSizeBytes: uint64!
}

input AccountD1StorageAdaptiveGroupsFilter_InputObject {
  AND: [AccountD1StorageAdaptiveGroupsFilter_InputObject!]
  OR: [AccountD1StorageAdaptiveGroupsFilter_InputObject!]
  databaseId: string
  databaseId_geq: string
  databaseId_gt: string
  databaseId_in: [string!]
  databaseId_leq: string
  databaseId_like: string
  databaseId_lt: string
  databaseId_neq: string
  databaseId_notin: [string!]
  databaseId_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetimeFifteenMinutes: Time
  datetimeFifteenMinutes_geq: Time
  datetimeFifteenMinutes_gt: Time
  datetimeFifteenMinutes_in: [Time!]
  datetimeFifteenMinutes_leq: Time
  datetimeFifteenMinutes_lt: Time
  datetimeFifteenMinutes_neq: Time
  datetimeFifteenMinutes_notin: [Time!]
  datetimeFiveMinutes: Time
  datetimeFiveMinutes_geq: Time
  datetimeFiveMinutes_gt: Time
  datetimeFiveMinutes_in: [Time!]
  datetimeFiveMinutes_leq: Time
  datetimeFiveMinutes_lt: Time
  datetimeFiveMinutes_neq: Time
  datetimeFiveMinutes_notin: [Time!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
}

enum AccountD1StorageAdaptiveGroupsOrderBy {
  databaseId_ASC
  databaseId_DESC
  date_ASC
  date_DESC
  datetimeFifteenMinutes_ASC
  datetimeFifteenMinutes_DESC
  datetimeFiveMinutes_ASC
  datetimeFiveMinutes_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  max_databaseSizeBytes_ASC
  max_databaseSizeBytes_DESC
}

type AccountDurableObjectsInvocationsAdaptiveGroups {
  avg: AccountDurableObjectsInvocationsAdaptiveGroupsAvg
  dimensions: AccountDurableObjectsInvocationsAdaptiveGroupsDimensions
  max: AccountDurableObjectsInvocationsAdaptiveGroupsMax
  min: AccountDurableObjectsInvocationsAdaptiveGroupsMin
  quantiles: AccountDurableObjectsInvocationsAdaptiveGroupsQuantiles
  sum: AccountDurableObjectsInvocationsAdaptiveGroupsSum
}

type AccountDurableObjectsInvocationsAdaptiveGroupsAvg {
  sampleInterval: float64!
}

type AccountDurableObjectsInvocationsAdaptiveGroupsDimensions {
  date: Date!
  datetime: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  environmentName: string!
  namespaceId: string!
  objectId: string!
  scriptName: string!
  status: string!
}

type AccountDurableObjectsInvocationsAdaptiveGroupsMax {
  responseBodySize: float64!
  wallTime: float64!
}

type AccountDurableObjectsInvocationsAdaptiveGroupsMin {
  responseBodySize: float64!
  wallTime: float64!
}

type AccountDurableObjectsInvocationsAdaptiveGroupsQuantiles {
  responseBodySizeP25: float32!
  responseBodySizeP50: float32!
  responseBodySizeP75: float32!
  responseBodySizeP90: float32!
  responseBodySizeP99: float32!
  responseBodySizeP999: float32!
  wallTimeP25: float32!
  wallTimeP50: float32!
  wallTimeP75: float32!
  wallTimeP90: float32!
  wallTimeP99: float32!
  wallTimeP999: float32!
}

scalar float32

type AccountDurableObjectsInvocationsAdaptiveGroupsSum {
  errors: uint64!
  requests: uint64!
  responseBodySize: uint64!
  wallTime: uint64!
}

input AccountDurableObjectsInvocationsAdaptiveGroupsFilter_InputObject {
  AND: [AccountDurableObjectsInvocationsAdaptiveGroupsFilter_InputObject!]
  OR: [AccountDurableObjectsInvocationsAdaptiveGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  environmentName: string
  environmentName_geq: string
  environmentName_gt: string
  environmentName_in: [string!]
  environmentName_leq: string
  environmentName_like: string
  environmentName_lt: string
  environmentName_neq: string
  environmentName_notin: [string!]
  environmentName_notlike: string
  namespaceId: string
  namespaceId_geq: string
  namespaceId_gt: string
  namespaceId_in: [string!]
  namespaceId_leq: string
  namespaceId_like: string
  namespaceId_lt: string
  namespaceId_neq: string
  namespaceId_notin: [string!]
  namespaceId_notlike: string
  objectId: string
  objectId_geq: string
  objectId_gt: string
  objectId_in: [string!]
  objectId_leq: string
  objectId_like: string
  objectId_lt: string
  objectId_neq: string
  objectId_notin: [string!]
  objectId_notlike: string
  scriptName: string
  scriptName_geq: string
  scriptName_gt: string
  scriptName_in: [string!]
  scriptName_leq: string
  scriptName_like: string
  scriptName_lt: string
  scriptName_neq: string
  scriptName_notin: [string!]
  scriptName_notlike: string
  status: string
  status_geq: string
  status_gt: string
  status_in: [string!]
  status_leq: string
  status_like: string
  status_lt: string
  status_neq: string
  status_notin: [string!]
  status_notlike: string
}

enum AccountDurableObjectsInvocationsAdaptiveGroupsOrderBy {
  avg_sampleInterval_ASC
  avg_sampleInterval_DESC
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  environmentName_ASC
  environmentName_DESC
  max_responseBodySize_ASC
  max_responseBodySize_DESC
  max_wallTime_ASC
  max_wallTime_DESC
  min_responseBodySize_ASC
  min_responseBodySize_DESC
  min_wallTime_ASC
  min_wallTime_DESC
  namespaceId_ASC
  namespaceId_DESC
  objectId_ASC
  objectId_DESC
  quantiles_responseBodySizeP25_ASC
  quantiles_responseBodySizeP25_DESC
  quantiles_responseBodySizeP50_ASC
  quantiles_responseBodySizeP50_DESC
  quantiles_responseBodySizeP75_ASC
  quantiles_responseBodySizeP75_DESC
  quantiles_responseBodySizeP90_ASC
  quantiles_responseBodySizeP90_DESC
  quantiles_responseBodySizeP999_ASC
  quantiles_responseBodySizeP999_DESC
  quantiles_responseBodySizeP99_ASC
  quantiles_responseBodySizeP99_DESC
  quantiles_wallTimeP25_ASC
  quantiles_wallTimeP25_DESC
  quantiles_wallTimeP50_ASC
  quantiles_wallTimeP50_DESC
  quantiles_wallTimeP75_ASC
  quantiles_wallTimeP75_DESC
  quantiles_wallTimeP90_ASC
  quantiles_wallTimeP90_DESC
  quantiles_wallTimeP999_ASC
  quantiles_wallTimeP999_DESC
  quantiles_wallTimeP99_ASC
  quantiles_wallTimeP99_DESC
  scriptName_ASC
  scriptName_DESC
  status_ASC
  status_DESC
  sum_errors_ASC
  sum_errors_DESC
  sum_requests_ASC
  sum_requests_DESC
  sum_responseBodySize_ASC
  sum_responseBodySize_DESC
  sum_wallTime_ASC
  sum_wallTime_DESC
}

type AccountDurableObjectsPeriodicGroups {
  dimensions: AccountDurableObjectsPeriodicGroupsDimensions
  max: AccountDurableObjectsPeriodicGroupsMax
  sum: AccountDurableObjectsPeriodicGroupsSum
}

type AccountDurableObjectsPeriodicGroupsDimensions {
  date: Date!
  datetimeHour: Time!
  datetimeMinute: Time!
  namespaceId: string!
  objectId: string!
}

type AccountDurableObjectsPeriodicGroupsMax {
  activeWebsocketConnections: uint16!
}

scalar uint16

type AccountDurableObjectsPeriodicGroupsSum {
  activeTime: uint64!
  cpuTime: uint64!
  duration: float64!
  exceededCpuErrors: uint64!
  exceededMemoryErrors: uint64!
  fatalInternalErrors: uint64!
  inboundWebsocketMsgCount: uint64!
  outboundWebsocketMsgCount: uint64!
  storageDeletes: uint64!
  storageReadUnits: uint64!
  storageWriteUnits: uint64!
  subrequests: uint64!
}

input AccountDurableObjectsPeriodicGroupsFilter_InputObject {
  AND: [AccountDurableObjectsPeriodicGroupsFilter_InputObject!]
  OR: [AccountDurableObjectsPeriodicGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  namespaceId: string
  namespaceId_geq: string
  namespaceId_gt: string
  namespaceId_in: [string!]
  namespaceId_leq: string
  namespaceId_like: string
  namespaceId_lt: string
  namespaceId_neq: string
  namespaceId_notin: [string!]
  namespaceId_notlike: string
  objectId: string
  objectId_geq: string
  objectId_gt: string
  objectId_in: [string!]
  objectId_leq: string
  objectId_like: string
  objectId_lt: string
  objectId_neq: string
  objectId_notin: [string!]
  objectId_notlike: string
}

enum AccountDurableObjectsPeriodicGroupsOrderBy {
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  max_activeWebsocketConnections_ASC
  max_activeWebsocketConnections_DESC
  namespaceId_ASC
  namespaceId_DESC
  objectId_ASC
  objectId_DESC
  sum_activeTime_ASC
  sum_activeTime_DESC
  sum_cpuTime_ASC
  sum_cpuTime_DESC
  sum_duration_ASC
  sum_duration_DESC
  sum_exceededCpuErrors_ASC
  sum_exceededCpuErrors_DESC
  sum_exceededMemoryErrors_ASC
  sum_exceededMemoryErrors_DESC
  sum_fatalInternalErrors_ASC
  sum_fatalInternalErrors_DESC
  sum_inboundWebsocketMsgCount_ASC
  sum_inboundWebsocketMsgCount_DESC
  sum_outboundWebsocketMsgCount_ASC
  sum_outboundWebsocketMsgCount_DESC
  sum_storageDeletes_ASC
  sum_storageDeletes_DESC
  sum_storageReadUnits_ASC
  sum_storageReadUnits_DESC
  sum_storageWriteUnits_ASC
  sum_storageWriteUnits_DESC
  sum_subrequests_ASC
  sum_subrequests_DESC
}

type AccountDurableObjectsStorageGroups {
  dimensions: AccountDurableObjectsStorageGroupsDimensions
  max: AccountDurableObjectsStorageGroupsMax
}

type AccountDurableObjectsStorageGroupsDimensions {
  date: Date!
  datetimeHour: Time!
}

type AccountDurableObjectsStorageGroupsMax {
  storedBytes: uint64!
}

input AccountDurableObjectsStorageGroupsFilter_InputObject {
  AND: [AccountDurableObjectsStorageGroupsFilter_InputObject!]
  OR: [AccountDurableObjectsStorageGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
}

enum AccountDurableObjectsStorageGroupsOrderBy {
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  max_storedBytes_ASC
  max_storedBytes_DESC
}

type AccountDurableObjectsSubrequestsAdaptiveGroups {
  dimensions: AccountDurableObjectsSubrequestsAdaptiveGroupsDimensions
  sum: AccountDurableObjectsSubrequestsAdaptiveGroupsSum
}

type AccountDurableObjectsSubrequestsAdaptiveGroupsDimensions {
  date: Date!
  datetime: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  environmentName: string!
  namespaceId: string!
  objectId: string!
  scriptName: string!
}

type AccountDurableObjectsSubrequestsAdaptiveGroupsSum {
  requestBodySizeUncached: uint64!
}

input AccountDurableObjectsSubrequestsAdaptiveGroupsFilter_InputObject {
  AND: [AccountDurableObjectsSubrequestsAdaptiveGroupsFilter_InputObject!]
  OR: [AccountDurableObjectsSubrequestsAdaptiveGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  environmentName: string
  environmentName_geq: string
  environmentName_gt: string
  environmentName_in: [string!]
  environmentName_leq: string
  environmentName_like: string
  environmentName_lt: string
  environmentName_neq: string
  environmentName_notin: [string!]
  environmentName_notlike: string
  namespaceId: string
  namespaceId_geq: string
  namespaceId_gt: string
  namespaceId_in: [string!]
  namespaceId_leq: string
  namespaceId_like: string
  namespaceId_lt: string
  namespaceId_neq: string
  namespaceId_notin: [string!]
  namespaceId_notlike: string
  objectId: string
  objectId_geq: string
  objectId_gt: string
  objectId_in: [string!]
  objectId_leq: string
  objectId_like: string
  objectId_lt: string
  objectId_neq: string
  objectId_notin: [string!]
  objectId_notlike: string
  scriptName: string
  scriptName_geq: string
  scriptName_gt: string
  scriptName_in: [string!]
  scriptName_leq: string
  scriptName_like: string
  scriptName_lt: string
  scriptName_neq: string
  scriptName_notin: [string!]
  scriptName_notlike: string
}

enum AccountDurableObjectsSubrequestsAdaptiveGroupsOrderBy {
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  environmentName_ASC
  environmentName_DESC
  namespaceId_ASC
  namespaceId_DESC
  objectId_ASC
  objectId_DESC
  scriptName_ASC
  scriptName_DESC
  sum_requestBodySizeUncached_ASC
  sum_requestBodySizeUncached_DESC
}

type AccountHyperdriveQueriesAdaptiveGroups {
  avg: AccountHyperdriveQueriesAdaptiveGroupsAvg
  count: uint64!
  dimensions: AccountHyperdriveQueriesAdaptiveGroupsDimensions
  sum: AccountHyperdriveQueriesAdaptiveGroupsSum
}

type AccountHyperdriveQueriesAdaptiveGroupsAvg {
  connectionLatency: uint64!
  queryBytes: uint64!
  queryLatency: uint64!
  resultBytes: uint64!
  sampleInterval: float64!
}

type AccountHyperdriveQueriesAdaptiveGroupsDimensions {
  cacheStatus: string!
  configId: string!
  date: Date!
  datetime: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  eventStatus: string!
}

type AccountHyperdriveQueriesAdaptiveGroupsSum {
  connectionLatency: uint64!
  queryBytes: uint64!
  queryLatency: uint64!
  resultBytes: uint64!
}

input AccountHyperdriveQueriesAdaptiveGroupsFilter_InputObject {
  AND: [AccountHyperdriveQueriesAdaptiveGroupsFilter_InputObject!]
  OR: [AccountHyperdriveQueriesAdaptiveGroupsFilter_InputObject!]
  cacheStatus: string
  cacheStatus_geq: string
  cacheStatus_gt: string
  cacheStatus_in: [string!]
  cacheStatus_leq: string
  cacheStatus_like: string
  cacheStatus_lt: string
  cacheStatus_neq: string
  cacheStatus_notin: [string!]
  cacheStatus_notlike: string
  configId: string
  configId_geq: string
  configId_gt: string
  configId_in: [string!]
  configId_leq: string
  configId_like: string
  configId_lt: string
  configId_neq: string
  configId_notin: [string!]
  configId_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  eventStatus: string
  eventStatus_geq: string
  eventStatus_gt: string
  eventStatus_in: [string!]
  eventStatus_leq: string
  eventStatus_like: string
  eventStatus_lt: string
  eventStatus_neq: string
  eventStatus_notin: [string!]
  eventStatus_notlike: string
}

enum AccountHyperdriveQueriesAdaptiveGroupsOrderBy {
  avg_connectionLatency_ASC
  avg_connectionLatency_DESC
  avg_queryBytes_ASC
  avg_queryBytes_DESC
  avg_queryLatency_ASC
  avg_queryLatency_DESC
  avg_resultBytes_ASC
  avg_resultBytes_DESC
  avg_sampleInterval_ASC
  avg_sampleInterval_DESC
  cacheStatus_ASC
  cacheStatus_DESC
  configId_ASC
  configId_DESC
  count_ASC
  count_DESC
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  eventStatus_ASC
  eventStatus_DESC
  sum_connectionLatency_ASC
  sum_connectionLatency_DESC
  sum_queryBytes_ASC
  sum_queryBytes_DESC
  sum_queryLatency_ASC
  sum_queryLatency_DESC
  sum_resultBytes_ASC
  sum_resultBytes_DESC
}

type AccountImagesRequestsAdaptiveGroups {
  avg: AccountImagesRequestsAdaptiveGroupsAvg
  dimensions: AccountImagesRequestsAdaptiveGroupsDimensions
  sum: AccountImagesRequestsAdaptiveGroupsSum
}

type AccountImagesRequestsAdaptiveGroupsAvg {
  sampleInterval: float64!
}

type AccountImagesRequestsAdaptiveGroupsDimensions {
  date: Date!
  datetime: Time!
  datetimeFifteenMinutes: Time!
  datetimeFiveMinutes: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
}

type AccountImagesRequestsAdaptiveGroupsSum {
  requests: uint64!
}

input AccountImagesRequestsAdaptiveGroupsFilter_InputObject {
  AND: [AccountImagesRequestsAdaptiveGroupsFilter_InputObject!]
  OR: [AccountImagesRequestsAdaptiveGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeFifteenMinutes: Time
  datetimeFifteenMinutes_geq: Time
  datetimeFifteenMinutes_gt: Time
  datetimeFifteenMinutes_in: [Time!]
  datetimeFifteenMinutes_leq: Time
  datetimeFifteenMinutes_lt: Time
  datetimeFifteenMinutes_neq: Time
  datetimeFifteenMinutes_notin: [Time!]
  datetimeFiveMinutes: Time
  datetimeFiveMinutes_geq: Time
  datetimeFiveMinutes_gt: Time
  datetimeFiveMinutes_in: [Time!]
  datetimeFiveMinutes_leq: Time
  datetimeFiveMinutes_lt: Time
  datetimeFiveMinutes_neq: Time
  datetimeFiveMinutes_notin: [Time!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
}

enum AccountImagesRequestsAdaptiveGroupsOrderBy {
  avg_sampleInterval_ASC
  avg_sampleInterval_DESC
  date_ASC
  date_DESC
  datetimeFifteenMinutes_ASC
  datetimeFifteenMinutes_DESC
  datetimeFiveMinutes_ASC
  datetimeFiveMinutes_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  edgeResponseStatus_ASC
  edgeResponseStatus_DESC
  sum_requests_ASC
  sum_requests_DESC
}

type AccountImagesUniqueTransformations {
  date: Date!
  transformations: uint64!
}

input AccountImagesUniqueTransformationsFilter_InputObject {
  AND: [AccountImagesUniqueTransformationsFilter_InputObject!]
  OR: [AccountImagesUniqueTransformationsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  transformations: uint64
  transformations_geq: uint64
  transformations_gt: uint64
  transformations_in: [uint64!]
  transformations_leq: uint64
  transformations_lt: uint64
  transformations_neq: uint64
  transformations_notin: [uint64!]
}

enum AccountImagesUniqueTransformationsOrderBy {
  date_ASC
  date_DESC
  transformations_ASC
  transformations_DESC
}

type AccountQueueBacklogAdaptiveGroups {
  avg: AccountQueueBacklogAdaptiveGroupsAvg
  dimensions: AccountQueueBacklogAdaptiveGroupsDimensions
}

type AccountQueueBacklogAdaptiveGroupsAvg {
  bytes: uint64!
  messages: uint64!
  sampleInterval: float64!
}

type AccountQueueBacklogAdaptiveGroupsDimensions {
  date: Date!
  datetime: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  queueId: string!
}

input AccountQueueBacklogAdaptiveGroupsFilter_InputObject {
  AND: [AccountQueueBacklogAdaptiveGroupsFilter_InputObject!]
  OR: [AccountQueueBacklogAdaptiveGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  queueId: string
  queueId_geq: string
  queueId_gt: string
  queueId_in: [string!]
  queueId_leq: string
  queueId_like: string
  queueId_lt: string
  queueId_neq: string
  queueId_notin: [string!]
  queueId_notlike: string
}

enum AccountQueueBacklogAdaptiveGroupsOrderBy {
  avg_bytes_ASC
  avg_bytes_DESC
  avg_messages_ASC
  avg_messages_DESC
  avg_sampleInterval_ASC
  avg_sampleInterval_DESC
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  queueId_ASC
  queueId_DESC
}

type AccountQueueMessageOperationsAdaptiveGroups {
  avg: AccountQueueMessageOperationsAdaptiveGroupsAvg
  count: uint64!
  dimensions: AccountQueueMessageOperationsAdaptiveGroupsDimensions
  max: AccountQueueMessageOperationsAdaptiveGroupsMax
  sum: AccountQueueMessageOperationsAdaptiveGroupsSum
}

type AccountQueueMessageOperationsAdaptiveGroupsAvg {
  lagTime: uint64!
  retryCount: uint32!
  sampleInterval: float64!
}

type AccountQueueMessageOperationsAdaptiveGroupsDimensions {
  actionType: string!
  consumerType: string!
  date: Date!
  datetime: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  outcome: string!
  queueId: string!
}

type AccountQueueMessageOperationsAdaptiveGroupsMax {
  messageSize: uint32!
}

type AccountQueueMessageOperationsAdaptiveGroupsSum {
  billableOperations: uint64!
  bytes: uint64!
}

input AccountQueueMessageOperationsAdaptiveGroupsFilter_InputObject {
  AND: [AccountQueueMessageOperationsAdaptiveGroupsFilter_InputObject!]
  OR: [AccountQueueMessageOperationsAdaptiveGroupsFilter_InputObject!]
  actionType: string
  actionType_geq: string
  actionType_gt: string
  actionType_in: [string!]
  actionType_leq: string
  actionType_like: string
  actionType_lt: string
  actionType_neq: string
  actionType_notin: [string!]
  actionType_notlike: string
  consumerType: string
  consumerType_geq: string
  consumerType_gt: string
  consumerType_in: [string!]
  consumerType_leq: string
  consumerType_like: string
  consumerType_lt: string
  consumerType_neq: string
  consumerType_notin: [string!]
  consumerType_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  outcome: string
  outcome_geq: string
  outcome_gt: string
  outcome_in: [string!]
  outcome_leq: string
  outcome_like: string
  outcome_lt: string
  outcome_neq: string
  outcome_notin: [string!]
  outcome_notlike: string
  queueId: string
  queueId_geq: string
  queueId_gt: string
  queueId_in: [string!]
  queueId_leq: string
  queueId_like: string
  queueId_lt: string
  queueId_neq: string
  queueId_notin: [string!]
  queueId_notlike: string
}

enum AccountQueueMessageOperationsAdaptiveGroupsOrderBy {
  actionType_ASC
  actionType_DESC
  avg_lagTime_ASC
  avg_lagTime_DESC
  avg_retryCount_ASC
  avg_retryCount_DESC
  avg_sampleInterval_ASC
  avg_sampleInterval_DESC
  consumerType_ASC
  consumerType_DESC
  count_ASC
  count_DESC
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  max_messageSize_ASC
  max_messageSize_DESC
  outcome_ASC
  outcome_DESC
  queueId_ASC
  queueId_DESC
  sum_billableOperations_ASC
  sum_billableOperations_DESC
  sum_bytes_ASC
  sum_bytes_DESC
}

type AccountR2OperationsAdaptiveGroups {
  dimensions: AccountR2OperationsAdaptiveGroupsDimensions
  sum: AccountR2OperationsAdaptiveGroupsSum
}

type AccountR2OperationsAdaptiveGroupsDimensions {
  actionStatus: string!
  actionType: string!
  bucketName: string!
  date: Date!
  datetime: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  objectName: string!
  responseStatusCode: uint16!
  storageClass: string!
}

type AccountR2OperationsAdaptiveGroupsSum {
  requests: uint64!
  responseBytes: uint64!
  responseObjectSize: uint64!
}

input AccountR2OperationsAdaptiveGroupsFilter_InputObject {
  AND: [AccountR2OperationsAdaptiveGroupsFilter_InputObject!]
  OR: [AccountR2OperationsAdaptiveGroupsFilter_InputObject!]
  actionStatus: string
  actionStatus_geq: string
  actionStatus_gt: string
  actionStatus_in: [string!]
  actionStatus_leq: string
  actionStatus_like: string
  actionStatus_lt: string
  actionStatus_neq: string
  actionStatus_notin: [string!]
  actionStatus_notlike: string
  actionType: string
  actionType_geq: string
  actionType_gt: string
  actionType_in: [string!]
  actionType_leq: string
  actionType_like: string
  actionType_lt: string
  actionType_neq: string
  actionType_notin: [string!]
  actionType_notlike: string
  bucketName: string
  bucketName_geq: string
  bucketName_gt: string
  bucketName_in: [string!]
  bucketName_leq: string
  bucketName_like: string
  bucketName_lt: string
  bucketName_neq: string
  bucketName_notin: [string!]
  bucketName_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  objectName: string
  objectName_geq: string
  objectName_gt: string
  objectName_in: [string!]
  objectName_leq: string
  objectName_like: string
  objectName_lt: string
  objectName_neq: string
  objectName_notin: [string!]
  objectName_notlike: string
  responseStatusCode: uint16
  responseStatusCode_geq: uint16
  responseStatusCode_gt: uint16
  responseStatusCode_in: [uint16!]
  responseStatusCode_leq: uint16
  responseStatusCode_lt: uint16
  responseStatusCode_neq: uint16
  responseStatusCode_notin: [uint16!]
  storageClass: string
  storageClass_geq: string
  storageClass_gt: string
  storageClass_in: [string!]
  storageClass_leq: string
  storageClass_like: string
  storageClass_lt: string
  storageClass_neq: string
  storageClass_notin: [string!]
  storageClass_notlike: string
}

enum AccountR2OperationsAdaptiveGroupsOrderBy {
  actionStatus_ASC
  actionStatus_DESC
  actionType_ASC
  actionType_DESC
  bucketName_ASC
  bucketName_DESC
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  objectName_ASC
  objectName_DESC
  responseStatusCode_ASC
  responseStatusCode_DESC
  storageClass_ASC
  storageClass_DESC
  sum_requests_ASC
  sum_requests_DESC
  sum_responseBytes_ASC
  sum_responseBytes_DESC
  sum_responseObjectSize_ASC
  sum_responseObjectSize_DESC
}

type AccountR2StorageAdaptiveGroups {
  dimensions: AccountR2StorageAdaptiveGroupsDimensions
  max: AccountR2StorageAdaptiveGroupsMax
}

type AccountR2StorageAdaptiveGroupsDimensions {
  bucketName: string!
  date: Date!
  datetime: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  storageClass: string!
}

type AccountR2StorageAdaptiveGroupsMax {
  metadataSize: uint64!
  objectCount: uint64!
  payloadSize: uint64!
  uploadCount: uint64!
}

input AccountR2StorageAdaptiveGroupsFilter_InputObject {
  AND: [AccountR2StorageAdaptiveGroupsFilter_InputObject!]
  OR: [AccountR2StorageAdaptiveGroupsFilter_InputObject!]
  bucketName: string
  bucketName_geq: string
  bucketName_gt: string
  bucketName_in: [string!]
  bucketName_leq: string
  bucketName_like: string
  bucketName_lt: string
  bucketName_neq: string
  bucketName_notin: [string!]
  bucketName_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  storageClass: string
  storageClass_geq: string
  storageClass_gt: string
  storageClass_in: [string!]
  storageClass_leq: string
  storageClass_like: string
  storageClass_lt: string
  storageClass_neq: string
  storageClass_notin: [string!]
  storageClass_notlike: string
}

enum AccountR2StorageAdaptiveGroupsOrderBy {
  bucketName_ASC
  bucketName_DESC
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  max_metadataSize_ASC
  max_metadataSize_DESC
  max_objectCount_ASC
  max_objectCount_DESC
  max_payloadSize_ASC
  max_payloadSize_DESC
  max_uploadCount_ASC
  max_uploadCount_DESC
  storageClass_ASC
  storageClass_DESC
}

type AccountStreamMinutesViewedAdaptiveGroups {
  count: uint64!
  dimensions: AccountStreamMinutesViewedAdaptiveGroupsDimensions
  sum: AccountStreamMinutesViewedAdaptiveGroupsSum
}

type AccountStreamMinutesViewedAdaptiveGroupsDimensions {
  clientCountryName: string!
  creator: string!
  date: Date!
  datetime: Time!
  datetimeFifteenMinutes: Time!
  datetimeFiveMinutes: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  mediaType: string!
  uid: string!
}

type AccountStreamMinutesViewedAdaptiveGroupsSum {
  minutesViewed: uint64!
}

input AccountStreamMinutesViewedAdaptiveGroupsFilter_InputObject {
  AND: [AccountStreamMinutesViewedAdaptiveGroupsFilter_InputObject!]
  OR: [AccountStreamMinutesViewedAdaptiveGroupsFilter_InputObject!]
  clientCountryName: string
  clientCountryName_geq: string
  clientCountryName_gt: string
  clientCountryName_in: [string!]
  clientCountryName_leq: string
  clientCountryName_like: string
  clientCountryName_lt: string
  clientCountryName_neq: string
  clientCountryName_notin: [string!]
  clientCountryName_notlike: string
  creator: string
  creator_geq: string
  creator_gt: string
  creator_in: [string!]
  creator_leq: string
  creator_like: string
  creator_lt: string
  creator_neq: string
  creator_notin: [string!]
  creator_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeFifteenMinutes: Time
  datetimeFifteenMinutes_geq: Time
  datetimeFifteenMinutes_gt: Time
  datetimeFifteenMinutes_in: [Time!]
  datetimeFifteenMinutes_leq: Time
  datetimeFifteenMinutes_lt: Time
  datetimeFifteenMinutes_neq: Time
  datetimeFifteenMinutes_notin: [Time!]
  datetimeFiveMinutes: Time
  datetimeFiveMinutes_geq: Time
  datetimeFiveMinutes_gt: Time
  datetimeFiveMinutes_in: [Time!]
  datetimeFiveMinutes_leq: Time
  datetimeFiveMinutes_lt: Time
  datetimeFiveMinutes_neq: Time
  datetimeFiveMinutes_notin: [Time!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  mediaType: string
  mediaType_geq: string
  mediaType_gt: string
  mediaType_in: [string!]
  mediaType_leq: string
  mediaType_like: string
  mediaType_lt: string
  mediaType_neq: string
  mediaType_notin: [string!]
  mediaType_notlike: string
  uid: string
  uid_geq: string
  uid_gt: string
  uid_in: [string!]
  uid_leq: string
  uid_like: string
  uid_lt: string
  uid_neq: string
  uid_notin: [string!]
  uid_notlike: string
}

enum AccountStreamMinutesViewedAdaptiveGroupsOrderBy {
  clientCountryName_ASC
  clientCountryName_DESC
  count_ASC
  count_DESC
  creator_ASC
  creator_DESC
  date_ASC
  date_DESC
  datetimeFifteenMinutes_ASC
  datetimeFifteenMinutes_DESC
  datetimeFiveMinutes_ASC
  datetimeFiveMinutes_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  mediaType_ASC
  mediaType_DESC
  sum_minutesViewed_ASC
  sum_minutesViewed_DESC
  uid_ASC
  uid_DESC
}

type AccountVectorizeQueriesAdaptiveGroups {
  dimensions: AccountVectorizeQueriesAdaptiveGroupsDimensions
  sum: AccountVectorizeQueriesAdaptiveGroupsSum
}

type AccountVectorizeQueriesAdaptiveGroupsDimensions {
  date: Date!
  datetimeHour: Time!
  vectorizeIndexId: string!
}

type AccountVectorizeQueriesAdaptiveGroupsSum {
  queriedVectorDimensions: uint64!
}

input AccountVectorizeQueriesAdaptiveGroupsFilter_InputObject {
  AND: [AccountVectorizeQueriesAdaptiveGroupsFilter_InputObject!]
  OR: [AccountVectorizeQueriesAdaptiveGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  vectorizeIndexId: string
  vectorizeIndexId_geq: string
  vectorizeIndexId_gt: string
  vectorizeIndexId_in: [string!]
  vectorizeIndexId_leq: string
  vectorizeIndexId_like: string
  vectorizeIndexId_lt: string
  vectorizeIndexId_neq: string
  vectorizeIndexId_notin: [string!]
  vectorizeIndexId_notlike: string
}

enum AccountVectorizeQueriesAdaptiveGroupsOrderBy {
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  sum_queriedVectorDimensions_ASC
  sum_queriedVectorDimensions_DESC
  vectorizeIndexId_ASC
  vectorizeIndexId_DESC
}

type AccountVectorizeStorageAdaptiveGroups {
  dimensions: AccountVectorizeStorageAdaptiveGroupsDimensions
  max: AccountVectorizeStorageAdaptiveGroupsMax
}

type AccountVectorizeStorageAdaptiveGroupsDimensions {
  date: Date!
  datetimeHour: Time!
  vectorizeIndexId: string!
}

type AccountVectorizeStorageAdaptiveGroupsMax {
  storedVectorDimensions: uint64!
}

input AccountVectorizeStorageAdaptiveGroupsFilter_InputObject {
  AND: [AccountVectorizeStorageAdaptiveGroupsFilter_InputObject!]
  OR: [AccountVectorizeStorageAdaptiveGroupsFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  vectorizeIndexId: string
  vectorizeIndexId_geq: string
  vectorizeIndexId_gt: string
  vectorizeIndexId_in: [string!]
  vectorizeIndexId_leq: string
  vectorizeIndexId_like: string
  vectorizeIndexId_lt: string
  vectorizeIndexId_neq: string
  vectorizeIndexId_notin: [string!]
  vectorizeIndexId_notlike: string
}

enum AccountVectorizeStorageAdaptiveGroupsOrderBy {
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  max_storedVectorDimensions_ASC
  max_storedVectorDimensions_DESC
  vectorizeIndexId_ASC
  vectorizeIndexId_DESC
}

type AccountWorkersAnalyticsEngineAdaptiveGroups {
  count: uint64!
  dimensions: AccountWorkersAnalyticsEngineAdaptiveGroupsDimensions
}

type AccountWorkersAnalyticsEngineAdaptiveGroupsDimensions {
  dataset: string!
  date: Date!
  datetime: Time!
  datetimeFifteenMinutes: Time!
  datetimeFiveMinutes: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
}

input AccountWorkersAnalyticsEngineAdaptiveGroupsFilter_InputObject {
  AND: [AccountWorkersAnalyticsEngineAdaptiveGroupsFilter_InputObject!]
  OR: [AccountWorkersAnalyticsEngineAdaptiveGroupsFilter_InputObject!]
  dataset: string
  dataset_geq: string
  dataset_gt: string
  dataset_in: [string!]
  dataset_leq: string
  dataset_like: string
  dataset_lt: string
  dataset_neq: string
  dataset_notin: [string!]
  dataset_notlike: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeFifteenMinutes: Time
  datetimeFifteenMinutes_geq: Time
  datetimeFifteenMinutes_gt: Time
  datetimeFifteenMinutes_in: [Time!]
  datetimeFifteenMinutes_leq: Time
  datetimeFifteenMinutes_lt: Time
  datetimeFifteenMinutes_neq: Time
  datetimeFifteenMinutes_notin: [Time!]
  datetimeFiveMinutes: Time
  datetimeFiveMinutes_geq: Time
  datetimeFiveMinutes_gt: Time
  datetimeFiveMinutes_in: [Time!]
  datetimeFiveMinutes_leq: Time
  datetimeFiveMinutes_lt: Time
  datetimeFiveMinutes_neq: Time
  datetimeFiveMinutes_notin: [Time!]
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
}

enum AccountWorkersAnalyticsEngineAdaptiveGroupsOrderBy {
  count_ASC
  count_DESC
  dataset_ASC
  dataset_DESC
  date_ASC
  date_DESC
  datetimeFifteenMinutes_ASC
  datetimeFifteenMinutes_DESC
  datetimeFiveMinutes_ASC
  datetimeFiveMinutes_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
}

type AccountWorkersInvocationsAdaptive {
  avg: AccountWorkersInvocationsAdaptiveAvg
  dimensions: AccountWorkersInvocationsAdaptiveDimensions
  max: AccountWorkersInvocationsAdaptiveMax
  min: AccountWorkersInvocationsAdaptiveMin
  quantiles: AccountWorkersInvocationsAdaptiveQuantiles
  sum: AccountWorkersInvocationsAdaptiveSum
}

type AccountWorkersInvocationsAdaptiveAvg {
  sampleInterval: float64!
}

type AccountWorkersInvocationsAdaptiveDimensions {
  date: Date!
  datetime: Time!
  datetimeHour: Time!
  datetimeMinute: Time!
  dispatchNamespaceName: string!
  environmentName: string!
  isDispatcher: uint8!
  scriptName: string!
  scriptTag: string!
  scriptVersion: string!
  status: string!
  usageModel: string!
}

type AccountWorkersInvocationsAdaptiveMax {
  cpuTime: float64!
  duration: float64!
  responseBodySize: float64!
  wallTime: float64!
}

type AccountWorkersInvocationsAdaptiveMin {
  cpuTime: float64!
  duration: float64!
  responseBodySize: float64!
  wallTime: float64!
}

type AccountWorkersInvocationsAdaptiveQuantiles {
  cpuTimeP25: float32!
  cpuTimeP50: float32!
  cpuTimeP75: float32!
  cpuTimeP90: float32!
  cpuTimeP99: float32!
  cpuTimeP999: float32!
  durationP25: float32!
  durationP50: float32!
  durationP75: float32!
  durationP90: float32!
  durationP99: float32!
  durationP999: float32!
  responseBodySizeP25: float32!
  responseBodySizeP50: float32!
  responseBodySizeP75: float32!
  responseBodySizeP90: float32!
  responseBodySizeP99: float32!
  responseBodySizeP999: float32!
  wallTimeP25: float32!
  wallTimeP50: float32!
  wallTimeP75: float32!
  wallTimeP90: float32!
  wallTimeP99: float32!
  wallTimeP999: float32!
}

type AccountWorkersInvocationsAdaptiveSum {
  cpuTimeUs: uint64!
  duration: float64!
  errors: uint64!
  requests: uint64!
  responseBodySize: uint64!
  subrequests: uint64!
  wallTime: uint64!
}

input AccountWorkersInvocationsAdaptiveFilter_InputObject {
  AND: [AccountWorkersInvocationsAdaptiveFilter_InputObject!]
  OR: [AccountWorkersInvocationsAdaptiveFilter_InputObject!]
  date: Date
  date_geq: Date
  date_gt: Date
  date_in: [Date!]
  date_leq: Date
  date_lt: Date
  date_neq: Date
  date_notin: [Date!]
  datetime: Time
  datetimeHour: Time
  datetimeHour_geq: Time
  datetimeHour_gt: Time
  datetimeHour_in: [Time!]
  datetimeHour_leq: Time
  datetimeHour_lt: Time
  datetimeHour_neq: Time
  datetimeHour_notin: [Time!]
  datetimeMinute: Time
  datetimeMinute_geq: Time
  datetimeMinute_gt: Time
  datetimeMinute_in: [Time!]
  datetimeMinute_leq: Time
  datetimeMinute_lt: Time
  datetimeMinute_neq: Time
  datetimeMinute_notin: [Time!]
  datetime_geq: Time
  datetime_gt: Time
  datetime_in: [Time!]
  datetime_leq: Time
  datetime_lt: Time
  datetime_neq: Time
  datetime_notin: [Time!]
  dispatchNamespaceName: string
  dispatchNamespaceName_geq: string
  dispatchNamespaceName_gt: string
  dispatchNamespaceName_in: [string!]
  dispatchNamespaceName_leq: string
  dispatchNamespaceName_like: string
  dispatchNamespaceName_lt: string
  dispatchNamespaceName_neq: string
  dispatchNamespaceName_notin: [string!]
  dispatchNamespaceName_notlike: string
  environmentName: string
  environmentName_geq: string
  environmentName_gt: string
  environmentName_in: [string!]
  environmentName_leq: string
  environmentName_like: string
  environmentName_lt: string
  environmentName_neq: string
  environmentName_notin: [string!]
  environmentName_notlike: string
  isDispatcher: uint8
  isDispatcher_geq: uint8
  isDispatcher_gt: uint8
  isDispatcher_in: bytes
  isDispatcher_leq: uint8
  isDispatcher_lt: uint8
  isDispatcher_neq: uint8
  isDispatcher_notin: bytes
  scriptName: string
  scriptName_geq: string
  scriptName_gt: string
  scriptName_in: [string!]
  scriptName_leq: string
  scriptName_like: string
  scriptName_lt: string
  scriptName_neq: string
  scriptName_notin: [string!]
  scriptName_notlike: string
  scriptTag: string
  scriptTag_geq: string
  scriptTag_gt: string
  scriptTag_in: [string!]
  scriptTag_leq: string
  scriptTag_like: string
  scriptTag_lt: string
  scriptTag_neq: string
  scriptTag_notin: [string!]
  scriptTag_notlike: string
  scriptVersion: string
  scriptVersion_geq: string
  scriptVersion_gt: string
  scriptVersion_in: [string!]
  scriptVersion_leq: string
  scriptVersion_like: string
  scriptVersion_lt: string
  scriptVersion_neq: string
  scriptVersion_notin: [string!]
  scriptVersion_notlike: string
  status: string
  status_geq: string
  status_gt: string
  status_in: [string!]
  status_leq: string
  status_like: string
  status_lt: string
  status_neq: string
  status_notin: [string!]
  status_notlike: string
  usageModel: string
  usageModel_geq: string
  usageModel_gt: string
  usageModel_in: [string!]
  usageModel_leq: string
  usageModel_like: string
  usageModel_lt: string
  usageModel_neq: string
  usageModel_notin: [string!]
  usageModel_notlike: string
}

enum AccountWorkersInvocationsAdaptiveOrderBy {
  actorNamespaceId_ASC
  actorNamespaceId_DESC
  avg_sampleInterval_ASC
  avg_sampleInterval_DESC
  constantScriptId_ASC
  constantScriptId_DESC
  date_ASC
  date_DESC
  datetimeHour_ASC
  datetimeHour_DESC
  datetimeMinute_ASC
  datetimeMinute_DESC
  datetime_ASC
  datetime_DESC
  dispatchNamespaceName_ASC
  dispatchNamespaceName_DESC
  environmentName_ASC
  environmentName_DESC
  isDispatcher_ASC
  isDispatcher_DESC
  max_cpuTime_ASC
  max_cpuTime_DESC
  max_duration_ASC
  max_duration_DESC
  max_responseBodySize_ASC
  max_responseBodySize_DESC
  max_wallTime_ASC
  max_wallTime_DESC
  min_cpuTime_ASC
  min_cpuTime_DESC
  min_duration_ASC
  min_duration_DESC
  min_responseBodySize_ASC
  min_responseBodySize_DESC
  min_wallTime_ASC
  min_wallTime_DESC
  quantiles_cpuTimeP25_ASC
  quantiles_cpuTimeP25_DESC
  quantiles_cpuTimeP50_ASC
  quantiles_cpuTimeP50_DESC
  quantiles_cpuTimeP75_ASC
  quantiles_cpuTimeP75_DESC
  quantiles_cpuTimeP90_ASC
  quantiles_cpuTimeP90_DESC
  quantiles_cpuTimeP999_ASC
  quantiles_cpuTimeP999_DESC
  quantiles_cpuTimeP99_ASC
  quantiles_cpuTimeP99_DESC
  quantiles_durationP25_ASC
  quantiles_durationP25_DESC
  quantiles_durationP50_ASC
  quantiles_durationP50_DESC
  quantiles_durationP75_ASC
  quantiles_durationP75_DESC
  quantiles_durationP90_ASC
  quantiles_durationP90_DESC
  quantiles_durationP999_ASC
  quantiles_durationP999_DESC
  quantiles_durationP99_ASC
  quantiles_durationP99_DESC
  quantiles_responseBodySizeP25_ASC
  quantiles_responseBodySizeP25_DESC
  quantiles_responseBodySizeP50_ASC
  quantiles_responseBodySizeP50_DESC
  quantiles_responseBodySizeP75_ASC
  quantiles_responseBodySizeP75_DESC
  quantiles_responseBodySizeP90_ASC
  quantiles_responseBodySizeP90_DESC
  quantiles_responseBodySizeP999_ASC
  quantiles_responseBodySizeP999_DESC
  quantiles_responseBodySizeP99_ASC
  quantiles_responseBodySizeP99_DESC
  quantiles_wallTimeP25_ASC
  quantiles_wallTimeP25_DESC
  quantiles_wallTimeP50_ASC
  quantiles_wallTimeP50_DESC
  quantiles_wallTimeP75_ASC
  quantiles_wallTimeP75_DESC
  quantiles_wallTimeP90_ASC
  quantiles_wallTimeP90_DESC
  quantiles_wallTimeP999_ASC
  quantiles_wallTimeP999_DESC
  quantiles_wallTimeP99_ASC
  quantiles_wallTimeP99_DESC
  scriptName_ASC
  scriptName_DESC
  scriptTag_ASC
  scriptTag_DESC
  scriptVersion_ASC
  scriptVersion_DESC
  stableId_ASC
  stableId_DESC
  status_ASC
  status_DESC
  sum_cpuTimeUs_ASC
  sum_cpuTimeUs_DESC
  sum_duration_ASC
  sum_duration_DESC
  sum_errors_ASC
  sum_errors_DESC
  sum_requests_ASC
  sum_requests_DESC
  sum_responseBodySize_ASC
  sum_responseBodySize_DESC
  sum_subrequests_ASC
  sum_subrequests_DESC
  sum_wallTime_ASC
  sum_wallTime_DESC
  usageModel_ASC
  usageModel_DESC
}

type AccountKvOperationsAdaptiveGroups {
  dimensions: AccountKvOperationsAdaptiveGroupsDimensions
  sum: AccountKvOperationsAdaptiveGroupsSum
  quantiles: AccountKvOperationsAdaptiveGroupsQuantiles
}

type AccountKvOperationsAdaptiveGroupsDimensions {
  actionType: string!
  date: Date!
  namespaceId: string!
}

type AccountKvOperationsAdaptiveGroupsSum {
  requests: uint64!
}

type AccountKvOperationsAdaptiveGroupsQuantiles {
  latencyMsP25: float32!
  latencyMsP50: float32!
  latencyMsP75: float32!
  latencyMsP90: float32!
  latencyMsP99: float32!
  latencyMsP999: float32!
}

input AccountKvOperationsAdaptiveGroupsFilter_InputObject {
  AND: [AccountKvOperationsAdaptiveGroupsFilter_InputObject!]
  OR: [AccountKvOperationsAdaptiveGroupsFilter_InputObject!]
  actionType: string
  namespaceId: string
  date: Date
  date_geq: Date
  date_gt: Date
  date_leq: Date
  date_lt: Date
}

enum AccountKvOperationsAdaptiveGroupsOrderBy {
  date_ASC
  date_DESC
}

`;
