#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the build dependencies, build ocichroot and run one container: a
# busybox root filesystem with a config.json from `ocichroot spec`.  Run as
# root on Debian 12.  BUILD_DIR (default build) is where meson builds.
set -euo pipefail

cd "$(dirname "$0")/.."
. scripts/deps.sh
oc_install_deps "${OC_BUILD_DEPS[@]}" busybox-static jq

BUILD_DIR=${BUILD_DIR:-build}
if [ -d "$BUILD_DIR/meson-private" ]; then
	meson setup --reconfigure "$BUILD_DIR" >/dev/null
else
	meson setup "$BUILD_DIR" >/dev/null
fi
ninja -C "$BUILD_DIR" src/ocichroot >/dev/null
OCICHROOT=$(pwd)/$BUILD_DIR/src/ocichroot

demo=$(mktemp -d /tmp/ocichroot-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
mkdir -p "$demo/bundle/rootfs/bin" "$demo/bundle/rootfs"/{proc,sys,dev,tmp,etc}
cp /bin/busybox "$demo/bundle/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$demo/bundle/rootfs/bin/$a"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$demo/bundle/rootfs/etc/passwd"
echo 'root:x:0:' >"$demo/bundle/rootfs/etc/group"

cd "$demo/bundle"
"$OCICHROOT" spec
jq '.process.terminal = false
    | .hostname = "demo"
    | .process.args = ["sh", "-c", "echo \"Hello from ocichroot: $(hostname), pid $$, $(id)\"; ls /"]' \
	config.json >config.json.new
mv config.json.new config.json

set -x
"$OCICHROOT" --root "$demo/state" run demo
