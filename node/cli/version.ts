/** The package version (package.json), printed by `fastevm --version` / `fastevm version`. */
import { readFileSync } from "node:fs";

export const FASTEVM_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** geth-style: name and version, then the runtime. */
export function versionText(): string {
  return [`fastevm ${FASTEVM_VERSION}`, `node ${process.version} (${process.platform}-${process.arch})`].join(
    "\n",
  );
}
