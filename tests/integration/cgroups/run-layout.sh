#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-layout.sh MODE TEST: run the cgroup root test where /sys/fs/cgroup
# looks like MODE, inside a private mount namespace so the host keeps its
# own view: v1 = the unified mount taken away, v2 = cgroup2 mounted over
# /sys/fs/cgroup. The test itself says skip when the layout cannot be had.
mode=$1
exe=$2
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
case $mode in
hybrid)
	exec "$exe" hybrid ;;
v1)
	exec unshare -m --propagation private sh -c \
		'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" v1' "$exe" ;;
v2)
	exec unshare -m --propagation private sh -c \
		'mount -t cgroup2 none /sys/fs/cgroup || { echo "1..0 # SKIP cannot mount cgroup2"; exit 0; }; exec "$0" v2' "$exe" ;;
*)
	echo "usage: $0 hybrid|v1|v2 TEST" >&2
	exit 2 ;;
esac
