#include "json_api.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "alerts.h"
#include "breaker_state.h"
#include "catalogue.h"
#include "config.h"
#include "cost.h"
#include "evaluate.h"
#include "identifier.h"
#include "json_text.h"
#include "poll_state.h"
#include "token_bucket.h"
#include "usage_query.h"

namespace edgefuse {
namespace {

using nlohmann::json;

json problemsJson(const std::vector<Problem>& problems) {
  json list = json::array();
  for (const Problem& problem : problems) {
    list.push_back({{"path", problem.path}, {"message", problem.message}, {"fix", problem.fix}});
  }
  return list;
}

json allowanceJson(const Allowance& allowance) {
  json out = {{"billing", nameOf(allowance.billing)}};
  if (allowance.billing == Billing::NotMetered) return out;
  out["period"] = nameOf(allowance.period);
  out["included"] = allowance.included;
  if (allowance.billing == Billing::Overage) {
    out["priceUsd"] = allowance.priceUsd;
    out["priceUnit"] = allowance.priceUnit;
    out["roundsUpToUnit"] = allowance.roundsUpToUnit;
  }
  return out;
}

json optionalNumber(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

std::string failure(const std::vector<Problem>& problems) {
  return toText(json{{"ok", false}, {"problems", problemsJson(problems)}});
}

// Parses without exceptions: the WASM build has none, and bad input must not abort.
std::optional<json> parse(const std::string& text, const std::string& what,
                          std::vector<Problem>& problems) {
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded()) {
    problems.push_back({what, "is not valid JSON", ""});
    return std::nullopt;
  }
  return value;
}

// The poll functions take the normalised config on every call. Validating it costs a third
// of an evaluation, so the last one is kept (the module is single-threaded).
std::optional<Config> configFrom(const std::string& text, std::vector<Problem>& problems) {
  static std::string lastText;
  static std::optional<Config> lastConfig;
  if (lastConfig && text == lastText) return lastConfig;
  auto input = parse(text, "(config)", problems);
  if (!input) return std::nullopt;
  ConfigResult result = parseConfig(*input);
  problems.insert(problems.end(), result.problems.begin(), result.problems.end());
  if (result.config) {
    lastText = text;
    lastConfig = result.config;
  }
  return result.config;
}

std::optional<std::int64_t> timeFrom(double nowMs, std::vector<Problem>& problems) {
  if (!std::isfinite(nowMs) || nowMs < 0 || nowMs > 1e14) {
    problems.push_back({"now", "must be milliseconds since the epoch", ""});
    return std::nullopt;
  }
  return static_cast<std::int64_t>(nowMs);
}

json eventsJson(const std::vector<PollEvent>& events) {
  json list = json::array();
  for (const PollEvent& event : events) {
    list.push_back({{"level", event.level}, {"key", event.key}, {"message", event.message}, {"dryRun", event.dryRun},
                    {"details", event.details}});
  }
  return list;
}

}  // namespace

std::string resourcesJson() {
  json list = json::array();
  for (const Resource& resource : resources()) {
    list.push_back({
        {"id", resource.id},
        {"service", resource.service},
        {"metric", resource.metric},
        {"unit", resource.unit},
        {"graphql",
         {{"dataset", resource.dataset},
          {"field", resource.field},
          {"fieldScale", resource.fieldScale},
          {"actionTypes", resource.actionTypes},
          {"bindingDimension", resource.bindingDimension},
          {"documentedAt", resource.fieldSource}}},
        {"free", allowanceJson(resource.free)},
        {"paid", allowanceJson(resource.paid)},
        {"source", resource.source},
        {"note", resource.note},
    });
  }
  return toText(json{{"ok", true}, {"resources", list}});
}

std::string estimateCostJson(const std::string& usageText, const std::string& optionsText) {
  std::vector<Problem> problems;
  auto usage = parse(usageText, "usage", problems);
  auto options = parse(optionsText, "options", problems);
  if (!problems.empty()) return failure(problems);

  Plan plan = Plan::Free;
  auto planIt = options->is_object() ? options->find("plan") : options->end();
  if (planIt == options->end() || !planIt->is_string() ||
      (*planIt != "free" && *planIt != "paid")) {
    problems.push_back({"options.plan", "must be \"free\" or \"paid\"", ""});
  } else {
    plan = *planIt == "paid" ? Plan::Paid : Plan::Free;
  }

  std::map<std::string, double> units;
  if (!usage->is_object()) {
    problems.push_back({"usage", "must be an object of resource ids to units", ""});
  } else {
    for (const auto& item : usage->items()) {
      if (item.value().is_number()) {
        units[item.key()] = item.value().get<double>();
      } else {
        problems.push_back({"usage." + item.key(), "must be a number, got " + toText(item.value()), ""});
      }
    }
  }
  if (!problems.empty()) return failure(problems);

  CostResult result = estimateCost(units, plan);
  if (!result.estimate) return failure(result.problems);
  json list = json::array();
  for (const ResourceCost& cost : result.estimate->resources) {
    list.push_back({{"id", cost.id},
                    {"used", cost.used},
                    {"included", cost.included},
                    {"over", cost.over},
                    {"overageUsd", cost.overageUsd},
                    {"percentOfQuota", optionalNumber(cost.percentOfQuota)},
                    {"period", nameOf(cost.period)},
                    {"billing", nameOf(cost.billing)}});
  }
  return toText(json{{"ok", true},
                     {"estimate",
                      {{"plan", nameOf(plan)},
                       {"resources", list},
                       {"totalOverageUsd", result.estimate->totalOverageUsd}}}});
}

std::string validateConfigJson(const std::string& text) {
  std::vector<Problem> problems;
  auto input = parse(text, "(config)", problems);
  if (!input) return failure(problems);
  ConfigResult result = parseConfig(*input);
  if (!result.config) return failure(result.problems);
  return toText(json{{"ok", true}, {"config", toJson(*result.config)}});
}

std::string breakersJson(bool present, const std::string& text, const std::string& what) {
  BreakerRecord record =
      parseBreakerRecord(present ? std::optional<std::string>(text) : std::nullopt, what);
  return toText(json{{"ok", true},
                     {"present", record.present},
                     {"readable", record.breakers.has_value()},
                     {"breakers", record.breakers ? breakersToJson(*record.breakers) : json(nullptr)},
                     {"problems", problemsJson(record.problems)}});
}

std::string pollRequestsJson(const std::string& configText, double nowMs, const std::string& accountTag) {
  std::vector<Problem> problems;
  auto config = configFrom(configText, problems);
  auto now = timeFrom(nowMs, problems);
  if (!isAnalyticsId(accountTag)) {
    problems.push_back({"accountId", "must be a Cloudflare account id (letters and digits)", ""});
  }
  if (!problems.empty()) return failure(problems);
  json list = json::array();
  for (const UsageRequest& request : buildUsageRequests(*config, *now, accountTag)) {
    list.push_back({{"dataset", request.dataset},
                    {"body", toText(json{{"query", request.query}, {"variables", request.variables}})}});
  }
  return toText(json{{"ok", true}, {"requests", list}});
}

std::string evaluateJson(const std::string& configText, bool statePresent, const std::string& stateText,
                         bool safetyNetPresent, const std::string& safetyNetText, const std::string& answersText,
                         const std::string& bodiesText, double nowMs) {
  std::vector<Problem> problems;
  auto config = configFrom(configText, problems);
  auto now = timeFrom(nowMs, problems);
  auto answers = parse(answersText, "answers", problems);
  if (answers && !answers->is_array()) problems.push_back({"answers", "must be a list", ""});
  if (!problems.empty()) return failure(problems);

  PollStateRecord record = parsePollState(statePresent ? std::optional<std::string>(stateText) : std::nullopt);
  PollState previous = record.state;
  std::vector<Problem> notes = record.problems;
  if (!record.readable) {
    // Missing or unreadable state: the safety net's trips stand until a tick confirms recovery.
    BreakerRecord net = parseBreakerRecord(safetyNetPresent ? std::optional<std::string>(safetyNetText) : std::nullopt,
                                           "safety-net");
    if (net.breakers) previous.breakers = *net.breakers;
    notes.insert(notes.end(), net.problems.begin(), net.problems.end());
  }
  std::vector<std::string> bodies;
  for (std::size_t start = 0;;) {
    const std::size_t end = bodiesText.find('\x1e', start);
    bodies.push_back(bodiesText.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (bodies.size() != answers->size()) {
    return failure({{"bodies", "has " + std::to_string(bodies.size()) + " parts for " +
                                   std::to_string(answers->size()) + " answers", ""}});
  }
  std::vector<DatasetOutcome> outcomes;
  std::size_t index = 0;
  for (const json& answer : *answers) {
    const std::string& body = bodies[index++];
    if (!answer.is_object()) continue;
    const std::string dataset = stringField(answer, "dataset");
    auto status = answer.find("status");
    const int code = status != answer.end() && status->is_number_integer() ? status->get<int>() : 0;
    if (code == 0) {
      DatasetOutcome outcome;
      outcome.dataset = dataset;
      outcome.error = stringField(answer, "error").empty() ? "request failed" : stringField(answer, "error");
      outcomes.push_back(outcome);
    } else {
      outcomes.push_back(parseUsageResponse(dataset, code, body, dayOfMs(*now)));
    }
  }
  Evaluation evaluation = evaluate(*config, previous, outcomes, *now);
  if (!record.readable && record.present) evaluation.write = true;  // repair the record
  if (evaluation.write && !evaluation.changes.health) {
    evaluation.changes.health = previous.health;
    evaluation.changes.alerted = previous.alerted;
  }
  if (!record.readable) {
    // The fresh read will be as unreadable: carry the breakers that stand over.
    const StateChanges& changes = evaluation.changes;
    for (const auto& [key, breaker] : previous.breakers) {
      const bool ends = std::find(changes.clear.begin(), changes.clear.end(), key) != changes.clear.end() ||
                        changes.expire.count(key);
      if (!ends) evaluation.changes.trip.emplace(key, breaker);
    }
  }
  return toText(json{{"ok", true},
                     {"write", evaluation.write},
                     {"changes", changesToJson(evaluation.changes)},
                     {"report", evaluation.report},
                     {"events", eventsJson(evaluation.events)},
                     {"pendingAlerts", previous.pendingAlerts},
                     {"problems", problemsJson(notes)}});
}

std::string applyChangesJson(const std::string& configText, bool present, const std::string& freshText,
                             bool safetyNetPresent, const std::string& safetyNetText,
                             const std::string& changesText, double nowMs) {
  std::vector<Problem> problems;
  auto config = configFrom(configText, problems);
  auto now = timeFrom(nowMs, problems);
  auto changesValue = parse(changesText, "changes", problems);
  std::optional<StateChanges> changes = changesValue ? changesFromJson(*changesValue) : std::nullopt;
  if (changesValue && !changes) problems.push_back({"changes", "is not a change set", ""});
  if (!problems.empty()) return failure(problems);
  PollStateRecord fresh = parsePollState(present ? std::optional<std::string>(freshText) : std::nullopt);
  if (!fresh.readable) {
    BreakerRecord net = parseBreakerRecord(
        safetyNetPresent ? std::optional<std::string>(safetyNetText) : std::nullopt, "safety-net");
    if (net.breakers) fresh.state.breakers = *net.breakers;
  }
  const PollState next = applyChanges(fresh.state, *changes);
  json safetyNet = {{"action", "delete"}};
  if (!next.breakers.empty()) {
    // Relative, so that KV's clock decides; never under KV's 60 s minimum, with a margin.
    const std::int64_t seconds = (safetyNetExpiryMs(*config, next, *now) - *now + 999) / 1000;
    safetyNet = {{"action", "put"},
                 {"text", toText(json{{"version", kStateVersion}, {"breakers", breakersToJson(next.breakers)}})},
                 {"expirationTtl", std::max<std::int64_t>(seconds, 120)}};
  }
  return toText(json{{"ok", true},
                     {"state", serializePollState(next)},
                     {"breakers", breakersToJson(next.breakers)},
                     {"safetyNet", safetyNet},
                     {"problems", problemsJson(fresh.problems)}});
}

std::string manualChangesJson(const std::string& configText, const std::string& opText, double nowMs) {
  std::vector<Problem> problems;
  auto config = configFrom(configText, problems);
  auto now = timeFrom(nowMs, problems);
  auto op = parse(opText, "operation", problems);
  if (op && !op->is_object()) problems.push_back({"operation", "must be an object", ""});
  if (!problems.empty()) return failure(problems);
  std::vector<std::string> keys;
  if (auto it = op->find("resources"); it != op->end() && it->is_array()) {
    for (const json& key : *it) {
      if (key.is_string()) {
        keys.push_back(key.get<std::string>());
      } else {
        problems.push_back({"resources", "must list resource ids, got " + toText(key), ""});
      }
    }
  }
  // Absent is 0; anything but a number is refused rather than read as "never".
  auto number = [&](const char* key) {
    auto it = op->find(key);
    if (it == op->end()) return 0.0;
    if (!it->is_number()) {
      problems.push_back({key, "must be a number of seconds, got " + toText(*it), ""});
      return 0.0;
    }
    return it->get<double>();
  };
  const std::string action = stringField(*op, "action");
  ManualResult result;
  if (action == "trip") {
    result = manualTrip(*config, keys, stringField(*op, "reason"), number("ttlSeconds"), *now);
  } else if (action == "reset") {
    result = manualReset(*config, keys, number("holdSeconds"), *now);
  } else {
    problems.push_back({"action", "must be \"trip\" or \"reset\"", ""});
  }
  problems.insert(problems.end(), result.problems.begin(), result.problems.end());
  if (!problems.empty() || !result.changes) return failure(problems);
  return toText(json{{"ok", true}, {"changes", changesToJson(*result.changes)}});
}

std::string alertDeliveriesJson(const std::string& configText, const std::string& eventsText,
                                const std::string& accountId, double nowMs) {
  std::vector<Problem> problems;
  auto config = configFrom(configText, problems);
  auto now = timeFrom(nowMs, problems);
  auto events = parse(eventsText, "events", problems);
  if (!problems.empty()) return failure(problems);
  json list = json::array();
  for (const AlertDelivery& delivery : buildAlerts(*config, *events, accountId, isoTimestamp(*now))) {
    list.push_back({{"channel", delivery.channel}, {"event", delivery.event}, {"level", delivery.level},
                    {"key", delivery.key}, {"body", delivery.body}});
  }
  return toText(json{{"ok", true}, {"deliveries", list}});
}

namespace {

std::optional<BucketParams> bucketParams(const std::string& text, std::vector<Problem>& problems) {
  auto params = parse(text, "params", problems);
  if (!params) return std::nullopt;
  if (!params->is_object()) {
    problems.push_back({"params", "must be an object { capacity, refillPerSecond, cost }", ""});
    return std::nullopt;
  }
  return bucketParamsFrom(*params, "params", problems);
}

}  // namespace

std::string bucketSyncJson(const std::string& paramsText, bool present, const std::string& stateText, double taken,
                           double nowMs) {
  std::vector<Problem> problems;
  auto now = timeFrom(nowMs, problems);
  auto bucket = bucketParams(paramsText, problems);
  if (!std::isfinite(taken) || taken < 0 || taken > kMaxTokens) problems.push_back({"taken", "must be a count of tokens", ""});
  if (!problems.empty()) return failure(problems);
  const std::optional<BucketState> shared = present ? parseBucket(stateText) : std::nullopt;
  const BucketState next = consumeTokens(*bucket, shared.value_or(fullBucket(*bucket, *now)), taken, *now);
  // Seconds until the shared bucket is full again, debt paid: how long its KV key must live.
  const double fullInSeconds = std::ceil((bucket->capacity - next.tokens) / bucket->refillPerSecond);
  return toText(json{{"ok", true}, {"state", serializeBucket(next)}, {"resetSeconds", fullInSeconds}});
}

std::string bucketTakeJson(const std::string& paramsText, bool present, const std::string& stateText, double nowMs) {
  std::vector<Problem> problems;
  auto now = timeFrom(nowMs, problems);
  auto params = bucketParams(paramsText, problems);
  if (!problems.empty()) return failure(problems);
  const BucketParams bucket = *params;
  // A stored state that does not parse starts a full bucket: the limiter fails open.
  const std::optional<BucketState> stored = present ? parseBucket(stateText) : std::nullopt;
  const BucketResult result = takeTokens(bucket, stored.value_or(fullBucket(bucket, *now)), *now);
  return toText(json{{"ok", true},
                     {"allowed", result.decision.allowed},
                     {"remaining", std::floor(result.decision.remaining)},
                     {"retryAfterSeconds", result.decision.retryAfterSeconds},
                     {"resetSeconds", result.decision.resetSeconds},
                     {"retryAfterMs", result.decision.retryAfterMs},
                     {"resetMs", result.decision.resetMs},
                     {"state", serializeBucket(result.state)}});
}

}  // namespace edgefuse
