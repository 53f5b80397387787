// What the workerd benchmarks share: an in-memory binding, and how they time and print.

/**
 * An in-memory KV namespace: every call returns the same settled promise (of `value`), so
 * what is timed is the call path, not storage.
 */
export function memoryKv(value = "value") {
  const settled = Promise.resolve(value);
  return {
    get: () => settled,
    getWithMetadata: () => settled,
    put: () => settled,
    delete: () => settled,
    list: () => settled,
  };
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Rows of cells as aligned columns, the first row the header. */
export const table = (rows) => {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows.map((row) => row.map((cell, column) => String(cell).padEnd(widths[column])).join("  ")).join("\n");
};

/**
 * ns per request of `fetch(request, env, null)` over `count` requests. Between real requests
 * the isolate runs other tasks, the garbage collector's cleanups among them: a timer every
 * 5,000 requests lets them run, untimed.
 */
export async function timeRequests(fetch, request, env, count) {
  let elapsed = 0;
  for (let done = 0; done < count; done += 5000) {
    const start = performance.now();
    for (let i = 0; i < 5000; i += 1) await fetch(request, env, null);
    elapsed += performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return (elapsed * 1e6) / count;
}
