#!/usr/bin/env bash
# Installs everything loadgrid needs to build, test and benchmark, from Debian 12's
# packages only. Run as root (or with sudo). Safe to run again: it installs only what is
# missing, and does nothing (not even apt-get update) when nothing is.
#
# Tests start their own nginx (tests/support/nginx_server.*: nginx-light for HTTP/2 and
# TLS, openssl to make the certificates, ca-certificates for curl's default trust store)
# on ports they reserve, never on port 80. The fuzz stage (scripts/fuzz-smoke.sh) builds
# with clang: -fsanitize=fuzzer needs compiler-rt's libFuzzer, libclang-rt-14-dev.
# iproute2 (`ip`, missing from slim images) makes the network namespaces of the
# multi-host test (tests/integration/network_lab.hpp). libhttp-parser-dev: the native
# HTTP/1.1 transport's response parser (issue 9, agent/http1_response.*). prometheus:
# the tests validate the broker's /metrics with its `promtool check metrics` (issue 10;
# the policy-rc.d below keeps its service from starting). libjs-chart.js: the dashboard
# and report.html draw their charts with it (the broker serves and inlines its
# chart.min.js). chromium, nodejs and npm: the dashboard's browser test drives Debian's
# headless chromium with playwright-core (scripts/browser-deps.sh installs that from
# npm); nodejs and npm only when no node is installed (NodeSource's nodejs bundles npm
# and conflicts with Debian's). systemd: the tests run its `systemd-analyze verify` on
# deploy/systemd's units (it installs in a container too; nothing is started there
# without systemd as PID 1, and the policy-rc.d below denies service starts anyway).
# debhelper, dpkg-dev, lintian: scripts/package.sh builds and checks the Debian package
# (debian/), and the tests install, run and purge it. man-db and groff-base: the tests
# render the generated man pages with `man --warnings`, as lintian does (slim images lack
# them).
# kubernetes-client (kubectl 1.20, kustomize v2.0.3 inside): the tests render
# deploy/kubernetes/'s overlays with `kubectl kustomize`; only when no kubectl is
# installed, so a newer one (from the Kubernetes project's own repository, say) is kept:
# the manifests render with both (docs/adr/0023).
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libzmq3-dev cppzmq-dev libmsgpack-cxx-dev libcurl4-openssl-dev
  libboost-program-options-dev libboost-test-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev clang-format
  clang libclang-rt-14-dev
  python3
  nginx-light openssl ca-certificates
  iproute2
  libhttp-parser-dev
  prometheus
  libjs-chart.js
  chromium
  systemd
  debhelper dpkg-dev lintian man-db groff-base
)
command -v node > /dev/null 2>&1 || packages+=(nodejs)
command -v npm > /dev/null 2>&1 || packages+=(npm)
command -v kubectl > /dev/null 2>&1 || packages+=(kubernetes-client)
if [ "${1:-}" = "--bench" ]; then packages+=(wrk); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  # Debian's nginx postinst starts the system nginx on port 80 when it can. We want the
  # binary only: while apt runs, a policy-rc.d (the standard Debian hook, honoured by
  # invoke-rc.d and deb-systemd-invoke) denies service starts, so no nginx is left running
  # and a busy port 80 cannot fail the install. An existing policy-rc.d is left as it is;
  # ours carries a marker, so one left behind by an interrupted run is removed next time.
  policy=/usr/sbin/policy-rc.d
  marker="# written by loadgrid scripts/install-deps.sh"
  if [ ! -e "$policy" ] || grep -qxF "$marker" "$policy"; then
    printf '#!/bin/sh\n%s\nexit 101\n' "$marker" > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
