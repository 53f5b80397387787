#include <doctest/doctest.h>

#include "enforcer.h"

using namespace edgefuse;

namespace {
std::size_t indexOf(std::string_view id) {
  return static_cast<std::size_t>(findResource(id) - resources().begin());
}

Enforcer withLimit(std::string_view id, double limit) {
  ResourceLimits limits;
  limits.fill(kNoLimit);
  limits[indexOf(id)] = limit;
  return Enforcer(limits);
}
}  // namespace

TEST_CASE("the catalogue fits the enforcer's fixed arrays") {
  CHECK(resources().size() <= kMaxResources);
}

TEST_CASE("N calls are admitted and call N+1 is refused") {
  Enforcer enforcer = withLimit("kv-writes", 3);
  int meter = enforcer.defineMeter(indexOf("kv-writes"), "KV");
  auto invocation = enforcer.begin();
  for (int i = 0; i < 3; ++i) CHECK(enforcer.admit(invocation, meter, 1) == Verdict::Allow);
  CHECK(enforcer.admit(invocation, meter, 1) == Verdict::OverLimit);
  CHECK(enforcer.used(invocation, meter) == 3);  // the refused call was not charged
  CHECK(enforcer.usedOfResource(invocation, static_cast<int>(indexOf("kv-writes"))) == 3);
  CHECK(enforcer.usedOfResource(invocation, static_cast<int>(indexOf("kv-reads"))) == 0);
  CHECK(enforcer.usedOfResource(invocation, 99) == 0);
  CHECK(enforcer.limit(meter) == 3);
}

TEST_CASE("a bulk charge that would pass the limit is refused whole") {
  Enforcer enforcer = withLimit("kv-reads", 10);
  int meter = enforcer.defineMeter(indexOf("kv-reads"), "KV");
  auto invocation = enforcer.begin();
  CHECK(enforcer.admit(invocation, meter, 8) == Verdict::Allow);
  CHECK(enforcer.admit(invocation, meter, 3) == Verdict::OverLimit);
  CHECK(enforcer.admit(invocation, meter, 2) == Verdict::Allow);
}

TEST_CASE("every binding of a resource shares the invocation's limit") {
  Enforcer enforcer = withLimit("kv-reads", 2);
  int first = enforcer.defineMeter(indexOf("kv-reads"), "A");
  int second = enforcer.defineMeter(indexOf("kv-reads"), "B");
  CHECK(first != second);
  CHECK(enforcer.defineMeter(indexOf("kv-reads"), "A") == first);
  auto invocation = enforcer.begin();
  CHECK(enforcer.admit(invocation, first, 1) == Verdict::Allow);
  CHECK(enforcer.admit(invocation, second, 1) == Verdict::Allow);
  CHECK(enforcer.admit(invocation, first, 1) == Verdict::OverLimit);
}

TEST_CASE("concurrent invocations have their own counters") {
  Enforcer enforcer = withLimit("kv-writes", 1);
  int meter = enforcer.defineMeter(indexOf("kv-writes"), "KV");
  auto a = enforcer.begin();
  auto b = enforcer.begin();
  CHECK(a != b);
  CHECK(enforcer.admit(a, meter, 1) == Verdict::Allow);
  CHECK(enforcer.admit(b, meter, 1) == Verdict::Allow);
  CHECK(enforcer.admit(a, meter, 1) == Verdict::OverLimit);
}

TEST_CASE("an invocation keeps its counters however many others begin and end") {
  Enforcer enforcer = withLimit("kv-writes", 50);
  int meter = enforcer.defineMeter(indexOf("kv-writes"), "KV");
  auto early = enforcer.begin();
  CHECK(enforcer.admit(early, meter, 10) == Verdict::Allow);
  for (std::uint32_t i = 0; i < 100000; ++i) {
    auto other = enforcer.begin();
    CHECK(enforcer.admit(other, meter, 1) == Verdict::Allow);
    enforcer.end(other);
  }
  CHECK(enforcer.live() == 1);
  CHECK(enforcer.used(early, meter) == 10);
  CHECK(enforcer.admit(early, meter, 40) == Verdict::Allow);
  CHECK(enforcer.admit(early, meter, 1) == Verdict::OverLimit);
  CHECK(enforcer.evictions() == 0);
}

