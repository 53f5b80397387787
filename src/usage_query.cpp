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

// "sum.requests" -> {"sum", "requests"}; a field of the row itself ("count") -> {"", "count"}
std::pair<std::string, std::string> splitField(std::string_view field) {
  const std::size_t dot = field.find('.');
  if (dot == std::string_view::npos) return {"", std::string(field)};
  return {std::string(field.substr(0, dot)), std::string(field.substr(dot + 1))};
}

// Datasets whose rows are not groups: no dimensions block, one row per day with its `date`
// beside the value (imagesUniqueTransformations in the API's schema).
bool hasFlatRows(std::string_view dataset) { return dataset == "imagesUniqueTransformations"; }

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

// "kv-writes:NOTES" -> "kv-writes", without a copy: these run for every threshold of every
// dataset on every tick.
std::string_view resourceIdOf(std::string_view key) { return key.substr(0, key.find(':')); }

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

std::string buildQuery(const std::string& dataset, const std::vector<const Resource*>& group, bool byDay,
                       bool byBinding) {
  std::map<std::string, std::set<std::string>> fields;  // "sum" -> {"requests"}; "" -> {"count"}
  std::set<std::string> dimensions;
  if (byDay) dimensions.insert("date");
  if (hasFlatRows(dataset)) fields[""].insert("date");  // rows are days: the date is always there
  for (const Resource* resource : group) {
    auto [aggregate, name] = splitField(resource->field);
    fields[aggregate].insert(name);
    if (!resource->actionTypes.empty()) dimensions.insert("actionType");
    if (!resource->storageClass.empty()) dimensions.insert("storageClass");
    if (byBinding && !resource->bindingDimension.empty()) dimensions.insert(std::string(resource->bindingDimension));
  }
  const bool datetime = timeFilterOf(dataset) == TimeFilter::Datetime;
  const std::string type = datetime ? "Time" : "Date";
  const std::string prefix = datetime ? "datetime" : "date";
  std::string selection;
  for (const auto& [aggregate, names] : fields) {
    selection += "        " + (aggregate.empty() ? joined(names) : aggregate + " { " + joined(names) + " }") + "\n";
  }
  if (hasFlatRows(dataset)) dimensions.clear();
  return "query EdgefuseUsage($accountTag: string!, $start: " + type + "!, $end: " + type + "!) {\n"
         "  viewer {\n"
         "    accounts(filter: { accountTag: $accountTag }) {\n"
         "      " + dataset + "(limit: " + std::to_string(kRowLimit) + ", filter: { " + prefix +
         "_geq: $start, " + prefix + "_leq: $end }) {\n" +
         selection + (dimensions.empty() ? "" : "        dimensions { " + joined(dimensions) + " }\n") +
         "      }\n"
         "    }\n"
         "  }\n"
         "}\n";
}

// Text from an answer, cut short enough to keep in the state record and a log line.
std::string clipped(const std::string& text, std::size_t most = 200) {
  return text.size() <= most ? text : text.substr(0, most) + "...";
}

DatasetOutcome failed(const std::string& dataset, std::string error) {
  DatasetOutcome outcome;
  outcome.dataset = dataset;
  outcome.error = std::move(error);
  return outcome;
}


}  // namespace

std::vector<const Resource*> polledResources() {
  std::vector<const Resource*> out;
  for (const Resource& resource : resources()) {
    if (isPolled(resource)) out.push_back(&resource);
  }
  return out;
}

bool isJudged(const Config& config, const Resource& resource) {
  if (!isPolled(resource)) return false;
  const Allowance& allowance = allowanceFor(resource, config.plan);
  if (config.budget && allowance.billing == Billing::Overage) return true;
  const bool hasQuota = allowance.billing != Billing::NotMetered && allowance.included > 0;
  for (const auto& [key, threshold] : config.thresholds) {
    if (resourceIdOf(key) != resource.id) continue;
    if (hasQuota || threshold.tripAt || threshold.maxOverageUsd) return true;
  }
  return false;
}

const Resource& judgedAs(const Resource& resource) {
  if (resource.billedAs.empty()) return resource;
  const Resource* billed = findResource(resource.billedAs);
  return billed ? *billed : resource;
}

std::vector<std::string> judgedDatasets(const Config& config) {
  std::vector<std::string> datasets;
  for (const Resource* resource : polledResources()) {
    if (!isJudged(config, judgedAs(*resource))) continue;
    if (std::find(datasets.begin(), datasets.end(), resource->dataset) == datasets.end()) {
      datasets.emplace_back(resource->dataset);
    }
  }
  return datasets;
}

