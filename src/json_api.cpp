#include "json_api.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "catalogue.h"
#include "config.h"
#include "cost.h"
#include "json_text.h"
#include "token_bucket.h"

namespace edgefuse {
namespace {

using nlohmann::json;

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

json failureJson(const std::vector<Problem>& problems) {
  return json{{"ok", false}, {"problems", problemsToJson(problems)}};
}

std::string failure(const std::vector<Problem>& problems) {
  return toText(failureJson(problems));
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

std::optional<std::int64_t> timeFrom(double nowMs, std::vector<Problem>& problems) {
  if (!std::isfinite(nowMs) || nowMs < 0 || nowMs > 1e14) {
    problems.push_back({"now", "must be milliseconds since the epoch", ""});
    return std::nullopt;
  }
  return static_cast<std::int64_t>(nowMs);
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
        {"measure", nameOf(resource.measure)},
        {"billedAs", resource.billedAs},
        {"graphql",
         {{"dataset", resource.dataset},
          {"field", resource.field},
          {"fieldScale", resource.fieldScale},
          {"actionTypes", resource.actionTypes},
          {"bindingDimension", resource.bindingDimension},
          {"storageClass", resource.storageClass},
          {"documentedAt", resource.fieldSource},
          {"polled", isPolled(resource)},
          {"notPolled", resource.notPolled}}},
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

json validateConfig(const std::string& text, std::optional<Config>& parsed) {
  std::vector<Problem> problems;
  auto input = parse(text, "(config)", problems);
  if (!input) return failureJson(problems);
  ConfigResult result = parseConfig(*input);
  if (!result.config) return failureJson(result.problems);
  json reply = {{"ok", true}, {"config", toJson(*result.config)}};
  parsed = std::move(result.config);
  return reply;
}

std::string validateConfigJson(const std::string& text) {
  std::optional<Config> parsed;
  return toText(validateConfig(text, parsed));
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
