#!/usr/bin/env bash
# Install everything the build, the tests, the benchmarks and the demo need on
# a fresh Debian 12 machine, then the pinned npm readers/clients. Idempotent:
# a second run only re-checks. Runs as root, or through sudo when available.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libsqlite3-dev sqlite3
  libcmocka-dev
  libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev libbrotli-dev
  libjansson-dev libfyaml-dev libyaml-dev libmicrohttpd-dev libssl-dev
  unixodbc unixodbc-dev tdsodbc freetds-bin freetds-dev
  python3 python3-pymssql
  procps time ca-certificates
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: not root and no sudo; install these packages by hand: ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm: keep an existing node (it may come from elsewhere with its
# own npm); otherwise take Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The FreeTDS ODBC driver must be registered with unixODBC under "FreeTDS".
if ! odbcinst -q -d 2>/dev/null | grep -qx '\[FreeTDS\]'; then
  drv=$(dpkg -L tdsodbc | grep -m1 '/libtdsodbc.so$')
  printf '[FreeTDS]\nDescription=FreeTDS ODBC driver\nDriver=%s\n' "$drv" > /tmp/sluice-odbcinst.ini
  $SUDO odbcinst -i -d -f /tmp/sluice-odbcinst.ini >/dev/null
fi

# Independent readers and clients, pinned to exact versions in package.json
# and package-lock.json. `npm install`, not `npm ci`: npm 11 leaves the other
# platforms' optional DuckDB bindings out of the lock file and `npm ci` then
# refuses the lock as out of sync; install still honours every locked version.
if [ ! -d tests/readers/node_modules ] || [ tests/readers/package-lock.json -nt tests/readers/node_modules/.package-lock.json ]; then
  (cd tests/readers && npm install --no-audit --no-fund --loglevel=error)
fi
echo "setup: ok"
