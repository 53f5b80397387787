// The GraphQL Analytics requests a usage poll makes, and the parsing of their answers.
// Sans-IO: the shim sends the requests and hands back status and body.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calendar.h"
#include "config.h"

namespace edgefuse {

// One HTTP request: POST {"query": query, "variables": variables} to the endpoint. One per
// dataset, so that one inaccessible or failing dataset does not blind the others.
struct UsageRequest {
  std::string dataset;
  std::string query;
  nlohmann::json variables;
};

// Units of one resource used on one UTC day, by one binding ("" when the dataset has no
// per-binding dimension or the row has no value for it).
struct UsageRow {
  std::string resource;
  std::string bindingId;
  Day day;
  double units;
};

struct DatasetOutcome {
  std::string dataset;
  bool ok = false;
  std::string error;            // why it failed, when !ok: never trusted as usage
  std::vector<UsageRow> rows;
  std::set<std::string> unknownActionTypes;  // names counted in a costlier class (R2)
};

// Resources the poll reads: those whose dataset and field are in Cloudflare's public docs.
std::vector<const Resource*> polledResources();

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
DatasetWindow datasetWindow(const Config& config, const std::string& dataset, Day today);

std::vector<UsageRequest> buildUsageRequests(const Config& config, std::int64_t nowMs,
                                             const std::string& accountTag);

// Rows per page: an answer this long may be cut short, so it is not trusted.
constexpr int kRowLimit = 10000;

// `status` is the HTTP status, `body` the response text. Anything but a well-formed answer
// with sane values is an error: a failed read never counts as zero usage. Rows without a
// date (a request not split by day) are counted on `today`.
DatasetOutcome parseUsageResponse(const std::string& dataset, int status, const std::string& body, Day today);

}  // namespace edgefuse
