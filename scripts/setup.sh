#!/usr/bin/env bash
# Installs whatever is missing for building, testing and the demo. Idempotent: a second
# run finds everything in place and takes a few seconds.
#   apt packages (when root): the C++ toolchain, Emscripten, nlohmann-json, doctest, and
#     with --test, what only the tests need: chromium (the browser test) and clang's
#     libFuzzer runtime (the fuzz targets)
#   npm packages: from package-lock.json, including Node 22 for wrangler and the tests
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(cmake g++ make emscripten nlohmann-json3-dev doctest-dev)
[ "${1:-}" = "--test" ] && APT_PACKAGES+=(chromium clang libclang-rt-14-dev)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing apt packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
fi

# npm ci cannot be used: the registry here lacks the other platforms' optional workerd
# binaries, which npm ci insists on finding in the lockfile. npm install with an intact
# lockfile installs exactly the locked versions. The stamp makes the second run a no-op.
stamp=node_modules/.edgefuse-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: installing npm packages from package-lock.json"
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
