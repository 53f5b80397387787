// A Worker that shows edgefuse's billing catalogue and prices a usage you give it.
//   GET /                                  the catalogue as a text table
//   GET /estimate?plan=paid&kv-reads=12e6  what that usage costs (JSON)
import { RESOURCES, createGuard, estimateCost, GuardInputError } from "edgefuse";

// Validated once per isolate, when the Worker starts.
const guard = createGuard({ plan: "paid", budget: { maxUsd: 50 } });

const count = (n) => n.toLocaleString("en-US");
const usd = (n) => n.toLocaleString("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 3 });

function describeAllowance(allowance, resource) {
  if (allowance.billing === "not-metered") return resource.billedAs ? `billed as ${resource.billedAs}` : "not metered";
  // A stored level (storage): capped as it stands, or billed per month of it.
  const level = resource.measure === "daily-peak";
  const included = level ? `${count(allowance.included)} ${resource.unit}` : `${count(allowance.included)}/${allowance.period}`;
  if (allowance.billing === "hard-limit") return `${included}${level ? " stored" : ""}, then refused`;
  const price = `${usd(allowance.priceUsd)} per ${count(allowance.priceUnit)}${level ? ` ${resource.unit}-month` : ""}`;
  return allowance.included > 0 ? `${included}, then ${price}` : price;
}

function catalogueTable() {
  const rows = RESOURCES.map((r) => [r.id, r.unit, describeAllowance(r.free, r), describeAllowance(r.paid, r)]);
  const header = ["resource", "unit", "free plan", "paid plan"];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

function usageFrom(url) {
  const usage = {};
  for (const [key, value] of url.searchParams) {
    if (key !== "plan") usage[key] = Number(value);
  }
  return usage;
}

export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/estimate") {
      try {
        const plan = url.searchParams.get("plan") ?? guard.config.plan;
        return Response.json(estimateCost(usageFrom(url), { plan }));
      } catch (error) {
        if (!(error instanceof GuardInputError)) throw error;
        return Response.json({ error: error.message, problems: error.problems }, { status: 400 });
      }
    }
    if (url.pathname === "/") {
      const sources = [...new Set(RESOURCES.flatMap((r) => r.source.split(" ")))];
      const body = `edgefuse billing catalogue (${RESOURCES.length} resources)\n\n${catalogueTable()}\n\nSources:\n${sources.join("\n")}\n`;
      return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    return new Response("not found\n", { status: 404 });
  },
};
