// The README's catalogue table is exactly what the WASM core says.
import { readFileSync } from "node:fs";
import { test } from "node:test";
import assert from "node:assert/strict";
import { catalogueMarkdown, loadResources, readmeCatalogue } from "../../scripts/catalogue-markdown.mjs";

test("README.md's catalogue table matches RESOURCES", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const current = readmeCatalogue(readme);
  assert.notEqual(current, null, "README.md lost its catalogue markers");
  assert.equal(current, catalogueMarkdown(loadResources()), "run: node scripts/catalogue-markdown.mjs --write");
});

test("the ResourceId type in js/index.d.ts names exactly the catalogue's resources", () => {
  const types = readFileSync(new URL("../../js/index.d.ts", import.meta.url), "utf8");
  const union = /export type ResourceId =([^;]*);/.exec(types);
  assert.ok(union, "js/index.d.ts has no ResourceId union");
  const named = [...union[1].matchAll(/"([^"]+)"/g)].map((match) => match[1]);
  assert.deepEqual(named, loadResources().map((resource) => resource.id));
});

test("the README's vitest recipe is examples/testing's, file for file", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  for (const file of ["vitest.config.js", "test/readme.test.js"]) {
    const text = readFileSync(new URL(`../../examples/testing/${file}`, import.meta.url), "utf8");
    assert.ok(text.startsWith(`// ${file}`), `examples/testing/${file} starts by naming itself`);
    assert.ok(readme.includes("```js\n" + text + "```"), `README.md shows examples/testing/${file} as it is`);
  }
});

test("the README's meter example is examples/meter's, file for file", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  for (const [file, language] of [["src/index.js", "js"], ["wrangler.jsonc", "jsonc"]]) {
    const text = readFileSync(new URL(`../../examples/meter/${file}`, import.meta.url), "utf8");
    assert.ok(readme.includes("```" + language + "\n" + text + "```"), `README.md shows examples/meter/${file} as it is`);
  }
});
