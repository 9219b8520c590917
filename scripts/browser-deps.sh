#!/usr/bin/env bash
# Installs the browser tests' npm dependency (tests/browser/: playwright-core, pinned in
# package-lock.json) with `npm ci`, into tests/browser/node_modules (git-ignored).
# Idempotent: does nothing when the installed version is the locked one. playwright-core
# has no install script and downloads no browser: the tests drive Debian's chromium.
# Needs node and npm (scripts/install-deps.sh installs them with chromium).
set -euo pipefail
cd "$(dirname "$0")/../tests/browser"
for tool in node npm; do
  command -v "$tool" > /dev/null || { echo "browser-deps.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
# playwright-core 1.61 accepts Node >= 18 (Debian 12's nodejs is 18; 1.62 on needs 20).
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "browser-deps.sh: node $(node --version) is too old: playwright-core 1.61 needs Node >= 18" >&2
  exit 1
fi
locked=$(node -p "require('./package-lock.json').packages['node_modules/playwright-core'].version")
installed=$(node -p "try { require('./node_modules/playwright-core/package.json').version } catch (e) { '' }")
if [ "$locked" != "$installed" ]; then
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi
