// Guard configuration: parsed from plain JSON, validated completely, defaults applied.
// A Config only exists when every problem has been ruled out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calendar.h"
#include "catalogue.h"
#include "problem.h"
#include "token_bucket.h"

namespace edgefuse {

enum class OnBlocked { Throw, Skip };
enum class ScheduledWhenTripped { Skip, Run };

struct Threshold {
  double warnPercent;
  std::optional<double> tripPercent;     // nullopt: no percentage trip for this resource
  double recoverPercent;
  std::optional<double> tripAt;          // absolute units
  std::optional<double> maxOverageUsd;
  std::optional<Granularity> granularity;  // nullopt: the allowance's own period
};

struct Budget {
  double maxUsd;
  double warnPercent;
  Granularity granularity;
};

enum class ChannelType { Discord, Slack, Webhook };
std::string_view nameOf(ChannelType type);

struct AlertChannel {
  ChannelType type;
  std::string urlEnv;                  // env var (a secret) holding the webhook URL
  std::string secretEnv;               // webhook only: env var holding the HMAC key
  std::optional<std::string> binding;  // a service binding to send through, for tests and proxies
};

// The periodic digest on the alert channels (digest.h): daily, weekly on Mondays, or both, at
// the first evaluation at or after `hourUtc`.
struct DigestSchedule {
  int hourUtc = 9;
  bool daily = true;
  bool weekly = false;
};

// Operator actions (operator_actions.h): what the guard does through Cloudflare's REST API
// while a line stands tripped, and undoes once none does. Off unless configured.
enum class OperatorAction { DisableWorkersDev, DetachRoutes, PauseCrons };
std::string_view nameOf(OperatorAction action);
const std::vector<OperatorAction>& operatorActions();

struct ActionsConfig {
  std::string script;  // the one Worker the actions may touch; env.<scriptEnv> must name it too
  std::string scriptEnv = "EDGEFUSE_SCRIPT_NAME";
  std::string tokenEnv = "CF_ACTIONS_API_TOKEN";  // a token with only what the actions need
  std::string endpoint = "https://api.cloudflare.com/client/v4";
  std::string endpointEnv = "EDGEFUSE_REST_API_ENDPOINT";  // a URL or service binding instead
  std::vector<std::string> zones;  // detach-routes: the zones whose routes to the script go
  bool dryRun = false;             // say what would be done, do nothing
  std::map<std::string, std::vector<OperatorAction>> on;  // a breaker key or "budget" -> actions
};

struct RateLimitRoute {
  std::string path;   // the request paths it applies to: this one and those below it
  BucketParams limit;
  std::string key = "ip";  // "ip" (CF-Connecting-IP) or "header:<Name>"
};

// A rate line the meter judges: at most `perMinute` units of a resource over any rolling
// minute, counted across every isolate; a trip ends once the rate is at or under
// `recoverPerMinute`, so it cannot flap on the line.
struct RateLine {
  double perMinute;
  double recoverPerMinute;
};

// A part of the Worker the meter counts apart: the invocations of a route (a request path and
// those below it), of a cron expression, or of a queue's batches. A rate line on
// "<resource>@<feature>" trips only that feature's calls.
struct Feature {
  std::string name;
  std::string route;  // exactly one of these three is set
  std::string cron;
  std::string queue;
};
constexpr std::size_t kMaxFeatures = 16;

struct Config {
  Plan plan = Plan::Free;
  int billingDay = 1;
  std::string accountIdEnv = "CF_ACCOUNT_ID";
  std::string apiTokenEnv = "CF_API_TOKEN";
  std::string endpoint;
  // An environment variable that, when set, replaces `endpoint` (a local simulator in
  // .dev.vars, while the deployed Worker keeps Cloudflare's).
  std::string endpointEnv = "EDGEFUSE_USAGE_API_ENDPOINT";
  std::string stateBinding = "EDGEFUSE_STATE";
  int refreshSeconds = 60;
  OnBlocked onBlocked = OnBlocked::Throw;
  bool dryRun = false;
  std::map<std::string, std::string> bindings;    // binding name -> kind
  std::map<std::string, std::string> bindingIds;  // binding name -> analytics id
  // Every resource, plus "<resource>:<binding>" entries for per-binding thresholds.
  std::map<std::string, Threshold> thresholds;
  std::map<std::string, std::optional<double>> limits;  // per invocation; nullopt: none
  std::optional<Budget> budget;
  std::optional<std::string> evaluateCron;  // nullopt: every scheduled event evaluates
  ScheduledWhenTripped scheduledWhenTripped = ScheduledWhenTripped::Skip;
  int failuresUntilBlind = 3;
  int pollTimeoutSeconds = 10;
  std::optional<std::string> endpointBinding;  // a service binding to fetch the endpoint through
  std::vector<AlertChannel> alertChannels;
  std::vector<std::string> alertLevels;              // levels sent; default all
  std::optional<DigestSchedule> digest;               // nullopt: no digest
  std::optional<ActionsConfig> actions;               // nullopt: no operator actions
  std::optional<double> projectionAlertPercent = 100;  // nullopt: no projection alerts
  std::optional<double> spikeFactor = 5;                // nullopt: no spike detection
  double spikeFloorPercent = 10;  // the baseline is at least this % of the even hourly share
  std::string adminPath = "/__edgefuse";
  std::string adminTokenEnv = "EDGEFUSE_ADMIN_TOKEN";
  std::string rateLimitBinding = "EDGEFUSE_RATE_LIMITER";  // the EdgefuseRateLimiter namespace
  bool rateLimitHeaders = false;  // RateLimit headers on allowed responses too
  bool rateLimitKv = false;       // the KV mode instead of the Durable Object
  std::string rateLimitKvBinding = "EDGEFUSE_STATE";
  int rateLimitSyncSeconds = 10;  // KV mode: how often an isolate syncs a key with KV
  bool rateLimitIgnoreCase = false;  // route paths matched whatever their case
  // The env var of the secret that keys the hash of rate-limit keys (HMAC). Unset: the shim
  // uses EDGEFUSE_RATE_LIMIT_SECRET when the Worker has it; set: its absence is warned of.
  std::optional<std::string> rateLimitKeySecretEnv;
  std::vector<RateLimitRoute> rateLimitRoutes;
  // The real-time meter (live_meter.h): on when `meter` is given or `rates` has a line.
  bool meterOn = false;
  bool meterQuotas = true;  // live quotas: the poll's lines judged on live counts
  std::map<std::string, RateLine> rates;          // "<resource>" or "<resource>@<feature>" -> its line
  std::vector<Feature> features;                  // the enforcer's feature id is the index + 1
  std::string meterBinding = "EDGEFUSE_METER";    // the EdgefuseMeter namespace
  int meterReportSeconds = 60;  // a calm isolate reports at most this often
};

// Every alert level, in the order they are documented.
const std::vector<std::string>& alertLevels();

// The feature an invocation belongs to (its id, 0 for none): `kind` "fetch" with the decoded
// request path (the longest route prefix that matches), "scheduled" with the cron
// expression, "queue" with the queue's name, "name" with a feature's name (-1 when no
// feature has that name: the caller named one the config lacks).
int featureOf(const Config& config, const std::string& kind, const std::string& value);

// The window a threshold's usage is summed over: its granularity, else the allowance's.
Granularity windowGranularity(const Threshold& threshold, const Allowance& allowance);

// Per-binding limits ("d1-rows-written:DB") one guard can enforce.
constexpr std::size_t kMaxBindingLimits = 16;

struct ConfigResult {
  std::optional<Config> config;        // set only when problems is empty
  std::vector<Problem> problems;
};

ConfigResult parseConfig(const nlohmann::json& input);

// A token bucket's limits in `object` (capacity, refillPerSecond, cost), problems named under
// `prefix`: the one check for config routes and for guard.rateLimit() parameters alike.
std::optional<BucketParams> bucketParamsFrom(const nlohmann::json& object, const std::string& prefix,
                                             std::vector<Problem>& problems);

// The normalised config, defaults included, as handed to the JS shim.
nlohmann::json toJson(const Config& config);

// Per-invocation limits out of the box, for every resource a binding call is charged to.
// They stop runaway loops, not ordinary requests.
const std::map<std::string, double>& defaultInvocationLimits();

// Binding kinds the `bindings` option accepts.
const std::vector<std::string>& bindingKinds();

// An http:// or https:// URL with a host and no spaces or control characters.
bool isHttpUrl(const std::string& text);
// Whether a URL's host is this machine (localhost, 127.x, [::1]): fine for local
// development, never reachable from a deployed Worker.
bool isLoopbackUrl(const std::string& url);

}  // namespace edgefuse
