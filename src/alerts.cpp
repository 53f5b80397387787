#include "alerts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "digest.h"
#include "json_text.h"
#include "text_format.h"

namespace edgefuse {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDigestBytes = 16 * 1024;

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::string number(const json& value) { return value.is_number() ? withCommas(value.get<double>()) : "?"; }

std::string money(const json& value) { return usd(value.is_number() ? value.get<double>() : 0.0); }

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// Events may come back from KV (retries): keep only the details edgefuse writes.
json knownDetails(const json& event) {
  static const char* const kKeys[] = {"resource", "binding", "used", "quota", "unit", "percent", "overageUsd",
                                      "window", "projectedPercent", "projectedOverageUsd", "maxUsd", "usedUsd"};
  json out = json::object();
  auto details = event.find("details");
  if (details == event.end() || !details->is_object()) return out;
  for (const char* key : kKeys) {
    auto value = details->find(key);
    if (value == details->end()) continue;
    if ((value->is_number() && std::isfinite(value->get<double>())) || value->is_null() ||
        (value->is_string() && value->get<std::string>().size() <= 100)) {
      out[key] = *value;
    }
  }
  return out;
}

std::string whatTheGuardDid(const std::string& level, const std::string& key, bool dryRun) {
  if (level == "trip") {
    return dryRun ? "Dry run: nothing was blocked; without it, calls charged to " + key + " would be refused."
                  : "Calls charged to " + key + " are refused until it recovers.";
  }
  if (level == "recover") return "Calls charged to " + key + " are allowed again.";
  if (level == "blind") return "Breakers stay as they are until the usage API answers again.";
  if (level == "inaccessible") return "Give the API token Account Analytics: Read on this account (and the product on its plan), or accept the gap.";
  if (level == "projection") return "Nothing is blocked yet: this is a forecast.";
  if (level == "action") {
    return dryRun ? "Dry run: nothing was changed."
                  : "An operator action: what it changes is recorded first, and put back when no tripped line calls for it.";
  }
  if (level == "spike") return "Nothing is blocked by a spike alone; limits and breakers still apply.";
  return "Nothing is blocked yet.";
}

}  // namespace

std::string maskAccountId(const std::string& accountId) {
  if (accountId.size() < 10) return "****";
  return accountId.substr(0, 4) + "\u2026" + accountId.substr(accountId.size() - 4);
}

std::string escapeMentions(const std::string& text, ChannelType channel) {
  std::string out = text;
  if (channel == ChannelType::Slack) {
    // Slack's own escaping: with < and > escaped, <!channel> and friends are plain text.
    replaceAll(out, "&", "&amp;");
    replaceAll(out, "<", "&lt;");
    replaceAll(out, ">", "&gt;");
  } else {
    replaceAll(out, "<!", "<\u200b!");
  }
  for (const char* mention : {"@everyone", "@here", "@channel"}) {
    replaceAll(out, mention, std::string("@\u200b") + (mention + 1));
  }
  return out;
}

std::string alertLevelOf(const std::string& eventLevel) {
  return eventLevel == "budget-warn" ? "warn" : eventLevel;
}

std::string alertText(const json& event, const std::string& maskedAccount) {
  const std::string level = alertLevelOf(field(event, "level"));
  const std::string key = field(event, "key");
  auto dryRunField = event.find("dryRun");
  const bool dryRun = dryRunField != event.end() && dryRunField->is_boolean() && dryRunField->get<bool>();
  const json details = knownDetails(event);
  std::string text = "[edgefuse] " + upper(level) + (dryRun ? " (dry run)" : "") + ": " + key + "\n" +
                     field(event, "message") + "\n";
  if (details.contains("used") && details["used"].is_number()) {
    const std::string unit = field(details, "unit");
    text += "Usage: " + number(details["used"]) + " " + unit;
    if (details.contains("quota") && details["quota"].is_number()) {
      text += " of " + number(details["quota"]) + " included";
      if (details.contains("window") && details["window"].is_string()) text += " per " + field(details, "window");
    }
    text += ". Estimated overage: " + money(details.contains("overageUsd") ? details["overageUsd"] : json(0.0)) + ".\n";
  }
  text += whatTheGuardDid(level, key, dryRun) + "\nAccount " + maskedAccount;
  return text;
}

std::vector<AlertDelivery> buildAlerts(const Config& config, const json& events, const std::string& accountId,
                                       const std::string& nowIso) {
  std::vector<AlertDelivery> deliveries;
  if (!events.is_array()) return deliveries;
  const std::string masked = maskAccountId(accountId);
  for (std::size_t eventIndex = 0; eventIndex < events.size(); ++eventIndex) {
    const json& event = events[eventIndex];
    if (!event.is_object()) continue;
    const std::string level = alertLevelOf(field(event, "level"));
    // A digest has its own switch (alerts.digest); one no longer configured is not sent.
    const bool digest = level == "digest";
    // An operator action and its undo are always said, on every channel.
    const bool wanted = digest            ? config.digest.has_value()
                        : level == "action" ? config.actions.has_value()
                                            : std::find(config.alertLevels.begin(), config.alertLevels.end(), level) != config.alertLevels.end();
    if (!wanted) continue;
    const std::string key = field(event, "key");
    const json digestData = digest && event.contains("details") && event["details"].is_object()
                                ? event["details"].value("digest", json()) : json();
    for (std::size_t index = 0; index < config.alertChannels.size(); ++index) {
      const ChannelType type = config.alertChannels[index].type;
      const std::string text = escapeMentions(digest ? renderDigest(digestData, type, masked) : alertText(event, masked), type);
      json body;
      if (type == ChannelType::Discord) {
        body = {{"content", text}, {"allowed_mentions", {{"parse", json::array()}}}};
      } else if (type == ChannelType::Slack) {
        body = {{"text", text}};
      } else {
        auto dryRun = event.find("dryRun");
        body = {{"source", "edgefuse"}, {"level", level}, {"key", key},
                {"message", escapeMentions(field(event, "message"), type)}, {"text", text},
                {"dryRun", dryRun != event.end() && dryRun->is_boolean() && dryRun->get<bool>()},
                {"details", knownDetails(event)}, {"account", masked}, {"at", nowIso}};
        // The digest's figures as data, for a receiver to chart: bounded, as it may come back from KV.
        if (digest && digestData.is_object() && toText(digestData).size() <= kMaxDigestBytes) body["digest"] = digestData;
      }
      deliveries.push_back({index, eventIndex, level, key, toText(body)});
    }
  }
  return deliveries;
}

}  // namespace edgefuse