TEST_CASE("an ended invocation's slot is reused, its old id passes uncounted") {
  Enforcer enforcer = withLimit("kv-writes", 1);
  int meter = enforcer.defineMeter(indexOf("kv-writes"), "KV");
  auto old = enforcer.begin();
  CHECK(enforcer.admit(old, meter, 1) == Verdict::Allow);
  enforcer.end(old);
  enforcer.end(old);  // twice is harmless
  CHECK(enforcer.live() == 0);
  auto fresh = enforcer.begin();
  CHECK((fresh & 0xffff) == (old & 0xffff));  // same slot, new generation
  CHECK(fresh != old);
  CHECK(enforcer.admit(old, meter, 1) == Verdict::Allow);
  CHECK(enforcer.used(old, meter) == 0);
  CHECK(enforcer.used(fresh, meter) == 0);
  CHECK(enforcer.admit(fresh, meter, 1) == Verdict::Allow);
  CHECK(enforcer.admit(fresh, meter, 1) == Verdict::OverLimit);
}

TEST_CASE("only when every slot is alive are slots taken back: finished ones, then the least recently used") {
  Enforcer enforcer = withLimit("kv-writes", 1);
  int meter = enforcer.defineMeter(indexOf("kv-writes"), "KV");
  std::vector<std::uint32_t> ids;
  for (std::uint32_t i = 0; i < kInvocationSlots; ++i) ids.push_back(enforcer.begin());
  for (std::uint32_t id : ids) CHECK(enforcer.admit(id, meter, 1) == Verdict::Allow);
  const std::uint32_t waiting = ids[0];   // began first and made its call long ago; still running
  const std::uint32_t oldFinished = ids[1];
  const std::uint32_t busyFinished = ids[2];  // its handler returned; waitUntil work goes on
  for (std::size_t i = 1; i < ids.size(); ++i) enforcer.finish(ids[i]);
  CHECK(enforcer.admit(busyFinished, meter, 1) == Verdict::OverLimit);  // a call: recently used
  CHECK(enforcer.live() == kInvocationSlots);
  CHECK(enforcer.evictions() == 0);

  auto fresh = enforcer.begin();
  CHECK(enforcer.evictions() == kInvocationSlots / 16);
  CHECK(enforcer.runningEvictions() == 0);
  CHECK(enforcer.live() == kInvocationSlots - kInvocationSlots / 16 + 1);
  CHECK(enforcer.admit(waiting, meter, 1) == Verdict::OverLimit);       // running: kept
  CHECK(enforcer.admit(busyFinished, meter, 1) == Verdict::OverLimit);  // recently used: kept
  CHECK(enforcer.admit(oldFinished, meter, 1) == Verdict::Allow);       // taken back: uncounted
  CHECK(enforcer.used(oldFinished, meter) == 0);
  CHECK(enforcer.used(fresh, meter) == 0);
  CHECK(enforcer.admit(fresh, meter, 1) == Verdict::Allow);
  CHECK(enforcer.admit(fresh, meter, 1) == Verdict::OverLimit);
  // Until the next pass, new invocations take the slots given back: nothing more is evicted.
  for (std::uint32_t i = 1; i < kInvocationSlots / 16; ++i) enforcer.begin();
  CHECK(enforcer.evictions() == kInvocationSlots / 16);
}

