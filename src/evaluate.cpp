#include "evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <set>

#include "breaker_lifecycle.h"
#include "cost.h"
#include "identifier.h"
#include "insights.h"
#include "json_text.h"
#include "text_format.h"

namespace edgefuse {
namespace {

using nlohmann::json;


// What the rows of `resource` (one binding, when `bindingId` is set) add up to on days
// [first, last].
double rowsBetween(const DatasetOutcome& outcome, const std::string& resource,
                   const std::optional<std::string>& bindingId, Day first, Day last) {
  double total = 0;
  for (const UsageRow& row : outcome.rows) {
    if (row.resource != resource || row.day < first || row.day > last) continue;
    if (bindingId && row.bindingId != *bindingId) continue;
    total += row.units;
  }
  return total;
}

json optional(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

class Evaluator {
 public:
  Evaluator(const Config& config, const PollState& previous, const std::vector<DatasetOutcome>& outcomes,
            std::int64_t nowMs)
      : config_(config), previous_(previous), nowMs_(nowMs), nowIso_(isoTimestamp(nowMs)),
        today_(dayOfMs(nowMs)), month_(billingMonth(today_, config.billingDay)), alerted_(previous.alerted),
        history_(previous.history) {
    for (const DatasetOutcome& outcome : outcomes) outcomes_[outcome.dataset] = &outcome;
    judged_ = outcomes_;
    mergeBilledParts();
  }

  Evaluation run() {
    for (const auto& [key, threshold] : config_.thresholds) evaluateKey(key, threshold);
    evaluateInsights();
    evaluateBudget();
    expireManualEntries();
    updateHealth();
    finish();
    return std::move(result_);
  }

 private:
  const DatasetOutcome* outcomeFor(const Resource& resource) const {
    auto it = judged_.find(std::string(resource.dataset));
    return it == judged_.end() || !it->second->ok ? nullptr : it->second;
  }

  // A resource the API reports in two datasets (Durable Objects requests, and the WebSocket
  // messages billed as requests) is judged on both: the part's rows join the whole's, under
  // its id; when either answer is untrustworthy, so is the whole. A part the account may not
  // read leaves the whole judged on the rest (a lower bound, said once as inaccessible),
  // rather than never judged at all.
  void mergeBilledParts() {
    for (const Resource& part : resources()) {
      if (part.billedAs.empty() || !isPolled(part)) continue;
      const Resource& whole = *findResource(part.billedAs);
      const auto into = outcomes_.find(std::string(whole.dataset));
      const auto from = outcomes_.find(std::string(part.dataset));
      if (into == outcomes_.end() || from == outcomes_.end()) continue;
      DatasetOutcome& merged = merged_.emplace_back(*into->second);
      if (!from->second->ok && !from->second->inaccessible) {
        merged.ok = false;
        merged.error = std::string(part.dataset) + ": " + from->second->error;
      }
      merged.coveredFrom = std::max(merged.coveredFrom, from->second->coveredFrom);
      merged.byDay = merged.byDay && from->second->byDay;
      for (const UsageRow& row : from->second->rows) {
        if (row.resource == part.id) merged.rows.push_back({whole.id, row.bindingId, row.day, row.units});
      }
      judged_[merged.dataset] = &merged;
    }
  }

  const Allowance& allowance(const Resource& resource) const { return allowanceFor(resource, config_.plan); }

  // A resource's usage on days [first, last] in the measure it is billed in. Counts add up. A
  // stored level (each day's peak, per binding, added across bindings) is, where it is billed,
  // GB-months: the peaks' average over 30 days; where a plan caps it, the highest day's level.
  double usageBetween(const DatasetOutcome& outcome, const std::string& id,
                      const std::optional<std::string>& bindingId, Day first, Day last) const {
    const Resource& resource = *findResource(id);
    if (resource.measure == Measure::Sum) return rowsBetween(outcome, id, bindingId, first, last);
    if (allowance(resource).billing == Billing::Overage) {
      return rowsBetween(outcome, id, bindingId, first, last) / kStorageMonthDays;
    }
    return latestLevel(outcome, id, bindingId, first - 1, last);
  }

  // A stored level as it stands: the latest day in [first, last] the answer has one for. A new
  // UTC day has no sample for a while, and storage does not empty at midnight, so the day
  // before stands in (the query asks for it); a level that fell to nothing shows a day late.
  double latestLevel(const DatasetOutcome& outcome, const std::string& id, const std::optional<std::string>& bindingId,
                     Day first, Day last) const {
    for (Day day = last; day >= first; --day) {
      const double level = rowsBetween(outcome, id, bindingId, day, day);
      if (level > 0) return level;
    }
    return 0;
  }

  // Where a stored level is headed by the end of its period: a cap's level stays as it is; a
  // month of GB-months adds today's level for each day left (hourly history, which spreads
  // what accrued since the last tick over the hours, would read a day's share as a spike).
  Projection projectLevel(const DatasetOutcome& outcome, const std::string& id, const Allowance& plan,
                          const Window& period, double total) const {
    Projection projection;
    projection.used = total;
    projection.endOfPeriod = total;
    if (plan.billing == Billing::Overage) {
      const double level = latestLevel(outcome, id, std::nullopt, today_ - 1, today_);
      const double perDay = level / kStorageMonthDays;
      projection.ratePerHour = perDay / 24;
      projection.endOfPeriod = total + perDay * static_cast<double>(period.nextStart - today_ - 1);
      if (total < plan.included && perDay > 0) {
        const double days = (plan.included - total) / perDay;
        if (today_ + 1 + days <= period.nextStart) projection.quotaReachedAtMs = msOfDay(today_ + 1 + static_cast<Day>(days));
      }
    }
    if (plan.billing != Billing::NotMetered && plan.included > 0) {
      projection.percentOfQuota = projection.endOfPeriod / plan.included * 100.0;
    }
    projection.overageUsd = overageUsd(plan, projection.endOfPeriod);
    return projection;
  }

  // "kv-reads, kv-writes": the polled resources read from `dataset`.
  static std::string resourcesOn(const std::string& dataset) {
    std::string ids;
    for (const Resource* resource : polledResources()) {
      if (resource->dataset == dataset) ids += (ids.empty() ? "" : ", ") + std::string(resource->id);
    }
    return ids;
  }

  // Usage in the allowance's own period: what overage is priced on.
  double periodUsage(const DatasetOutcome& outcome, const Resource& resource, Day last) const {
    const Day first = allowance(resource).period == Period::Day ? last : month_.first;
    return measured(outcome, std::string(resource.id), first, last);
  }

  // Units of `id` (all its bindings) on days [first, last]: the answer's rows from where it
  // reaches, before that the settled totals kept; `missing` gets the days neither has.
  double measured(const DatasetOutcome& outcome, const std::string& id, Day first, Day last,
                  std::vector<Day>* missing = nullptr) const {
    double total = usageBetween(outcome, id, std::nullopt, std::max(first, outcome.coveredFrom), last);
    const auto kept = previous_.dailyTotals.find(id);
    for (Day day = first; day <= last && day < outcome.coveredFrom; ++day) {
      if (kept != previous_.dailyTotals.end()) {
        const auto units = kept->second.find(day);
        if (units != kept->second.end()) {
          total += units->second;
          continue;
        }
      }
      if (missing) missing->push_back(day);
    }
    return total;
  }

  void alertOnce(const std::string& level, const std::string& key, const std::string& windowTag,
                 const std::string& message, const json& details = json::object()) {
    std::string& seen = alerted_[level + ":" + key];
    if (seen == windowTag) return;
    seen = windowTag;
    result_.events.push_back({level, key, message, config_.dryRun, details});
  }

  void trip(const std::string& key, const std::string& resource, const std::string& binding,
            const std::string& source, const std::string& reason, const std::string& windowTag,
            const json& details = json::object()) {
    if (!config_.dryRun) {
      // A new breaker is news even if this window saw one before (a reset in between).
      alerted_.erase("trip:" + key);
      alerted_.erase("warn:" + key);
    }
    alertOnce("trip", key, windowTag, reason, details);
    if (!config_.dryRun) result_.changes.trip[key] = {resource, binding, reason, nowIso_, source, ""};
  }

  void recover(const std::string& key, const std::string& message, const json& details = json::object()) {
    alerted_.erase("trip:" + key);
    alerted_.erase("warn:" + key);
    result_.events.push_back({"recover", key, message, config_.dryRun, details});
    result_.changes.clear.push_back(key);  // even in a dry run: it never trips, but cleans up
  }


  void evaluateKey(const std::string& key, const Threshold& threshold) {
    const BreakerKeyParts parts = splitBreakerKey(key);
    if (!parts.resource) return;
    const Resource& resource = *parts.resource;
    if (!isJudged(config_, resource)) {
      // Nothing can be decided on it, so its dataset was not asked. A breaker the poll tripped
      // when it was judged (another plan, a line since removed) would never be confirmed
      // again: it is lifted rather than left to stand for ever.
      const auto standing = previous_.breakers.find(key);
      if (standing != previous_.breakers.end() && standing->second.source == "poll") {
        recover(key, key + " is no longer judged (no line can fire on it): its breaker is lifted");
      }
      return;
    }
    const Allowance& plan = allowance(resource);
    const Granularity granularity = windowGranularity(threshold, plan);
    const Window window = windowSoFar(granularity, today_, config_.billingDay);
    const std::string windowTag = isoDate(window.first);
    std::optional<std::string> bindingId;
    if (!parts.binding.empty()) {
      auto id = config_.bindingIds.find(parts.binding);
      if (id == config_.bindingIds.end()) return;  // validation rules this out
      bindingId = id->second;
    }

    // Quota scaled to the window: a day of a monthly inclusion is its daily share.
    std::optional<double> quota;
    if (plan.billing != Billing::NotMetered && plan.included > 0) {
      const double periodDays = plan.period == Period::Day ? 1.0 : static_cast<double>(month_.nextStart - month_.first);
      quota = plan.included * static_cast<double>(window.nextStart - window.first) / periodDays;
      // A cap on a stored level is the same whatever the window.
      if (resource.measure == Measure::DailyPeak && plan.billing == Billing::HardLimit) quota = plan.included;
    }
    auto breaker = previous_.breakers.find(key);
    const bool tripped = breaker != previous_.breakers.end();
    json entry = {{"key", key},
                  {"resource", resource.id},
                  {"binding", parts.binding},
                  {"unit", resource.unit},
                  {"window", {{"granularity", nameOf(granularity)}, {"from", isoDate(window.first)},
                              {"to", isoDate(window.last)}, {"resetsAt", isoTimestamp(msOfDay(window.nextStart))}}},
                  {"quota", optional(quota)},
                  {"lines", {{"warn", threshold.warnPercent}, {"trip", optional(threshold.tripPercent)},
                             {"recover", threshold.recoverPercent}, {"tripAt", optional(threshold.tripAt)},
                             {"maxOverageUsd", optional(threshold.maxOverageUsd)}}},
                  {"breaker", tripped ? breakersToJson({{key, breaker->second}})[key] : json(nullptr)}};

    const DatasetOutcome* outcome = outcomeFor(resource);
    if (!outcome) {  // no trustworthy figure: change nothing
      entry.update({{"used", nullptr}, {"percent", nullptr}, {"overageUsd", nullptr}, {"stale", true},
                    {"decision", tripped ? "tripped" : "stale"}});
      result_.report["resources"].push_back(std::move(entry));
      return;
    }
    // A window the answer does not wholly cover (a stored level asked only for its unsettled
    // days) is made up from the totals kept; a day neither has leaves no trustworthy figure.
    std::vector<Day> missing;
    const double used = bindingId ? usageBetween(*outcome, std::string(resource.id), bindingId, window.first, window.last)
                                  : measured(*outcome, std::string(resource.id), window.first, window.last, &missing);
    if (!missing.empty()) {
      entry.update({{"used", nullptr}, {"percent", nullptr}, {"overageUsd", nullptr}, {"stale", true},
                    {"decision", tripped ? "tripped" : "stale"}});
      result_.report["resources"].push_back(std::move(entry));
      return;
    }
    // Plain values (not optionals) below: without a quota, percent lines never apply.
    const bool hasQuota = quota.has_value();
    const double quotaUnits = quota.value_or(0.0);
    const double percent = hasQuota ? used / quotaUnits * 100.0 : 0.0;
    const std::string share = key + " at " + percentText(percent) + " of its " + withCommas(quotaUnits) + " " +
                              std::string(resource.unit) + " per " + nameOf(granularity);
    const double overage = parts.binding.empty() ? overageUsd(plan, periodUsage(*outcome, resource, today_)) : 0.0;

    // Built only for an event: most keys on most ticks raise none.
    const auto details = [&] {
      return json{{"resource", resource.id}, {"binding", parts.binding}, {"used", used},
                  {"quota", optional(quota)}, {"unit", resource.unit},
                  {"percent", hasQuota ? json(percent) : json(nullptr)}, {"overageUsd", overage},
                  {"window", nameOf(granularity)}};
    };
    // Absolute lines recover at the same fraction of themselves; never at or above 1.
    const double ratio = std::min(threshold.recoverPercent / threshold.tripPercent.value_or(100.0), 0.99);
    std::string reason;
    if (threshold.tripPercent && hasQuota && percent >= *threshold.tripPercent) {
      reason = share + " (trips at " + percentText(*threshold.tripPercent) + ")";
    } else if (threshold.tripAt && used >= *threshold.tripAt) {
      reason = key + " used " + withCommas(used) + " " + std::string(resource.unit) + " this " +
               nameOf(granularity) + " (trips at " + withCommas(*threshold.tripAt) + ")";
    } else if (threshold.maxOverageUsd && overage >= *threshold.maxOverageUsd) {
      // Overage is priced over the allowance's period: the UTC day for a daily inclusion.
      reason = key + " overage " + usd(overage) + (plan.period == Period::Day ? " today" : " this billing month") +
               " (trips at " + usd(*threshold.maxOverageUsd) + ")";
    }
    const bool below = (!threshold.tripPercent || !hasQuota || percent < threshold.recoverPercent) &&
                       (!threshold.tripAt || used < *threshold.tripAt * ratio) &&
                       (!threshold.maxOverageUsd || overage < *threshold.maxOverageUsd * ratio);

    const BreakerDecision decision =
        decideThreshold(tripped ? &breaker->second : nullptr, isHeld(previous_, key, nowMs_),
                        {!reason.empty(), below, hasQuota && percent >= threshold.warnPercent});
    if (decision == BreakerDecision::Trip && tripped) {
      // The poll confirms what the real-time meter tripped (and alerted) first: no news.
      alerted_["trip:" + key] = windowTag;
      result_.changes.trip[key] = {std::string(resource.id), parts.binding, reason, nowIso_, "poll", ""};
    } else if (decision == BreakerDecision::Trip) {
      trip(key, std::string(resource.id), parts.binding, "poll", reason, windowTag, details());
    } else if (decision == BreakerDecision::Recover) {
      recover(key,
              key + " is back under its recover line" +
                  (hasQuota ? " (" + percentText(percent) + " of its quota)" : std::string()),
              details());
    } else if (decision == BreakerDecision::Warn) {
      alertOnce("warn", key, windowTag, share, details());
    }
    entry.update({{"used", used}, {"percent", hasQuota ? json(percent) : json(nullptr)}, {"overageUsd", overage}, {"stale", false},
                  {"decision", nameOf(decision)}});
    result_.report["resources"].push_back(std::move(entry));
  }

  // The allowance period a resource's quota or inclusion applies to.
  Window allowancePeriod(const Allowance& plan) const {
    return plan.period == Period::Day ? windowSoFar(Granularity::Day, today_, config_.billingDay) : month_;
  }

  // Hourly history, spikes and projections, per resource (not per binding).
  void evaluateInsights() {
    for (json& entry : result_.report["resources"]) {
      if (entry["binding"] != "" || entry["stale"] == true) continue;
      const std::string id = entry["resource"].get<std::string>();
      const Resource& resource = *findResource(id);
      const DatasetOutcome* outcome = outcomeFor(resource);
      if (!outcome) continue;
      const Allowance& plan = allowance(resource);
      const Window period = allowancePeriod(plan);
      const double total = measured(*outcome, id, period.first, today_);
      const bool level = resource.measure == Measure::DailyPeak;
      // A level keeps no hourly history (none is created for it in the record).
      static const HourlyHistory kNoHistory{};
      HourlyHistory* tracked = level ? nullptr : &history_[id];
      if (tracked) {
        const HourlyHistory before = *tracked;
        historyChanged_ |= recordTotal(*tracked, total, period.first, nowMs_);
        tallyNewHours(tally_, id, before, *tracked, spikeFloorUnits(config_.spikeFloorPercent, plan, period));
      }
      const HourlyHistory& history = tracked ? *tracked : kNoHistory;
      const Projection projection =
          level ? projectLevel(*outcome, id, plan, period, total) : project(history, total, plan, period, nowMs_);
      const std::string periodName = plan.period == Period::Day ? "day" : "billing month";
      entry["projection"] = {{"ratePerHour", projection.ratePerHour}, {"endOfPeriod", projection.endOfPeriod},
                             {"percent", optional(projection.percentOfQuota)}, {"overageUsd", projection.overageUsd},
                             {"quotaReachedAt", projection.quotaReachedAtMs ? json(isoTimestamp(*projection.quotaReachedAtMs))
                                                                             : json(nullptr)},
                             {"periodEndsAt", isoTimestamp(msOfDay(period.nextStart))},
                             {"used", total}, {"period", periodName},
                             {"included", plan.included > 0 && plan.billing != Billing::NotMetered ? json(plan.included)
                                                                                                   : json(nullptr)}};
      entry["hourly"] = history.hours;
      projectedOverageUsd_ += projection.overageUsd;
      const auto details = [&] {  // only for an alert
        return json{{"resource", id}, {"binding", ""}, {"used", total},
                    {"quota", plan.included > 0 && plan.billing != Billing::NotMetered ? json(plan.included) : json(nullptr)},
                    {"unit", resource.unit}, {"overageUsd", overageUsd(plan, total)},
                    {"projectedPercent", optional(projection.percentOfQuota)},
                    {"projectedOverageUsd", projection.overageUsd}, {"window", periodName}};
      };
      const double nowPercent = plan.included > 0 ? total / plan.included * 100.0 : 0.0;
      if (config_.projectionAlertPercent && projection.percentOfQuota &&
          *projection.percentOfQuota >= *config_.projectionAlertPercent && nowPercent < *config_.projectionAlertPercent) {
        std::string message = id + " is on course for " + percentText(*projection.percentOfQuota) + " of its " +
                              withCommas(plan.included) + " " + std::string(resource.unit) + " per " + periodName +
                              " by " + isoDate(period.nextStart);
        if (projection.quotaReachedAtMs) message += "; at the current rate it runs out " + isoTimestamp(*projection.quotaReachedAtMs);
        if (projection.overageUsd > 0) message += " (" + usd(projection.overageUsd) + " overage)";
        alertOnce("projection", id, isoDate(period.first), message, details());
      }
      if (config_.spikeFactor && !level) {
        if (auto spike = detectSpike(history, total, period.first, nowMs_, *config_.spikeFactor, config_.spikeFloorPercent,
                                     plan, period)) {
          entry["spike"] = {{"lastHour", spike->lastHour}, {"baseline", spike->baseline}, {"spiking", spike->spiking}};
          if (spike->spiking) {
            const double ratio = spike->lastHour / spike->baseline;
            alertOnce("spike", id, isoDate(today_),
                      id + " used " + withCommas(spike->lastHour) + " " + std::string(resource.unit) +
                          " in the last hour, " + withCommas(ratio) + "x its baseline of " +
                          withCommas(std::ceil(spike->baseline)) + " an hour",
                      details());
          }
        }
      }
    }
  }

  void evaluateBudget() {
    if (!config_.budget) {
      result_.report["budget"] = nullptr;
      return;
    }
    const Budget& budget = *config_.budget;
    const Window window = windowSoFar(budget.granularity, today_, config_.billingDay);
    const std::string windowTag = isoDate(window.first);
    double total = 0;
    bool stale = false;
    std::map<std::string, double> contributions;
    for (const Resource* resource : polledResources()) {
      const Allowance& plan = allowance(*resource);
      if (plan.billing != Billing::Overage) continue;
      const DatasetOutcome* outcome = outcomeFor(*resource);
      if (!outcome) {
        stale = true;
        continue;
      }
      const std::string id(resource->id);
      const std::size_t missedBefore = missedLookups_;
      double overage = 0;
      if (plan.period == Period::Day) {
        for (Day day = window.first; day <= window.last; ++day) {
          overage += overageUsd(plan, measuredBetween(*outcome, id, day, day));
        }
      } else {
        // Overage accrued within the window, per billing month it overlaps (a week can
        // straddle a renewal): what was owed at its end, less what was owed before it.
        for (Day end = window.last; end >= window.first;) {
          const Window month = billingMonth(end, config_.billingDay);
          const Day from = std::max(window.first, month.first);
          const double before = measuredBetween(*outcome, id, month.first, from - 1);
          const double toEnd = measuredBetween(*outcome, id, month.first, end);
          overage += overageUsd(plan, toEnd) - overageUsd(plan, before);
          end = month.first - 1;
        }
      }
      // With days missing, a linear price gives a lower bound; one billed in whole units (R2
      // rounds up to the million) gives no bound at all: it is left out, never let trip.
      if (plan.roundsUpToUnit && missedLookups_ != missedBefore) {
        stale = true;
        continue;
      }
      if (overage > 0) contributions[id] = overage;
      total += overage;
    }
    // Days the window needs that no answer reaches and the guard never stored (the first
    // ticks, or after an outage): the total is a lower bound, like a missing dataset's.
    if (!unmeasured_.empty()) stale = true;
    const double percent = total / budget.maxUsd * 100.0;
    bool budgetTripped = false;
    for (const auto& [key, breaker] : previous_.breakers) budgetTripped |= breaker.source == "budget";
    std::string decision = budgetTripped ? "tripped" : "ok";
    const BudgetDecision verdict = decideBudget(budgetTripped, {total >= budget.maxUsd, percent < budget.warnPercent, !stale});
    if (verdict == BudgetDecision::Trip) {
      const std::string reason = "budget: " + usd(total) + " of " + usd(budget.maxUsd) + " overage this " +
                                 nameOf(budget.granularity);
      for (const auto& [id, overage] : contributions) {
        if (!budgetMayTrip(previous_, result_.changes, id, nowMs_)) continue;
        trip(id, id, "", "budget", reason + " (" + id + " " + usd(overage) + ")", windowTag);
        decision = "trip";
      }
    } else if (verdict == BudgetDecision::Recover) {
      decision = "recover";
      for (const auto& [key, breaker] : previous_.breakers) {
        if (breaker.source == "budget") recover(key, "budget back under " + percentText(budget.warnPercent) + ": " + usd(total));
      }
    } else if (verdict == BudgetDecision::Warn) {
      if (!budgetTripped) decision = "warn";
      alertOnce("budget-warn", "budget", windowTag,
                "budget at " + percentText(percent) + ": " + usd(total) + " of " + usd(budget.maxUsd) +
                    " overage this " + nameOf(budget.granularity));
    }
    // The month's projected overage, against a monthly budget.
    std::optional<double> projectedUsd;
    if (budget.granularity == Granularity::Month) {
      projectedUsd = projectedOverageUsd_;
      const double projectedPercent = *projectedUsd / budget.maxUsd * 100.0;
      if (config_.projectionAlertPercent && projectedPercent >= *config_.projectionAlertPercent &&
          percent < *config_.projectionAlertPercent) {
        alertOnce("projection", "budget", windowTag,
                  "the budget is on course for " + usd(*projectedUsd) + " of " + usd(budget.maxUsd) +
                      " overage by the end of the billing month",
                  {{"projectedOverageUsd", *projectedUsd}, {"maxUsd", budget.maxUsd}, {"usedUsd", total}});
      }
    }
    result_.report["budget"] = {{"maxUsd", budget.maxUsd}, {"usedUsd", total}, {"percent", percent},
                                {"warn", budget.warnPercent},
                                {"projectedUsd", optional(projectedUsd)},
                                {"granularity", nameOf(budget.granularity)},
                                {"from", isoDate(window.first)}, {"resetsAt", isoTimestamp(msOfDay(window.nextStart))},
                                {"contributions", contributions}, {"stale", stale},
                                {"unmeasuredDays", unmeasured_.size()}, {"decision", decision}};
  }

  // Manual trips and reset holds with a time limit lapse on the first tick after it.
  void expireManualEntries() {
    endLapsed(previous_, nowMs_, result_.changes);
    for (const auto& [key, until] : result_.changes.expire) {
      result_.events.push_back({"recover", key, key + ": the manual trip lapsed", false});
    }
  }

  void updateHealth() {
    PollHealth health = previous_.health;
    health.lastCheckAt = nowIso_;
    // A dataset no longer asked for (nothing judged on it now) has no health to report.
    for (auto it = health.datasetFailures.begin(); it != health.datasetFailures.end();) {
      it = outcomes_.count(it->first) ? std::next(it) : health.datasetFailures.erase(it);
    }
    for (auto it = health.inaccessible.begin(); it != health.inaccessible.end();) {
      it = outcomes_.count(*it) ? std::next(it) : health.inaccessible.erase(it);
    }
    // Datasets failing for the same reason are named together, the reason said once.
    std::vector<std::pair<std::string, std::vector<std::string>>> failures;  // reason -> datasets
    for (const auto& [dataset, outcome] : outcomes_) {
      if (outcome->ok) {
        health.datasetFailures.erase(dataset);
        if (health.inaccessible.erase(dataset)) alerted_.erase("inaccessible:" + dataset);
      } else if (outcome->inaccessible) {
        // Said once, until the dataset answers: an access setting, not a failing API.
        health.datasetFailures.erase(dataset);
        health.inaccessible.insert(dataset);
        alertOnce("inaccessible", dataset, "inaccessible",
                  dataset + " is not available to this account or API token, so " + resourcesOn(dataset) +
                      " go unmeasured and never trip from the poll (" + outcome->error + ")");
      } else {
        health.datasetFailures[dataset] += 1;
        const std::string& reason = outcome->error;
        auto same = std::find_if(failures.begin(), failures.end(), [&reason](const auto& f) { return f.first == reason; });
        if (same == failures.end()) failures.push_back({reason, {dataset}});
        else same->second.push_back(dataset);
      }
    }
    std::string errors;
    for (const auto& [reason, datasets] : failures) {
      std::string names;
      if (datasets.size() > 1 && datasets.size() == outcomes_.size()) {
        names = "all " + std::to_string(datasets.size()) + " datasets";
      } else {
        for (const std::string& dataset : datasets) names += (names.empty() ? "" : ", ") + dataset;
      }
      errors += (errors.empty() ? "" : "; ") + names + ": " + reason;
    }
    health.consecutiveFailures = errors.empty() ? 0 : previous_.health.consecutiveFailures + 1;
    if (!errors.empty()) {
      DayTally& day = tally_[today_];
      day.failedChecks += 1;
      for (const auto& [reason, datasets] : failures) {
        for (const std::string& dataset : datasets) {
          if (day.failedDatasets.size() < kTallyDatasets) day.failedDatasets.insert(dataset);
        }
      }
    }
    health.lastError = errors;
    std::vector<std::string> polled;
    for (const auto& [dataset, outcome] : outcomes_) polled.push_back(dataset);
    const Blindness seen = blindness(health, polled, config_.failuresUntilBlind);
    const bool blind = seen.blind;
    const json blindDatasets = seen.datasets;
    for (const std::string& dataset : polled) {
      if (std::find(seen.datasets.begin(), seen.datasets.end(), dataset) == seen.datasets.end()) {
        alerted_.erase("blind:" + dataset);
      }
    }
    if (blind) {
      alertOnce("blind", "usage-api", "blind",
                errors.empty() ? "no dataset the guard reads is available to this account or API token; breakers hold as they are"
                               : "the usage API has failed " + std::to_string(health.consecutiveFailures) +
                                     " checks in a row; breakers hold as they are: " + errors);
    } else {
      alerted_.erase("blind:usage-api");
      for (const auto& dataset : blindDatasets) {
        alertOnce("blind", dataset.get<std::string>(), "blind",
                  dataset.get<std::string>() + " has failed " +
                      std::to_string(health.datasetFailures[dataset.get<std::string>()]) +
                      " checks in a row; its breakers hold as they are");
      }
    }
    const bool healthChanged = health.lastError != previous_.health.lastError ||
                               health.consecutiveFailures != previous_.health.consecutiveFailures ||
                               health.datasetFailures != previous_.health.datasetFailures ||
                               health.inaccessible != previous_.health.inaccessible;
    const auto lastWritten = parseIsoTimestamp(previous_.health.lastWrittenAt);
    const bool heartbeatDue = !lastWritten || nowMs_ - *lastWritten >= kHeartbeatMs || nowMs_ < *lastWritten;
    result_.write = healthChanged || heartbeatDue;
    health_ = health;
    result_.report["health"] = {{"lastCheckAt", nowIso_}, {"lastError", health.lastError},
                                {"consecutiveFailures", health.consecutiveFailures},
                                {"datasetFailures", health.datasetFailures}, {"blind", blind},
                                {"blindDatasets", blindDatasets}, {"inaccessible", health.inaccessible},
                                {"failuresUntilBlind", config_.failuresUntilBlind}};
  }

  // measured(), for the budget: a day neither has is counted in its unmeasuredDays.
  double measuredBetween(const DatasetOutcome& outcome, const std::string& id, Day first, Day last) {
    std::vector<Day> missing;
    const double total = measured(outcome, id, first, last, &missing);
    unmeasured_.insert(missing.begin(), missing.end());
    missedLookups_ += missing.size();
    return total;
  }

  // Settled days (two or more behind) of each resource keepsSettledDays() names (what a budget
  // may need once its answer no longer reaches them; every day of a stored level billed per
  // GB-month, which is then asked only for its last days): added once, never rewritten; kept
  // kDailyTotalsDays.
  void storeSettledDays() {
    dailyTotals_ = previous_.dailyTotals;
    for (auto it = dailyTotals_.begin(); it != dailyTotals_.end();) {
      const Resource* resource = findResource(it->first);
      it = resource && keepsSettledDays(config_, *resource) ? std::next(it) : dailyTotals_.erase(it);
    }
    for (const Resource* resource : polledResources()) {
      const DatasetOutcome* outcome = outcomeFor(*resource);
      if (!outcome || !outcome->byDay || !keepsSettledDays(config_, *resource)) continue;
      auto& days = dailyTotals_[std::string(resource->id)];
      for (Day day = outcome->coveredFrom; day <= today_ - 2; ++day) {
        if (!days.count(day)) days[day] = usageBetween(*outcome, std::string(resource->id), std::nullopt, day, day);
      }
    }
    for (auto& [id, days] : dailyTotals_) days.erase(days.begin(), days.lower_bound(today_ - kDailyTotalsDays));
    for (auto it = dailyTotals_.begin(); it != dailyTotals_.end();) it = it->second.empty() ? dailyTotals_.erase(it) : std::next(it);
  }

  void finish() {
    storeSettledDays();
    StateChanges& changes = result_.changes;
    for (const PollEvent& event : result_.events) countEvent(tally_[today_], {nowIso_, event.level, event.key, event.dryRun});
    changes.tally = tally_;
    result_.write = result_.write || !changes.trip.empty() || !changes.clear.empty() || !changes.expire.empty() ||
                    !changes.releaseHolds.empty() || alerted_ != previous_.alerted || historyChanged_ || !tally_.empty() ||
                    dailyTotals_ != previous_.dailyTotals;
    if (result_.write) {
      health_.lastWrittenAt = nowIso_;
      changes.health = health_;
      changes.alerted = alerted_;
      changes.history = history_;
      changes.dailyTotals = dailyTotals_;
    }
    json breakers = json::object();
    for (const auto& [key, breaker] : previous_.breakers) breakers[key] = breakersToJson({{key, breaker}})[key];
    result_.report["dryRun"] = config_.dryRun;
    result_.report["plan"] = nameOf(config_.plan);
    result_.report["now"] = nowIso_;
    result_.report["breakersBefore"] = breakers;
    // Every resource, and whether the poll reads it: what is not polled is said, not skipped.
    json coverage = json::array();
    for (const Resource& resource : resources()) {
      const bool refused = health_.inaccessible.count(std::string(resource.dataset)) > 0;
      coverage.push_back({{"resource", resource.id}, {"polled", isPolled(resource) && !refused},
                          {"reason", refused ? "the account or API token may not read " + std::string(resource.dataset)
                                             : std::string(whyNotPolled(resource))}});
    }
    result_.report["coverage"] = coverage;
  }

  const Config& config_;
  const PollState& previous_;
  const std::int64_t nowMs_;
  const std::string nowIso_;
  const Day today_;
  const Window month_;
  std::map<std::string, const DatasetOutcome*> outcomes_;  // as answered: what health counts
  std::map<std::string, const DatasetOutcome*> judged_;    // with parts billed as another merged in
  std::deque<DatasetOutcome> merged_;                      // (a deque: its elements never move)
  std::map<std::string, std::string> alerted_;
  std::map<std::string, HourlyHistory> history_;
  Tally tally_;  // what this tick adds to the digest's tally
  bool historyChanged_ = false;
  std::map<std::string, std::map<Day, double>> dailyTotals_;
  std::set<Day> unmeasured_;  // days a budget window needed that neither an answer nor the store had
  std::size_t missedLookups_ = 0;  // of those, per resource and day
  double projectedOverageUsd_ = 0;
  PollHealth health_;
  Evaluation result_{{}, false, {{"resources", json::array()}}, {}};
};

}  // namespace

Blindness blindness(const PollHealth& health, const std::vector<std::string>& polledDatasets, int failuresUntilBlind) {
  Blindness result;
  std::size_t readable = 0;
  for (const std::string& dataset : polledDatasets) {
    if (health.inaccessible.count(dataset)) continue;
    ++readable;
    auto failures = health.datasetFailures.find(dataset);
    if (failures != health.datasetFailures.end() && failures->second >= failuresUntilBlind) result.datasets.push_back(dataset);
  }
  // With every dataset refused the guard sees nothing: that is blind too.
  result.blind = readable > 0 ? result.datasets.size() == readable : !polledDatasets.empty();
  return result;
}

Evaluation evaluate(const Config& config, const PollState& previous,
                    const std::vector<DatasetOutcome>& outcomes, std::int64_t nowMs) {
  return Evaluator(config, previous, outcomes, nowMs).run();
}

json eventsToJson(const std::vector<PollEvent>& events) {
  json list = json::array();
  for (const PollEvent& event : events) {
    list.push_back({{"level", event.level}, {"key", event.key}, {"message", event.message}, {"dryRun", event.dryRun},
                    {"details", event.details}});
  }
  return list;
}

}  // namespace edgefuse
