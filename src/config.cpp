#include "config.h"

#include "identifier.h"
#include "json_text.h"
#include "shared_constants.h"
#include "suggest.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace edgefuse {
namespace {

using nlohmann::json;

constexpr const char* kDefaultEndpoint = "https://api.cloudflare.com/client/v4/graphql";

class Validator {
 public:
  std::vector<Problem> problems;

  void report(std::string path, std::string message, std::string fix = "") {
    problems.push_back({std::move(path), std::move(message), std::move(fix)});
  }

  // Unknown keys are errors, with a suggestion: a typo must never silently disable a guard.
  void rejectUnknownKeys(const json& object, const std::string& prefix,
                         const std::vector<std::string>& known, const char* what) {
    for (const auto& item : object.items()) {
      if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
      report(join(prefix, item.key()), std::string("unknown ") + what,
             didYouMean(item.key(), known, "known: " + list(known)));
    }
  }

  static std::string join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
  }

  static std::string list(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
    return out;
  }

  static std::string shown(const json& value) { return toText(value); }

  std::optional<double> number(const json& object, const std::string& prefix, const char* key,
                               const char* requirement, double min, double max, bool minInclusive) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    const std::string path = join(prefix, key);
    if (!it->is_number()) {
      report(path, std::string("must be ") + requirement + ", got " + shown(*it));
      return std::nullopt;
    }
    double value = it->get<double>();
    bool aboveMin = minInclusive ? value >= min : value > min;
    if (!std::isfinite(value) || !aboveMin || value > max) {
      report(path, std::string("must be ") + requirement + ", got " + shown(*it));
      return std::nullopt;
    }
    return value;
  }

  std::optional<int> integer(const json& object, const std::string& prefix, const char* key,
                             int min, int max) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max) {
      report(join(prefix, key),
             "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                 ", got " + shown(*it));
      return std::nullopt;
    }
    return static_cast<int>(it->get<long long>());
  }

  std::optional<std::string> oneOf(const json& object, const std::string& prefix, const char* key,
                                   const std::vector<std::string>& choices) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) {
      std::string value = it->get<std::string>();
      if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
      report(join(prefix, key), "must be one of " + list(choices) + ", got " + shown(*it),
             didYouMean(value, choices));
    } else {
      report(join(prefix, key), "must be one of " + list(choices) + ", got " + shown(*it));
    }
    return std::nullopt;
  }

  std::optional<bool> boolean(const json& object, const std::string& prefix, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) {
      report(join(prefix, key), "must be true or false, got " + shown(*it));
      return std::nullopt;
    }
    return it->get<bool>();
  }

  // Names of env vars and bindings. The value is never echoed back: a user who pastes the
  // secret itself here must not see it printed in an error or a log.
  std::optional<std::string> identifier(const json& object, const std::string& prefix,
                                        const char* key, const char* what) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (it->is_string() && isIdentifier(it->get<std::string>(), 64)) {
      return it->get<std::string>();
    }
    report(join(prefix, key), std::string("must be the name of ") + what +
                                  " (letters, digits and _, at most 64), not its value");
    return std::nullopt;
  }

  bool isObject(const json& value, const std::string& path) {
    if (value.is_object()) return true;
    report(path.empty() ? "(config)" : path, "must be an object, got " + shown(value));
    return false;
  }
};

// 95 rather than 95.0: numbers in messages read as the user wrote them.
std::string formatNumber(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  return toText(json(value));
}

std::optional<Granularity> granularityOption(Validator& v, const json& input, const std::string& path) {
  auto name = v.oneOf(input, path, "granularity", {"day", "week", "month"});
  if (!name) return std::nullopt;
  return *name == "day" ? Granularity::Day : *name == "week" ? Granularity::Week : Granularity::Month;
}

Threshold defaultThreshold(const Allowance& allowance) {
  // A daily hard quota trips before the platform cuts off, so the guard, not Cloudflare,
  // decides what stops. Elsewhere going past the inclusion is ordinary paid use: warn only.
  std::optional<double> trip;
  if (allowance.billing == Billing::HardLimit) trip = 90.0;
  return {80.0, trip, 80.0, std::nullopt, std::nullopt, std::nullopt};
}

void parseThreshold(Validator& v, const json& input, const std::string& path,
                    const Allowance& allowance, Threshold& threshold) {
  if (!v.isObject(input, path)) return;
  v.rejectUnknownKeys(input, path,
                      {"warn", "trip", "recover", "tripAt", "maxOverageUsd", "granularity"},
                      "threshold option");
  threshold.granularity = granularityOption(v, input, path);
  const char* percent = "a percentage above 0";
  auto warn = v.number(input, path, "warn", percent, 0, 1e6, false);
  auto recover = v.number(input, path, "recover", percent, 0, 1e6, false);
  auto tripIt = input.find("trip");
  bool tripDisabled = tripIt != input.end() && tripIt->is_null();
  auto trip = v.number(input, path, "trip", "a percentage above 0, or null for none", 0, 1e6, false);
  if (trip) threshold.tripPercent = trip;
  if (tripDisabled) threshold.tripPercent.reset();

  if (threshold.tripPercent) {
    double tripValue = *threshold.tripPercent;
    threshold.recoverPercent = tripValue > 20 ? tripValue - 10 : tripValue / 2;
    threshold.warnPercent = std::min(threshold.warnPercent, tripValue);
  }
  if (warn) threshold.warnPercent = *warn;
  if (recover) threshold.recoverPercent = *recover;

  if (threshold.tripPercent && recover && *recover >= *threshold.tripPercent) {
    v.report(path, "recover (" + formatNumber(*recover) + ") must be below trip (" +
                       formatNumber(*threshold.tripPercent) + ")",
             "set recover under trip so a breaker cannot flap");
  }
  if (!threshold.tripPercent && recover && *recover >= 100) {
    v.report(path, "recover (" + formatNumber(*recover) + ") must be below 100 when trip is off",
             "tripAt and maxOverageUsd recover at that percentage of their line");
  }
  if (threshold.tripPercent && warn && *warn > *threshold.tripPercent) {
    v.report(path, "warn (" + formatNumber(*warn) + ") must not be above trip (" +
                       formatNumber(*threshold.tripPercent) + ")");
  }
  threshold.tripAt = v.number(input, path, "tripAt", "a positive number of units", 0, 1e300, false);
  threshold.maxOverageUsd =
      v.number(input, path, "maxOverageUsd", "a positive number of USD", 0, 1e12, false);
  if (threshold.maxOverageUsd && allowance.billing != Billing::Overage) {
    v.report(path + ".maxOverageUsd", "this resource has no overage on this plan",
             "use trip or tripAt instead");
  }
}

