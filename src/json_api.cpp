#include "json_api.h"

#include <nlohmann/json.hpp>

#include "breaker_state.h"
#include "catalogue.h"
#include "config.h"
#include "cost.h"
#include "json_text.h"

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

}  // namespace edgefuse
