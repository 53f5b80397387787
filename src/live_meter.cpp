#include "live_meter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "calendar.h"
#include "breaker_state.h"
#include "catalogue.h"
#include "identifier.h"
#include "json_text.h"

namespace edgefuse {
namespace {

using nlohmann::json;

constexpr int kStateVersion = 1;
// Buckets that cover the last minute whole, however far into the newest one `now` is.
constexpr std::int64_t kBucketsJudged = kMeterWindowMs / kMeterBucketMs + 1;

std::size_t indexOf(const Resource* resource) { return static_cast<std::size_t>(resource - resources().begin()); }

// A key the meter counts and trips: "<resource id>", or "<resource id>@<feature name>".
bool isMeterKey(const std::string& key) {
  const std::size_t at = key.find('@');
  return findResource(key.substr(0, at)) && (at == std::string::npos || isIdentifier(key.substr(at + 1), 32));
}

// Times the meter takes: whole ms from the epoch up to the year 5000 (anything else is not a
// time, and arithmetic on it could overflow).
constexpr std::int64_t kLatestMs = 95'000'000'000'000;
std::optional<std::int64_t> timeOf(const nlohmann::json& value) {
  if (!value.is_number() || !std::isfinite(value.get<double>())) return std::nullopt;
  const double ms = value.get<double>();
  if (ms < 1 || ms > static_cast<double>(kLatestMs) || ms != std::floor(ms)) return std::nullopt;
  return static_cast<std::int64_t>(ms);
}
// A bucket's index (a time divided by its width) read back from storage.
std::optional<std::int64_t> indexOf(const nlohmann::json& value, std::int64_t widthMs) {
  if (!value.is_number_integer() || value.get<double>() < 0 || value.get<double>() > static_cast<double>(kLatestMs / widthMs)) return std::nullopt;
  return value.get<std::int64_t>();
}

// The resource part of a key.
std::string resourceOf(const std::string& key) { return key.substr(0, key.find('@')); }

// A count as the meter shows it: whole, or with two decimals (neurons, rows are whole anyway).
std::string unitsText(double units) {
  return toText(quantityJson(std::round(units * 100) / 100));
}

// ---- the isolate's end ----------------------------------------------------------------

std::optional<std::string> breakersOf(const json& answer, std::vector<std::string>& keys, json& breakers) {
  auto it = answer.find("breakers");
  if (it == answer.end() || !it->is_object()) return "has no breakers object";
  for (const auto& item : it->items()) {
    if (!isMeterKey(item.key()) && !splitBreakerKey(item.key()).resource) return "names an unknown breaker key " + toText(json(item.key()));
    if (!item.value().is_object() || !item.value().contains("reason") || !item.value()["reason"].is_string()) {
      return "breaker " + item.key() + " has no reason";
    }
    keys.push_back(item.key());
    breakers[item.key()] = {{"reason", item.value()["reason"]},
                            {"since", item.value().contains("since") && item.value()["since"].is_string() ? item.value()["since"] : json("")},
                            {"source", "meter"}};
  }
  return std::nullopt;
}

}  // namespace

std::vector<MeteredKey> meteredKeys(const Config& config) {
  std::vector<MeteredKey> keys;
  if (!config.meterOn) return keys;
  const auto add = [&](const std::string& key) {
    const std::size_t at = key.find('@');
    const Resource* resource = findResource(key.substr(0, at));
    if (!resource) return;
    int feature = 0;
    if (at != std::string::npos) {
      for (std::size_t i = 0; i < config.features.size(); ++i) {
        if (config.features[i].name == key.substr(at + 1)) feature = static_cast<int>(i + 1);
      }
      if (feature == 0) return;
    }
    for (const MeteredKey& known : keys) {
      if (known.key == key) return;
    }
    keys.push_back({key, indexOf(resource), feature});
  };
  for (const auto& [key, line] : config.rates) add(key);
  if (config.meterQuotas) {
    for (const auto& [id, limit] : defaultInvocationLimits()) {
      auto threshold = config.thresholds.find(id);
      if (threshold != config.thresholds.end() && (threshold->second.tripPercent || threshold->second.tripAt)) add(id);
    }
  }
  return keys;
}

std::string meterBaselineFor(const Config& config, const json& report, std::int64_t nowMs) {
  if (!config.meterOn || !config.meterQuotas || !report.contains("resources")) return "";
  std::set<std::string> counted;
  for (const auto& [id, limit] : defaultInvocationLimits()) counted.insert(id);
  json quotas = json::object();
  for (const json& entry : report["resources"]) {
    const std::string key = entry.value("key", "");
    if (!counted.count(key) || entry.value("stale", true) || !entry["used"].is_number()) continue;
    const json& lines = entry["lines"];
    const double used = entry["used"].get<double>();
    // The poll's own lines (evaluate.cpp), in units: a percentage of the quota, or tripAt.
    std::optional<double> trip;
    std::optional<double> recover;
    const double recoverPercent = lines["recover"].get<double>();
    if (lines["trip"].is_number() && entry["quota"].is_number()) {
      trip = entry["quota"].get<double>() * lines["trip"].get<double>() / 100;
      recover = entry["quota"].get<double>() * recoverPercent / 100;
    }
    if (lines["tripAt"].is_number() && (!trip || lines["tripAt"].get<double>() < *trip)) {
      const double ratio = std::min(recoverPercent / (lines["trip"].is_number() ? lines["trip"].get<double>() : 100.0), 0.99);
      trip = lines["tripAt"].get<double>();
      recover = *trip * ratio;
    }
    if (!trip) continue;
    const auto from = parseIsoDate(entry["window"].value("from", ""));
    const auto resets = parseIsoTimestamp(entry["window"].value("resetsAt", ""));
    if (!from || !resets) continue;
    quotas[key] = {{"used", quantityJson(used)}, {"trip", quantityJson(*trip)}, {"recover", quantityJson(*recover)},
                   {"windowStartMs", msOfDay(*from)}, {"windowEndMs", *resets}};
  }
  return toText({{"asOfMs", nowMs}, {"quotas", quotas}});
}

MeterOutbox::MeterOutbox(const Config& config)
    : reportMs_(static_cast<std::int64_t>(config.meterReportSeconds) * 1000),
      dryRun_(config.dryRun),
      on_(config.meterOn),
      metered_(meteredKeys(config)),
      lines_(config.rates) {}

bool MeterOutbox::due(const Enforcer& enforcer, std::int64_t nowMs) const {
  if (!on_ || sending_ || nowMs < retryAtMs_) return false;
  const bool spaced = nowMs >= spacedUntilMs_;
  bool any = false;
  for (const MeteredKey& metered : metered_) {
    if (spentAt(enforcer, metered) && spaced) return true;  // refusing until the meter answers: ask it now
    const double units = enforcer.unreported(metered.resource, metered.feature);
    if (units <= 0) continue;
    any = true;
    if (!answered_) return true;  // a new isolate learns what stands at once
    auto left = headroom_.find(metered.key);
    if (left == headroom_.end()) continue;  // no line at the meter yet: the interval decides
    if (units >= std::max(1.0, (spaced ? kMeterReportShare : kMeterUrgentShare) * left->second)) return true;
  }
  if (!spaced) return false;
  if (recheckAtMs_ > 0 && nowMs >= recheckAtMs_) return true;
  return any && nowMs - lastAnswerMs_ >= reportMs_;
}

int MeterOutbox::poll(Enforcer& enforcer, std::int64_t nowMs) {
  if (!on_) return 0;
  bool changed = false;
  if (roomsSet_ && nowMs - lastAnswerMs_ >= kMeterRoomMs) {
    setRooms(enforcer, false);  // stale: forgotten until the next answer
    roomsSet_ = false;
  }
  // Which keys' room the enforcer has found spent: only to name them in refusals.
  for (const MeteredKey& metered : metered_) {
    const bool spent = spentAt(enforcer, metered);
    auto known = spent_.find(metered.key);
    if (spent == (known != spent_.end())) continue;
    changed = true;
    if (spent) {
      auto left = headroom_.find(metered.key);
      spent_[metered.key] = {left == headroom_.end() ? 0.0 : left->second, nowMs};
    } else {
      spent_.erase(known);
    }
  }
  return (due(enforcer, nowMs) ? kDue : 0) | (changed ? kInForceChanged : 0);
}

bool MeterOutbox::spentAt(const Enforcer& enforcer, const MeteredKey& metered) {
  return enforcer.room(metered.resource, metered.feature) <= 0 || enforcer.refusedForRoom(metered.resource, metered.feature);
}

void MeterOutbox::putInForce(Enforcer& enforcer) const {
  enforcer.setMeterTripped(dryRun_ ? std::vector<std::string>{} : answerKeys_);
}

void MeterOutbox::setRooms(Enforcer& enforcer, bool known) {
  roomsSet_ = known;
  for (const MeteredKey& metered : metered_) {
    auto left = headroom_.find(metered.key);
    double room = Enforcer::kNoRoomLimit;
    if (known && !dryRun_ && left != headroom_.end() && !answerBreakers_.contains(metered.key)) {
      // What the answer left, less what this isolate admitted that it did not count yet.
      auto sent = inFlight_.find(metered.key);
      auto share = share_.find(metered.key);
      room = (share != share_.end() ? share->second : left->second) - enforcer.unreported(metered.resource, metered.feature) -
             (sent == inFlight_.end() ? 0 : sent->second);
    }
    enforcer.setRoom(metered.resource, metered.feature, room);
  }
}

std::string MeterOutbox::inForce() const {
  json breakers = answerBreakers_;
  for (const auto& [key, spent] : spent_) {
    breakers[key] = {{"reason", key + ": the meter's last answer left " + unitsText(spent.first) +
                                    " under its line, and this isolate alone has used them since (or would with this call); refused until the meter answers"},
                     {"since", isoTimestamp(spent.second)},
                     {"source", "meter"}};
  }
  return toText(breakers);
}

std::string MeterOutbox::take(Enforcer& enforcer, std::int64_t nowMs) {
  json lines = json::object();
  json units = json::object();
  for (const auto& [key, line] : lines_) {
    lines[key] = {{"perMinute", quantityJson(line.perMinute)}, {"recoverPerMinute", quantityJson(line.recoverPerMinute)}};
  }
  for (const MeteredKey& metered : metered_) {
    const double taken = enforcer.takeUnreported(metered.resource, metered.feature);
    if (taken > 0) {
      inFlight_[metered.key] += taken;
      units[metered.key] = quantityJson(taken);
    }
  }
  json wanted = json::object();
  for (const MeteredKey& metered : metered_) {
    if (const double units = enforcer.roomWanted(metered.resource, metered.feature); units > 0) wanted[metered.key] = quantityJson(units);
  }
  sending_ = true;
  json report = {{"now", nowMs}, {"lines", lines}, {"units", units}};
  if (!wanted.empty()) report["wanted"] = wanted;
  if (!isolate_.empty()) report["isolate"] = isolate_;
  return toText(report);
}

// What an answer says is left under each line, and this isolate's share of it near one.
void MeterOutbox::readHeadroom(const json& answer, bool fromReport) {
  const auto number = [&](const char* field, const std::string& key) -> std::optional<double> {
    auto values = answer.find(field);
    if (values == answer.end() || !values->is_object()) return std::nullopt;
    auto value = values->find(key);
    if (value == values->end() || !value->is_number() || !std::isfinite(value->get<double>())) return std::nullopt;
    return std::max(0.0, value->get<double>());
  };
  for (const MeteredKey& metered : metered_) {
    const auto left = number("headroom", metered.key);
    if (!left) continue;
    headroom_[metered.key] = *left;
    auto held = share_.find(metered.key);
    if (const auto share = number("shares", metered.key)) {
      share_[metered.key] = *share;
    } else if (fromReport) {
      if (held != share_.end()) share_.erase(held);  // not near the line: all that is left
    } else if (held != share_.end()) {
      held->second = std::min(held->second, *left);
    }
  }
}

namespace {
// What settle and hear return for a readable answer; "record" is the duty to write the
// meter's trips to the KV record, passed on as given (the meter tick reads it).
std::string heard(const json& answer, const json& breakers) {
  json result = {{"ok", true}, {"breakers", breakers}, {"version", indexOf(answer.value("version", json()), 1).value_or(0)}};
  if (auto record = answer.find("record"); record != answer.end() && record->is_object()) result["record"] = *record;
  return toText(result);
}
}  // namespace

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
    for (const MeteredKey& metered : metered_) {
      if (auto units = inFlight_.find(metered.key); units != inFlight_.end()) enforcer.giveBack(metered.resource, units->second, metered.feature);
    }
    inFlight_.clear();
    ++failures_;
    const int doublings = std::min(failures_ - 1, 20);
    retryAtMs_ = nowMs + std::min(reportMs_, kMeterFirstRetryMs << doublings);
    // Without an answer, what was left is not known any more: fail open.
    headroom_.clear();
    share_.clear();
    spent_.clear();
    setRooms(enforcer, false);
    return toText({{"ok", false}, {"error", why}, {"failures", failures_}, {"breakers", json::parse(inForce())}});
  }
  inFlight_.clear();
  failures_ = 0;
  answered_ = true;
  lastAnswerMs_ = nowMs;
  spacedUntilMs_ = nowMs + kMeterReportSpacingMs;
  headroom_.clear();
  readHeadroom(answer, true);
  const auto recheck = answer.find("recheckAtMs");
  recheckAtMs_ = recheck != answer.end() ? timeOf(*recheck).value_or(0) : 0;
  answerKeys_ = keys;
  answerBreakers_ = breakers;
  spent_.clear();
  putInForce(enforcer);
  setRooms(enforcer, true);
  return heard(answer, breakers);
}