[[gnu::noinline]] std::optional<Budget> parseBudget(Validator& v, const json& input) {
  const std::string path = "budget";
  if (!v.isObject(input, path)) return std::nullopt;
  v.rejectUnknownKeys(input, path, {"maxUsd", "warn", "granularity"}, "budget option");
  Budget budget{0, 80.0, Granularity::Month};
  auto maxUsd = v.number(input, path, "maxUsd", "a positive number", 0, 1e12, false);
  if (!maxUsd && (!input.contains("maxUsd") || input["maxUsd"].is_null())) {
    v.report("budget.maxUsd", "is required", "the most overage in USD you accept per period");
  }
  if (maxUsd) budget.maxUsd = *maxUsd;
  if (auto warn = v.number(input, path, "warn", "a percentage from 0 to 100", 0, 100, false)) {
    budget.warnPercent = *warn;
  }
  if (auto granularity = granularityOption(v, input, path)) budget.granularity = *granularity;
  return budget;
}

// Workers script names: lowercase letters, digits, - and _, at most 63 characters
// (https://developers.cloudflare.com/workers/wrangler/configuration/#inheritable-keys).
bool isScriptName(const std::string& text) {
  return !text.empty() && text.size() <= 63 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

[[gnu::noinline]] void parseActions(Validator& v, const json& input, Config& config) {
  auto it = input.find("actions");
  if (it == input.end() || it->is_null() || !v.isObject(*it, "actions")) return;
  v.rejectUnknownKeys(*it, "actions", {"script", "scriptEnv", "tokenEnv", "endpoint", "endpointEnv", "zones", "dryRun", "on"},
                      "actions option");
  ActionsConfig actions;
  const auto script = it->find("script");
  if (script == it->end() || !script->is_string() || !isScriptName(script->get<std::string>())) {
    v.report("actions.script", script == it->end() ? "is required" : "must be a Worker's script name, got " + toText(*script),
             "the name in your wrangler config: actions only ever touch the Worker it names");
  } else {
    actions.script = script->get<std::string>();
  }
  if (auto name = v.identifier(*it, "actions", "scriptEnv", "an environment variable")) actions.scriptEnv = *name;
  if (auto name = v.identifier(*it, "actions", "tokenEnv", "an environment variable")) actions.tokenEnv = *name;
  if (auto name = v.identifier(*it, "actions", "endpointEnv", "an environment variable")) actions.endpointEnv = *name;
  if (auto endpoint = it->find("endpoint"); endpoint != it->end() && !endpoint->is_null()) {
    if (endpoint->is_string() && isHttpUrl(endpoint->get<std::string>()) && endpoint->get<std::string>().size() <= 200) {
      actions.endpoint = endpoint->get<std::string>();
      while (actions.endpoint.size() > 8 && actions.endpoint.back() == '/') actions.endpoint.pop_back();
    } else {
      v.report("actions.endpoint", "must be an http(s) URL, got " + toText(*endpoint), "");
    }
  }
  if (auto dryRun = v.boolean(*it, "actions", "dryRun")) actions.dryRun = *dryRun;
  if (auto zones = it->find("zones"); zones != it->end() && !zones->is_null()) {
    if (!zones->is_array() || zones->size() > 20) {
      v.report("actions.zones", "must be a list of at most 20 zone ids");
    } else {
      for (const json& zone : *zones) {
        if (zone.is_string() && isZoneId(zone.get<std::string>())) actions.zones.push_back(zone.get<std::string>());
        else v.report("actions.zones", "must hold zone ids (32 hexadecimal characters), got " + toText(zone));
      }
    }
  }
  std::vector<std::string> names;
  for (OperatorAction action : operatorActions()) names.emplace_back(nameOf(action));
  auto on = it->find("on");
  if (on == it->end() || !on->is_object() || on->empty()) {
    v.report("actions.on", "must map a line to the actions its trip takes",
             "e.g. { \"budget\": [\"detach-routes\", \"disable-workers-dev\"] }");
  } else {
    for (const auto& item : on->items()) {
      const std::string path = "actions.on." + item.key();
      if (item.key() != "budget" && !config.thresholds.count(item.key())) {
        std::vector<std::string> lines = {"budget"};
        for (const auto& [key, threshold] : config.thresholds) lines.push_back(key);
        v.report(path, "is not a line: a resource, a resource:binding with a threshold, or budget", didYouMean(item.key(), lines));
        continue;
      }
      if (!item.value().is_array() || item.value().empty()) {
        v.report(path, "must be a list of actions", "known: " + Validator::list(names));
        continue;
      }
      for (const json& name : item.value()) {
        const std::string text = name.is_string() ? name.get<std::string>() : toText(name);
        const auto found = std::find(names.begin(), names.end(), text);
        if (found == names.end()) {
          v.report(path, "unknown action " + text, didYouMean(text, names));
        } else {
          actions.on[item.key()].push_back(operatorActions()[static_cast<std::size_t>(found - names.begin())]);
        }
      }
    }
  }
  bool detaches = false;
  bool pauses = false;
  for (const auto& [line, list] : actions.on) {
    for (OperatorAction action : list) {
      detaches |= action == OperatorAction::DetachRoutes;
      pauses |= action == OperatorAction::PauseCrons;
    }
  }
  if (detaches && actions.zones.empty()) {
    v.report("actions.zones", "is required for detach-routes", "list the zone ids whose routes lead to the Worker");
  }
  if (pauses && !config.evaluateCron) {
    v.report("actions.on", "pause-crons needs evaluateCron",
             "name the guard's own cron in evaluateCron: it is kept, so the guard can put the others back");
  }
  config.actions = actions;
}

}  // namespace

std::string_view nameOf(OperatorAction action) {
  switch (action) {
    case OperatorAction::DisableWorkersDev: return "disable-workers-dev";
    case OperatorAction::DetachRoutes: return "detach-routes";
    case OperatorAction::PauseCrons: return "pause-crons";
  }
  return "disable-workers-dev";
}

