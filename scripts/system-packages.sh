#!/bin/sh
# Install the Debian/Ubuntu packages named as arguments when they are missing.
# Uses apt-get when it exists and we may use it (root, or sudo without a password);
# otherwise prints one line saying what to install and fails.
set -eu

missing=""
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    sudo="none"
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$sudo" = "none" ]; then
    echo "refarch: missing system packages:$missing. Install them (e.g. 'sudo apt-get install$missing') and run again." >&2
    exit 1
fi

echo "refarch: installing system packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086  # word splitting of the package list is intended
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null; }; then
    echo "refarch: could not install:$missing (apt-get's message is above). Install them by hand and run again." >&2
    exit 1
fi