bool keepsSettledDays(const Config& config, const Resource& resource) {
  if (allowanceFor(resource, config.plan).billing != Billing::Overage) return false;
  return config.budget.has_value() || resource.measure == Measure::DailyPeak;
}

DatasetWindow datasetWindow(const Config& config, const std::string& dataset, Day today, const DailyTotals& kept) {
  std::set<Day> starts;
  bool byBinding = false;
  const std::vector<const Resource*> own = resourcesOf(dataset);
  // Whether `resource` is judged on rows of `dataset`: its own, or a part billed as it.
  const auto readFrom = [&](const Resource& resource) {
    if (resource.dataset == dataset) return true;
    return std::any_of(own.begin(), own.end(), [&](const Resource* part) { return part->billedAs == resource.id; });
  };
  for (const auto& [key, threshold] : config.thresholds) {
    const Resource* resource = findResource(resourceIdOf(key));
    if (!resource || !readFrom(*resource) || !isPolled(*resource)) continue;
    byBinding |= key.find(':') != std::string::npos;
    const Allowance& allowance = allowanceFor(*resource, config.plan);
    // A resource with no allowance is only ever judged on tripAt.
    if (allowance.billing == Billing::NotMetered && !threshold.tripAt) continue;
    const Day windowFirst = windowSoFar(windowGranularity(threshold, allowance), today, config.billingDay).first;
    starts.insert(windowFirst);
    // A capped level is judged on the latest day with a sample, the day before standing in
    // for a new day not sampled yet.
    if (resource->measure == Measure::DailyPeak && allowance.billing == Billing::HardLimit) starts.insert(windowFirst - 1);
    if (allowance.billing != Billing::Overage) continue;
    // Overage is priced over the allowance's period; the budget sums it over its own window.
    const Granularity period = allowance.period == Period::Day ? Granularity::Day : Granularity::Month;
    starts.insert(windowSoFar(period, today, config.billingDay).first);
    if (config.budget) {
      const Day budgetStart = windowSoFar(config.budget->granularity, today, config.billingDay).first;
      starts.insert(budgetStart);
      starts.insert(billingMonth(budgetStart, config.billingDay).first);  // what was owed before it
    }
  }
  // A stored level is each day's peak of each binding: a row spanning days or bindings would
  // hold the largest of them, not their total.
  bool level = false;
  bool allKept = !byBinding;  // kept totals are per resource, not per binding
  for (const Resource* resource : own) {
    level |= resource->measure == Measure::DailyPeak;
    allKept &= keepsSettledDays(config, judgedAs(*resource));
  }
  if (starts.empty()) return {today, level, byBinding || level};
  const Day earliest = today - (queryReachDays(dataset) - 1);
  Day first = std::max(*starts.begin(), earliest);
  // The days up to two ago are settled, and kept once an answer covered them: ask again only
  // from the first day of those (so that it is kept too) when every day before it is kept.
  const Day tail = today - 2;
  if (allKept && first < tail) {
    bool covered = true;
    for (const Resource* resource : own) {
      const auto days = kept.find(std::string(judgedAs(*resource).id));
      for (Day day = first; covered && day < tail; ++day) covered = days != kept.end() && days->second.count(day);
    }
    if (covered) first = tail;
  }
  return {first, first != *starts.begin() || starts.size() > 1 || level, byBinding || level};
}

int queryReachDays(const std::string& dataset) { return dataset == "r2OperationsAdaptiveGroups" ? 32 : 31; }

std::vector<UsageRequest> buildUsageRequests(const Config& config, std::int64_t nowMs,
                                             const std::string& accountTag, const DailyTotals& kept) {
  const Day today = dayOfMs(nowMs);
  std::vector<UsageRequest> requests;
  for (const std::string& dataset : judgedDatasets(config)) {
    const bool datetime = timeFilterOf(dataset) == TimeFilter::Datetime;
    const DatasetWindow window = datasetWindow(config, dataset, today, kept);
    json variables = {
        {"accountTag", accountTag},
        {"start", datetime ? isoTimestamp(msOfDay(window.first)) : isoDate(window.first)},
        {"end", datetime ? isoTimestamp(nowMs) : isoDate(today)},
    };
    requests.push_back({dataset, buildQuery(dataset, resourcesOf(dataset), window.byDay, window.byBinding), variables, window});
  }
  return requests;
}

