// The real-time meter, both ends, sans-IO. The analytics API reports usage minutes late;
// the meter (the EdgefuseMeter Durable Object) hears from every isolate within moments of a
// burst, so a line crossed by traffic spread over many isolates trips in seconds.
//
// - The isolate's end, MeterOutbox: the units its guarded calls were charged and not yet
//   reported (kept by the Enforcer), when to report them, and what an answer puts in force.
//   A report is sent in the background; one that fails gives its units back for the next.
// - The meter's end, meterReport(): adds a report to per-resource counts over the last
//   minute, judges the rate lines, and answers with the breakers it holds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.h"
#include "enforcer.h"
#include "problem.h"

namespace edgefuse {

// The meter counts in buckets of 5 s and judges a rate over the buckets that cover the last
// minute whole: at most one bucket's worth (5 s) of older units more than a minute's, never
// less (a line is crossed no later than it truly is).
constexpr std::int64_t kMeterBucketMs = 5'000;
constexpr std::int64_t kMeterWindowMs = 60'000;
// An isolate reports once its unreported units of a resource reach this share of what is
// left under the resource's lines: a runaway reports within moments, a calm isolate rarely.
constexpr double kMeterReportShare = 0.05;
// At most one report in flight per isolate, and one every 250 ms at most, unless the units
// waiting reach this share of what is left: a burst faster than the spacing still reports
// before it can pass the line on its own, and each such report shrinks what is left.
constexpr std::int64_t kMeterReportSpacingMs = 250;
constexpr double kMeterUrgentShare = 0.25;
// Near a line, isolates share what is left: when at the pace of the last 5 to 10 s the line
// is fewer than this many seconds away, each answer gives every isolate that reported in the
// last minute an equal share of it as its room, so that together they cannot pass the line
// before the meter hears of it. Further away, each isolate's room is all that is left. An
// isolate whose room is spent asks again at once, but no more often than the spacing.
constexpr std::int64_t kMeterShareSeconds = 10;
// A room is what was left when the meter answered: as a rate's window slides or a quota's
// resets, it goes stale. Older than this, it is forgotten (no limit until the next answer).
constexpr std::int64_t kMeterRoomMs = 10'000;
// A grant near a line that its isolate has not replaced by reporting again in this long is
// no longer held back from the others: an idle isolate does not starve them.
constexpr std::int64_t kMeterGrantMs = kMeterShareSeconds * 1000;
// Isolates the meter tells apart for the shares (reporters of the last minute), at most.
constexpr std::size_t kMaxMeterReporters = 4096;
// A report unanswered after this long has failed (its units return to the outbox).
constexpr std::int64_t kMeterReportTimeoutMs = 5'000;
// After a failed report, the next waits 1 s, doubling per failure up to reportSeconds.
constexpr std::int64_t kMeterFirstRetryMs = 1'000;
// The meter writes its counts to its storage when its breakers change, else at most this
// often: a restart of the object loses at most this much of the last minute's counts.
constexpr std::int64_t kMeterPersistMs = 10'000;
// The meter's trips are also written to the KV state record, so that isolates that do not
// report see them within refreshSeconds, and alerted. One reporting isolate at a time is
// given that duty (an answer's "record"); it writes, alerts, and acknowledges. Unacknowledged
// after kMeterRecordDutyMs, the duty goes to the next report. A meter trip in the record
// holds a lease: it lapses by itself after kMeterLeaseMs unless the meter renews it (the
// duty is offered again at half the lease while a trip stands), so a trip the meter ended
// while no one could record it cannot stand for ever.
constexpr std::int64_t kMeterRecordDutyMs = 30'000;
constexpr std::int64_t kMeterLeaseMs = 10 * 60'000;
// Changes not yet recorded, kept for the alerts of the isolate that records them: the newest.
constexpr std::size_t kMaxUnrecordedChanges = 32;
// Live quotas: the usage poll's figure for a window may lag usage by minutes. The meter adds
// to it what it counted since this long before the figure (an over-count of at most what it
// counted in those minutes), and keeps its counts by minute for a little longer than that.
constexpr std::int64_t kAnalyticsLagMs = 10 * 60'000;
constexpr std::int64_t kMinutesKeptMs = kAnalyticsLagMs + 5 * 60'000;

// What an isolate reports: each key with a rate line ("<resource>" or "<resource>@<feature>")
// and, with live quotas on, each resource counted by guarded calls that has a trip line.
struct MeteredKey {
  std::string key;
  std::size_t resource;  // catalogue index
  int feature;           // 0: every invocation's units
};
std::vector<MeteredKey> meteredKeys(const Config& config);

class MeterOutbox {
 public:
  explicit MeterOutbox(const Config& config);

