#include "usage_query.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "identifier.h"
#include "json_text.h"

namespace edgefuse {
namespace {

using nlohmann::json;

// How each dataset filters by time, as in the documented example on the `fieldSource`
// page of its resources in the catalogue.
enum class TimeFilter { Date, Datetime };

TimeFilter timeFilterOf(std::string_view dataset) {
  if (dataset == "workersInvocationsAdaptive" || dataset == "r2OperationsAdaptiveGroups" ||
      dataset == "queueMessageOperationsAdaptiveGroups") {
    return TimeFilter::Datetime;
  }
  return TimeFilter::Date;
}

// "sum.requests" -> {"sum", "requests"}
std::pair<std::string, std::string> splitField(std::string_view field) {
  const std::size_t dot = field.find('.');
  return {std::string(field.substr(0, dot)), std::string(field.substr(dot + 1))};
}

std::vector<std::string> splitList(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    items.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

std::vector<const Resource*> resourcesOf(const std::string& dataset) {
  std::vector<const Resource*> out;
  for (const Resource* resource : polledResources()) {
    if (resource->dataset == dataset) out.push_back(resource);
  }
  return out;
}

std::string joined(const std::set<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string buildQuery(const std::string& dataset, const std::vector<const Resource*>& group) {
  std::map<std::string, std::set<std::string>> fields;  // "sum" -> {"requests"}
  std::set<std::string> dimensions{"date"};
  for (const Resource* resource : group) {
    auto [aggregate, name] = splitField(resource->field);
    fields[aggregate].insert(name);
    if (!resource->actionTypes.empty()) dimensions.insert("actionType");
    if (!resource->bindingDimension.empty()) dimensions.insert(std::string(resource->bindingDimension));
  }
  const bool datetime = timeFilterOf(dataset) == TimeFilter::Datetime;
  const std::string type = datetime ? "Time" : "Date";
  const std::string prefix = datetime ? "datetime" : "date";
  std::string selection;
  for (const auto& [aggregate, names] : fields) selection += "        " + aggregate + " { " + joined(names) + " }\n";
  return "query EdgefuseUsage($accountTag: string!, $start: " + type + "!, $end: " + type + "!) {\n"
         "  viewer {\n"
         "    accounts(filter: { accountTag: $accountTag }) {\n"
         "      " + dataset + "(limit: " + std::to_string(kRowLimit) + ", filter: { " + prefix +
         "_geq: $start, " + prefix + "_leq: $end }) {\n" +
         selection +
         "        dimensions { " + joined(dimensions) + " }\n"
         "      }\n"
         "    }\n"
         "  }\n"
         "}\n";
}

std::string clipped(const std::string& text) {
  return text.size() <= 200 ? text : text.substr(0, 200) + "...";
}

DatasetOutcome failed(const std::string& dataset, std::string error) {
  DatasetOutcome outcome;
  outcome.dataset = dataset;
  outcome.error = std::move(error);
  return outcome;
}

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

std::vector<const Resource*> polledResources() {
  std::vector<const Resource*> out;
  for (const Resource& resource : resources()) {
    if (!resource.dataset.empty() && !resource.fieldSource.empty()) out.push_back(&resource);
  }
  return out;
}

Day queryStartDay(const Config& config, Day today) {
  Day first = today;
  for (const auto& [key, threshold] : config.thresholds) {
    const Resource* resource = findResource(key.substr(0, key.find(':')));
    if (!resource) continue;
    const Granularity granularity = windowGranularity(threshold, allowanceFor(*resource, config.plan));
    first = std::min(first, windowSoFar(granularity, today, config.billingDay).first);
  }
  // Overage and the budget are priced over the billing month, whatever the window.
  if (config.plan == Plan::Paid || config.budget) {
    first = std::min(first, billingMonth(today, config.billingDay).first);
  }
  if (config.budget) {
    first = std::min(first, windowSoFar(config.budget->granularity, today, config.billingDay).first);
  }
  return first;
}

std::vector<UsageRequest> buildUsageRequests(const Config& config, std::int64_t nowMs,
                                             const std::string& accountTag) {
  const Day today = dayOfMs(nowMs);
  const Day start = queryStartDay(config, today);
  std::vector<std::string> datasets;
  for (const Resource* resource : polledResources()) {
    if (std::find(datasets.begin(), datasets.end(), resource->dataset) == datasets.end()) {
      datasets.emplace_back(resource->dataset);
    }
  }
  std::vector<UsageRequest> requests;
  for (const std::string& dataset : datasets) {
    const bool datetime = timeFilterOf(dataset) == TimeFilter::Datetime;
    json variables = {
        {"accountTag", accountTag},
        {"start", datetime ? isoTimestamp(msOfDay(start)) : isoDate(start)},
        {"end", datetime ? isoTimestamp(nowMs) : isoDate(today)},
    };
    requests.push_back({dataset, buildQuery(dataset, resourcesOf(dataset)), variables});
  }
  return requests;
}

DatasetOutcome parseUsageResponse(const std::string& dataset, int status, const std::string& body) {
  if (status == 429) return failed(dataset, "HTTP 429: rate limited by the usage API");
  if (status < 200 || status > 299) return failed(dataset, "HTTP " + std::to_string(status));
  const json answer = json::parse(body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) return failed(dataset, "the answer is not JSON");
  if (const json* errors = member(answer, "errors"); errors && errors->is_array() && !errors->empty()) {
    const json* message = member((*errors)[0], "message");
    return failed(dataset, "GraphQL error: " +
                               clipped(message && message->is_string() ? message->get<std::string>() : toText((*errors)[0])));
  }
  const json* data = member(answer, "data");
  const json* viewer = data ? member(*data, "viewer") : nullptr;
  const json* accounts = viewer ? member(*viewer, "accounts") : nullptr;
  if (!accounts || !accounts->is_array()) return failed(dataset, "unexpected answer: no data.viewer.accounts list");
  if (accounts->empty()) return failed(dataset, "no such account, or the API token cannot read it");
  const json* rows = member((*accounts)[0], dataset.c_str());
  if (!rows || !rows->is_array()) return failed(dataset, "unexpected answer: no " + dataset + " list");
  if (rows->size() >= static_cast<std::size_t>(kRowLimit)) {
    return failed(dataset, "the answer has " + std::to_string(rows->size()) + " rows and may be cut short");
  }

  DatasetOutcome outcome;
  outcome.dataset = dataset;
  const std::vector<const Resource*> group = resourcesOf(dataset);
  for (std::size_t index = 0; index < rows->size(); ++index) {
    const json& row = (*rows)[index];
    const std::string where = dataset + "[" + std::to_string(index) + "]";
    const json* dimensions = member(row, "dimensions");
    const json* date = dimensions ? member(*dimensions, "date") : nullptr;
    const auto day = date && date->is_string() ? parseIsoDate(date->get<std::string>()) : std::nullopt;
    if (!day) return failed(dataset, "unexpected answer: " + where + " has no valid dimensions.date");
    const json* actionType = member(*dimensions, "actionType");
    for (const Resource* resource : group) {
      if (!resource->actionTypes.empty()) {
        if (!actionType || !actionType->is_string()) {
          return failed(dataset, "unexpected answer: " + where + " has no dimensions.actionType");
        }
        const auto types = splitList(resource->actionTypes);
        if (std::find(types.begin(), types.end(), actionType->get<std::string>()) == types.end()) continue;
      }
      auto [aggregate, name] = splitField(resource->field);
      const json* values = member(row, aggregate.c_str());
      const json* value = values ? member(*values, name.c_str()) : nullptr;
      if (!value) continue;  // not in this row
      // Garbage never trips or recovers a breaker: a bad number fails the whole dataset.
      if (!value->is_number() || !std::isfinite(value->get<double>()) || value->get<double>() < 0 ||
          value->get<double>() > 1e15) {
        return failed(dataset, "implausible value at " + where + "." + std::string(resource->field) +
                                   ": " + clipped(toText(*value)));
      }
      std::string bindingId;
      if (!resource->bindingDimension.empty()) {
        const json* id = member(*dimensions, std::string(resource->bindingDimension).c_str());
        if (id && id->is_string() && isAnalyticsId(id->get<std::string>())) bindingId = id->get<std::string>();
      }
      outcome.rows.push_back({std::string(resource->id), bindingId, *day,
                              value->get<double>() * resource->fieldScale});
    }
  }
  outcome.ok = true;
  return outcome;
}

}  // namespace edgefuse
