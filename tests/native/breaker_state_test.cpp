#include <doctest/doctest.h>

#include "breaker_state.h"

using namespace edgefuse;

TEST_CASE("a missing key is not present and has no breakers") {
  BreakerRecord record = parseBreakerRecord(std::nullopt, "state");
  CHECK_FALSE(record.present);
  CHECK_FALSE(record.breakers);
  CHECK(record.problems.empty());
}

TEST_CASE("a version-1 record gives its breakers, per resource and per binding") {
  BreakerRecord record = parseBreakerRecord(
      R"({"version":1,"breakers":{
            "kv-writes":{"reason":"92% of 1,000/day","since":"2026-11-23T10:00:00Z","source":"poll"},
            "d1-rows-written:MY_DB":{"reason":"manual","since":"2026-11-23T11:00:00Z","source":"manual"}},
          "lastCheckAt":"2026-11-23T11:05:00Z"})",
      "state");
  REQUIRE(record.breakers);
  CHECK(record.problems.empty());
  REQUIRE(record.breakers->size() == 2);
  const Breaker& db = record.breakers->at("d1-rows-written:MY_DB");
  CHECK(db.resource == "d1-rows-written");
  CHECK(db.binding == "MY_DB");
  CHECK(db.source == "manual");
  CHECK(record.breakers->at("kv-writes").binding.empty());
}

TEST_CASE("unreadable records are reported, never half-used") {
  for (const char* text : {"{not json", "[]", "null", R"({"breakers":{}})", R"({"version":2,"breakers":{}})",
                           R"({"version":"1","breakers":{}})", R"({"version":1,"breakers":[]})"}) {
    CAPTURE(text);
    BreakerRecord record = parseBreakerRecord(std::string(text), "state");
    CHECK(record.present);
    CHECK_FALSE(record.breakers);
    CHECK(record.problems.size() == 1);
  }
  CHECK(parseBreakerRecord(std::string(R"({"version":9,"breakers":{}})"), "state").problems[0].message ==
        "unsupported version 9, expected 1");
}

TEST_CASE("bad entries are skipped and reported, good ones kept") {
  BreakerRecord record = parseBreakerRecord(
      std::string(R"({"version":1,"breakers":{"kv-writez":{},"kv-reads:bad name":{},"kv-lists":5,"kv-deletes":{"source":"poll"}}})"),
      "safety-net");
  REQUIRE(record.breakers);
  CHECK(record.breakers->size() == 1);
  CHECK(record.breakers->count("kv-deletes") == 1);
  CHECK(record.problems.size() == 3);
  CHECK(record.problems[0].path == "safety-net.breakers.kv-lists");
  CHECK(record.problems[0].message == "must be an object, entry skipped");
  CHECK(record.problems[1].path == "safety-net.breakers.kv-reads:bad name");
  CHECK(record.problems[2].path == "safety-net.breakers.kv-writez");
  CHECK(record.problems[2].message == "unknown resource, entry skipped");
}
