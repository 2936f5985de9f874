#!/usr/bin/env bash
# Installs the Debian packages Candystore builds and tests with, skipping those already present.
set -euo pipefail

packages=(
    liblz4-dev        # frame compression
    libxxhash-dev     # frame and file checksums
    librabbitmq-dev   # the AMQP client
    libmicrohttpd-dev # the HTTP server
    rabbitmq-server   # the broker for `make run` and the integration tests
    prometheus        # promtool, which checks the /metrics output in the tests
    pkg-config
    curl
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: no Swift toolchain on PATH; Candystore needs Swift 6 (swift.org ships Debian builds)" >&2
    exit 1
fi