namespace {

// Reads an answer as a stream of parse events: a month of rows per binding is thousands of
// small objects, and building them as a document costs most of an evaluation's CPU time.
// Only the places edgefuse reads are looked at:
//   errors[0].message
//   data.viewer.accounts[0].<dataset>[i].dimensions.<name>
//   data.viewer.accounts[0].<dataset>[i].<sum|max>.<field>
//   data.viewer.accounts[0].<dataset>[i].<field>   (a bare count, or a flat row's date)
class AnswerReader : public nlohmann::json_sax<json> {
 public:
  // Only the dimensions and fields edgefuse asked for are kept.
  struct Row {
    std::optional<std::string> date, actionType, storageClass, binding;
    std::vector<std::optional<double>> values;  // by wanted field; nullopt: absent or not a number
    std::vector<bool> present;
  };
  struct WantedField {
    std::string aggregate;  // "sum" or "max"; "" for a field of the row itself
    std::string name;
  };

  std::vector<Row> rows;
  bool rootIsObject = false;
  bool sawAccounts = false;
  std::size_t accountCount = 0;
  bool sawRows = false;
  std::size_t errorCount = 0;
  std::string firstErrorMessage;
  bool badRow = false;  // a row that is not an object
  bool errorsNotList = false;  // errors is there, and neither null nor a list

  AnswerReader(std::string dataset, std::vector<WantedField> fields, std::string bindingDimension)
      : fields(std::move(fields)), dataset_(std::move(dataset)), bindingDimension_(std::move(bindingDimension)) {}

  const std::vector<WantedField> fields;

  bool null() override { return scalar(std::nullopt, nullptr, true); }
  bool boolean(bool) override { return scalar(std::nullopt, nullptr); }
  bool number_integer(number_integer_t value) override { return scalar(static_cast<double>(value), nullptr); }
  bool number_unsigned(number_unsigned_t value) override { return scalar(static_cast<double>(value), nullptr); }
  bool number_float(number_float_t value, const string_t&) override { return scalar(value, nullptr); }
  bool string(string_t& value) override { return scalar(std::nullopt, &value); }
  bool binary(binary_t&) override { return scalar(std::nullopt, nullptr); }

  bool start_object(std::size_t) override {
    beginValue();
    if (stack_.empty()) rootIsObject = true;
    if (at(1, "errors") && stack_.size() == 1) errorsNotList = true;
    if (isRowStart()) rows.push_back({std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                                      std::vector<std::optional<double>>(fields.size()),
                                      std::vector<bool>(fields.size(), false)});
    stack_.push_back({false, "", -1});
    return true;
  }
  bool key(string_t& name) override {
    stack_.back().key = name;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    beginValue();
    if (isRowPosition()) badRow = true;
    if (at(1, "errors")) errorsOpen_ = true;
    if (at(3, "data", "viewer", "accounts")) sawAccounts = true;
    const bool rows = isRowsArray();
    sawRows |= rows;
    stack_.push_back({true, "", -1});
    rowsOpen_ |= rows;
    return true;
  }
  bool end_array() override {
    if (stack_.size() == 6) rowsOpen_ = false;
    stack_.pop_back();
    if (stack_.size() == 1 && errorsOpen_) errorsOpen_ = false;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    bool array;
    std::string key;  // objects: the current key
    long index;       // arrays: the current element
  };

  void beginValue() {
    if (stack_.empty() || !stack_.back().array) return;
    long& index = stack_.back().index;
    ++index;
    if (errorsOpen_ && stack_.size() == 2) errorCount = static_cast<std::size_t>(index) + 1;
    if (stack_.size() == 4 && at(3, "data", "viewer", "accounts")) accountCount = static_cast<std::size_t>(index) + 1;
  }

  // The first `depth` frames are objects whose current keys are `keys`.
  template <typename... Keys>
  bool at(std::size_t depth, Keys... keys) const {
    if (stack_.size() < depth) return false;
    const char* expected[] = {keys...};
    for (std::size_t i = 0; i < sizeof...(keys); ++i) {
      if (stack_[i].array || stack_[i].key != expected[i]) return false;
    }
    return true;
  }

  // Inside data.viewer.accounts[0]: at the <dataset> array.
  bool isRowsArray() const {
    return stack_.size() == 5 && at(3, "data", "viewer", "accounts") && stack_[3].index == 0 &&
           !stack_[4].array && stack_[4].key == dataset_;
  }
  bool isRowPosition() const { return stack_.size() == 6 && rowsOpen_; }
  bool isRowStart() const { return isRowPosition(); }

