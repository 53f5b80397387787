#include <doctest/doctest.h>

#include "cost.h"

using namespace edgefuse;

namespace {
// By value: the CostResult is a temporary in every caller.
ResourceCost only(const CostResult& result) {
  REQUIRE(result.estimate);
  REQUIRE(result.estimate->resources.size() == 1);
  return result.estimate->resources.front();
}
}  // namespace

TEST_CASE("paid plan: overage above the monthly inclusion, priced per unit") {
  // 15M requests: 5M over at $0.30 per million.
  const ResourceCost requests = only(estimateCost({{"workers-requests", 15e6}}, Plan::Paid));
  CHECK(requests.included == 10e6);
  CHECK(requests.over == 5e6);
  CHECK(requests.overageUsd == doctest::Approx(1.50));
  CHECK(*requests.percentOfQuota == doctest::Approx(150));

  // Cloudflare's own example: 7 ms x 15M requests = 105M CPU ms, 75M over at $0.02/M = $1.50.
  CHECK(only(estimateCost({{"workers-cpu-ms", 105e6}}, Plan::Paid)).overageUsd ==
        doctest::Approx(1.50));

  // Workers AI: 1,010,000 neurons in a day, 1M over at $0.011 per 1,000.
  CHECK(only(estimateCost({{"ai-neurons", 1'010'000}}, Plan::Paid)).overageUsd ==
        doctest::Approx(11.0));

  // Under the inclusion costs nothing.
  CHECK(only(estimateCost({{"d1-rows-written", 49e6}}, Plan::Paid)).overageUsd == 0);
}

TEST_CASE("free plan: percent of the daily quota and zero dollars") {
  const ResourceCost writes = only(estimateCost({{"kv-writes", 1'500}}, Plan::Free));
  CHECK(writes.included == 1'000);
  CHECK(writes.over == 500);
  CHECK(writes.overageUsd == 0);
  CHECK(*writes.percentOfQuota == doctest::Approx(150));
  CHECK(writes.period == Period::Day);
  CHECK(writes.billing == Billing::HardLimit);

  const ResourceCost reads = only(estimateCost({{"kv-reads", 25'000}}, Plan::Free));
  CHECK(*reads.percentOfQuota == doctest::Approx(25));

  // CPU on the free plan is capped per invocation, not metered: no percent, no dollars.
  const ResourceCost cpu = only(estimateCost({{"workers-cpu-ms", 5e6}}, Plan::Free));
  CHECK_FALSE(cpu.percentOfQuota.has_value());
  CHECK(cpu.over == 0);
  CHECK(cpu.overageUsd == 0);
}

TEST_CASE("R2 bills its monthly free tier on both plans and rounds up to the million") {
  // 1,000,001 Class A operations: one over, billed as a whole million at $4.50.
  for (Plan plan : {Plan::Free, Plan::Paid}) {
    const ResourceCost classA = only(estimateCost({{"r2-class-a", 1'000'001}}, plan));
    CHECK(classA.over == 1);
    CHECK(classA.overageUsd == doctest::Approx(4.50));
  }
  CHECK(only(estimateCost({{"r2-deletes", 5e6}}, Plan::Paid)).overageUsd == 0);
  // GB-months summed from per-day shares carry float noise: 30 days of 3 GB add up to
  // 3.0000000000000013, which is 3 GB-months ($0.03 of Infrequent Access storage), not 4.
  double gbMonths = 0;
  for (int day = 0; day < 30; ++day) gbMonths += 3.0 / 30;
  REQUIRE(gbMonths > 3.0);
  CHECK(only(estimateCost({{"r2-ia-storage-gb", gbMonths}}, Plan::Paid)).overageUsd == doctest::Approx(0.03));
  CHECK(only(estimateCost({{"r2-ia-storage-gb", 3.01}}, Plan::Paid)).overageUsd == doctest::Approx(0.04));
}

TEST_CASE("the total adds every resource's overage") {
  CostResult result =
      estimateCost({{"kv-reads", 12e6}, {"kv-writes", 3e6}, {"stream-minutes-delivered", 2'000}},
                   Plan::Paid);
  REQUIRE(result.estimate);
  // $1.00 (2M reads) + $10.00 (2M writes) + $2.00 (2,000 minutes)
  CHECK(result.estimate->totalOverageUsd == doctest::Approx(13.0));
  CHECK(result.estimate->resources.size() == 3);
  CHECK(result.estimate->resources[0].id == "kv-reads");  // catalogue order
}

TEST_CASE("bad usage is refused with the path of each problem") {
  CostResult result = estimateCost({{"kv-readz", 1}, {"d1-rows-read", -5}}, Plan::Paid);
  CHECK_FALSE(result.estimate);
  REQUIRE(result.problems.size() == 2);
  CHECK(result.problems[0].path == "usage.d1-rows-read");
  CHECK(result.problems[1].path == "usage.kv-readz");
  CHECK(result.problems[1].fix == "did you mean kv-reads?");
}

TEST_CASE("Stream storage is priced per block of 1,000 minutes begun") {
  CostResult one = estimateCost({{"stream-minutes-stored", 1'000}}, Plan::Paid);
  CostResult two = estimateCost({{"stream-minutes-stored", 1'001}}, Plan::Paid);
  REQUIRE(one.estimate);
  REQUIRE(two.estimate);
  CHECK(one.estimate->totalOverageUsd == doctest::Approx(5.00));
  CHECK(two.estimate->totalOverageUsd == doctest::Approx(10.00));
}
