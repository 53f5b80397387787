// The status page: one self-contained HTML document with inline CSS and inline SVG, so it
// works behind a strict Content-Security-Policy. Forms post to the admin routes; no script.

const escapeHtml = (value) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const units = (value) => (typeof value === "number" ? Math.round(value).toLocaleString("en-US") : "–");
const percentText = (value) => (typeof value === "number" ? `${value.toFixed(1)}%` : "–");
const money = (value) => (typeof value === "number" ? `$${value.toFixed(2)}` : "–");
const when = (iso) =>
  typeof iso === "string" && iso !== "" ? escapeHtml(iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC")) : "never";

// Bars run to 150% of the quota, so the trip line and overshoot stay in view.
const SCALE = 150;
const position = (percent) => Math.max(0, Math.min(percent, SCALE)) / SCALE * 100;

function usageBar(row) {
  if (typeof row.percent !== "number") return `<div class="bar empty">no quota</div>`;
  const marks = [];
  if (typeof row.lines?.warn === "number") marks.push(`<line class="warn" x1="${position(row.lines.warn)}%" x2="${position(row.lines.warn)}%" y1="0" y2="14"/>`);
  if (typeof row.lines?.trip === "number") marks.push(`<line class="trip" x1="${position(row.lines.trip)}%" x2="${position(row.lines.trip)}%" y1="0" y2="14"/>`);
  const projected = row.projection?.percent;
  if (typeof projected === "number") {
    marks.push(`<line class="projection" x1="${position(projected)}%" x2="${position(projected)}%" y1="0" y2="14"/>`);
  }
  const level = row.breaker ? "tripped" : row.percent >= (row.lines?.warn ?? Infinity) ? "high" : "ok";
  return `<svg class="bar" viewBox="0 0 100 14" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(percentText(row.percent))} of quota">
    <rect class="track" x="0" y="0" width="100" height="14"/>
    <rect class="fill ${level}" x="0" y="0" width="${position(row.percent)}" height="14"/>
    ${marks.join("")}
  </svg>`;
}

function sparkline(hours) {
  if (!Array.isArray(hours) || hours.length < 2) return `<span class="muted">–</span>`;
  const peak = Math.max(...hours, 1);
  const points = hours.map((value, i) => `${(i / (hours.length - 1)) * 100},${20 - (value / peak) * 18}`).join(" ");
  return `<svg class="spark" viewBox="0 0 100 20" preserveAspectRatio="none" role="img" aria-label="hourly usage, last ${hours.length} hours"><polyline points="${points}"/></svg>`;
}

function actionForm(adminPath, action, key, label) {
  return `<form method="post" action="${escapeHtml(`${adminPath}/${action}`)}">
    <input type="hidden" name="resources" value="${escapeHtml(key)}">
    <button class="${action}" type="submit">${label}</button>
  </form>`;
}

function resourceRow(row, adminPath) {
  const tripped = Boolean(row.breaker);
  const state = tripped ? `tripped (${escapeHtml(row.breaker.source)})` : row.stale ? "stale" : escapeHtml(row.decision);
  const projection = row.projection
    ? `${units(row.projection.endOfPeriod)} by ${when(row.projection.periodEndsAt)}${row.projection.quotaReachedAt ? `, runs out ${when(row.projection.quotaReachedAt)}` : ""}`
    : "–";
  return `<tr class="${tripped ? "is-tripped" : ""}" data-key="${escapeHtml(row.key)}" data-used="${row.used ?? ""}" data-quota="${row.quota ?? ""}" data-percent="${row.percent ?? ""}" data-tripped="${tripped}">
    <th scope="row">${escapeHtml(row.key)}<small>${escapeHtml(row.window?.granularity ?? "")} · ${escapeHtml(row.unit)}</small></th>
    <td class="usage">${usageBar(row)}<span class="used">${units(row.used)}</span> / <span class="quota">${units(row.quota)}</span> <span class="percent">${percentText(row.percent)}</span></td>
    <td class="projection" data-label="Projected">${projection}</td>
    <td class="overage" data-label="Overage">${money(row.overageUsd)}</td>
    <td class="history">${sparkline(row.hourly)}</td>
    <td class="state"><span class="badge ${tripped ? "tripped" : row.decision === "warn" ? "warn" : "ok"}">${state}</span>${
      tripped ? `<small>${escapeHtml(row.breaker.reason)}</small>` : ""
    }</td>
    <td>${tripped ? actionForm(adminPath, "reset", row.key, "Reset") : actionForm(adminPath, "trip", row.key, "Trip")}</td>
  </tr>`;
}

function budgetGauge(budget) {
  if (!budget) return `<p class="muted">No budget (free plan).</p>`;
  const percent = typeof budget.percent === "number" ? budget.percent : 0;
  const projected = typeof budget.projectedUsd === "number" ? (budget.projectedUsd / budget.maxUsd) * 100 : null;
  return `<div class="budget" data-used-usd="${budget.usedUsd}" data-max-usd="${budget.maxUsd}">
    <svg class="bar" viewBox="0 0 100 14" preserveAspectRatio="none" role="img" aria-label="budget ${escapeHtml(percentText(percent))} used">
      <rect class="track" x="0" y="0" width="100" height="14"/>
      <rect class="fill ${percent >= 100 ? "tripped" : percent >= (budget.warn ?? 80) ? "high" : "ok"}" x="0" y="0" width="${position(percent)}" height="14"/>
      <line class="trip" x1="${position(100)}%" x2="${position(100)}%" y1="0" y2="14"/>
      ${projected === null ? "" : `<line class="projection" x1="${position(projected)}%" x2="${position(projected)}%" y1="0" y2="14"/>`}
    </svg>
    <p>${money(budget.usedUsd)} of ${money(budget.maxUsd)} overage this ${escapeHtml(budget.granularity)}${
      typeof budget.projectedUsd === "number" ? `, on course for ${money(budget.projectedUsd)}` : ""
    } · ${escapeHtml(budget.decision)}</p>
  </div>`;
}

function breakerList(breakers, adminPath) {
  const entries = Object.entries(breakers ?? {});
  if (entries.length === 0) return `<p class="muted">Nothing is tripped.</p>`;
  return `<ul class="breakers">${entries
    .map(
      ([key, breaker]) => `<li data-breaker="${escapeHtml(key)}"><strong>${escapeHtml(key)}</strong> · ${escapeHtml(breaker.source)} · since ${when(breaker.since)}${
        breaker.until ? ` · until ${when(breaker.until)}` : ""
      }<br><span>${escapeHtml(breaker.reason)}</span>${actionForm(adminPath, "reset", key, "Reset")}</li>`,
    )
    .join("")}</ul>`;
}

// Tripped first, then the fullest: what needs a look is at the top.
// Resources the poll cannot read, and why: a gap is shown, never hidden.
function notPolled(coverage) {
  const gaps = (coverage ?? []).filter((entry) => !entry.polled);
  if (gaps.length === 0) return "";
  const items = gaps.map((entry) => `<li data-not-polled="${escapeHtml(entry.resource)}">${escapeHtml(entry.resource)}: ${escapeHtml(entry.reason)}</li>`);
  return `<p class="muted">Not polled (per-invocation limits still apply where they exist):</p><ul class="muted">${items.join("")}</ul>`;
}

function byUrgency(rows) {
  return [...rows].sort((a, b) => Boolean(b.breaker) - Boolean(a.breaker) || (b.percent ?? -1) - (a.percent ?? -1));
}

// The real-time meter's trips as this isolate holds them (none shown when the meter is off).
function meterSection(meter) {
  if (!meter) return "";
  const trips = Object.entries(meter.breakers ?? {});
  const reports = `${units(meter.reports?.answered ?? 0)} reports answered, ${units(meter.reports?.failed ?? 0)} failed in this isolate.`;
  return `<h2>Real-time meter</h2>
${
  trips.length === 0
    ? `<p class="muted">No meter trip in force here. ${reports}</p>`
    : `<ul class="breakers" data-meter="true">${trips.map(([key, breaker]) => `<li><strong>${escapeHtml(key)}</strong>: ${escapeHtml(breaker.reason)} <small class="muted">since ${when(breaker.since)}</small></li>`).join("")}</ul><p class="muted">${reports} A reset of the resource ends these too.</p>`
}`;
}

/** The status page for `status` (what guard.status() returns). */
export function renderDashboard(status, { adminPath }) {
  const health = status.health ?? {};
  const hits = Object.entries(status.limitHits?.counts ?? {});
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgefuse status</title>
<style>
  :root { color-scheme: light dark; --ok: #2f9e44; --warn: #f08c00; --trip: #e03131; --muted: #868e96; --line: #ced4da; }
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px; }
  h1 { font-size: 1.4em; margin: 0 0 4px; } h2 { font-size: 1.1em; margin: 24px 0 8px; }
  .meta { color: var(--muted); margin: 0; } .muted { color: var(--muted); }
  .alert { border-left: 4px solid var(--trip); padding: 8px 12px; background: color-mix(in srgb, var(--trip) 10%, transparent); }
  table { border-collapse: collapse; width: 100%; }
  th, td { padding: 8px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
  th small, td small { display: block; color: var(--muted); font-weight: normal; }
  tr.is-tripped th { color: var(--trip); }
  .bar { display: block; width: 100%; height: 14px; margin-bottom: 4px; }
  .bar.empty { color: var(--muted); height: auto; }
  .track { fill: color-mix(in srgb, var(--muted) 25%, transparent); }
  .fill.ok { fill: var(--ok); } .fill.high { fill: var(--warn); } .fill.tripped { fill: var(--trip); }
  line { stroke-width: 0.8; vector-effect: non-scaling-stroke; }
  line.warn { stroke: var(--warn); } line.trip { stroke: var(--trip); stroke-width: 2; }
  line.projection { stroke: currentColor; stroke-dasharray: 3 2; stroke-width: 1.5; }
  .spark { width: 100px; height: 20px; } .spark polyline { fill: none; stroke: currentColor; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.85em; color: #fff; background: var(--ok); }
  .badge.warn { background: var(--warn); } .badge.tripped { background: var(--trip); }
  form { margin: 4px 0 0; } button { font: inherit; padding: 2px 10px; border-radius: 6px; border: 1px solid var(--line); cursor: pointer; }
  button.trip { border-color: var(--trip); } button.reset { border-color: var(--ok); }
  .breakers { padding-left: 18px; } .breakers li { margin-bottom: 8px; }
  .legend span { margin-right: 12px; }
  @media (max-width: 700px) {
    thead { display: none; } tr { display: block; border-bottom: 2px solid var(--line); padding: 8px 0; }
    th, td { display: block; border: 0; padding: 2px 0; } td.history { display: none; }
    td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  }
</style>
</head>
<body>
<header>
  <h1>edgefuse status</h1>
  <p class="meta">Plan <strong>${escapeHtml(status.plan)}</strong>${status.dryRun ? " · <strong>dry run</strong>: nothing is blocked" : ""} · as of ${when(status.now)} · last cron check ${when(status.lastCheckAt)}</p>
</header>
${status.ok === false ? `<p class="alert">The usage could not be read: ${escapeHtml(status.error)}</p>` : ""}
${status.blind ? `<p class="alert" data-blind="true">Blind: the usage API has failed ${escapeHtml(status.consecutiveFailures)} checks in a row. Breakers hold as they are.</p>` : ""}
${health.lastError ? `<p class="alert">Last error: ${escapeHtml(health.lastError)}</p>` : ""}
<h2>Budget</h2>
${budgetGauge(status.budget)}
<h2>Breakers</h2>
${breakerList(status.breakers, adminPath)}
<h2>Usage</h2>
<p class="legend muted"><span>▮ used</span><span>│ warn / <b>trip</b> line</span><span>┆ projected end of period</span></p>
<table>
  <thead><tr><th>Resource</th><th>Used of quota</th><th>Projected</th><th>Overage</th><th>Last 24 h</th><th>State</th><th></th></tr></thead>
  <tbody>
    ${byUrgency(status.resources ?? []).map((row) => resourceRow(row, adminPath)).join("\n")}
  </tbody>
</table>
${notPolled(status.coverage)}
${meterSection(status.meter)}
<h2>Per-invocation limit hits</h2>
${
  hits.length === 0
    ? `<p class="muted">None in this isolate since ${when(status.limitHits?.since)}.</p>`
    : `<ul>${hits.map(([key, count]) => `<li>${escapeHtml(key)}: ${units(count)}</li>`).join("")}</ul><p class="muted">In this isolate since ${when(status.limitHits?.since)}.</p>`
}
</body>
</html>
`;
}