  // Whether the meter is on, and so this isolate reports.
  bool on() const { return on_; }
  // Whether to send a report now.
  bool due(const Enforcer& enforcer, std::int64_t nowMs) const;
  // Asked at each invocation's start and end: bit kDue, a report is due; bit kInForceChanged,
  // the meter's breakers in force here changed (inForce()). Each answer sets the enforcer's
  // room (Enforcer::setRoom): what it left under each line, less what this isolate admitted
  // meanwhile. A call past it is refused, since the line is crossed whatever the other
  // isolates did, until the next answer (which is due at once) says otherwise. A failed
  // report forgets the rooms: the guard fails open without the meter.
  static constexpr int kDue = 1;
  static constexpr int kInForceChanged = 2;
  int poll(Enforcer& enforcer, std::int64_t nowMs);
  // The meter's breakers in force here, {key: {reason, since, source}}: the last answer's and
  // the keys whose headroom this isolate has spent since.
  std::string inForce() const;
  // The report to send: {"now", "lines": {id: {perMinute, recoverPerMinute}}, "units": {id: n}}.
  // Its units leave the enforcer's unreported counts until the report is settled.
  std::string take(Enforcer& enforcer, std::int64_t nowMs);
  // The report's outcome: the meter's answer (`error` empty) or why it failed. Puts the
  // answer's breakers in force (none in a dry run) and returns
  // {"ok": true, "breakers": {key: {reason, since, source}}, "version": n, "record": {...} when
  // this isolate is to record the meter's trips (a PollTick of kind "meter", then
  // MeterBook::recorded)} or {"ok": false, "error": why}; a failed or unreadable answer gives
  // the units back.
  std::string settle(Enforcer& enforcer, const std::string& answerText, const std::string& error,
                     std::int64_t nowMs);
  // An answer the meter gave other than to a report (to a manual reset): puts its breakers
  // in force, as settle does, and touches nothing of the reports. Returns what settle does.
  std::string hear(Enforcer& enforcer, const std::string& answerText);
  // Names this isolate in its reports (a random id the shim draws once), so that the meter
  // can count the isolates that share a line.
  void identify(const std::string& isolate) { isolate_ = isolate.substr(0, 64); }

 private:
  std::int64_t reportMs_;  // meterReportSeconds
  bool dryRun_;
  bool on_;
  std::vector<MeteredKey> metered_;          // what it reports: rate and quota lines' keys
  std::map<std::string, RateLine> lines_;    // the rate lines, by key
  std::map<std::string, double> inFlight_;   // key -> units
  bool sending_ = false;
  bool answered_ = false;
  std::int64_t lastAnswerMs_ = 0;
  std::int64_t spacedUntilMs_ = 0;  // kMeterReportSpacingMs after an answer
  std::int64_t retryAtMs_ = 0;      // after a failure
  int failures_ = 0;
  std::map<std::string, double> headroom_;  // key -> units left under its lines, from the last answer
  std::int64_t recheckAtMs_ = 0;            // a meter breaker stands: ask again then (0: none)
  std::vector<std::string> answerKeys_;     // the last answer's breakers
  nlohmann::json answerBreakers_ = nlohmann::json::object();
  std::map<std::string, std::pair<double, std::int64_t>> spent_;  // key -> {room it had, since when}
  void putInForce(Enforcer& enforcer) const;
  // Sets the enforcer's rooms from headroom_ (`known` false: no limit, the guard fails open).
  void setRooms(Enforcer& enforcer, bool known);
  static bool spentAt(const Enforcer& enforcer, const MeteredKey& metered);
  // `fromReport`: the answer to this isolate's report, whose shares are its own; another
  // answer (a reset's, a baseline's) carries none and leaves a share no larger than it was.
  void readHeadroom(const nlohmann::json& answer, bool fromReport);
  bool roomsSet_ = false;  // the enforcer holds rooms from the answer at lastAnswerMs_
  std::map<std::string, double> share_;  // key -> this isolate's share of headroom_, near a line
  std::string isolate_;                  // this isolate's name in its reports (identify)
};



// What the meter needs of a tick's report for live quotas (meterBaselineJson's input), or ""
// when the meter or its quotas are off. Only trustworthy figures of whole resources.
std::string meterBaselineFor(const Config& config, const nlohmann::json& report, std::int64_t nowMs);

// The meter's end, held by the EdgefuseMeter object between reports: its counts, lines,
// breakers and holds, read once from what it stored ("" for nothing) and written back only
// when a reply says "persist". Each call returns the reply the functions below describe,
// without the state; state() is the text to store.
struct MeterState;
class MeterBook {
 public:
  explicit MeterBook(const std::string& stateText);
  ~MeterBook();
  MeterBook(const MeterBook&) = delete;
  MeterBook& operator=(const MeterBook&) = delete;
  std::string report(const std::string& reportText);
  std::string baseline(const std::string& baselineText);
  std::string reset(const std::string& resetText);
  // The record duty carried out: {"now", "version"}, the version written to the KV record.
  std::string recorded(const std::string& recordedText);
  std::string state() const;

 private:
  std::unique_ptr<MeterState> state_;
  std::vector<Problem> loadProblems_;  // why the stored state was unreadable: in the next reply
};

// The same, in one call each, from and to the stored text. `stateText` is what the object stored ("" for none); `reportText` one
// isolate's report (MeterOutbox::take). Returns
// {"ok": true, "state": text, "persist": bool, "answer": {...}, "changes": [{key, event, reason}]}
// or {"ok": false, "problems": [...]} with the state unchanged. The answer is
// {"version": n, "breakers": {key: breaker}, "rates": {id: units in the last minute},
//  "headroom": {id: units left under its lowest line}, "shares": {id: each reporting
//  isolate's share of it, near the line (kMeterShareSeconds)},
//  "recheckAtMs": ms | null, "record": {"version", "breakers", "changes"} when this answer
//  carries the duty to write the meter's trips to the KV record (a PollTick of kind "meter")}.
std::string meterReportJson(const std::string& stateText, const std::string& reportText);

// The usage poll's figures, for live quotas: {"asOfMs", "quotas": {id: {used, trip, recover,
// windowStartMs, windowEndMs}}} (meterBaselineFor writes it after a tick). Replaces the
// meter's quota lines, judges them at once, and returns what meterReportJson does.
std::string meterBaselineJson(const std::string& stateText, const std::string& baselineText);

// A manual reset at the meter: {"now", "keys": [breaker keys], "holdSeconds": n | absent}.
// Ends the meter's breakers on those keys and holds each off for `holdSeconds` (absent: a
// minute, the rate window), so a reset wins over the counts that tripped it. Returns what
// meterReportJson does; a key the meter does not hold is held all the same.
std::string meterResetJson(const std::string& stateText, const std::string& resetText);

}  // namespace edgefuse
