#!/usr/bin/env bash
# Installs the npm dependencies of the tests that run under node, each pinned in its
# package-lock.json, with `npm ci` into its own node_modules (git-ignored):
# - tests/browser/: playwright-core, for the dashboard's browser test. It has no install
#   script and downloads no browser: the tests drive Debian's chromium.
# - tests/deploy/: the offline Kubernetes schema validation of deploy/kubernetes/
#   (kubernetes-models 4.5.1, @kubernetes/client-node 1.4.0 whose model files only are
#   loaded, yaml 2.9.1; tests/deploy/validate.mjs says why two packages).
# Idempotent: a directory whose installed versions are the locked ones is left alone.
# Needs node and npm (scripts/install-deps.sh installs them with chromium).
set -euo pipefail
cd "$(dirname "$0")/../tests"
for tool in node npm; do
  command -v "$tool" > /dev/null || { echo "browser-deps.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
# playwright-core 1.61 and kubernetes-models 4.5.1 accept Node >= 18 (Debian 12's nodejs
# is 18; playwright-core 1.62 on needs 20, kubernetes-models 5 needs 22).
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "browser-deps.sh: node $(node --version) is too old: the node tests need Node >= 18" >&2
  exit 1
fi
# DIR and the packages whose installed version must match the lock.
install() {
  local dir=$1
  shift
  local stale=0
  for pkg in "$@"; do
    locked=$(cd "$dir" && node -p "require('./package-lock.json').packages['node_modules/$pkg'].version")
    installed=$(cd "$dir" && node -p "try { require('./node_modules/$pkg/package.json').version } catch (e) { '' }")
    [ "$locked" = "$installed" ] || stale=1
  done
  if [ "$stale" = 1 ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  fi
}
install browser playwright-core
install deploy kubernetes-models @kubernetes/client-node yaml