const std::vector<OperatorAction>& operatorActions() {
  static const std::vector<OperatorAction> all = {OperatorAction::DisableWorkersDev, OperatorAction::DetachRoutes,
                                                  OperatorAction::PauseCrons};
  return all;
}

bool isHttpUrl(const std::string& text) {
  std::size_t hostStart = text.rfind("https://", 0) == 0 ? 8 : text.rfind("http://", 0) == 0 ? 7 : 0;
  if (hostStart == 0 || text.size() == hostStart) return false;
  if (text[hostStart] == '/' || text[hostStart] == '?' || text[hostStart] == '#') return false;
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)); });
}

bool isLoopbackUrl(const std::string& url) {
  const std::size_t hostStart = url.find("://");
  if (hostStart == std::string::npos) return false;
  std::string host = url.substr(hostStart + 3, url.find_first_of("/?#", hostStart + 3) - (hostStart + 3));
  if (const std::size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (host.rfind("[::1]", 0) == 0) return true;
  host = host.substr(0, host.find(':'));
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (host == "localhost" || (host.size() > 10 && host.compare(host.size() - 10, 10, ".localhost") == 0)) return true;
  // 127.0.0.0/8, written as four decimal numbers.
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 3 && host.rfind("127.", 0) == 0;
}

Granularity windowGranularity(const Threshold& threshold, const Allowance& allowance) {
  if (threshold.granularity) return *threshold.granularity;
  return allowance.period == Period::Day ? Granularity::Day : Granularity::Month;
}

const std::map<std::string, double>& defaultInvocationLimits() {
  static const std::map<std::string, double> limits = {
      {"kv-reads", 1000},          {"kv-writes", 1000},
      {"kv-deletes", 1000},        {"kv-lists", 1000},
      {"d1-rows-read", 1'000'000}, {"d1-rows-written", 10'000},
      {"r2-class-a", 1000},        {"r2-class-b", 1000},
      {"r2-deletes", 1000},        {"queues-operations", 1000},
      {"do-requests", 1000},       {"ai-neurons", 100},
      {"vectorize-queried-dimensions", 1000}, {"vectorize-stored-dimensions", 1000},
  };
  return limits;
}

const std::vector<std::string>& bindingKinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> names;
    for (const BindingKind& kind : bindingKindTable()) {
      if (!kind.shape.empty()) names.emplace_back(kind.name);  // not the parts of one (a multipart upload)
    }
    names.emplace_back("ignore");
    return names;
  }();
  return kinds;
}

std::string_view nameOf(ChannelType type) {
  switch (type) {
    case ChannelType::Discord: return "discord";
    case ChannelType::Slack: return "slack";
    case ChannelType::Webhook: return "webhook";
  }
  return "webhook";
}

