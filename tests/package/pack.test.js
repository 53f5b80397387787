// What `npm pack` ships: the prebuilt WASM and its glue, the shim and the types, nothing
// else. Run with Node's test runner after the WASM build.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { test } from "node:test";
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

test("npm pack ships the WASM, the glue, the shim and the .d.ts, nothing else", () => {
  const [pack] = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }),
  );
  const files = pack.files.map((file) => file.path).sort();
  assert.deepEqual(files, [
    "LICENSE",
    "README.md",
    "dist/edgefuse_core.mjs",
    "dist/edgefuse_core.wasm",
    "js/catalogue.js",
    "js/core.js",
    "js/deep-freeze.js",
    "js/errors.js",
    "js/guard.js",
    "js/index.d.ts",
    "js/index.js",
    "js/instantiate.js",
    "package.json",
  ]);
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
