#include "live_meter.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "calendar.h"
#include "breaker_state.h"
#include "catalogue.h"
#include "json_text.h"

namespace edgefuse {
namespace {

using nlohmann::json;

constexpr int kStateVersion = 1;
// Buckets that cover the last minute whole, however far into the newest one `now` is.
constexpr std::int64_t kBucketsJudged = kMeterWindowMs / kMeterBucketMs + 1;

std::size_t indexOf(const Resource* resource) { return static_cast<std::size_t>(resource - resources().begin()); }

// A count as the meter shows it: whole, or with two decimals (neurons, rows are whole anyway).
std::string unitsText(double units) {
  return toText(quantityJson(std::round(units * 100) / 100));
}

// ---- the isolate's end ----------------------------------------------------------------

std::optional<std::string> breakersOf(const json& answer, std::vector<std::string>& keys, json& breakers) {
  auto it = answer.find("breakers");
  if (it == answer.end() || !it->is_object()) return "has no breakers object";
  for (const auto& item : it->items()) {
    if (!splitBreakerKey(item.key()).resource) return "names an unknown breaker key " + toText(json(item.key()));
    if (!item.value().is_object() || !item.value().contains("reason") || !item.value()["reason"].is_string()) {
      return "breaker " + item.key() + " has no reason";
    }
    keys.push_back(item.key());
    breakers[item.key()] = {{"reason", item.value()["reason"]},
                            {"since", item.value().value("since", "")},
                            {"source", "meter"}};
  }
  return std::nullopt;
}

}  // namespace

MeterOutbox::MeterOutbox(const Config& config)
    : reportMs_(static_cast<std::int64_t>(config.meterReportSeconds) * 1000), dryRun_(config.dryRun) {
  for (const auto& [id, line] : config.rates) {
    if (const Resource* resource = findResource(id)) lines_.emplace_back(indexOf(resource), line);
  }
}

bool MeterOutbox::due(const Enforcer& enforcer, std::int64_t nowMs) const {
  if (lines_.empty() || sending_ || nowMs < retryAtMs_) return false;
  const bool spaced = nowMs >= spacedUntilMs_;
  bool any = false;
  for (const auto& [index, line] : lines_) {
    const double units = enforcer.unreported(index);
    if (units <= 0) continue;
    any = true;
    if (!answered_) return true;  // a new isolate learns what stands at once
    auto left = headroom_.find(index);
    const double headroom = left == headroom_.end() ? line.perMinute : left->second;
    if (units >= std::max(1.0, (spaced ? kMeterReportShare : kMeterUrgentShare) * headroom)) return true;
  }
  if (!spaced) return false;
  if (recheckAtMs_ > 0 && nowMs >= recheckAtMs_) return true;
  return any && nowMs - lastAnswerMs_ >= reportMs_;
}

std::string MeterOutbox::take(Enforcer& enforcer, std::int64_t nowMs) {
  json lines = json::object();
  json units = json::object();
  for (const auto& [index, line] : lines_) {
    const std::string id(resources().begin()[index].id);
    lines[id] = {{"perMinute", quantityJson(line.perMinute)}, {"recoverPerMinute", quantityJson(line.recoverPerMinute)}};
    const double taken = enforcer.takeUnreported(index);
    if (taken > 0) {
      inFlight_[index] += taken;
      units[id] = quantityJson(taken);
    }
  }
  sending_ = true;
  return toText({{"now", nowMs}, {"lines", lines}, {"units", units}});
}

std::string MeterOutbox::settle(Enforcer& enforcer, const std::string& answerText, const std::string& error,
                                std::int64_t nowMs) {
  sending_ = false;
  std::string why = error;
  json answer;
  std::vector<std::string> keys;
  json breakers = json::object();
  if (why.empty()) {
    answer = json::parse(answerText, nullptr, false);
    if (!answer.is_object()) {
      why = "the meter's answer is not a JSON object";
    } else if (auto problem = breakersOf(answer, keys, breakers)) {
      why = "the meter's answer " + *problem;
    }
  }
  if (!why.empty()) {
    for (const auto& [index, units] : inFlight_) enforcer.giveBack(index, units);
    inFlight_.clear();
    ++failures_;
    const int doublings = std::min(failures_ - 1, 20);
    retryAtMs_ = nowMs + std::min(reportMs_, kMeterFirstRetryMs << doublings);
    return toText({{"ok", false}, {"error", why}, {"failures", failures_}});
  }
  inFlight_.clear();
  failures_ = 0;
  answered_ = true;
  lastAnswerMs_ = nowMs;
  spacedUntilMs_ = nowMs + kMeterReportSpacingMs;
  headroom_.clear();
  const json& rates = answer.contains("rates") && answer["rates"].is_object() ? answer["rates"] : json::object();
  for (const auto& [index, line] : lines_) {
    auto rate = rates.find(std::string(resources().begin()[index].id));
    const double used = rate != rates.end() && rate->is_number() ? rate->get<double>() : 0;
    headroom_[index] = std::max(0.0, line.perMinute - used);
  }
  const auto recheck = answer.find("recheckAtMs");
  recheckAtMs_ = recheck != answer.end() && recheck->is_number() ? recheck->get<std::int64_t>() : 0;
  enforcer.setMeterTripped(dryRun_ ? std::vector<std::string>{} : keys);
  return toText({{"ok", true}, {"breakers", breakers}, {"version", answer.value("version", 0)}});
}

std::string MeterOutbox::hear(Enforcer& enforcer, const std::string& answerText) {
  const json answer = json::parse(answerText, nullptr, false);
  std::vector<std::string> keys;
  json breakers = json::object();
  if (!answer.is_object()) return toText({{"ok", false}, {"error", "the meter's answer is not a JSON object"}});
  if (auto problem = breakersOf(answer, keys, breakers)) {
    return toText({{"ok", false}, {"error", "the meter's answer " + *problem}});
  }
  enforcer.setMeterTripped(dryRun_ ? std::vector<std::string>{} : keys);
  return toText({{"ok", true}, {"breakers", breakers}, {"version", answer.value("version", 0)}});
}

// ---- the meter's end ------------------------------------------------------------------

namespace {

struct Window {
  std::map<std::int64_t, double> buckets;  // bucket index (ms / kMeterBucketMs) -> units
};

std::int64_t bucketOf(std::int64_t ms) { return ms / kMeterBucketMs; }

// Drops buckets no rate will count again.
void dropOld(Window& window, std::int64_t nowMs) {
  const std::int64_t oldest = bucketOf(nowMs) - kBucketsJudged + 1;
  window.buckets.erase(window.buckets.begin(), window.buckets.lower_bound(oldest));
}

double rateOf(const Window& window, std::int64_t nowMs) {
  const std::int64_t oldest = bucketOf(nowMs) - kBucketsJudged + 1;
  double sum = 0;
  for (auto it = window.buckets.lower_bound(oldest); it != window.buckets.end(); ++it) sum += it->second;
  return sum;
}

// When the rate falls to `recover` if no more units come: as the oldest buckets age out.
std::int64_t recoversAtMs(const Window& window, double recover, std::int64_t nowMs) {
  double rate = rateOf(window, nowMs);
  const std::int64_t oldest = bucketOf(nowMs) - kBucketsJudged + 1;
  for (auto it = window.buckets.lower_bound(oldest); it != window.buckets.end() && rate > recover; ++it) {
    rate -= it->second;
    if (rate <= recover) return (it->first + kBucketsJudged) * kMeterBucketMs;
  }
  return nowMs;
}

struct MeterState {
  std::int64_t version = 0;
  std::int64_t persistedAtMs = 0;
  std::int64_t lastNowMs = 0;
  std::map<std::string, Window> windows;
  json breakers = json::object();
  std::map<std::string, std::int64_t> holds;  // key -> until (ms): a manual reset's
};

// The stored state, or a fresh one with a problem when it is unreadable (an object that lost
// its counts starts again: the breakers it held were also written to its answers).
MeterState readState(const std::string& text, std::vector<Problem>& problems) {
  MeterState state;
  if (text.empty()) return state;
  const json stored = json::parse(text, nullptr, false);
  if (!stored.is_object() || stored.value("v", 0) != kStateVersion) {
    problems.push_back({"meter state", "is not a meter state this version reads", "it starts again from empty"});
    return state;
  }
  state.version = stored.value("version", std::int64_t{0});
  state.persistedAtMs = stored.value("persistedAtMs", std::int64_t{0});
  state.lastNowMs = stored.value("lastNowMs", std::int64_t{0});
  if (auto windows = stored.find("windows"); windows != stored.end() && windows->is_object()) {
    for (const auto& item : windows->items()) {
      if (!findResource(item.key()) || !item.value().is_array()) continue;
      Window& window = state.windows[item.key()];
      for (const json& pair : item.value()) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_number_integer() && pair[1].is_number() &&
            pair[1].get<double>() > 0) {
          window.buckets[pair[0].get<std::int64_t>()] += pair[1].get<double>();
        }
      }
    }
  }
  if (auto breakers = stored.find("breakers"); breakers != stored.end() && breakers->is_object()) {
    for (const auto& item : breakers->items()) {
      if (findResource(item.key()) && item.value().is_object()) state.breakers[item.key()] = item.value();
    }
  }
  if (auto holds = stored.find("holds"); holds != stored.end() && holds->is_object()) {
    for (const auto& item : holds->items()) {
      if (findResource(item.key()) && item.value().is_number_integer()) state.holds[item.key()] = item.value().get<std::int64_t>();
    }
  }
  return state;
}

