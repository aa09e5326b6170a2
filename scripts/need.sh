#!/bin/sh
# need.sh PACKAGE:PROBE...: installs, with apt-get, each Debian package whose
# probe fails, all in one apt-get call; nothing when every probe passes.
# PROBE is a command name, or an absolute path to a file the package puts
# there (a header, a static library). Runs apt-get through sudo unless root.
# Every make target that needs a package goes through here.
set -eu
missing=""
for pair in "$@"; do
    package=${pair%%:*}
    probe=${pair#*:}
    case $probe in
        /*) [ -e "$probe" ] && continue ;;
        *) command -v "$probe" >/dev/null 2>&1 && continue ;;
    esac
    missing="$missing $package"
done
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
echo "installing$missing"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086 # one word per package
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
