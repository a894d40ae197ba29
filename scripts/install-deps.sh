#!/usr/bin/env bash
# Installs what ebb needs to build and test: Debian 12 packages (apt-get) and the npm
# packages of tests/js. Idempotent: apt is skipped when every package is already
# installed, npm when tests/js/node_modules matches package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(g++ cmake ninja-build pkg-config libboost1.81-dev libssl-dev nlohmann-json3-dev
      libsimdjson-dev libyaml-cpp-dev libsqlite3-dev sqlite3 libhowardhinnant-date-dev
      libcli11-dev libspdlog-dev libgtest-dev libgmock-dev libcurl4-openssl-dev
      python3-boto3 python3-pil awscli curl nodejs npm ca-certificates tzdata
      strace clang-14 libclang-rt-14-dev
      zlib1g-dev prometheus chromium)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

missing=()
for p in "${PKGS[@]}"; do
  case "$p" in
    # A Node.js from another Debian source (e.g. a nodejs package that bundles npm)
    # satisfies these; Debian's npm package would conflict with it.
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: Debian packages already installed"
fi

# npm packages for the JSON-protocol conformance run (exact versions from package-lock.json)
if [ -f tests/js/package-lock.json ]; then
  lock=tests/js/package-lock.json
  stamp=tests/js/node_modules/.package-lock.json
  if [ -d tests/js/node_modules/@aws-sdk/client-sqs ] && [ -f "$stamp" ] && [ "$stamp" -nt "$lock" ]; then
    echo "install-deps: tests/js/node_modules up to date"
  else
    echo "install-deps: npm install in tests/js"
    (cd tests/js && npm install --no-audit --no-fund)
  fi
fi

# The dashboard's browser tests: playwright-core (drives Debian's chromium) and uplot,
# whose built files are vendored under web/ui/vendor (checked by ctest ui_vendor_matches_lock).
if [ -f web/package-lock.json ]; then
  stamp=web/node_modules/.package-lock.json
  if [ -d web/node_modules/playwright-core ] && [ -f "$stamp" ] && [ "$stamp" -nt web/package-lock.json ]; then
    echo "install-deps: web/node_modules up to date"
  else
    echo "install-deps: npm ci in web"
    (cd web && npm ci --no-audit --no-fund)
  fi
fi