  bool scalar(std::optional<double> number, string_t* text, bool isNull = false) {
    beginValue();
    if (stack_.size() == 1 && at(1, "errors") && !isNull) errorsNotList = true;
    if (isRowPosition()) badRow = true;
    if (errorsOpen_ && stack_.size() == 3 && stack_[1].index == 0 && !stack_[2].array &&
        stack_[2].key == "message" && text && firstErrorMessage.empty()) {
      firstErrorMessage = *text;
    }
    // A value of the row itself: a bare `count`, or a flat row's `date` and value.
    if (stack_.size() == 7 && rowsOpen_ && !stack_[6].array && !rows.empty()) {
      const std::string& name = stack_[6].key;
      Row& row = rows.back();
      if (name == "date") {
        if (text) row.date = *text;
        return true;
      }
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].aggregate.empty() && fields[i].name == name) {
          row.values[i] = number;
          row.present[i] = true;
        }
      }
      return true;
    }
    // A value inside a row's dimensions, sum or max object.
    if (stack_.size() == 8 && rowsOpen_ && !stack_[6].array && !stack_[7].array && !rows.empty()) {
      const std::string& group = stack_[6].key;
      const std::string& name = stack_[7].key;
      Row& row = rows.back();
      if (group == "dimensions") {
        if (!text) return true;
        if (name == "date") row.date = *text;
        else if (name == "actionType") row.actionType = *text;
        else if (name == "storageClass") row.storageClass = *text;
        else if (name == bindingDimension_) row.binding = *text;
        return true;
      }
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].aggregate == group && fields[i].name == name) {
          row.values[i] = number;
          row.present[i] = true;
        }
      }
    }
    return true;
  }

  std::string dataset_;
  std::string bindingDimension_;
  std::vector<Frame> stack_;
  bool errorsOpen_ = false;
  // Inside data.viewer.accounts[0].<dataset>, the rows array (stack_[5]): every event of a row
  // would otherwise compare the four keys below it again.
  bool rowsOpen_ = false;
};

// How a dataset's actionType values are read. KV's are a closed set, the four billed
// operations (https://developers.cloudflare.com/kv/platform/pricing/, queried as on
// https://developers.cloudflare.com/kv/observability/metrics-analytics/): anything else, in
// another case or with a stray control character, means the answer is not what edgefuse
// understands, and the dataset is not trusted. R2's operation names grow as R2 does: an unknown one is counted
// in the costlier class, Class A (https://developers.cloudflare.com/r2/pricing/), never dropped.
// Likewise a storage class R2 adds counts as the dearer known one for what is read: operations
// as Infrequent Access ($9.00 against $4.50 a million for Class A), storage as Standard
// ($0.015 against $0.01 a GB-month).
struct ActionTypeRule {
  std::string_view dataset;
  std::string_view unknownCountsAs;  // the operation names whose resource an unknown name joins; "": a closed set
  std::string_view unknownStorageClassAs = "";
};
constexpr ActionTypeRule kActionTypeRules[] = {
    {"kvOperationsAdaptiveGroups", ""},
    {"r2OperationsAdaptiveGroups", "r2-class-a", "InfrequentAccess"},
    {"r2StorageAdaptiveGroups", "", "Standard"},
};

const ActionTypeRule* actionTypeRuleOf(const std::string& dataset) {
  for (const ActionTypeRule& rule : kActionTypeRules) {
    if (rule.dataset == dataset) return &rule;
  }
  return nullptr;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

struct ResourceMatch {
  const Resource* resource;
  std::vector<std::string> actionTypes;  // empty: every row
  std::size_t field;                     // index into the reader's wanted fields
};

// The same operation names as `id` (R2's Class A is Class A whatever the storage class).
bool sameNames(const Resource& resource, std::string_view id) {
  const Resource* other = findResource(id);
  return other && other->actionTypes == resource.actionTypes;
}

}  // namespace

