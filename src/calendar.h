// UTC calendar arithmetic for usage windows: days, ISO weeks and billing months. Time is
// always an input (ms since the epoch); nothing here reads a clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace edgefuse {

// Days since 1970-01-01 (UTC).
using Day = std::int64_t;

struct CivilDate {
  int year;
  int month;  // 1-12
  int day;    // 1-31
};

Day dayFromCivil(CivilDate date);
CivilDate civilFromDay(Day day);
int daysInMonth(int year, int month);

Day dayOfMs(std::int64_t ms);           // the UTC day a timestamp falls in
std::int64_t msOfDay(Day day);          // 00:00:00 UTC of that day

std::string isoDate(Day day);           // "2026-11-23"
std::string isoTimestamp(std::int64_t ms);  // "2026-11-23T10:40:00Z" (whole seconds)
std::optional<Day> parseIsoDate(const std::string& text);  // "YYYY-MM-DD", strictly
std::optional<std::int64_t> parseIsoTimestamp(const std::string& text);  // "YYYY-MM-DDTHH:MM:SS(.fff)Z"

enum class Granularity { Day, Week, Month };

// An inclusive range of UTC days.
struct Window {
  Day first;
  Day last;
  Day nextStart;  // the first day of the following window: when it resets
  int days() const { return static_cast<int>(last - first + 1); }
};

// The billing month containing `today`: it starts on `billingDay`, clamped to the length
// of each month (billingDay 31 starts on Feb 28 or 29 in February).
Window billingMonth(Day today, int billingDay);

// The window of `granularity` containing `today`: the UTC day, the ISO week (Monday to
// Sunday), or the billing month. `last` is today: the window so far.
Window windowSoFar(Granularity granularity, Day today, int billingDay);

const char* nameOf(Granularity granularity);

}  // namespace edgefuse
