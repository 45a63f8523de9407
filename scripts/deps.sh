#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by demo.sh, test.sh and .ci/run: the Debian 12 packages that
# build and test ocichroot, and a function that installs the missing ones.

OC_BUILD_DEPS=(
	meson ninja-build pkg-config gcc libc6-dev git
	libyajl-dev libcap-dev libmount-dev libseccomp-dev libselinux1-dev libapparmor-dev
)
# busybox-static: the test/demo rootfs; bats + jq: the integration tests;
# util-linux: unshare(1); hyperfine: bench/start.sh; runc/crun: the bench's
# reference runtimes (optional there); podman, buildah, conmon, containerd,
# catatonit: the client tests (tests/clients); go-md2man: the man pages.
OC_TEST_DEPS=(busybox-static bats jq util-linux procps hyperfine runc crun
	podman buildah conmon containerd catatonit go-md2man)

# oc_install_deps PACKAGE... — apt-get install what dpkg does not have yet.
oc_install_deps() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