TEST_CASE("with no invocation finished, the least recently used are taken back") {
  Enforcer enforcer = withLimit("kv-writes", 1);
  int meter = enforcer.defineMeter(indexOf("kv-writes"), "KV");
  std::vector<std::uint32_t> ids;
  for (std::uint32_t i = 0; i < kInvocationSlots; ++i) ids.push_back(enforcer.begin());
  CHECK(enforcer.admit(ids[0], meter, 1) == Verdict::Allow);  // the oldest, used last
  enforcer.begin();
  CHECK(enforcer.evictions() == kInvocationSlots / 16);
  CHECK(enforcer.runningEvictions() == kInvocationSlots / 16);
  CHECK(enforcer.admit(ids[0], meter, 1) == Verdict::OverLimit);
  CHECK(enforcer.admit(ids[1], meter, 1) == Verdict::Allow);
  CHECK(enforcer.used(ids[1], meter) == 0);  // taken back
}

TEST_CASE("an invocation is charged only for resources bindings can be charged") {
  Enforcer enforcer = withLimit("kv-writes", 1);
  std::size_t defined = 0;
  for (std::size_t index = 0; index < resources().size(); ++index) {
    if (enforcer.defineMeter(index, "B") >= 0) ++defined;
  }
  CHECK(defined == kCountedResources);
}

TEST_CASE("a refund gives back what a refused call was charged, never below zero") {
  Enforcer enforcer = withLimit("kv-writes", 3);
  int meter = enforcer.defineMeter(indexOf("kv-writes"), "KV");
  auto invocation = enforcer.begin();
  CHECK(enforcer.admit(invocation, meter, 3) == Verdict::Allow);
  CHECK(enforcer.admit(invocation, meter, 1) == Verdict::OverLimit);
  enforcer.refund(invocation, meter, 2);
  CHECK(enforcer.used(invocation, meter) == 1);
  CHECK(enforcer.admit(invocation, meter, 2) == Verdict::Allow);
  enforcer.refund(invocation, meter, 10);
  CHECK(enforcer.used(invocation, meter) == 0);
  enforcer.refund(invocation + 1, meter, 1);  // unknown ids and meters are ignored
  enforcer.refund(invocation, 99, 1);
  CHECK(enforcer.used(invocation, meter) == 0);

  ResourceLimits none;
  none.fill(kNoLimit);
  Enforcer perBinding(none, {{"kv-writes:KV", 2}});
  int limited = perBinding.defineMeter(indexOf("kv-writes"), "KV");
  auto other = perBinding.begin();
  CHECK(perBinding.admit(other, limited, 2) == Verdict::Allow);
  perBinding.refund(other, limited, 2);
  CHECK(perBinding.used(other, limited, true) == 0);
  CHECK(perBinding.admit(other, limited, 2) == Verdict::Allow);
}

TEST_CASE("D1-style rows: checked before, recorded after") {
  Enforcer enforcer = withLimit("d1-rows-written", 100);
  int meter = enforcer.defineMeter(indexOf("d1-rows-written"), "DB");
  auto invocation = enforcer.begin();
  CHECK(enforcer.check(invocation, meter) == Verdict::Allow);
  enforcer.record(invocation, meter, 60);
  CHECK(enforcer.check(invocation, meter) == Verdict::Allow);
  enforcer.record(invocation, meter, 60);  // what happened is recorded even past the limit
  CHECK(enforcer.used(invocation, meter) == 120);
  CHECK(enforcer.check(invocation, meter) == Verdict::OverLimit);
}

