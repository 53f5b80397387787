#include "calendar.h"

#include <algorithm>
#include <cstdio>

namespace edgefuse {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

bool isLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// Floor division, so that times before 1970 still land on the right day.
std::int64_t floorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool digits(const std::string& text, std::size_t from, std::size_t count, int& out) {
  if (from + count > text.size()) return false;
  out = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

CivilDate clampedDate(int year, int month, int day) {
  return {year, month, std::min(day, daysInMonth(year, month))};
}

}  // namespace

// The days-from-civil algorithm on a March-based year (leap day last).
Day dayFromCivil(CivilDate date) {
  const int year = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = floorDiv(year, 400);
  const std::int64_t yearOfEra = year - era * 400;
  const int shiftedMonth = date.month > 2 ? date.month - 3 : date.month + 9;
  const std::int64_t dayOfYear = (153 * shiftedMonth + 2) / 5 + date.day - 1;
  const std::int64_t dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146'097 + dayOfEra - 719'468;
}

CivilDate civilFromDay(Day day) {
  const std::int64_t shifted = day + 719'468;
  const std::int64_t era = floorDiv(shifted, 146'097);
  const std::int64_t dayOfEra = shifted - era * 146'097;
  const std::int64_t yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36'524 - dayOfEra / 146'096) / 365;
  const std::int64_t dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const std::int64_t shiftedMonth = (5 * dayOfYear + 2) / 153;
  const int dayOfMonth = static_cast<int>(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
  const int month = static_cast<int>(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
  const int year = static_cast<int>(yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, dayOfMonth};
}

int daysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeap(year) ? 29 : kDays[(month - 1) % 12];
}

Day dayOfMs(std::int64_t ms) { return floorDiv(ms, kMsPerDay); }
std::int64_t msOfDay(Day day) { return day * kMsPerDay; }

namespace {
// Writes `value` as `width` digits at `out`: printf's format parsing costs more than the
// dates it writes, and an evaluation writes hundreds of them.
void putDigits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
}
}  // namespace

std::string isoDate(Day day) {
  const CivilDate date = civilFromDay(day);
  std::string text = "0000-00-00";
  putDigits(&text[0], static_cast<int>((date.year % 10000 + 10000) % 10000), 4);
  putDigits(&text[5], date.month, 2);
  putDigits(&text[8], date.day, 2);
  return text;
}

std::string isoTimestamp(std::int64_t ms) {
  const Day day = dayOfMs(ms);
  const int seconds = static_cast<int>((ms - msOfDay(day)) / 1000);
  std::string text = isoDate(day) + "T00:00:00Z";
  putDigits(&text[11], seconds / 3600, 2);
  putDigits(&text[14], seconds / 60 % 60, 2);
  putDigits(&text[17], seconds % 60, 2);
  return text;
}

std::optional<Day> parseIsoDate(const std::string& text) {
  int year = 0, month = 0, day = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4, year) ||
      !digits(text, 5, 2, month) || !digits(text, 8, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return std::nullopt;
  if (text.size() != 10) return std::nullopt;
  return dayFromCivil({year, month, day});
}

std::optional<std::int64_t> parseIsoTimestamp(const std::string& text) {
  if (text.size() < 20 || text[10] != 'T' || text.back() != 'Z') return std::nullopt;
  auto day = parseIsoDate(text.substr(0, 10));
  int hour = 0, minute = 0, second = 0;
  if (!day || text[13] != ':' || text[16] != ':' || !digits(text, 11, 2, hour) ||
      !digits(text, 14, 2, minute) || !digits(text, 17, 2, second) || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  int millis = 0;
  if (text.size() != 20) {
    int fraction = 0;
    const std::size_t count = text.size() - 21;  // between '.' and 'Z'
    if (text[19] != '.' || count < 1 || count > 3 || !digits(text, 20, count, fraction)) return std::nullopt;
    millis = fraction * (count == 1 ? 100 : count == 2 ? 10 : 1);
  }
  return msOfDay(*day) + (hour * 3600 + minute * 60 + second) * 1000LL + millis;
}

Window billingMonth(Day today, int billingDay) {
  const CivilDate date = civilFromDay(today);
  CivilDate start = clampedDate(date.year, date.month, billingDay);
  if (date.day < start.day) {
    const int year = date.month == 1 ? date.year - 1 : date.year;
    const int month = date.month == 1 ? 12 : date.month - 1;
    start = clampedDate(year, month, billingDay);
  }
  const int nextYear = start.month == 12 ? start.year + 1 : start.year;
  const int nextMonth = start.month == 12 ? 1 : start.month + 1;
  return {dayFromCivil(start), today, dayFromCivil(clampedDate(nextYear, nextMonth, billingDay))};
}

Window windowSoFar(Granularity granularity, Day today, int billingDay) {
  switch (granularity) {
    case Granularity::Day:
      return {today, today, today + 1};
    case Granularity::Week: {
      const Day mondayBased = (today + 3) - floorDiv(today + 3, 7) * 7;  // 1970-01-01 was a Thursday
      const Day monday = today - mondayBased;
      return {monday, today, monday + 7};
    }
    case Granularity::Month:
      return billingMonth(today, billingDay);
  }
  return {today, today, today + 1};
}

const char* nameOf(Granularity granularity) {
  switch (granularity) {
    case Granularity::Day: return "day";
    case Granularity::Week: return "week";
    case Granularity::Month: return "month";
  }
  return "day";
}

}  // namespace edgefuse