json stateJson(const MeterState& state) {
  json windows = json::object();
  for (const auto& [id, window] : state.windows) {
    json pairs = json::array();
    for (const auto& [bucket, units] : window.buckets) pairs.push_back({bucket, quantityJson(units)});
    if (!pairs.empty()) windows[id] = pairs;
  }
  return {{"v", kStateVersion}, {"version", state.version}, {"persistedAtMs", state.persistedAtMs},
          {"lastNowMs", state.lastNowMs}, {"windows", windows}, {"breakers", state.breakers}, {"holds", state.holds}};
}

struct Report {
  std::int64_t nowMs = 0;
  std::map<std::string, RateLine> lines;
  std::map<std::string, double> units;
};

// A report exactly as MeterOutbox::take writes it; anything else is refused whole.
std::optional<Report> readReport(const std::string& text, std::vector<Problem>& problems) {
  const json input = json::parse(text, nullptr, false);
  if (!input.is_object()) {
    problems.push_back({"report", "is not a JSON object", "send what MeterOutbox::take writes"});
    return std::nullopt;
  }
  Report report;
  auto now = input.find("now");
  if (now == input.end() || !now->is_number_integer() || now->get<std::int64_t>() <= 0) {
    problems.push_back({"report.now", "must be a time in ms since the epoch", ""});
  } else {
    report.nowMs = now->get<std::int64_t>();
  }
  auto readMap = [&](const char* key, auto&& each) {
    auto it = input.find(key);
    if (it == input.end() || !it->is_object()) {
      problems.push_back({std::string("report.") + key, "must be an object", ""});
      return;
    }
    for (const auto& item : it->items()) {
      const std::string path = std::string("report.") + key + "." + item.key();
      if (!findResource(item.key())) {
        problems.push_back({path, "is not a resource id", ""});
        continue;
      }
      each(item.key(), item.value(), path);
    }
  };
  readMap("lines", [&](const std::string& id, const json& value, const std::string& path) {
    const json perMinute = value.is_object() ? value.value("perMinute", json()) : json();
    const json recover = value.is_object() ? value.value("recoverPerMinute", json()) : json();
    if (!perMinute.is_number() || !recover.is_number() || perMinute.get<double>() < 1 || recover.get<double>() < 0 ||
        recover.get<double>() >= perMinute.get<double>() || !std::isfinite(perMinute.get<double>())) {
      problems.push_back({path, "must be {perMinute >= 1, recoverPerMinute from 0 to below it}", ""});
      return;
    }
    report.lines[id] = {perMinute.get<double>(), recover.get<double>()};
  });
  readMap("units", [&](const std::string& id, const json& value, const std::string& path) {
    if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0) {
      problems.push_back({path, "must be a number of units, 0 or more", ""});
      return;
    }
    report.units[id] = value.get<double>();
  });
  if (!problems.empty()) return std::nullopt;
  return report;
}

