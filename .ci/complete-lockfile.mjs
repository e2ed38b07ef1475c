// The npm registry reachable here answers 404 for some platform-specific optional packages
// (e.g. @next/swc-darwin-arm64), so `npm install` writes a lockfile without them and `npm ci`
// then refuses it as out of sync. This adds the missing entries, marked optional with the
// platform read from the package name, so `npm ci` skips them on Linux as it would with a
// complete registry. Run after any `npm install`: `node .ci/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const OS = ["darwin", "win32", "linux", "freebsd", "android", "openbsd", "sunos", "aix", "netbsd"];
const CPU = ["arm64", "x64", "ia32", "arm", "ppc64", "s390x", "riscv64", "loong64", "mips64el"];

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const added = [];
for (const [, entry] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const tokens = name.split("/").pop().split("-");
    const os = OS.find((o) => tokens.includes(o));
    const cpu = CPU.find((c) => tokens.includes(c));
    if (!os || !cpu) continue;
    lock.packages[key] = { version: range.replace(/^[\^~=]/, ""), optional: true, os: [os], cpu: [cpu] };
    added.push(name);
  }
}
if (added.length > 0) {
  const [root, ...rest] = Object.entries(lock.packages);
  lock.packages = Object.fromEntries([root, ...rest.sort(([a], [b]) => a.localeCompare(b))]);
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(added.length ? `added to package-lock.json: ${added.join(", ")}` : "package-lock.json is complete");
