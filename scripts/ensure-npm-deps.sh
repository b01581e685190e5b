#!/usr/bin/env bash
# Runs `npm ci` unless every package the lockfile puts at the top of node_modules is already
# installed at its locked version (so a shared node_modules is not wiped for nothing).
set -euo pipefail
cd "$(dirname "$0")/.."

deps_match_lockfile() {
  [ -d node_modules ] || return 1
  node -e '
    const fs = require("fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
    for (const [path, entry] of Object.entries(lock.packages ?? {})) {
      if (!/^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) || entry.optional || entry.link) continue;
      let version;
      try { version = JSON.parse(fs.readFileSync(`${path}/package.json`, "utf8")).version; } catch { process.exit(1); }
      if (version !== entry.version) process.exit(1);
    }' 2>/dev/null
}

if ! deps_match_lockfile; then
  echo "== Installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