// The state to keep and the answer to give, after a report or a reset made `changes`.
std::string replyOf(MeterState& state, std::int64_t now, const json& changes, const json& rates,
                    std::optional<std::int64_t> recheckAt, const std::vector<Problem>& stateProblems) {
  if (!changes.empty()) ++state.version;
  const bool persist = !changes.empty() || !stateProblems.empty() || now - state.persistedAtMs >= kMeterPersistMs;
  if (persist) state.persistedAtMs = now;
  json answer = {{"version", state.version}, {"breakers", state.breakers}, {"rates", rates},
                 {"recheckAtMs", recheckAt ? json(*recheckAt) : json(nullptr)}};
  return toText({{"ok", true}, {"state", toText(stateJson(state))}, {"persist", persist}, {"answer", answer},
                 {"changes", changes}, {"problems", problemsToJson(stateProblems)}});
}

std::string clippedText(const json& value) {
  std::string text = toText(value);
  return text.size() > 64 ? text.substr(0, 64) + "..." : text;
}

}  // namespace

std::string meterReportJson(const std::string& stateText, const std::string& reportText) {
  std::vector<Problem> problems;
  const std::optional<Report> report = readReport(reportText, problems);
  if (!report) return toText({{"ok", false}, {"problems", problemsToJson(problems)}});
  std::vector<Problem> stateProblems;
  MeterState state = readState(stateText, stateProblems);
  // Isolates' clocks may differ a little: the meter's time never goes back.
  const std::int64_t now = std::max(report->nowMs, state.lastNowMs);
  state.lastNowMs = now;

  for (const auto& [id, units] : report->units) {
    if (units > 0) state.windows[id].buckets[bucketOf(now)] += units;
  }
  for (auto& [id, window] : state.windows) dropOld(window, now);

  for (auto it = state.holds.begin(); it != state.holds.end();) it = it->second <= now ? state.holds.erase(it) : std::next(it);

  json changes = json::array();
  json rates = json::object();
  std::optional<std::int64_t> recheckAt;
  for (const auto& [id, line] : report->lines) {
    const double rate = state.windows.count(id) ? rateOf(state.windows[id], now) : 0;
    rates[id] = quantityJson(std::round(rate * 100) / 100);
    const bool tripped = state.breakers.contains(id);
    if (!tripped && rate >= line.perMinute && !state.holds.count(id)) {
      state.breakers[id] = {
          {"reason", id + ": " + unitsText(rate) + " in the last minute across isolates, at or past the rate line of " +
                         unitsText(line.perMinute) + " a minute"},
          {"since", isoTimestamp(now)},
          {"source", "meter"}};
      changes.push_back({{"key", id}, {"event", "trip"}, {"rate", quantityJson(rate)}, {"line", quantityJson(line.perMinute)}});
    } else if (tripped && rate <= line.recoverPerMinute) {
      state.breakers.erase(id);
      changes.push_back({{"key", id}, {"event", "recover"}, {"rate", quantityJson(rate)},
                         {"line", quantityJson(line.recoverPerMinute)}});
    }
    if (state.breakers.contains(id)) {
      const std::int64_t at = state.windows.count(id) ? recoversAtMs(state.windows[id], line.recoverPerMinute, now) : now;
      recheckAt = std::min(recheckAt.value_or(at), at);
    }
  }
  // A line no longer configured holds nothing.
  for (auto it = state.breakers.begin(); it != state.breakers.end();) {
    if (report->lines.count(it.key())) {
      ++it;
      continue;
    }
    changes.push_back({{"key", it.key()}, {"event", "recover"}, {"rate", nullptr}, {"line", nullptr}});
    it = state.breakers.erase(it);
  }
  return replyOf(state, now, changes, rates, recheckAt, stateProblems);
}

