// What `npm pack` ships: the prebuilt WASM and its glue, the shim and the types, nothing
// else. Run with Node's test runner after the WASM build.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { test } from "node:test";
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

test("npm pack ships the WASM, the glue, the shared constants, the shim, the .d.ts, the CLI and the simulator, nothing else", () => {
  const [pack] = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }),
  );
  const files = pack.files.map((file) => file.path).sort();
  // The shim is every file under js/, the simulator every file under wrangler/simulator/;
  // everything else is named.
  const filesUnder = (folder) =>
    readdirSync(new URL(folder, root), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(fileURLToPath(root), join(entry.parentPath, entry.name)));
  const shim = filesUnder("js/");
  const simulator = filesUnder("wrangler/simulator/");
  assert.ok(shim.includes("js/index.js") && shim.includes("js/index.d.ts"), "the shim's entry points exist");
  assert.deepEqual(
    files,
    [
      "LICENSE",
      "README.md",
      "bin/edgefuse.js",
      "dist/constants.js",
      "dist/edgefuse_core.mjs",
      "dist/edgefuse_core.wasm",
      "dist/simulator.mjs",
      "package.json",
      "wrangler/simulator.jsonc",
      ...shim,
      ...simulator,
    ].sort(),
  );
  console.log(`tarball: ${pack.size} bytes packed, ${pack.unpackedSize} unpacked`);
});

test("the glue uses no eval or new Function (Workers forbid both)", () => {
  const glue = readFileSync(new URL("dist/edgefuse_core.mjs", root), "utf8");
  assert.doesNotMatch(glue, /\beval\s*\(|new\s+Function\s*\(/);
  const wasm = readFileSync(new URL("dist/edgefuse_core.wasm", root));
  console.log(
    `gzipped: .wasm ${gzipSync(wasm, { level: 9 }).length} B, glue ${gzipSync(Buffer.from(glue), { level: 9 }).length} B`,
  );
});