DatasetOutcome parseUsageResponse(const std::string& dataset, int status, const std::string& body, Day today) {
  if (status == 429) return failed(dataset, "HTTP 429: rate limited by the usage API");
  if (status < 200 || status > 299) return failed(dataset, "HTTP " + std::to_string(status));
  std::vector<AnswerReader::WantedField> fields;
  std::vector<ResourceMatch> matches;
  std::string bindingDimension;
  for (const Resource* resource : resourcesOf(dataset)) {
    auto [aggregate, name] = splitField(resource->field);
    std::size_t field = 0;
    while (field < fields.size() && !(fields[field].aggregate == aggregate && fields[field].name == name)) ++field;
    if (field == fields.size()) fields.push_back({aggregate, name});
    matches.push_back({resource, splitList(resource->actionTypes), field});
    if (!resource->bindingDimension.empty()) bindingDimension = std::string(resource->bindingDimension);
  }
  AnswerReader reader(dataset, fields, bindingDimension);
  if (!json::sax_parse(body, &reader) || !reader.rootIsObject) return failed(dataset, "the answer is not JSON");
  if (reader.errorsNotList) return failed(dataset, "unexpected answer: errors is not a list");
  if (reader.errorCount > 0) {
    const std::string& message = reader.firstErrorMessage;
    DatasetOutcome outcome = failed(dataset, "GraphQL error: " + clipped(message.empty() ? "(no message)" : message));
    // The two refusals of access https://developers.cloudflare.com/analytics/graphql-api/errors/ lists.
    outcome.inaccessible = message.find("does not have access to the path") != std::string::npos ||
                           message.find("not available for your plan") != std::string::npos;
    return outcome;
  }
  if (!reader.sawAccounts) return failed(dataset, "unexpected answer: no data.viewer.accounts list");
  if (reader.accountCount == 0) return failed(dataset, "no such account, or the API token cannot read it");
  if (!reader.sawRows) return failed(dataset, "unexpected answer: no " + dataset + " list");
  if (reader.badRow) return failed(dataset, "unexpected answer: a row of " + dataset + " is not an object");
  if (reader.rows.size() >= static_cast<std::size_t>(kRowLimit)) {
    return failed(dataset, "the answer has " + std::to_string(reader.rows.size()) + " rows and may be cut short");
  }

  std::vector<std::string> knownActionTypes;
  std::vector<std::string> knownStorageClasses;
  for (const ResourceMatch& match : matches) {
    knownActionTypes.insert(knownActionTypes.end(), match.actionTypes.begin(), match.actionTypes.end());
    if (!match.resource->storageClass.empty()) knownStorageClasses.emplace_back(match.resource->storageClass);
  }
  const ActionTypeRule* rule = actionTypeRuleOf(dataset);
  DatasetOutcome outcome;
  outcome.dataset = dataset;
  for (std::size_t index = 0; index < reader.rows.size(); ++index) {
    const AnswerReader::Row& row = reader.rows[index];
    auto where = [&] { return dataset + "[" + std::to_string(index) + "]"; };
    const auto day = row.date ? parseIsoDate(*row.date) : std::optional<Day>(today);
    if (!day || *day > today) return failed(dataset, "unexpected answer: " + where() + " has an invalid dimensions.date");
    bool unknownName = false;  // counted with the operations `rule->unknownCountsAs` names
    if (!knownActionTypes.empty()) {
      if (!row.actionType) return failed(dataset, "unexpected answer: " + where() + " has no dimensions.actionType");
      if (std::find(knownActionTypes.begin(), knownActionTypes.end(), *row.actionType) == knownActionTypes.end()) {
        if (!rule || rule->unknownCountsAs.empty()) {
          return failed(dataset, "unexpected answer: " + where() + " has an unknown dimensions.actionType " +
                                     clipped(toText(json(*row.actionType)), 64) + " (expected one of " +
                                     joined(knownActionTypes) + ")");
        }
        unknownName = true;
        outcome.unknownActionTypes.insert(row.actionType->substr(0, 64));
      }
    }
    std::string storageClass;  // the class the row is counted in
    if (!knownStorageClasses.empty()) {
      if (!row.storageClass) return failed(dataset, "unexpected answer: " + where() + " has no dimensions.storageClass");
      storageClass = *row.storageClass;
      if (std::find(knownStorageClasses.begin(), knownStorageClasses.end(), storageClass) == knownStorageClasses.end()) {
        storageClass = std::string(rule ? rule->unknownStorageClassAs : "");
        outcome.unknownActionTypes.insert(std::string(kUnknownStorageClassPrefix) + row.storageClass->substr(0, 64));
      }
    }
    for (const ResourceMatch& match : matches) {
      if (!match.actionTypes.empty() &&
          std::find(match.actionTypes.begin(), match.actionTypes.end(), *row.actionType) == match.actionTypes.end() &&
          !(unknownName && sameNames(*match.resource, rule->unknownCountsAs))) {
        continue;
      }
      if (!match.resource->storageClass.empty() && match.resource->storageClass != storageClass) continue;
      if (!row.present[match.field]) {
        return failed(dataset, "unexpected answer: " + where() + " has no " + std::string(match.resource->field));
      }
      const std::optional<double>& value = row.values[match.field];
      // Garbage never trips or recovers a breaker: a bad number fails the whole dataset.
      if (!value || !std::isfinite(*value) || *value < 0 || *value > 1e15) {
        return failed(dataset, "implausible value at " + where() + "." + std::string(match.resource->field));
      }
      const std::string bindingId = row.binding && isAnalyticsId(*row.binding) ? *row.binding : "";
      outcome.rows.push_back({match.resource->id, bindingId, *day, *value * match.resource->fieldScale});
    }
  }
  outcome.ok = true;
  return outcome;
}

}  // namespace edgefuse
