#!/usr/bin/env node
// The `inf-wasi` command that `npm install inf-wasi` links into node_modules/.bin:
// the Rust CLI, built with this package and shipped in native/ beside llama.cpp's
// libraries (where its RUNPATH finds them), run with this process's arguments.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const binary = fileURLToPath(new URL("../native/inf-wasi", import.meta.url));
if (!existsSync(binary)) {
  console.error(`error: this installation of inf-wasi has no command-line program (${binary} is missing)`);
  process.exit(1);
}
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
// Stopping the launcher stops the program (`inf-wasi serve` exits 0 on SIGTERM).
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (error) => {
  console.error(`error: cannot start ${binary}: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 128 : 1);
});
