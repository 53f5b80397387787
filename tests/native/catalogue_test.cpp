// Pins the billing facts the catalogue must get right (see DESIGN.md: the mistakes other
// guards make). Each check names the official page the number comes from.
#include <doctest/doctest.h>

#include <string>
#include <tuple>

#include "catalogue.h"
#include "config.h"
#include "shared_constants.h"
#include "string_view_maker.h"

using namespace edgefuse;

namespace {
const Resource& get(std::string_view id) {
  const Resource* resource = findResource(id);
  REQUIRE_MESSAGE(resource != nullptr, std::string(id));
  return *resource;
}
}  // namespace

TEST_CASE("every resource cites an official Cloudflare page") {
  CHECK(resources().size() >= 19);
  for (const Resource& resource : resources()) {
    CAPTURE(resource.id);
    CHECK(resource.source.rfind("https://developers.cloudflare.com/", 0) == 0);
    if (!resource.fieldSource.empty()) {
      CHECK(resource.fieldSource.rfind("https://developers.cloudflare.com/", 0) == 0);
    }
    CHECK(findResource(resource.id) == &resource);
  }
  CHECK(findResource("kv-writez") == nullptr);
}

TEST_CASE("free-plan quotas are daily hard limits with no overage") {
  // https://developers.cloudflare.com/workers/platform/limits/#daily-request
  for (auto [id, quota] : {std::pair{"workers-requests", 100'000.0}, {"kv-reads", 100'000.0},
                           {"kv-writes", 1'000.0}, {"kv-deletes", 1'000.0}, {"kv-lists", 1'000.0},
                           {"d1-rows-read", 5e6}, {"d1-rows-written", 100'000.0},
                           {"queues-operations", 10'000.0}, {"do-requests", 100'000.0},
                           {"do-duration-gbs", 13'000.0}, {"ai-neurons", 10'000.0}}) {
    CAPTURE(id);
    const Allowance& free = get(id).free;
    CHECK(free.billing == Billing::HardLimit);
    CHECK(free.period == Period::Day);
    CHECK(free.included == quota);
  }
}

TEST_CASE("Workers: requests and CPU milliseconds") {
  const Resource& requests = get("workers-requests");
  CHECK(requests.paid.included == 10e6);
  CHECK(requests.paid.priceUsd == doctest::Approx(0.30));
  CHECK(requests.paid.priceUnit == 1e6);
  // Pages Functions bill as Workers requests: no separate resource, a note instead.
  CHECK(std::string(requests.note).find("Pages Functions") != std::string::npos);
  CHECK(findResource("pages-functions-requests") == nullptr);

  // CPU overage is priced per million CPU *milliseconds*.
  const Resource& cpu = get("workers-cpu-ms");
  CHECK(cpu.unit == "CPU milliseconds");
  CHECK(cpu.paid.included == 30e6);
  CHECK(cpu.paid.priceUsd == doctest::Approx(0.02));
  CHECK(cpu.paid.priceUnit == 1e6);
  CHECK(cpu.fieldScale == doctest::Approx(0.001));  // cpuTimeUs -> ms
  CHECK(cpu.free.billing == Billing::NotMetered);
}

TEST_CASE("KV: reads, writes, deletes and lists, each its own resource") {
  CHECK(get("kv-reads").paid.included == 10e6);
  CHECK(get("kv-reads").paid.priceUsd == doctest::Approx(0.50));
  for (auto id : {"kv-writes", "kv-deletes", "kv-lists"}) {
    CAPTURE(id);
    CHECK(get(id).paid.included == 1e6);
    CHECK(get(id).paid.priceUsd == doctest::Approx(5.00));
    CHECK(get(id).dataset == "kvOperationsAdaptiveGroups");
    CHECK(get(id).bindingDimension == "namespaceId");
  }
  CHECK(get("kv-writes").actionTypes == "write");
}

TEST_CASE("D1 is billed on rows read and written, not queries") {
  const Resource& read = get("d1-rows-read");
  const Resource& written = get("d1-rows-written");
  CHECK(read.unit == "rows");
  CHECK(read.field == "sum.rowsRead");
  CHECK(written.field == "sum.rowsWritten");
  CHECK(read.paid.included == 25e9);
  CHECK(read.paid.priceUsd == doctest::Approx(0.001));
  CHECK(written.paid.included == 50e6);
  CHECK(written.paid.priceUsd == doctest::Approx(1.00));
  CHECK(read.bindingDimension == "databaseId");
  for (const Resource& resource : resources()) {
    CHECK(std::string(resource.id).find("d1-queries") == std::string::npos);
  }
}

TEST_CASE("R2: list is Class A, head and get are Class B, deletes are free") {
  const std::string classA(get("r2-class-a").actionTypes);
  const std::string classB(get("r2-class-b").actionTypes);
  const Resource& deletes = get("r2-deletes");
  CHECK(classA.find("ListObjects") != std::string::npos);
  CHECK(classA.find("PutObject") != std::string::npos);
  CHECK(classA.find("CreateMultipartUpload") != std::string::npos);
  CHECK(classB.find("GetObject") != std::string::npos);
  CHECK(classB.find("HeadObject") != std::string::npos);
  CHECK(classB.find("ListObjects") == std::string::npos);
  CHECK(std::string(deletes.actionTypes).find("DeleteObject") != std::string::npos);
  CHECK(deletes.paid.billing == Billing::NotMetered);
  CHECK(get("r2-class-a").paid.priceUsd == doctest::Approx(4.50));
  CHECK(get("r2-class-b").paid.priceUsd == doctest::Approx(0.36));
  // R2's free tier is monthly on both plans, and bills overage in whole millions.
  CHECK(get("r2-class-a").free.period == Period::Month);
  CHECK(get("r2-class-a").free.billing == Billing::Overage);
  CHECK(get("r2-class-b").free.included == 10e6);
  CHECK(get("r2-class-a").paid.roundsUpToUnit);
}

TEST_CASE("Queues, Durable Objects, Workers AI, Vectorize and Stream") {
  CHECK(get("queues-operations").paid.included == 1e6);
  CHECK(get("queues-operations").paid.priceUsd == doctest::Approx(0.40));
  CHECK(get("do-requests").paid.priceUsd == doctest::Approx(0.15));
  CHECK(get("do-duration-gbs").unit == "GB-s");
  CHECK(get("do-duration-gbs").paid.included == 400'000);
  CHECK(get("do-duration-gbs").paid.priceUsd == doctest::Approx(12.50));

  // Workers AI is priced per 1,000 neurons, with 10,000 a day included on both plans.
  const Resource& ai = get("ai-neurons");
  CHECK(ai.paid.priceUnit == 1'000);
  CHECK(ai.paid.priceUsd == doctest::Approx(0.011));
  CHECK(ai.paid.period == Period::Day);
  CHECK(ai.paid.included == 10'000);

  // Vectorize is billed on queried and stored dimensions.
  CHECK(get("vectorize-queried-dimensions").unit == "dimensions");
  CHECK(get("vectorize-queried-dimensions").paid.priceUsd == doctest::Approx(0.01));
  CHECK(get("vectorize-stored-dimensions").paid.priceUnit == 100e6);
  CHECK(get("vectorize-stored-dimensions").paid.priceUsd == doctest::Approx(0.05));
  CHECK(get("vectorize-queried-dimensions").dataset == "vectorizeQueriesAdaptiveGroups");  // in the schema
  CHECK(isPolled(get("vectorize-queried-dimensions")));

  CHECK(get("stream-minutes-delivered").paid.priceUsd == doctest::Approx(1.00));
  CHECK(get("stream-minutes-delivered").paid.priceUnit == 1'000);
  CHECK(get("stream-minutes-stored").paid.priceUsd == doctest::Approx(5.00));
  CHECK(get("stream-minutes-stored").dataset.empty());
  // Stream storage is bought in blocks of 1,000 minutes: a block begun is a block paid.
  CHECK(get("stream-minutes-stored").paid.roundsUpToUnit);
  CHECK_FALSE(get("stream-minutes-delivered").paid.roundsUpToUnit);
}

TEST_CASE("Durable Objects storage: key-value units on the paid plan, SQLite rows on both") {
  // https://developers.cloudflare.com/durable-objects/platform/pricing/#key-value-storage-backend
  for (auto [id, field, price] : {std::tuple{"do-storage-read-units", "sum.storageReadUnits", 0.20},
                                  {"do-storage-write-units", "sum.storageWriteUnits", 1.00},
                                  {"do-storage-deletes", "sum.storageDeletes", 1.00}}) {
    CAPTURE(id);
    const Resource& resource = get(id);
    CHECK(resource.dataset == "durableObjectsPeriodicGroups");
    CHECK(resource.field == field);
    CHECK(isPolled(resource));
    CHECK(resource.free.billing == Billing::NotMetered);  // the key-value backend is paid-only
    CHECK(resource.paid.included == 1e6);
    CHECK(resource.paid.priceUsd == doctest::Approx(price));
    CHECK(resource.paid.priceUnit == 1e6);
  }
  // https://developers.cloudflare.com/durable-objects/platform/pricing/#sqlite-storage-backend
  CHECK(get("do-sqlite-rows-read").free.included == 5e6);
  CHECK(get("do-sqlite-rows-read").free.period == Period::Day);
  CHECK(get("do-sqlite-rows-read").paid.included == 25e9);
  CHECK(get("do-sqlite-rows-read").paid.priceUsd == doctest::Approx(0.001));
  CHECK(get("do-sqlite-rows-written").free.included == 100'000);
  CHECK(get("do-sqlite-rows-written").paid.included == 50e6);
  CHECK(get("do-sqlite-rows-written").paid.priceUsd == doctest::Approx(1.00));
  CHECK_FALSE(isPolled(get("do-sqlite-rows-read")));
  CHECK(get("do-storage-gb").paid.priceUsd == doctest::Approx(0.20));
}

TEST_CASE("storage, Infrequent Access and the other products, each with its own prices") {
  CHECK(get("kv-storage-gb").paid.priceUsd == doctest::Approx(0.50));  // kv/platform/pricing
  CHECK(get("kv-storage-gb").paid.included == 1);
  CHECK(get("d1-storage-gb").paid.priceUsd == doctest::Approx(0.75));  // d1/platform/pricing
  CHECK(get("d1-storage-gb").paid.included == 5);
  CHECK(get("r2-storage-gb").free.included == 10);                      // r2/pricing
  CHECK(get("r2-storage-gb").paid.priceUsd == doctest::Approx(0.015));
  CHECK(get("r2-storage-gb").paid.roundsUpToUnit);  // 1.1 GB-months bill as 2
  // Storage is a level, read as each day's peak; a free plan's cap applies to it as it stands.
  for (auto id : {"kv-storage-gb", "d1-storage-gb", "r2-storage-gb", "do-storage-gb", "vectorize-stored-dimensions"}) {
    CAPTURE(id);
    CHECK(get(id).measure == Measure::DailyPeak);
  }
  CHECK(get("d1-storage-gb").free.billing == Billing::HardLimit);
  CHECK(get("d1-storage-gb").free.included == 5);
  CHECK(get("d1-storage-gb").fieldScale == doctest::Approx(1e-9));  // bytes -> GB
  CHECK(get("kv-writes").measure == Measure::Sum);
  // Infrequent Access: no free tier on either plan, and its own prices.
  CHECK(get("r2-ia-class-a").free.included == 0);
  CHECK(get("r2-ia-class-a").paid.priceUsd == doctest::Approx(9.00));
  CHECK(get("r2-ia-class-b").paid.priceUsd == doctest::Approx(0.90));
  CHECK(get("workers-logs-gb").paid.included == 50);                           // observability/pricing
  CHECK(get("workers-logs-gb").paid.priceUsd == doctest::Approx(0.25));
  CHECK(get("analytics-engine-data-points").paid.priceUsd == doctest::Approx(0.25));
  CHECK(get("analytics-engine-read-queries").free.included == 10'000);
  CHECK(get("browser-hours").paid.priceUsd == doctest::Approx(0.09));
  CHECK(get("browser-hours").free.included == doctest::Approx(10.0 / 60));
  CHECK(get("browser-concurrency").paid.priceUsd == doctest::Approx(2.00));
  CHECK(get("images-unique-transformations").paid.priceUnit == 1'000);
  CHECK(get("images-unique-transformations").paid.priceUsd == doctest::Approx(0.50));
  CHECK(get("hyperdrive-queries").free.included == 100'000);
  CHECK(get("hyperdrive-queries").paid.billing == Billing::NotMetered);
  // Not polled: each says why, and nothing unpolled has a polled-looking empty reason.
  for (const Resource& resource : resources()) {
    CAPTURE(resource.id);
    CHECK(isPolled(resource) == whyNotPolled(resource).empty());
    if (isPolled(resource)) CHECK_FALSE(resource.fieldSource.empty());
  }
}

TEST_CASE("every resource a guarded binding is charged to is in the catalogue") {
  for (const BindingKind& kind : bindingKindTable()) {
    for (const auto& [method, resource] : kind.charges) {
      CAPTURE(kind.name);
      CAPTURE(method);
      if (!resource.empty()) CHECK(findResource(resource) != nullptr);
    }
  }
  // And the config accepts exactly the kinds that can be detected, plus "ignore".
  CHECK(bindingKinds() == std::vector<std::string>{"kv", "d1", "r2", "queue", "ai", "vectorize", "durable-object", "ignore"});
}
