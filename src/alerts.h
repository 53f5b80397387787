// Alert messages for Discord, Slack and generic JSON webhooks, built from poll events.
// Sans-IO: the shim sends the bodies (and signs webhook bodies).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.h"

namespace edgefuse {

// "0123456789abcdef0123456789abcdef" -> "0123…cdef": enough to tell accounts apart.
std::string maskAccountId(const std::string& accountId);

// Defuses mass mentions (@everyone, @here, <!channel>, <!here>, <!everyone>) in text that
// may hold user input, for the channel it goes to.
std::string escapeMentions(const std::string& text, ChannelType channel);

// The level a poll event is sent at ("budget-warn" is a warning).
std::string alertLevelOf(const std::string& eventLevel);

// The human-readable alert: what happened, usage against quota, the estimated overage and
// what the guard did. `event` is a poll event as JSON ({level, key, message, dryRun, details}).
std::string alertText(const nlohmann::json& event, const std::string& maskedAccount);

struct AlertDelivery {
  std::size_t channel;  // index into config.alertChannels
  std::size_t event;    // index into the events
  std::string level;
  std::string key;
  std::string body;     // JSON text to POST
};

// One delivery per channel and event whose level the config sends. Only known details, as
// numbers or short strings, make it into a message.
std::vector<AlertDelivery> buildAlerts(const Config& config, const nlohmann::json& events,
                                       const std::string& accountId, const std::string& nowIso);

}  // namespace edgefuse
