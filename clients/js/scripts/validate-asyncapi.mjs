// Validates docs/asyncapi.json with the AsyncAPI project's own parser: any
// error (severity 0) fails; warnings are printed.
import { Parser } from "@asyncapi/parser";
import { readFile } from "node:fs/promises";

const text = await readFile(new URL("../../../docs/asyncapi.json", import.meta.url), "utf8");
const { document, diagnostics } = await new Parser().parse(text);
let errors = 0;
for (const d of diagnostics) {
  if (d.severity === 0) {
    errors += 1;
  }
  if (d.severity <= 1) {
    console.error(`${d.severity === 0 ? "error" : "warning"} ${d.code}: ${d.message} at ${d.path.join(".")}`);
  }
}
if (document === undefined || errors > 0) {
  console.error("docs/asyncapi.json is not a valid AsyncAPI document");
  process.exit(1);
}
console.log("docs/asyncapi.json: valid AsyncAPI", document.version());
