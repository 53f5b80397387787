#include "breaker_state.h"

#include "calendar.h"
#include "catalogue.h"
#include "identifier.h"
#include "json_text.h"

namespace edgefuse {
using nlohmann::json;


std::string stringField(const json& object, const char* key, std::size_t maxSize) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() && it->get_ref<const std::string&>().size() <= maxSize ? it->get<std::string>() : "";
}

BreakerKeyParts splitBreakerKey(const std::string& key) {
  const std::size_t colon = key.find(':');
  return {findResource(key.substr(0, colon)), colon == std::string::npos ? "" : key.substr(colon + 1)};
}

bool operator==(const Breaker& a, const Breaker& b) {
  return a.resource == b.resource && a.binding == b.binding && a.reason == b.reason && a.since == b.since &&
         a.source == b.source && a.until == b.until;
}

std::string breakerKey(const Breaker& breaker) {
  return breaker.binding.empty() ? breaker.resource : breaker.resource + ":" + breaker.binding;
}

namespace {
std::size_t parses = 0;
}  // namespace

std::size_t recordParses() { return parses; }

json parseRecordText(const std::string& text) {
  ++parses;
  return json::parse(text, nullptr, false);
}

BreakerRecord parseBreakerRecord(const std::optional<std::string>& text, const std::string& what) {
  if (!text) {
    BreakerRecord missing;
    missing.what = what;
    return missing;
  }
  return breakerRecordOf(parseRecordText(*text), what);
}

BreakerRecord breakerRecordOf(const json& value, const std::string& what) {
  BreakerRecord record;
  record.what = what;
  record.present = true;
  if (value.is_discarded() || !value.is_object()) {
    record.problems.push_back({what, "is not a JSON object", "it is ignored; the next cron tick rewrites it"});
    return record;
  }
  auto version = value.find("version");
  if (version == value.end() || !version->is_number_integer() || *version != kStateVersion) {
    std::string got = version == value.end() ? "none" : toText(*version);
    record.problems.push_back({what + ".version", "unsupported version " + got + ", expected " +
                                                      std::to_string(kStateVersion),
                               "written by another edgefuse release; it is ignored"});
    return record;
  }
  auto entries = value.find("breakers");
  if (entries == value.end() || !entries->is_object()) {
    record.problems.push_back({what + ".breakers", "must be an object", ""});
    return record;
  }
  std::map<std::string, Breaker> breakers;
  for (const auto& item : entries->items()) {
    const std::string path = what + ".breakers." + item.key();
    const std::string& key = item.key();
    const std::size_t colon = key.find(':');
    Breaker breaker{key.substr(0, colon), colon == std::string::npos ? "" : key.substr(colon + 1),
                    "", "", "", ""};
    if (!findResource(breaker.resource)) {
      record.problems.push_back({path, "unknown resource, entry skipped", ""});
      continue;
    }
    if (colon != std::string::npos && !isIdentifier(breaker.binding, 256)) {
      record.problems.push_back({path, "invalid binding name, entry skipped", ""});
      continue;
    }
    if (!item.value().is_object()) {
      record.problems.push_back({path, "must be an object, entry skipped", ""});
      record.damaged.push_back(key);
      continue;
    }
    breaker.reason = stringField(item.value(), "reason");
    breaker.since = stringField(item.value(), "since");
    breaker.source = stringField(item.value(), "source");
    if (breaker.source != "manual" && breaker.source != "poll" && breaker.source != "budget" && breaker.source != "meter") {
      // Nothing can confirm such a trip's recovery: it stands until it is reset, as a manual one.
      const auto given = item.value().find("source");
      record.problems.push_back({path + ".source",
                                 "is not manual, poll, budget or meter (got " +
                                     (given == item.value().end() ? std::string("none") : toText(*given)) + ")",
                                 "the trip stands until it is reset"});
      breaker.source = "manual";
    }
    breaker.until = stringField(item.value(), "until");
    if (auto until = item.value().find("until");
        until != item.value().end() && !until->is_null() && !(until->is_string() && parseIsoTimestamp(breaker.until))) {
      breaker.until.clear();
      record.problems.push_back({path + ".until", "is not an ISO 8601 UTC time (" + toText(*until) + ")",
                                 "the trip stands until it is reset; write until as 2026-11-23T12:00:00Z"});
    }
    breakers.emplace(breakerKey(breaker), breaker);
  }
  record.breakers = std::move(breakers);
  return record;
}

nlohmann::json breakersToJson(const std::map<std::string, Breaker>& breakers) {
  json out = json::object();
  for (const auto& [key, breaker] : breakers) {
    out[key] = {{"resource", breaker.resource},
                {"binding", breaker.binding},
                {"reason", breaker.reason},
                {"since", breaker.since},
                {"source", breaker.source}};
    if (!breaker.until.empty()) out[key]["until"] = breaker.until;
  }
  return out;
}

}  // namespace edgefuse