namespace {

[[gnu::noinline]] void parseAlerts(Validator& v, const json& input, Config& config) {
  auto it = input.find("alerts");
  if (it == input.end() || it->is_null() || !v.isObject(*it, "alerts")) return;
  v.rejectUnknownKeys(*it, "alerts", {"channels", "levels", "digest"}, "alerts option");
  if (auto channels = it->find("channels"); channels != it->end()) {
    if (!channels->is_array()) {
      v.report("alerts.channels", "must be a list of channels");
    } else {
      for (std::size_t i = 0; i < channels->size(); ++i) {
        const json& item = (*channels)[i];
        const std::string path = "alerts.channels[" + std::to_string(i) + "]";
        if (!v.isObject(item, path)) continue;
        v.rejectUnknownKeys(item, path, {"type", "urlEnv", "secretEnv", "binding"}, "channel option");
        auto type = v.oneOf(item, path, "type", {"discord", "slack", "webhook"});
        if (!type) {
          if (!item.contains("type")) v.report(path + ".type", "is required", "discord, slack or webhook");
          continue;
        }
        AlertChannel channel{*type == "discord" ? ChannelType::Discord
                             : *type == "slack" ? ChannelType::Slack
                                                : ChannelType::Webhook,
                             *type == "discord" ? "DISCORD_WEBHOOK_URL"
                             : *type == "slack" ? "SLACK_WEBHOOK_URL"
                                                : "ALERT_WEBHOOK_URL",
                             *type == "webhook" ? "ALERT_WEBHOOK_SECRET" : "", std::nullopt};
        if (auto name = v.identifier(item, path, "urlEnv", "an environment variable")) channel.urlEnv = *name;
        if (auto name = v.identifier(item, path, "secretEnv", "an environment variable")) {
          if (channel.type == ChannelType::Webhook) {
            channel.secretEnv = *name;
          } else {
            v.report(path + ".secretEnv", "only webhook channels are signed");
          }
        }
        if (auto name = v.identifier(item, path, "binding", "a service binding")) channel.binding = *name;
        config.alertChannels.push_back(channel);
      }
    }
  }
  if (auto levels = it->find("levels"); levels != it->end() && !levels->is_null()) {
    if (!levels->is_array()) {
      v.report("alerts.levels", "must be a list of levels", "known: " + Validator::list(alertLevels()));
    } else {
      config.alertLevels.clear();
      for (const json& level : *levels) {
        const std::string name = level.is_string() ? level.get<std::string>() : toText(level);
        if (std::find(alertLevels().begin(), alertLevels().end(), name) == alertLevels().end()) {
          v.report("alerts.levels", "unknown level " + name, didYouMean(name, alertLevels()));
        } else {
          config.alertLevels.push_back(name);
        }
      }
    }
  }
  if (auto digest = it->find("digest"); digest != it->end() && !digest->is_null() && v.isObject(*digest, "alerts.digest")) {
    v.rejectUnknownKeys(*digest, "alerts.digest", {"hourUtc", "daily", "weekly"}, "digest option");
    DigestSchedule schedule;
    if (auto hour = v.integer(*digest, "alerts.digest", "hourUtc", 0, 23)) schedule.hourUtc = *hour;
    if (auto daily = v.boolean(*digest, "alerts.digest", "daily")) schedule.daily = *daily;
    if (auto weekly = v.boolean(*digest, "alerts.digest", "weekly")) schedule.weekly = *weekly;
    if (!schedule.daily && !schedule.weekly) {
      v.report("alerts.digest", "sends nothing with daily and weekly both false", "set one true, or remove the digest");
    } else if (config.alertChannels.empty()) {
      v.report("alerts.digest", "has no channel to go to", "add a channel to alerts.channels, or remove the digest");
    }
    config.digest = schedule;
  }
}

// A route path without its trailing slashes: "/api/" and "/api" name the same route.
std::string normalisedPrefix(std::string path) {
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

bool isHeaderName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// Requests are matched on their decoded path, without its query, with repeated slashes
// collapsed and trailing ones ignored: a prefix with an escape, a "?" or "#", or "//" inside
// is a mistake (it would match something else, or nothing).
bool isRoutePrefix(const json& value) {
  if (!value.is_string() || value.get<std::string>().rfind('/', 0) != 0) return false;
  const std::string path = normalisedPrefix(value.get<std::string>());
  if (path.find_first_of("?#") != std::string::npos || path.find("//") != std::string::npos) return false;
  for (std::size_t at = path.find('%'); at != std::string::npos; at = path.find('%', at + 1)) {
    const bool escape = at + 2 < path.size() && std::isxdigit(static_cast<unsigned char>(path[at + 1])) &&
                        std::isxdigit(static_cast<unsigned char>(path[at + 2]));
    if (escape) return false;  // such as %C3: the path must be written decoded
  }
  return true;
}

// Two route paths that match the same requests: equal once normalised (and lower-cased, for
// an app whose router ignores case).
bool samePrefix(const std::string& a, const std::string& b, bool ignoreCase) {
  std::string left = normalisedPrefix(a);
  std::string right = normalisedPrefix(b);
  if (ignoreCase) {
    for (std::string* text : {&left, &right}) {
      std::transform(text->begin(), text->end(), text->begin(), [](unsigned char c) { return std::tolower(c); });
    }
  }
  return left == right;
}

[[gnu::noinline]] void parseRateLimit(Validator& v, const json& input, Config& config) {
  auto it = input.find("rateLimit");
  if (it == input.end() || it->is_null() || !v.isObject(*it, "rateLimit")) return;
  v.rejectUnknownKeys(*it, "rateLimit",
                      {"binding", "headers", "routes", "mode", "kvBinding", "syncSeconds", "keySecretEnv", "ignoreCase"},
                      "rateLimit option");
  if (auto ignoreCase = v.boolean(*it, "rateLimit", "ignoreCase")) config.rateLimitIgnoreCase = *ignoreCase;
  if (auto mode = v.oneOf(*it, "rateLimit", "mode", {"durable-object", "kv"})) config.rateLimitKv = *mode == "kv";
  if (auto name = v.identifier(*it, "rateLimit", "kvBinding", "a KV namespace binding")) config.rateLimitKvBinding = *name;
  if (auto seconds = v.integer(*it, "rateLimit", "syncSeconds", 1, 3600)) config.rateLimitSyncSeconds = *seconds;
  if (auto name = v.identifier(*it, "rateLimit", "binding", "a Durable Object namespace binding")) {
    config.rateLimitBinding = *name;
  }
  if (auto headers = v.boolean(*it, "rateLimit", "headers")) config.rateLimitHeaders = *headers;
  if (auto name = v.identifier(*it, "rateLimit", "keySecretEnv", "an environment variable")) {
    config.rateLimitKeySecretEnv = *name;
  }
  auto routes = it->find("routes");
  if (routes == it->end() || routes->is_null()) return;
  if (!routes->is_array()) {
    v.report("rateLimit.routes", "must be a list of { path, capacity, refillPerSecond, cost, key }");
    return;
  }
  for (std::size_t i = 0; i < routes->size(); ++i) {
    const json& item = (*routes)[i];
    const std::string path = "rateLimit.routes[" + std::to_string(i) + "]";
    if (!v.isObject(item, path)) continue;
    v.rejectUnknownKeys(item, path, {"path", "capacity", "refillPerSecond", "cost", "key"}, "route option");
    RateLimitRoute route{"", {1, 1, 1}, "ip"};
    auto prefix = item.find("path");
    if (prefix != item.end() && isRoutePrefix(*prefix)) {
      route.path = prefix->get<std::string>();
    } else {
      v.report(path + ".path",
               "must be a path prefix such as \"/api/\", written decoded (\"/café/\", not \"/caf%C3%A9/\"), "
               "with no query or fragment (? #) and no \"//\" inside, got " +
                   (prefix == item.end() ? std::string("nothing") : toText(*prefix)));
    }
    if (auto limit = bucketParamsFrom(item, path, v.problems)) route.limit = *limit;
    if (auto key = item.find("key"); key != item.end() && !key->is_null()) {
      const std::string text = key->is_string() ? key->get<std::string>() : "";
      if (text == "ip" || (text.rfind("header:", 0) == 0 && isHeaderName(text.substr(7)))) {
        route.key = text;
      } else {
        v.report(path + ".key", "must be \"ip\" or \"header:<Name>\", got " + toText(*key), "");
      }
    }
    for (const RateLimitRoute& earlier : config.rateLimitRoutes) {
      if (!route.path.empty() && samePrefix(earlier.path, route.path, config.rateLimitIgnoreCase)) {
        v.report(path + ".path", "repeats the route " + toText(json(earlier.path)), "");
      }
    }
    config.rateLimitRoutes.push_back(route);
  }
}

// `meter: { binding, reportSeconds }` and `rates: { "<resource>": { perMinute, recoverPerMinute } }`.
[[gnu::noinline]] void parseMeter(Validator& v, const json& input, Config& config) {
  if (auto it = input.find("meter"); it != input.end() && !it->is_null() && v.isObject(*it, "meter")) {
    config.meterOn = true;
    v.rejectUnknownKeys(*it, "meter", {"binding", "reportSeconds", "quotas"}, "meter option");
    if (auto quotas = v.boolean(*it, "meter", "quotas")) config.meterQuotas = *quotas;
    if (auto name = v.identifier(*it, "meter", "binding", "a Durable Object namespace binding")) config.meterBinding = *name;
    if (auto seconds = v.integer(*it, "meter", "reportSeconds", 1, 3600)) config.meterReportSeconds = *seconds;
  }
  if (auto it = input.find("features"); it != input.end() && !it->is_null() && v.isObject(*it, "features")) {
    for (const auto& item : it->items()) {
      const std::string path = "features." + item.key();
      if (!isIdentifier(item.key(), 32)) {
        v.report(path, "is not a feature name", "letters, digits and _, not starting with a digit, at most 32");
        continue;
      }
      if (!v.isObject(item.value(), path)) continue;
      v.rejectUnknownKeys(item.value(), path, {"route", "cron", "queue"}, "feature option");
      Feature feature{item.key(), "", "", ""};
      const json& spec = item.value();
      if (spec.size() != 1) {
        v.report(path, "must name exactly one of route, cron or queue", "e.g. { route: \"/import/\" }");
        continue;
      }
      if (spec.contains("route")) {
        if (!isRoutePrefix(spec["route"])) {
          v.report(path + ".route", "must be a path prefix such as \"/import/\", written decoded, got " + toText(spec["route"]));
          continue;
        }
        feature.route = normalisedPrefix(spec["route"].get<std::string>());
        for (const Feature& earlier : config.features) {
          if (!earlier.route.empty() && earlier.route == feature.route) v.report(path + ".route", "repeats feature " + earlier.name);
        }
      } else {
        const char* key = spec.contains("cron") ? "cron" : "queue";
        const json& value = spec[key];
        if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().size() > 100) {
          v.report(path + "." + key, std::string("must be the ") + (spec.contains("cron") ? "cron expression" : "queue's name") + ", got " + toText(value));
          continue;
        }
        (spec.contains("cron") ? feature.cron : feature.queue) = value.get<std::string>();
        for (const Feature& earlier : config.features) {
          // Two features of one cron or queue could never both be labelled: the first would take all.
          if ((!feature.cron.empty() && earlier.cron == feature.cron) || (!feature.queue.empty() && earlier.queue == feature.queue)) {
            v.report(path + "." + key, "repeats feature " + earlier.name);
          }
        }
      }
      config.features.push_back(feature);
    }
    if (config.features.size() > kMaxFeatures) {
      v.report("features", std::to_string(config.features.size()) + " features, at most " + std::to_string(kMaxFeatures), "");
    }
  }
  auto it = input.find("rates");
  if (it == input.end() || it->is_null() || !v.isObject(*it, "rates")) return;
  std::vector<std::string> counted;
  for (const auto& [id, limit] : defaultInvocationLimits()) counted.push_back(id);
  for (const auto& item : it->items()) {
    const std::string path = "rates." + item.key();
    const std::size_t at = item.key().find('@');
    const std::string id = item.key().substr(0, at);
    if (!defaultInvocationLimits().count(id)) {
      v.report(path,
               findResource(id) ? "is not counted by guarded bindings, so the meter cannot see it"
                                : "unknown resource",
               didYouMean(id, counted, "counted: " + Validator::list(counted)));
      continue;
    }
    if (at != std::string::npos) {
      const std::string name = item.key().substr(at + 1);
      const bool declared = std::any_of(config.features.begin(), config.features.end(),
                                        [&](const Feature& feature) { return feature.name == name; });
      if (!declared) {
        std::vector<std::string> names;
        for (const Feature& feature : config.features) names.push_back(feature.name);
        v.report(path, "names the feature " + toText(json(name)) + ", which `features` does not declare",
                 names.empty() ? "declare it: features: { " + name + ": { route: \"/...\" } }" : didYouMean(name, names, "declared: " + Validator::list(names)));
        continue;
      }
    }
    if (!v.isObject(item.value(), path)) continue;
    v.rejectUnknownKeys(item.value(), path, {"perMinute", "recoverPerMinute"}, "rate option");
    if (!item.value().contains("perMinute") || item.value().at("perMinute").is_null()) {
      v.report(path + ".perMinute", "is required", "the most units a minute, e.g. 5000");
      continue;
    }
    auto perMinute = v.integer(item.value(), path, "perMinute", 1, 1'000'000'000);
    if (!perMinute) continue;
    RateLine line{static_cast<double>(*perMinute), *perMinute / 2.0};
    if (auto recover = v.number(item.value(), path, "recoverPerMinute",
                                "a number of units from 0 to below perMinute", 0, *perMinute, true)) {
      if (*recover >= *perMinute) {
        v.report(path + ".recoverPerMinute", "must be below perMinute (" + std::to_string(*perMinute) + ")",
                 "a recover line under the trip line keeps the breaker from flapping");
        continue;
      }
      line.recoverPerMinute = *recover;
    }
    config.rates[item.key()] = line;
  }
  if (!config.rates.empty()) config.meterOn = true;
}

}  // namespace

std::optional<BucketParams> bucketParamsFrom(const json& object, const std::string& prefix,
                                             std::vector<Problem>& problems) {
  Validator v;
  auto required = [&](const char* key) {
    auto it = object.find(key);
    if (it != object.end() && !it->is_null()) return true;
    v.report(Validator::join(prefix, key), "is required");
    return false;
  };
  std::optional<int> capacity;
  std::optional<double> refill;
  std::optional<double> cost = 1;
  if (required("capacity")) capacity = v.integer(object, prefix, "capacity", 1, 1'000'000'000);
  // At least one token in about 12 days: slower refills are not a rate limit but a ban.
  if (required("refillPerSecond")) {
    refill = v.number(object, prefix, "refillPerSecond", "a rate from 0.000001 to 1e9 tokens a second", 1e-6, 1e9, true);
  }
  if (object.contains("cost") && !object.at("cost").is_null()) {
    cost = v.number(object, prefix, "cost", "a number of tokens above 0", 0, 1e9, false);
  }
  if (capacity && cost && *cost > *capacity) {
    v.report(Validator::join(prefix, "cost"), "must not be above capacity (" + std::to_string(*capacity) + ")");
  }
  problems.insert(problems.end(), v.problems.begin(), v.problems.end());
  if (!v.problems.empty()) return std::nullopt;
  return BucketParams{static_cast<double>(*capacity), *refill, *cost};
}

int featureOf(const Config& config, const std::string& kind, const std::string& value) {
  int best = 0;
  std::size_t bestLength = 0;
  for (std::size_t i = 0; i < config.features.size(); ++i) {
    const Feature& feature = config.features[i];
    const int id = static_cast<int>(i + 1);
    if (kind == "name") {
      if (feature.name == value) return id;
      continue;
    }
    if (kind == "scheduled" || kind == "queue") {
      if ((kind == "scheduled" ? feature.cron : feature.queue) == value && !value.empty()) return id;
      continue;
    }
    if (kind != "fetch" || (feature.route.empty() && (!feature.cron.empty() || !feature.queue.empty()))) continue;
    // The route without its trailing slash ("" for "/"): the path itself or one below it.
    const std::string& prefix = feature.route;
    const bool matches = value.compare(0, prefix.size(), prefix) == 0 &&
                         (value.size() == prefix.size() || value[prefix.size()] == '/');
    if (matches && (best == 0 || prefix.size() > bestLength)) {
      best = id;
      bestLength = prefix.size();
    }
  }
  return kind == "name" ? -1 : best;
}

const std::vector<std::string>& alertLevels() {
  static const std::vector<std::string> levels = {"warn", "trip", "recover", "blind", "inaccessible", "projection", "spike"};
  return levels;
}

namespace {

// Each section of a config is parsed by a function of its own, never inlined, and called only
// when the config has that section: V8 compiles a WebAssembly function on its first call, so
// a cold isolate compiles only what its config uses (bench/cold-start.mjs).
[[gnu::noinline]] void parseBindings(Validator& v, const json& section, Config& config) {
  for (const auto& item : section.items()) {
    const std::string path = "bindings." + item.key();
    if (!isIdentifier(item.key(), 256)) {
      v.report(path, "is not a valid binding name");
      continue;
    }
    if (auto kind = v.oneOf(section, "bindings", item.key().c_str(), bindingKinds())) {
      config.bindings[item.key()] = *kind;
    }
  }
}

[[gnu::noinline]] void parseBindingIds(Validator& v, const json& section, Config& config) {
  for (const auto& item : section.items()) {
    const std::string path = "bindingIds." + item.key();
    if (!isIdentifier(item.key(), 256)) {
      v.report(path, "is not a valid binding name");
    } else if (!item.value().is_string() || !isAnalyticsId(item.value().get<std::string>())) {
      v.report(path, "must be the binding's id in the analytics (KV namespace id, D1 database id, R2 bucket name, queue id)",
               "letters, digits, '.', '_' and '-', at most 128");
    } else {
      config.bindingIds[item.key()] = item.value().get<std::string>();
    }
  }
}

[[gnu::noinline]] void parseThresholds(Validator& v, const json& section, Config& config) {
  const std::vector<std::string> ids = resourceIds();
  for (const auto& item : section.items()) {
    const std::string path = "thresholds." + item.key();
    const std::size_t colon = item.key().find(':');
    const std::string id = item.key().substr(0, colon);
    const Resource* resource = findResource(id);
    if (!resource) {
      v.report(path, "unknown resource", didYouMean(id, ids, "see RESOURCES for the ids"));
      continue;
    }
    if (!isPolled(*resource)) {
      // No silent gaps: a line the poll could never judge is refused, not ignored.
      v.report(path, "the usage poll cannot read " + id + ": " + std::string(whyNotPolled(*resource)),
               defaultInvocationLimits().count(id) ? "its calls are still capped per invocation (limits." + id + ")"
                                                  : "remove this threshold");
      continue;
    }
    if (!resource->billedAs.empty()) {
      v.report(path, id + " is billed as " + std::string(resource->billedAs) + " and judged there",
               "set the threshold on " + std::string(resource->billedAs));
      continue;
    }
    const Allowance& allowance = allowanceFor(*resource, config.plan);
    if (colon != std::string::npos) {
      const std::string binding = item.key().substr(colon + 1);
      if (resource->bindingDimension.empty() || resource->dataset.empty()) {
        v.report(path, "the usage API has no per-binding figures for " + id, "set a threshold for the whole resource");
        continue;
      }
      if (!config.bindingIds.count(binding)) {
        v.report(path, "binding " + binding + " has no entry in bindingIds",
                 "add bindingIds." + binding + ": its " + std::string(resource->bindingDimension));
        continue;
      }
      config.thresholds.emplace(item.key(), defaultThreshold(allowance));
      if (item.value().is_object() && item.value().contains("maxOverageUsd") && !item.value()["maxOverageUsd"].is_null()) {
        v.report(path + ".maxOverageUsd", "overage is billed per account, not per binding",
                 "set maxOverageUsd on " + id + ", or tripAt here");
        continue;
      }
    }
    parseThreshold(v, item.value(), path, allowance, config.thresholds[item.key()]);
  }
}

[[gnu::noinline]] void parseLimits(Validator& v, const json& section, Config& config) {
  std::vector<std::string> counted;
  for (const auto& [id, limit] : defaultInvocationLimits()) counted.push_back(id);
  for (const auto& item : section.items()) {
    const std::string path = "limits." + item.key();
    const std::size_t colon = item.key().find(':');
    if (colon != std::string::npos) {
      // A limit for one binding: "<resource>:<BINDING>", within the resource's own.
      const std::string id = item.key().substr(0, colon);
      if (!defaultInvocationLimits().count(id)) {
        v.report(path, "unknown or uncounted resource " + id, didYouMean(id, counted, "counted: " + Validator::list(counted)));
        continue;
      }
      if (!isIdentifier(item.key().substr(colon + 1), 256)) {
        v.report(path, "is not <resource>:<BINDING>", "name an env binding, e.g. d1-rows-written:DB");
        continue;
      }
      config.limits[item.key()];  // nullopt unless a number follows
    }
    if (!config.limits.count(item.key())) {
      v.report(path,
               findResource(item.key()) ? "is not counted per invocation: no binding call is charged to it"
                                        : "unknown resource",
               didYouMean(item.key(), counted, "counted: " + Validator::list(counted)));
    } else if (item.value().is_null()) {
      config.limits[item.key()].reset();
    } else if (auto limit = v.number(section, "limits", item.key().c_str(),
                                     "a whole number above 0, or null for none", 0, 1e15, false);
               limit && *limit == std::floor(*limit)) {
      config.limits[item.key()] = *limit;
    } else if (limit) {
      v.report(path, "must be a whole number above 0, or null for none, got " + toText(item.value()));
    }
  }
}

}  // namespace

ConfigResult parseConfig(const json& input) {
  Validator v;
  if (!v.isObject(input, "")) return {std::nullopt, v.problems};
  v.rejectUnknownKeys(input, "",
                      {"plan", "billingDay", "accountIdEnv", "apiTokenEnv", "endpoint", "endpointEnv",
                       "stateBinding", "refreshSeconds", "onBlocked", "dryRun", "bindings",
                       "limits", "thresholds", "budget", "bindingIds", "evaluateCron",
                       "scheduledWhenTripped", "failuresUntilBlind", "pollTimeoutSeconds",
                       "endpointBinding", "alerts", "projection", "spike", "adminPath", "adminTokenEnv",
                       "rateLimit", "meter", "rates", "features", "actions"},
                      "option");

  Config config;
  config.endpoint = kDefaultEndpoint;
  config.alertLevels = alertLevels();

  auto plan = v.oneOf(input, "", "plan", {"free", "paid"});
  if (!plan && (!input.contains("plan") || input["plan"].is_null())) {
    v.report("plan", "is required", "set \"free\" or \"paid\": quotas and prices differ");
  }
  if (plan) config.plan = *plan == "paid" ? Plan::Paid : Plan::Free;

  if (auto day = v.integer(input, "", "billingDay", 1, 31)) config.billingDay = *day;
  if (auto name = v.identifier(input, "", "accountIdEnv", "an environment variable")) {
    config.accountIdEnv = *name;
  }
  if (auto name = v.identifier(input, "", "apiTokenEnv", "an environment variable")) {
    config.apiTokenEnv = *name;
  }
  if (auto name = v.identifier(input, "", "endpointEnv", "an environment variable")) {
    config.endpointEnv = *name;
  }
  if (auto name = v.identifier(input, "", "stateBinding", "a KV namespace binding")) {
    config.stateBinding = *name;
  }
  if (auto it = input.find("endpoint"); it != input.end() && !it->is_null()) {
    if (it->is_string() && isHttpUrl(it->get<std::string>())) {
      config.endpoint = it->get<std::string>();
    } else {
      v.report("endpoint", "must be an http(s) URL, got " + toText(*it),
               std::string("omit it for Cloudflare's ") + kDefaultEndpoint);
    }
  }
  if (auto seconds = v.integer(input, "", "refreshSeconds", 1, 3600)) {
    config.refreshSeconds = *seconds;
  }
  if (auto mode = v.oneOf(input, "", "onBlocked", {"throw", "skip"})) {
    config.onBlocked = *mode == "skip" ? OnBlocked::Skip : OnBlocked::Throw;
  }
  if (auto dryRun = v.boolean(input, "", "dryRun")) config.dryRun = *dryRun;

  if (auto it = input.find("bindings"); it != input.end() && v.isObject(*it, "bindings")) parseBindings(v, *it, config);

  if (auto it = input.find("bindingIds"); it != input.end() && v.isObject(*it, "bindingIds")) parseBindingIds(v, *it, config);

  for (const Resource& resource : resources()) {
    // Lines only where the poll can judge them: a default it could never apply would be a gap.
    if (isPolled(resource) && resource.billedAs.empty()) {
      config.thresholds.emplace(std::string(resource.id), defaultThreshold(allowanceFor(resource, config.plan)));
    }
  }
  if (auto it = input.find("thresholds"); it != input.end() && v.isObject(*it, "thresholds")) parseThresholds(v, *it, config);

  for (const auto& [id, limit] : defaultInvocationLimits()) config.limits[id] = limit;
  if (auto it = input.find("limits"); it != input.end() && v.isObject(*it, "limits")) parseLimits(v, *it, config);

  std::size_t bindingLimits = 0;
  for (const auto& [key, limit] : config.limits) bindingLimits += key.find(':') != std::string::npos && limit ? 1 : 0;
  if (bindingLimits > kMaxBindingLimits) {
    v.report("limits", std::to_string(bindingLimits) + " per-binding limits, at most " +
                           std::to_string(kMaxBindingLimits) + " are kept",
             "limit the bindings that can run away, or the whole resource");
  }

  if (auto it = input.find("budget"); it != input.end() && !it->is_null()) {
    config.budget = parseBudget(v, *it);
  } else if (config.plan == Plan::Paid) {
    v.report("budget", "is required on the paid plan",
             "add \"budget\": { \"maxUsd\": 50 }, the most overage in USD you accept per month");
  }

  if (auto it = input.find("evaluateCron"); it != input.end() && !it->is_null()) {
    if (it->is_string() && !it->get<std::string>().empty() && it->get<std::string>().size() <= 100) {
      config.evaluateCron = it->get<std::string>();
    } else {
      v.report("evaluateCron", "must be the cron expression of one of your triggers, got " + toText(*it),
               "omit it to evaluate on every scheduled event");
    }
  }
  if (auto mode = v.oneOf(input, "", "scheduledWhenTripped", {"skip", "run"})) {
    config.scheduledWhenTripped = *mode == "run" ? ScheduledWhenTripped::Run : ScheduledWhenTripped::Skip;
  }
  if (auto failures = v.integer(input, "", "failuresUntilBlind", 1, 100)) config.failuresUntilBlind = *failures;
  if (auto seconds = v.integer(input, "", "pollTimeoutSeconds", 1, 30)) config.pollTimeoutSeconds = *seconds;
  if (auto name = v.identifier(input, "", "endpointBinding", "a service binding")) {
    config.endpointBinding = *name;
  }

  if (input.contains("alerts")) parseAlerts(v, input, config);
  if (auto it = input.find("projection"); it != input.end()) {
    if (it->is_null()) {
      config.projectionAlertPercent.reset();
    } else if (v.isObject(*it, "projection")) {
      v.rejectUnknownKeys(*it, "projection", {"alertAtPercent"}, "projection option");
      if (auto percent = v.number(*it, "projection", "alertAtPercent", "a percentage above 0", 0, 1e6, false)) {
        config.projectionAlertPercent = *percent;
      }
    }
  }
  if (auto it = input.find("spike"); it != input.end()) {
    if (it->is_null()) {
      config.spikeFactor.reset();
    } else if (v.isObject(*it, "spike")) {
      v.rejectUnknownKeys(*it, "spike", {"factor", "floorPercent"}, "spike option");
      if (auto factor = v.number(*it, "spike", "factor", "a number above 1", 1, 1e6, false)) config.spikeFactor = *factor;
      if (auto floor = v.number(*it, "spike", "floorPercent", "a percentage above 0", 0, 1e6, false)) {
        config.spikeFloorPercent = *floor;
      }
    }
  }
  if (auto it = input.find("adminPath"); it != input.end() && !it->is_null()) {
    const std::string path = it->is_string() ? it->get<std::string>() : "";
    const bool valid = path.size() >= 2 && path.size() <= 100 && path[0] == '/' && path.back() != '/' &&
                       std::all_of(path.begin(), path.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '.';
                       });
    if (valid) {
      config.adminPath = path;
    } else {
      v.report("adminPath", "must be a path such as \"/__edgefuse\", got " + toText(*it), "");
    }
  }
  if (auto name = v.identifier(input, "", "adminTokenEnv", "an environment variable")) config.adminTokenEnv = *name;
  if (input.contains("rateLimit")) parseRateLimit(v, input, config);
  if (input.contains("meter") || input.contains("features") || input.contains("rates")) parseMeter(v, input, config);
  // After thresholds and evaluateCron, which it checks against.
  if (input.contains("actions")) parseActions(v, input, config);

  if (!v.problems.empty()) return {std::nullopt, v.problems};
  return {config, {}};
}

namespace {

json actionsJson(const Config& config) {
  if (!config.actions) return nullptr;
  const ActionsConfig& actions = *config.actions;
  json on = json::object();
  for (const auto& [line, list] : actions.on) {
    for (OperatorAction action : list) on[line].push_back(nameOf(action));
  }
  return {{"script", actions.script}, {"scriptEnv", actions.scriptEnv}, {"tokenEnv", actions.tokenEnv},
          {"endpoint", actions.endpoint}, {"endpointEnv", actions.endpointEnv}, {"zones", actions.zones},
          {"dryRun", actions.dryRun}, {"on", on}};
}

}  // namespace

nlohmann::json toJson(const Config& config) {
  json routes = json::array();
  for (const RateLimitRoute& route : config.rateLimitRoutes) {
    routes.push_back({{"path", route.path}, {"capacity", route.limit.capacity},
                      {"refillPerSecond", route.limit.refillPerSecond}, {"cost", route.limit.cost}, {"key", route.key}});
  }
  json channels = json::array();
  for (const AlertChannel& channel : config.alertChannels) {
    json entry = {{"type", nameOf(channel.type)}, {"urlEnv", channel.urlEnv},
                  {"binding", channel.binding ? json(*channel.binding) : json(nullptr)}};
    if (channel.type == ChannelType::Webhook) entry["secretEnv"] = channel.secretEnv;
    channels.push_back(entry);
  }
  json thresholds = json::object();
  for (const auto& [id, threshold] : config.thresholds) {
    thresholds[id] = {
        {"warn", threshold.warnPercent},
        {"trip", threshold.tripPercent ? json(*threshold.tripPercent) : json(nullptr)},
        {"recover", threshold.recoverPercent},
        {"tripAt", threshold.tripAt ? json(*threshold.tripAt) : json(nullptr)},
        {"maxOverageUsd", threshold.maxOverageUsd ? json(*threshold.maxOverageUsd) : json(nullptr)},
        {"granularity", threshold.granularity ? json(nameOf(*threshold.granularity)) : json(nullptr)},
    };
  }
  json limits = json::object();
  for (const auto& [id, limit] : config.limits) limits[id] = limit ? json(*limit) : json(nullptr);
  json features = json::object();
  for (const Feature& feature : config.features) {
    features[feature.name] = !feature.route.empty() ? json{{"route", feature.route + "/"}}
                             : !feature.cron.empty() ? json{{"cron", feature.cron}}
                                                     : json{{"queue", feature.queue}};
  }
  json rates = json::object();
  for (const auto& [id, line] : config.rates) {
    rates[id] = {{"perMinute", quantityJson(line.perMinute)}, {"recoverPerMinute", quantityJson(line.recoverPerMinute)}};
  }
  json budget = nullptr;
  if (config.budget) {
    budget = {{"maxUsd", config.budget->maxUsd},
              {"warn", config.budget->warnPercent},
              {"granularity", nameOf(config.budget->granularity)}};
  }
  return {
      {"plan", nameOf(config.plan)},
      {"billingDay", config.billingDay},
      {"accountIdEnv", config.accountIdEnv},
      {"apiTokenEnv", config.apiTokenEnv},
      {"endpoint", config.endpoint},
      {"endpointEnv", config.endpointEnv},
      {"stateBinding", config.stateBinding},
      {"refreshSeconds", config.refreshSeconds},
      {"onBlocked", config.onBlocked == OnBlocked::Skip ? "skip" : "throw"},
      {"dryRun", config.dryRun},
      {"bindings", config.bindings},
      {"limits", limits},
      {"thresholds", thresholds},
      {"budget", budget},
      {"bindingIds", config.bindingIds},
      {"evaluateCron", config.evaluateCron ? json(*config.evaluateCron) : json(nullptr)},
      {"scheduledWhenTripped", config.scheduledWhenTripped == ScheduledWhenTripped::Run ? "run" : "skip"},
      {"failuresUntilBlind", config.failuresUntilBlind},
      {"pollTimeoutSeconds", config.pollTimeoutSeconds},
      {"endpointBinding", config.endpointBinding ? json(*config.endpointBinding) : json(nullptr)},
      {"alerts", {{"channels", channels}, {"levels", config.alertLevels},
                  {"digest", config.digest ? json{{"hourUtc", config.digest->hourUtc}, {"daily", config.digest->daily},
                                                  {"weekly", config.digest->weekly}}
                                           : json(nullptr)}}},
      {"projection", config.projectionAlertPercent ? json{{"alertAtPercent", *config.projectionAlertPercent}}
                                                   : json(nullptr)},
      {"spike", config.spikeFactor ? json{{"factor", *config.spikeFactor}, {"floorPercent", config.spikeFloorPercent}}
                                   : json(nullptr)},
      {"adminPath", config.adminPath},
      {"adminTokenEnv", config.adminTokenEnv},
      {"rateLimit",
       {{"binding", config.rateLimitBinding}, {"headers", config.rateLimitHeaders}, {"routes", routes},
        {"mode", config.rateLimitKv ? "kv" : "durable-object"}, {"kvBinding", config.rateLimitKvBinding},
        {"syncSeconds", config.rateLimitSyncSeconds}, {"keySecretEnv", config.rateLimitKeySecretEnv ? json(*config.rateLimitKeySecretEnv) : json(nullptr)},
        {"ignoreCase", config.rateLimitIgnoreCase}}},
      {"meter", config.meterOn ? json{{"binding", config.meterBinding}, {"reportSeconds", config.meterReportSeconds},
                                      {"quotas", config.meterQuotas}}
                               : json(nullptr)},
      {"rates", rates},
      {"features", features},
      {"actions", actionsJson(config)},
  };
}

}  // namespace edgefuse