TEST_CASE("tripped breakers refuse, per resource or per binding") {
  Enforcer enforcer = withLimit("kv-writes", kNoLimit);
  int cache = enforcer.defineMeter(indexOf("kv-writes"), "CACHE");
  int sessions = enforcer.defineMeter(indexOf("kv-writes"), "SESSIONS");
  int reads = enforcer.defineMeter(indexOf("kv-reads"), "CACHE");
  auto invocation = enforcer.begin();

  enforcer.setTripped({"kv-writes:CACHE"});
  CHECK(enforcer.admit(invocation, cache, 1) == Verdict::Tripped);
  CHECK(enforcer.admit(invocation, sessions, 1) == Verdict::Allow);
  CHECK(enforcer.admit(invocation, reads, 1) == Verdict::Allow);

  enforcer.setTripped({"kv-writes"});
  CHECK(enforcer.admit(invocation, sessions, 1) == Verdict::Tripped);
  CHECK(enforcer.check(invocation, cache) == Verdict::Tripped);
  // A meter defined after the trip starts tripped.
  CHECK(enforcer.admit(invocation, enforcer.defineMeter(indexOf("kv-writes"), "NEW"), 1) == Verdict::Tripped);

  enforcer.setTripped({});
  CHECK(enforcer.admit(invocation, cache, 1) == Verdict::Allow);
}

TEST_CASE("unknown meters and invocations fail open") {
  Enforcer enforcer = withLimit("kv-writes", 0);
  CHECK(enforcer.admit(12345, 7, 1) == Verdict::Allow);
  CHECK(enforcer.check(12345, -1) == Verdict::Allow);
}

TEST_CASE("limits come from the config, defaults included") {
  auto config = parseConfig({{"plan", "free"}, {"limits", {{"kv-writes", 5}, {"kv-reads", nullptr}}}});
  REQUIRE(config.config);
  Enforcer enforcer = Enforcer::fromConfig(*config.config);
  CHECK(enforcer.limit(enforcer.defineMeter(indexOf("kv-writes"), "KV")) == 5);
  CHECK(enforcer.limit(enforcer.defineMeter(indexOf("kv-reads"), "KV")) == kNoLimit);
  CHECK(enforcer.limit(enforcer.defineMeter(indexOf("d1-rows-written"), "DB")) == 10'000);
  CHECK(enforcer.limit(enforcer.defineMeter(indexOf("workers-requests"), "")) == kNoLimit);
}

TEST_CASE("a per-binding limit stops one binding within the resource's own limit") {
  auto config = parseConfig({{"plan", "free"},
                             {"limits", {{"d1-rows-written", 100}, {"d1-rows-written:IMPORTS", 10}}}});
  REQUIRE(config.config);
  Enforcer enforcer = Enforcer::fromConfig(*config.config);
  const int imports = enforcer.defineMeter(indexOf("d1-rows-written"), "IMPORTS");
  const int main = enforcer.defineMeter(indexOf("d1-rows-written"), "DB");
  auto invocation = enforcer.begin();
  enforcer.record(invocation, imports, 10);
  CHECK(enforcer.check(invocation, imports) == Verdict::OverBindingLimit);
  CHECK(enforcer.used(invocation, imports, true) == 10);
  CHECK(enforcer.limit(imports, true) == 10);
  CHECK(enforcer.check(invocation, main) == Verdict::Allow);  // other bindings carry on
  CHECK(enforcer.admit(invocation, main, 85) == Verdict::Allow);
  CHECK(enforcer.admit(invocation, main, 10) == Verdict::OverLimit);  // the resource's 100 still holds
  CHECK(enforcer.used(invocation, main) == 95);
  CHECK(enforcer.used(invocation, main, true) == 0);  // no per-binding limit on DB
  CHECK(enforcer.limit(main, true) == kNoLimit);
  CHECK(enforcer.check(enforcer.begin(), imports) == Verdict::Allow);  // a new invocation starts afresh
}

TEST_CASE("per-binding limits are validated") {
  auto config = parseConfig({{"plan", "free"}, {"limits", {{"kv-writez:KV", 1}, {"kv-writes:not a name", 1}, {"kv-writes:KV", -1}}}});
  REQUIRE(config.problems.size() == 3);
  CHECK(config.problems[0].path == "limits.kv-writes:KV");
  CHECK(config.problems[1].path == "limits.kv-writes:not a name");
  CHECK(config.problems[2].path == "limits.kv-writez:KV");
  CHECK(config.problems[2].fix == "did you mean kv-writes?");
}
