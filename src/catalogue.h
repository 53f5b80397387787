// The billable-resource catalogue: what Cloudflare charges for, where the usage is read
// from, and what each plan includes. Every number cites the page it came from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edgefuse {

enum class Plan { Free, Paid };

// The window an allowance applies to. Day windows reset at 00:00 UTC.
enum class Period { Day, Month };

// How a plan bills a resource.
enum class Billing {
  NotMetered,  // used but neither capped nor billed per unit (e.g. CPU on the free plan)
  HardLimit,   // `included` per period, then the platform refuses work: no overage
  Overage,     // `included` per period, then `priceUsd` per `priceUnit` units
};

// What a field's rows are: counts to add up, or a stored level, each day's peak (storage).
enum class Measure {
  Sum,
  // Billed, where it is billed, per GB-month: the average of each day's peak over 30 days
  // (https://developers.cloudflare.com/r2/pricing/#storage-usage); where a plan caps it, the
  // level itself is what the cap applies to.
  DailyPeak,
};
// The days a stored level is averaged over to make a month of it.
constexpr double kStorageMonthDays = 30;

struct Allowance {
  Billing billing;
  Period period;        // the window `included` applies to
  double included;      // units included per period
  double priceUsd;      // price per `priceUnit` units beyond `included` (Overage only)
  double priceUnit;     // e.g. 1e6 for "per million"
  bool roundsUpToUnit;  // overage is billed in whole `priceUnit`s (R2 rounds up)
};

struct Resource {
  std::string_view id;        // stable name used in config and JS, e.g. "kv-writes"
  std::string_view service;   // product, e.g. "Workers KV"
  std::string_view metric;    // what is billed, e.g. "write operations"
  std::string_view unit;      // e.g. "operations", "rows", "GB-s"
  std::string_view dataset;   // GraphQL Analytics dataset it is read from, "" when none
  std::string_view field;     // summed field within that dataset, e.g. "sum.requests"
  double fieldScale;          // units per unit of `field` (e.g. 0.001 for µs -> ms)
  std::string_view actionTypes;       // comma-separated `actionType` values counted, "" = all
  std::string_view bindingDimension;  // per-binding breakdown dimension, "" when none
  std::string_view fieldSource;       // page documenting dataset and field, "" when undocumented
  Allowance free;
  Allowance paid;
  std::string_view source;    // official page(s) for the numbers above, space-separated
  std::string_view note;      // billing subtleties a user should know, "" when none
  std::string_view notPolled = "";  // why the usage poll cannot read it; "" when it does
  Measure measure = Measure::Sum;
  // R2's storage class the rows must have (the `storageClass` dimension), "" for any.
  std::string_view storageClass = "";
  // The resource whose allowance and price this one is billed under, when the API reports
  // part of a billed resource in another dataset; "" when it is billed as itself.
  std::string_view billedAs = "";
};

// All resources, in a stable order.
struct ResourceList {
  const Resource* begin() const;
  const Resource* end() const;
  std::size_t size() const;
};
ResourceList resources();

std::vector<std::string> resourceIds();

// nullptr when no resource has that id.
const Resource* findResource(std::string_view id);

const Allowance& allowanceFor(const Resource& resource, Plan plan);

// Whether the usage poll reads the resource (its dataset and field are in the API's schema,
// and its unit can be turned into the billed one).
bool isPolled(const Resource& resource);
// Why the poll cannot read it; "" when it can.
std::string_view whyNotPolled(const Resource& resource);

std::string_view nameOf(Plan plan);
std::string_view nameOf(Period period);
std::string_view nameOf(Billing billing);
std::string_view nameOf(Measure measure);

}  // namespace edgefuse
