// The simulator's copy of Cloudflare's analytics schema is the reference the project was
// given, whole: ../shared/reference/cloudflare-analytics-subset.graphql beside the checkout.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { DATASETS } from "../../wrangler/simulator/analytics-schema.js";

const reference = new URL("../../../shared/reference/cloudflare-analytics-subset.graphql", import.meta.url);

test("wrangler/simulator/analytics-schema.js holds the reference schema unchanged", { skip: !existsSync(reference) && "no ../shared/reference beside this checkout" }, () => {
  assert.equal(DATASETS, readFileSync(reference, "utf8"));
});
