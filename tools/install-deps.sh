#!/bin/sh
# Install the Debian packages vstm32 needs, once.  As root it runs apt-get;
# otherwise it prints the exact command and fails, so nothing half-works.
missing=""
for pkg in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "vstm32: missing Debian packages:$missing" >&2
    echo "vstm32: run as root:  apt-get update && $cmd" >&2
    exit 1
fi
echo "vstm32: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || { echo "vstm32: apt-get update failed" >&2; exit 1; }
$cmd || { echo "vstm32: apt-get install failed" >&2; exit 1; }
