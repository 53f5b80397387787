#include <doctest/doctest.h>

#include "calendar.h"

using namespace edgefuse;

namespace {
Day day(const char* iso) { return *parseIsoDate(iso); }
}  // namespace

TEST_CASE("days and dates round-trip across leap years and the epoch") {
  CHECK(dayFromCivil({1970, 1, 1}) == 0);
  CHECK(isoDate(day("2024-02-29")) == "2024-02-29");
  CHECK(day("2024-03-01") - day("2024-02-28") == 2);
  CHECK(day("2026-03-01") - day("2026-02-28") == 1);
  CHECK(isoDate(day("1969-12-31")) == "1969-12-31");
  CHECK_FALSE(parseIsoDate("2026-02-29"));
  CHECK_FALSE(parseIsoDate("2026-13-01"));
  CHECK_FALSE(parseIsoDate("2026-11-23x"));
}

TEST_CASE("timestamps parse strictly and print in whole seconds") {
  CHECK(parseIsoTimestamp("2026-11-23T10:40:05Z") == msOfDay(day("2026-11-23")) + (10 * 3600 + 40 * 60 + 5) * 1000LL);
  CHECK(parseIsoTimestamp("2026-11-23T10:40:05.250Z") == *parseIsoTimestamp("2026-11-23T10:40:05Z") + 250);
  CHECK_FALSE(parseIsoTimestamp("2026-11-23 10:40:05Z"));
  CHECK_FALSE(parseIsoTimestamp("2026-11-23T25:00:00Z"));
  CHECK(isoTimestamp(*parseIsoTimestamp("2026-11-23T23:59:59.999Z")) == "2026-11-23T23:59:59Z");
}

TEST_CASE("billing months start on billingDay, clamped to the month's length") {
  Window window = billingMonth(day("2026-11-23"), 1);
  CHECK(isoDate(window.first) == "2026-11-01");
  CHECK(isoDate(window.nextStart) == "2026-12-01");

  window = billingMonth(day("2026-11-10"), 15);  // before the renewal day: last month's
  CHECK(isoDate(window.first) == "2026-10-15");
  CHECK(isoDate(window.nextStart) == "2026-11-15");

  // billingDay 31: February renews on its last day, and the month after on the 31st.
  window = billingMonth(day("2026-02-28"), 31);
  CHECK(isoDate(window.first) == "2026-02-28");
  CHECK(isoDate(window.nextStart) == "2026-03-31");
  window = billingMonth(day("2026-02-27"), 31);
  CHECK(isoDate(window.first) == "2026-01-31");
  CHECK(isoDate(window.nextStart) == "2026-02-28");
  window = billingMonth(day("2028-02-29"), 30);  // leap year
  CHECK(isoDate(window.first) == "2028-02-29");
  window = billingMonth(day("2026-01-05"), 20);  // across the year end
  CHECK(isoDate(window.first) == "2025-12-20");
}

TEST_CASE("day and ISO-week windows") {
  Window today = windowSoFar(Granularity::Day, day("2026-11-23"), 1);
  CHECK(today.first == today.last);
  CHECK(isoDate(today.nextStart) == "2026-11-24");
  Window week = windowSoFar(Granularity::Week, day("2026-11-25"), 1);  // a Wednesday
  CHECK(isoDate(week.first) == "2026-11-23");                          // Monday
  CHECK(isoDate(week.nextStart) == "2026-11-30");
  CHECK(isoDate(windowSoFar(Granularity::Week, day("2026-11-23"), 1).first) == "2026-11-23");
  CHECK(isoDate(windowSoFar(Granularity::Week, day("2026-11-29"), 1).first) == "2026-11-23");  // Sunday
  CHECK(isoDate(windowSoFar(Granularity::Week, day("1970-01-01"), 1).first) == "1969-12-29");
}