std::string MeterOutbox::hear(Enforcer& enforcer, const std::string& answerText) {
  const json answer = json::parse(answerText, nullptr, false);
  std::vector<std::string> keys;
  json breakers = json::object();
  if (!answer.is_object()) return toText({{"ok", false}, {"error", "the meter's answer is not a JSON object"}});
  if (auto problem = breakersOf(answer, keys, breakers)) {
    return toText({{"ok", false}, {"error", "the meter's answer " + *problem}});
  }
  // An answer to a reset, a baseline or an acknowledgement. What is left under a key whose
  // trip this answer ended (a reset) is not known until the next report's answer; a
  // baseline's answer says what is left under the new quota lines.
  for (const std::string& key : answerKeys_) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      headroom_.erase(key);
      share_.erase(key);
    }
  }
  readHeadroom(answer, false);
  answerKeys_ = keys;
  answerBreakers_ = breakers;
  spent_.clear();
  putInForce(enforcer);
  setRooms(enforcer, true);
  return heard(answer, breakers);
}

// ---- the meter's end ------------------------------------------------------------------

namespace {

struct RateWindow {
  std::map<std::int64_t, double> buckets;  // bucket index (ms / kMeterBucketMs) -> units
};

std::int64_t bucketOf(std::int64_t ms) { return ms / kMeterBucketMs; }

// Drops buckets no rate will count again.
void dropOld(RateWindow& window, std::int64_t nowMs) {
  const std::int64_t oldest = bucketOf(nowMs) - kBucketsJudged + 1;
  window.buckets.erase(window.buckets.begin(), window.buckets.lower_bound(oldest));
}

double rateOf(const RateWindow& window, std::int64_t nowMs) {
  const std::int64_t oldest = bucketOf(nowMs) - kBucketsJudged + 1;
  double sum = 0;
  for (auto it = window.buckets.lower_bound(oldest); it != window.buckets.end(); ++it) sum += it->second;
  return sum;
}

// Units a second over the last bucket and the one before it (at most 10 s): the recent pace.
double recentPerSecond(const RateWindow& window, std::int64_t nowMs) {
  const std::int64_t from = bucketOf(nowMs) - 1;
  double units = 0;
  for (auto it = window.buckets.lower_bound(from); it != window.buckets.end(); ++it) units += it->second;
  const double seconds = std::max<double>(1.0, static_cast<double>(nowMs - from * kMeterBucketMs) / 1000.0);
  return units / seconds;
}

// When the rate falls to `recover` if no more units come: as the oldest buckets age out.
std::int64_t recoversAtMs(const RateWindow& window, double recover, std::int64_t nowMs) {
  double rate = rateOf(window, nowMs);
  const std::int64_t oldest = bucketOf(nowMs) - kBucketsJudged + 1;
  for (auto it = window.buckets.lower_bound(oldest); it != window.buckets.end() && rate > recover; ++it) {
    rate -= it->second;
    if (rate <= recover) return (it->first + kBucketsJudged) * kMeterBucketMs;
  }
  return nowMs;
}

constexpr std::int64_t kMinuteMs = 60'000;

// A live quota: the usage poll's figure for the window, and what the meter counted since.
struct QuotaLine {
  double used;    // the poll's figure
  double trip;    // its trip line, in units
  double recover;
  std::int64_t windowStartMs;
  std::int64_t windowEndMs;
  double since;  // counted by the meter since kAnalyticsLagMs before the figure
};

}  // namespace