std::string meterResetJson(const std::string& stateText, const std::string& resetText) {
  std::vector<Problem> problems;
  const json input = json::parse(resetText, nullptr, false);
  std::int64_t nowMs = 0;
  std::int64_t holdMs = kMeterWindowMs;
  std::vector<std::string> keys;
  if (!input.is_object()) {
    problems.push_back({"reset", "is not a JSON object", ""});
  } else {
    const json now = input.value("now", json());
    if (!now.is_number_integer() || now.get<std::int64_t>() <= 0) problems.push_back({"reset.now", "must be a time in ms since the epoch", ""});
    else nowMs = now.get<std::int64_t>();
    const json list = input.value("keys", json());
    if (!list.is_array() || list.empty() || list.size() > 64) {
      problems.push_back({"reset.keys", "must be a list of 1 to 64 breaker keys", ""});
    } else {
      for (const json& key : list) {
        if (!key.is_string() || !splitBreakerKey(key.get<std::string>()).resource) {
          problems.push_back({"reset.keys", "names an unknown breaker key " + clippedText(key), ""});
        } else {
          keys.push_back(key.get<std::string>());
        }
      }
    }
    const json hold = input.value("holdSeconds", json());
    if (!hold.is_null()) {
      if (!hold.is_number_integer() || hold.get<std::int64_t>() < 1 || hold.get<std::int64_t>() > 31'536'000) {
        problems.push_back({"reset.holdSeconds", "must be whole seconds from 1 to 31536000, or left out", ""});
      } else {
        holdMs = hold.get<std::int64_t>() * 1000;
      }
    }
  }
  if (!problems.empty()) return toText({{"ok", false}, {"problems", problemsToJson(problems)}});
  std::vector<Problem> stateProblems;
  MeterState state = readState(stateText, stateProblems);
  const std::int64_t now = std::max(nowMs, state.lastNowMs);
  state.lastNowMs = now;
  json changes = json::array();
  for (const std::string& key : keys) {
    state.holds[key] = now + holdMs;
    if (!state.breakers.contains(key)) continue;
    state.breakers.erase(key);
    changes.push_back({{"key", key}, {"event", "reset"}, {"rate", nullptr}, {"line", nullptr}});
  }
  // A reset is always kept: the holds are its point.
  state.persistedAtMs = 0;
  return replyOf(state, now, changes, json::object(), std::nullopt, stateProblems);
}

}  // namespace edgefuse
