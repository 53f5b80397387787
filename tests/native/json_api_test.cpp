// The exact JSON the WASM module hands the shim.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "json_api.h"

using namespace edgefuse;
using nlohmann::json;

TEST_CASE("resourcesJson lists every resource with both plans") {
  json reply = json::parse(resourcesJson());
  REQUIRE(reply["ok"] == true);
  const json& list = reply["resources"];
  CHECK(list.size() >= 19);
  const json* kvWrites = nullptr;
  for (const json& resource : list) {
    if (resource["id"] == "kv-writes") kvWrites = &resource;
  }
  REQUIRE(kvWrites);
  CHECK((*kvWrites)["free"] ==
        json{{"billing", "hard-limit"}, {"period", "day"}, {"included", 1000}});
  CHECK((*kvWrites)["paid"]["priceUsd"] == 5.0);
  CHECK((*kvWrites)["graphql"]["dataset"] == "kvOperationsAdaptiveGroups");
  CHECK((*kvWrites)["source"] == "https://developers.cloudflare.com/kv/platform/pricing/");
}

TEST_CASE("estimateCostJson answers, or lists the problems") {
  json reply = json::parse(estimateCostJson(R"({"kv-writes": 2000000})", R"({"plan":"paid"})"));
  REQUIRE(reply["ok"] == true);
  CHECK(reply["estimate"]["totalOverageUsd"] == 5.0);
  CHECK(reply["estimate"]["resources"][0]["over"] == 1e6);

  json bad = json::parse(estimateCostJson(R"({"kv-writes": "lots"})", R"({"plan":"gold"})"));
  CHECK(bad["ok"] == false);
  CHECK(bad["problems"].size() == 2);
  CHECK(bad["problems"][0]["path"] == "options.plan");
  CHECK(bad["problems"][1]["message"] == "must be a number, got \"lots\"");

  json broken = json::parse(estimateCostJson("{", "{}"));
  CHECK(broken["problems"][0]["message"] == "is not valid JSON");
}

TEST_CASE("validateConfigJson returns the normalised config") {
  json reply = json::parse(validateConfigJson(R"({"plan":"free"})"));
  REQUIRE(reply["ok"] == true);
  CHECK(reply["config"]["refreshSeconds"] == 60);
  json bad = json::parse(validateConfigJson(R"({"plan":"free","budget":{}})"));
  CHECK(bad["ok"] == false);
  CHECK(bad["problems"][0]["path"] == "budget.maxUsd");
}

TEST_CASE("invalid UTF-8 in input is refused, never thrown") {
  // Keys and values are echoed in problems; serialising them must not throw.
  json reply = json::parse(validateConfigJson("{\"plan\":\"fr\xff\"}"));
  CHECK(reply["ok"] == false);
  CHECK(reply["problems"][0]["path"] == "(config)");
}
