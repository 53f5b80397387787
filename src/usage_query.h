// The GraphQL Analytics requests a usage poll makes, and the parsing of their answers.
// Sans-IO: the shim sends the requests and hands back status and body.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calendar.h"
#include "config.h"

namespace edgefuse {

// One HTTP request: POST {"query": query, "variables": variables} to the endpoint. One per
// dataset, so that one inaccessible or failing dataset does not blind the others.

// Units of one resource used on one UTC day, by one binding ("" when the dataset has no
// per-binding dimension or the row has no value for it).
struct UsageRow {
  std::string_view resource;  // a catalogue id: rows are many, and copies of ids add up
  std::string bindingId;
  Day day;
  double units;
};

constexpr std::string_view kUnknownStorageClassPrefix = "storage class ";

struct DatasetOutcome {
  std::string dataset;
  // The first day the answer covers: days before it come from what the guard stored.
  Day coveredFrom = 0;
  bool byDay = false;  // rows carry their day; otherwise they are counted on today
  bool ok = false;
  std::string error;            // why it failed, when !ok: never trusted as usage
  // The API refused the dataset to this account or token ("does not have access to the
  // path", "not available for your plan"): a fact about access to report once, not an outage.
  bool inaccessible = false;
  std::vector<UsageRow> rows;
  // Names counted in a costlier class (R2): operations, and storage classes with this prefix.
  std::set<std::string> unknownActionTypes;
};

// Resources the poll reads: those whose dataset and field are in Cloudflare's public docs.
std::vector<const Resource*> polledResources();

// Whether anything can be decided on `resource` under `config`: a threshold line that can
// fire (a quota to measure against, tripAt, maxOverageUsd), or a budget it adds overage to.
bool isJudged(const Config& config, const Resource& resource);

// The resource `resource` is judged as: itself, or the one it is billed as.
const Resource& judgedAs(const Resource& resource);

// The datasets a poll asks for, in catalogue order: those with something judged on them
// (their own resources, or a part billed as a resource judged elsewhere).
std::vector<std::string> judgedDatasets(const Config& config);

// What one dataset's request must cover: from the earliest window any of its resources,
// their overage or the budget is evaluated over, to today. Rows are split by day only when
// those windows start on different days; otherwise one total per binding serves them all,
// which keeps the answer (and its parsing) small. Likewise rows are split by binding only
// when a per-binding threshold needs it.
struct DatasetWindow {
  Day first;
  bool byDay;
  bool byBinding;  // a per-binding threshold needs the binding dimension
};
struct UsageRequest {
  std::string dataset;
  std::string query;
  nlohmann::json variables;
  DatasetWindow window;  // what the answer covers
};

// Settled daily totals the guard keeps (PollState::dailyTotals): resource -> day -> units.
using DailyTotals = std::map<std::string, std::map<Day, double>>;

// Whether the settled days of `resource` are kept: for a budget, which may reach back further
// than a query does, and for a stored level billed per GB-month, whose every day counts.
bool keepsSettledDays(const Config& config, const Resource& resource);

// A window that reaches back further than the dataset gives is clamped to what it gives,
// split by day; the days before are the guard's own stored totals (PollState::dailyTotals).
// A dataset whose resources all keep their settled days is asked only for the days not kept
// yet, once `kept` holds every settled day of its window: a month of rows per day, binding
// and class is most of what reading an answer costs.
DatasetWindow datasetWindow(const Config& config, const std::string& dataset, Day today, const DailyTotals& kept = {});

// How many days, today included, one query of `dataset` may cover. KV and D1 answer and
// keep 31 days (https://developers.cloudflare.com/kv/observability/metrics-analytics/,
// https://developers.cloudflare.com/d1/observability/metrics-analytics/), Workers a month
// (https://developers.cloudflare.com/analytics/graphql-api/tutorials/querying-workers-metrics/),
// R2 was recorded refusing more than 4w4d; for the others none is published: 31.
int queryReachDays(const std::string& dataset);

std::vector<UsageRequest> buildUsageRequests(const Config& config, std::int64_t nowMs,
                                             const std::string& accountTag, const DailyTotals& kept = {});

// Rows per page: an answer this long may be cut short, so it is not trusted.
constexpr int kRowLimit = 10000;

// `status` is the HTTP status, `body` the response text. Anything but a well-formed answer
// with sane values is an error: a failed read never counts as zero usage. Rows without a
// date (a request not split by day) are counted on `today`.
DatasetOutcome parseUsageResponse(const std::string& dataset, int status, const std::string& body, Day today);

}  // namespace edgefuse