struct MeterState {
  std::int64_t version = 0;
  std::int64_t persistedAtMs = 0;
  std::int64_t lastNowMs = 0;
  std::map<std::string, RateWindow> windows;                       // rate lines: 5 s buckets
  std::map<std::string, std::map<std::int64_t, double>> minutes;  // live quotas: by minute
  std::map<std::string, RateLine> rateLines;                   // the latest report's
  std::map<std::string, QuotaLine> quotas;                     // the latest poll's
  json breakers = json::object();
  std::map<std::string, std::int64_t> holds;  // key -> until (ms): a manual reset's
  // The KV record: the last version an isolate wrote there, when, the changes since (with
  // the version each made), and until when the duty to record is out with an isolate.
  std::int64_t recordedVersion = 0;
  std::int64_t recordedAtMs = 0;
  json unrecorded = json::array();
  std::int64_t recordDutyUntilMs = 0;
  // Isolates that reported in the last minute (by the name each gives), for the shares:
  // when each last reported, and the share of each key it was granted then and may still be
  // spending. Kept in memory only: after a restart the shares count again from the next reports.
  struct Reporter {
    std::int64_t lastMs = 0;
    std::map<std::string, double> granted;
  };
  std::map<std::string, Reporter> reporters;
};

namespace {


// The stored state, or a fresh one with a problem when it is unreadable (an object that lost
// its counts starts again: the breakers it held were also written to its answers).
MeterState readState(const std::string& text, std::vector<Problem>& problems) {
  MeterState state;
  if (text.empty()) return state;
  const json stored = json::parse(text, nullptr, false);
  if (!stored.is_object() || stored.value("v", json()) != kStateVersion) {
    problems.push_back({"meter state", "is not a meter state this version reads", "it starts again from empty"});
    return state;
  }
  const json version = stored.value("version", json());
  state.version = indexOf(version, 1).value_or(0);
  state.persistedAtMs = timeOf(stored.value("persistedAtMs", json())).value_or(0);
  state.lastNowMs = timeOf(stored.value("lastNowMs", json())).value_or(0);
  if (auto windows = stored.find("windows"); windows != stored.end() && windows->is_object()) {
    for (const auto& item : windows->items()) {
      if (!isMeterKey(item.key()) || !item.value().is_array()) continue;
      RateWindow& window = state.windows[item.key()];
      for (const json& pair : item.value()) {
        if (pair.is_array() && pair.size() == 2 && indexOf(pair[0], kMeterBucketMs) && pair[1].is_number() &&
            pair[1].get<double>() > 0) {
          window.buckets[*indexOf(pair[0], kMeterBucketMs)] += pair[1].get<double>();
        }
      }
    }
  }
  if (auto breakers = stored.find("breakers"); breakers != stored.end() && breakers->is_object()) {
    for (const auto& item : breakers->items()) {
      if (isMeterKey(item.key()) && item.value().is_object()) state.breakers[item.key()] = item.value();
    }
  }
  if (auto minutes = stored.find("minutes"); minutes != stored.end() && minutes->is_object()) {
    for (const auto& item : minutes->items()) {
      if (!isMeterKey(item.key()) || !item.value().is_array()) continue;
      for (const json& pair : item.value()) {
        if (pair.is_array() && pair.size() == 2 && indexOf(pair[0], kMinuteMs) && pair[1].is_number() && pair[1].get<double>() > 0) {
          state.minutes[item.key()][*indexOf(pair[0], kMinuteMs)] += pair[1].get<double>();
        }
      }
    }
  }
  if (auto lines = stored.find("rateLines"); lines != stored.end() && lines->is_object()) {
    for (const auto& item : lines->items()) {
      const json& line = item.value();
      if (isMeterKey(item.key()) && line.is_array() && line.size() == 2 && line[0].is_number() && line[1].is_number()) {
        state.rateLines[item.key()] = {line[0].get<double>(), line[1].get<double>()};
      }
    }
  }
  if (auto quotas = stored.find("quotas"); quotas != stored.end() && quotas->is_object()) {
    for (const auto& item : quotas->items()) {
      const json& q = item.value();
      if (!findResource(item.key()) || !q.is_array() || q.size() != 6) continue;
      if (!std::all_of(q.begin(), q.end(), [](const json& field) { return field.is_number(); })) continue;
      const auto start = timeOf(q[3]);
      const auto end = timeOf(q[4]);
      if (!start || !end || *end <= *start) continue;
      state.quotas[item.key()] = {q[0].get<double>(), q[1].get<double>(), q[2].get<double>(), *start, *end, q[5].get<double>()};
    }
  }
  if (auto holds = stored.find("holds"); holds != stored.end() && holds->is_object()) {
    for (const auto& item : holds->items()) {
      if (isMeterKey(item.key()) && timeOf(item.value())) state.holds[item.key()] = *timeOf(item.value());
    }
  }
  state.recordedVersion = std::min(indexOf(stored.value("recordedVersion", json()), 1).value_or(0), state.version);
  state.recordedAtMs = timeOf(stored.value("recordedAtMs", json())).value_or(0);
  state.recordDutyUntilMs = timeOf(stored.value("recordDutyUntilMs", json())).value_or(0);
  if (auto changes = stored.find("unrecorded"); changes != stored.end() && changes->is_array()) {
    for (const json& change : *changes) {
      if (change.is_object() && change.size() == 4 && isMeterKey(change.value("key", "")) && change.value("event", json()).is_string() &&
          change.value("reason", json()).is_string() && indexOf(change.value("version", json()), 1) &&
          state.unrecorded.size() < kMaxUnrecordedChanges) {
        state.unrecorded.push_back(change);
      }
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
  json minutes = json::object();
  for (const auto& [id, byMinute] : state.minutes) {
    json pairs = json::array();
    for (const auto& [minute, units] : byMinute) pairs.push_back({minute, quantityJson(units)});
    if (!pairs.empty()) minutes[id] = pairs;
  }
  json rateLines = json::object();
  for (const auto& [id, line] : state.rateLines) rateLines[id] = {quantityJson(line.perMinute), quantityJson(line.recoverPerMinute)};
  json quotas = json::object();
  for (const auto& [id, q] : state.quotas) {
    quotas[id] = {quantityJson(q.used), quantityJson(q.trip), quantityJson(q.recover), q.windowStartMs, q.windowEndMs, quantityJson(q.since)};
  }
  return {{"v", kStateVersion}, {"version", state.version}, {"persistedAtMs", state.persistedAtMs},
          {"lastNowMs", state.lastNowMs}, {"windows", windows}, {"minutes", minutes}, {"rateLines", rateLines},
          {"quotas", quotas}, {"breakers", state.breakers}, {"holds", state.holds},
          {"recordedVersion", state.recordedVersion}, {"recordedAtMs", state.recordedAtMs},
          {"recordDutyUntilMs", state.recordDutyUntilMs}, {"unrecorded", state.unrecorded}};
}

struct Report {
  std::int64_t nowMs = 0;
  std::map<std::string, RateLine> lines;
  std::map<std::string, double> units;
  std::string isolate;  // "" when the report names none
  std::map<std::string, double> wanted;  // the largest call its room refused, per key
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
  if (now == input.end() || !timeOf(*now)) {
    problems.push_back({"report.now", "must be a time in ms since the epoch", ""});
  } else {
    report.nowMs = *timeOf(*now);
  }
  auto readMap = [&](const char* key, auto&& each) {
    auto it = input.find(key);
    if (it == input.end() || !it->is_object()) {
      problems.push_back({std::string("report.") + key, "must be an object", ""});
      return;
    }
    for (const auto& item : it->items()) {
      const std::string path = std::string("report.") + key + "." + item.key();
      if (!isMeterKey(item.key())) {
        problems.push_back({path, "is not a meter key: <resource id> or <resource id>@<feature>", ""});
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
  if (input.contains("wanted")) {
    readMap("wanted", [&](const std::string& id, const json& value, const std::string& path) {
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() <= 0) {
        problems.push_back({path, "must be a number of units, more than 0", ""});
        return;
      }
      report.wanted[id] = value.get<double>();
    });
  }
  if (auto isolate = input.find("isolate"); isolate != input.end()) {
    const std::string name = isolate->is_string() ? isolate->get<std::string>() : "";
    const bool named = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
    });
    if (!named) problems.push_back({"report.isolate", "must be 1 to 64 letters, digits or hyphens", ""});
    else report.isolate = name;
  }
  if (!problems.empty()) return std::nullopt;
  return report;
}

// Units of `id` the meter counted from `fromMs` on (by whole minutes: over, never under).
double unitsSince(const MeterState& state, const std::string& id, std::int64_t fromMs) {
  auto minutes = state.minutes.find(id);
  if (minutes == state.minutes.end()) return 0;
  double sum = 0;
  for (auto it = minutes->second.lower_bound(fromMs / kMinuteMs); it != minutes->second.end(); ++it) sum += it->second;
  return sum;
}

// `offerRecord`: the reply may carry the duty to write the meter's trips to the KV record.
std::string replyOf(MeterState& state, std::int64_t now, const json& changes, const json& rates, const json& headroom,
                    const json& shares, std::optional<std::int64_t> recheckAt, const std::vector<Problem>& stateProblems,
                    bool offerRecord);

// Judges every line at `now`: a resource trips when its rate line or its live quota is at or
// past its trip line, and recovers when each of its lines is at or under its recover line.
// `reporter`: the isolate whose report this is, which near a line is granted a share.
// `wanted`: the largest call each key's room refused the reporter: a line that cannot grant
// it is crossed by it, so it trips.
std::string judge(MeterState& state, std::int64_t now, const std::vector<Problem>& stateProblems,
                  MeterState::Reporter* reporter = nullptr, const std::map<std::string, double>& wanted = {}) {
  for (auto& [id, window] : state.windows) dropOld(window, now);
  for (auto& [id, minutes] : state.minutes) minutes.erase(minutes.begin(), minutes.lower_bound((now - kMinutesKeptMs) / kMinuteMs));
  for (auto it = state.holds.begin(); it != state.holds.end();) it = it->second <= now ? state.holds.erase(it) : std::next(it);
  // A quota window that has ended starts again from what the meter counted since.
  for (auto& [id, quota] : state.quotas) {
    if (now < quota.windowEndMs) continue;
    const std::int64_t length = quota.windowEndMs - quota.windowStartMs;  // > 0: read so
    quota.windowStartMs = quota.windowEndMs + (now - quota.windowEndMs) / length * length;
    quota.windowEndMs = quota.windowStartMs + length;
    quota.used = 0;
    quota.since = unitsSince(state, id, quota.windowStartMs);
  }
  json changes = json::array();
  json rates = json::object();
  json headroom = json::object();
  json shares = json::object();
  std::optional<std::int64_t> recheckAt;
  std::set<std::string> judged;
  for (const auto& [id, line] : state.rateLines) judged.insert(id);
  for (const auto& [id, quota] : state.quotas) judged.insert(id);
  for (const std::string& id : judged) {
    const bool tripped = state.breakers.contains(id);
    const bool mayTrip = !tripped && !state.holds.count(id) && !state.holds.count(resourceOf(id));
    std::string overReason;  // written only when it may trip: most reports trip nothing
    bool over = false;
    bool below = true;
    double left = std::numeric_limits<double>::infinity();
    std::optional<std::int64_t> rateRecovers;
    if (auto line = state.rateLines.find(id); line != state.rateLines.end()) {
      const double rate = state.windows.count(id) ? rateOf(state.windows[id], now) : 0;
      rates[id] = quantityJson(std::round(rate * 100) / 100);
      left = std::min(left, line->second.perMinute - rate);
      if (rate >= line->second.perMinute) {
        over = true;
        if (mayTrip) {
          overReason = id + ": " + unitsText(rate) + " in the last minute across isolates, at or past the rate line of " +
                       unitsText(line->second.perMinute) + " a minute";
        }
      }
      below = below && rate <= line->second.recoverPerMinute;
      if (rate > line->second.recoverPerMinute) {
        rateRecovers = state.windows.count(id) ? recoversAtMs(state.windows[id], line->second.recoverPerMinute, now) : now;
      }
    }
    std::optional<std::int64_t> quotaRecovers;
    if (auto quota = state.quotas.find(id); quota != state.quotas.end()) {
      const double live = quota->second.used + quota->second.since;
      left = std::min(left, quota->second.trip - live);
      over = over || live >= quota->second.trip;
      if (live >= quota->second.trip && mayTrip && overReason.empty()) {
        overReason = id + ": " + unitsText(live) + " used this window (the usage poll's " + unitsText(quota->second.used) +
                     " and " + unitsText(quota->second.since) + " counted live since), at or past its trip line of " +
                     unitsText(quota->second.trip);
      }
      below = below && live <= quota->second.recover;
      if (live > quota->second.recover) quotaRecovers = quota->second.windowEndMs;
    }
    // Near the line at the recent pace, the isolates reporting share what is left: the
    // reporter is granted an equal part, in whole units, of what the others' grants leave,
    // shared with those of them that hold none.
    const std::size_t sharing = reporter ? state.reporters.size() : 0;
    const bool near = sharing > 1 && state.windows.count(id) && left < recentPerSecond(state.windows[id], now) * kMeterShareSeconds;
    double grantable = std::max(0.0, left);
    std::size_t waiting = 1;  // the reporter, and the others without a grant
    if (near) {
      for (const auto& [name, other] : state.reporters) {
        if (&other == reporter || now - other.lastMs >= kMeterGrantMs) continue;  // an idle one's grant lapses
        auto grant = other.granted.find(id);
        if (grant != other.granted.end()) grantable -= grant->second;
        else ++waiting;
      }
      grantable = std::max(0.0, grantable);
    }
    // A call the reporter's room refused that does not fit under the line would pass it.
    const auto want = wanted.find(id);
    const double wants = want == wanted.end() ? 0 : want->second;
    if (wants > left && !over) {
      over = true;
      if (mayTrip && overReason.empty()) {
        overReason = id + ": a call of " + unitsText(wants) + " was refused with " + unitsText(std::max(0.0, left)) +
                     " left under its line, so it, and the calls after it, would pass the line";
      }
    }
    // A key a reset holds has no headroom to spend: the meter will not trip it.
    if (mayTrip || tripped) headroom[id] = quantityJson(std::max(0.0, std::round(left * 100) / 100));
    if (near && mayTrip && !over) {
      // At least the call it was refused, where that fits under the line: the last units
      // reach it in any size of call, at the cost of passing it by at most one call an isolate.
      const double share = std::min(std::max(0.0, left), std::max(std::min(grantable, std::ceil(grantable / static_cast<double>(waiting))), wants));
      reporter->granted[id] = share;
      shares[id] = quantityJson(share);
    }
    if (mayTrip && over) {
      state.breakers[id] = {{"reason", overReason}, {"since", isoTimestamp(now)}, {"source", "meter"}};
      changes.push_back({{"key", id}, {"event", "trip"}, {"reason", overReason}});
    } else if (tripped && below) {
      state.breakers.erase(id);
      changes.push_back({{"key", id}, {"event", "recover"}, {"reason", id + " is back under its recover lines"}});
    }
    if (state.breakers.contains(id)) {
      const std::int64_t at = std::max(rateRecovers.value_or(now), quotaRecovers.value_or(now));
      recheckAt = std::min(recheckAt.value_or(at), at);
    }
  }
  // A line no longer configured holds nothing.
  for (auto it = state.breakers.begin(); it != state.breakers.end();) {
    if (judged.count(it.key())) {
      ++it;
      continue;
    }
    changes.push_back({{"key", it.key()}, {"event", "recover"}, {"reason", it.key() + " has no line any more"}});
    it = state.breakers.erase(it);
  }
  return replyOf(state, now, changes, rates, headroom, shares, recheckAt, stateProblems, true);
}

// The state to keep and the answer to give, after a report or a reset made `changes`.
std::string replyOf(MeterState& state, std::int64_t now, const json& changes, const json& rates, const json& headroom,
                    const json& shares, std::optional<std::int64_t> recheckAt, const std::vector<Problem>& stateProblems,
                    bool offerRecord) {
  if (!changes.empty()) {
    ++state.version;
    for (const json& change : changes) {
      json entry = change;
      entry["version"] = state.version;
      state.unrecorded.push_back(std::move(entry));
    }
    if (state.unrecorded.size() > kMaxUnrecordedChanges) {
      state.unrecorded.erase(state.unrecorded.begin(), state.unrecorded.end() - kMaxUnrecordedChanges);
    }
  }
  const bool persist = !changes.empty() || !stateProblems.empty() || now - state.persistedAtMs >= kMeterPersistMs;
  if (persist) state.persistedAtMs = now;
  json answer = {{"version", state.version}, {"breakers", state.breakers}, {"rates", rates}, {"headroom", headroom},
                 {"recheckAtMs", recheckAt ? json(*recheckAt) : json(nullptr)}};
  if (!shares.empty()) answer["shares"] = shares;
  // Only whole resources' trips go to the record: a feature's stays with the meter.
  bool recordedTripStands = false;
  for (const auto& item : state.breakers.items()) recordedTripStands |= item.key().find('@') == std::string::npos;
  const bool renewDue = recordedTripStands && now - state.recordedAtMs >= kMeterLeaseMs / 2;
  if (offerRecord && now >= state.recordDutyUntilMs && (state.version > state.recordedVersion || renewDue)) {
    state.recordDutyUntilMs = now + kMeterRecordDutyMs;
    answer["record"] = {{"version", state.version}, {"breakers", state.breakers}, {"changes", state.unrecorded}};
  }
  return toText({{"ok", true}, {"persist", persist}, {"answer", answer}, {"changes", changes},
                 {"problems", problemsToJson(stateProblems)}});
}

std::string clippedText(const json& value) {
  std::string text = toText(value);
  return text.size() > 64 ? text.substr(0, 64) + "..." : text;
}

}  // namespace

std::string MeterBook::report(const std::string& reportText) {
  std::vector<Problem> problems;
  const std::optional<Report> report = readReport(reportText, problems);
  if (!report) return toText({{"ok", false}, {"problems", problemsToJson(problems)}});
  std::vector<Problem> stateProblems = std::exchange(loadProblems_, {});
  MeterState& state = *state_;
  // Isolates' clocks may differ a little: the meter's time never goes back.
  const std::int64_t now = std::max(report->nowMs, state.lastNowMs);
  state.lastNowMs = now;
  state.rateLines = report->lines;  // the latest config's
  for (auto it = state.reporters.begin(); it != state.reporters.end();) {
    it = now - it->second.lastMs >= kMeterWindowMs ? state.reporters.erase(it) : std::next(it);
  }
  MeterState::Reporter* reporter = nullptr;
  if (!report->isolate.empty() && (state.reporters.size() < kMaxMeterReporters || state.reporters.count(report->isolate))) {
    reporter = &state.reporters[report->isolate];
    reporter->lastMs = now;
    reporter->granted.clear();  // what it spent of them is in this report
  }
  for (const auto& [id, units] : report->units) {
    if (units <= 0) continue;
    state.windows[id].buckets[bucketOf(now)] += units;
    state.minutes[id][now / kMinuteMs] += units;
    if (auto quota = state.quotas.find(id); quota != state.quotas.end()) quota->second.since += units;
  }
  return judge(state, now, stateProblems, reporter, report->wanted);
}

std::string MeterBook::baseline(const std::string& baselineText) {
  std::vector<Problem> problems;
  const json input = json::parse(baselineText, nullptr, false);
  std::int64_t asOf = 0;
  std::map<std::string, QuotaLine> lines;
  if (!input.is_object() || !timeOf(input.value("asOfMs", json()))) {
    problems.push_back({"baseline.asOfMs", "must be a time in ms since the epoch", ""});
  } else {
    asOf = *timeOf(input["asOfMs"]);
  }
  const json quotas = input.is_object() ? input.value("quotas", json()) : json();
  if (!quotas.is_object()) {
    problems.push_back({"baseline.quotas", "must be an object", ""});
  } else {
    for (const auto& item : quotas.items()) {
      const json& q = item.value();
      const auto number = [&](const char* key) { return q.is_object() && q.value(key, json()).is_number() && std::isfinite(q[key].get<double>()); };
      if (!findResource(item.key()) || !number("used") || !number("trip") || !number("recover") || !q.is_object() ||
          !timeOf(q.value("windowStartMs", json())) || !timeOf(q.value("windowEndMs", json())) || q["used"].get<double>() < 0 ||
          q["recover"].get<double>() >= q["trip"].get<double>() || q["windowEndMs"].get<double>() <= q["windowStartMs"].get<double>()) {
        problems.push_back({"baseline.quotas." + item.key(), "must be {used, trip, recover below trip, windowStartMs, windowEndMs}", ""});
        continue;
      }
      lines[item.key()] = {q["used"].get<double>(), q["trip"].get<double>(), q["recover"].get<double>(),
                           *timeOf(q["windowStartMs"]), *timeOf(q["windowEndMs"]), 0};
    }
  }
  if (!problems.empty()) return toText({{"ok", false}, {"problems", problemsToJson(problems)}});
  std::vector<Problem> stateProblems = std::exchange(loadProblems_, {});
  MeterState& state = *state_;
  const std::int64_t now = std::max(asOf, state.lastNowMs);
  state.lastNowMs = now;
  // The figure may lag: what the meter counted since kAnalyticsLagMs before it is added to
  // it, which over-counts by at most what the meter counted in those minutes.
  for (auto& [id, line] : lines) line.since = unitsSince(state, id, std::max(asOf - kAnalyticsLagMs, line.windowStartMs));
  state.quotas = lines;
  return judge(state, now, stateProblems);
}

std::string MeterBook::reset(const std::string& resetText) {
  std::vector<Problem> problems;
  const json input = json::parse(resetText, nullptr, false);
  std::int64_t nowMs = 0;
  std::int64_t holdMs = kMeterWindowMs;
  std::vector<std::string> keys;
  if (!input.is_object()) {
    problems.push_back({"reset", "is not a JSON object", ""});
  } else {
    const json now = input.value("now", json());
    if (!timeOf(now)) problems.push_back({"reset.now", "must be a time in ms since the epoch", ""});
    else nowMs = *timeOf(now);
    const json list = input.value("keys", json());
    if (!list.is_array() || list.empty() || list.size() > 64) {
      problems.push_back({"reset.keys", "must be a list of 1 to 64 breaker keys", ""});
    } else {
      for (const json& key : list) {
        // A whole resource's key, a binding's (the record's), or a feature's line.
        if (!key.is_string() || !(isMeterKey(key.get<std::string>()) || splitBreakerKey(key.get<std::string>()).resource)) {
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
  std::vector<Problem> stateProblems = std::exchange(loadProblems_, {});
  MeterState& state = *state_;
  const std::int64_t now = std::max(nowMs, state.lastNowMs);
  state.lastNowMs = now;
  json changes = json::array();
  for (const std::string& key : keys) {
    state.holds[key] = now + holdMs;
    // A resource's reset ends its features' trips too.
    for (auto it = state.breakers.begin(); it != state.breakers.end();) {
      if (it.key() != key && resourceOf(it.key()) != key) {
        ++it;
        continue;
      }
      changes.push_back({{"key", it.key()}, {"event", "reset"}, {"reason", it.key() + " reset by hand"}});
      it = state.breakers.erase(it);
    }
  }
  // A reset is always kept: the holds are its point.
  state.persistedAtMs = 0;
  return replyOf(state, now, changes, json::object(), json::object(), json::object(), std::nullopt, stateProblems, false);
}

std::string MeterBook::recorded(const std::string& recordedText) {
  const json input = json::parse(recordedText, nullptr, false);
  const auto now = input.is_object() ? timeOf(input.value("now", json())) : std::nullopt;
  const auto version = input.is_object() ? indexOf(input.value("version", json()), 1) : std::nullopt;
  if (!now || !version) {
    return toText({{"ok", false}, {"problems", problemsToJson({{"recorded", "must be {now: ms, version: n}", ""}})}});
  }
  std::vector<Problem> stateProblems = std::exchange(loadProblems_, {});
  MeterState& state = *state_;
  const std::int64_t at = std::max(*now, state.lastNowMs);
  state.lastNowMs = at;
  state.recordedVersion = std::max(state.recordedVersion, std::min(*version, state.version));
  state.recordedAtMs = at;
  state.recordDutyUntilMs = 0;
  json unrecorded = json::array();
  for (const json& change : state.unrecorded) {
    if (change["version"].get<std::int64_t>() > state.recordedVersion) unrecorded.push_back(change);
  }
  state.unrecorded = std::move(unrecorded);
  state.persistedAtMs = 0;  // kept at once: a restart must not record it again
  return replyOf(state, at, json::array(), json::object(), json::object(), json::object(), std::nullopt, stateProblems, false);
}

MeterBook::MeterBook(const std::string& stateText) : state_(std::make_unique<MeterState>()) {
  *state_ = readState(stateText, loadProblems_);
}

MeterBook::~MeterBook() = default;

std::string MeterBook::state() const { return toText(stateJson(*state_)); }

namespace {

// A reply of the book's, with the state to store beside it (for the one-call forms).
std::string withState(const std::string& replyText, const MeterBook& book) {
  json reply = json::parse(replyText);
  if (reply["ok"] == true) reply["state"] = book.state();
  return toText(reply);
}

}  // namespace

std::string meterReportJson(const std::string& stateText, const std::string& reportText) {
  MeterBook book(stateText);
  return withState(book.report(reportText), book);
}

std::string meterBaselineJson(const std::string& stateText, const std::string& baselineText) {
  MeterBook book(stateText);
  return withState(book.baseline(baselineText), book);
}

std::string meterResetJson(const std::string& stateText, const std::string& resetText) {
  MeterBook book(stateText);
  return withState(book.reset(resetText), book);
}

}  // namespace edgefuse
