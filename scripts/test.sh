#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the dependencies, build ocichroot and run every test (unit and
# integration; the integration tests need root and say "skip" without it).
# The last line printed is always "N passed, N failed, N skipped" (TAP
# subtests); the exit status is non-zero iff something failed.
#
#   BUILD_DIR   meson build directory (default: build)
#   CI=true     build with -Dwerror=true
#   extra arguments go to `meson test` (e.g. --suite integration)
set -uo pipefail

cd "$(dirname "$0")/.."
. scripts/deps.sh
BUILD_DIR=${BUILD_DIR:-build}
summary="0 passed, 1 failed, 0 skipped"

finish() {
	local rc=$?
	echo "$summary"
	exit "$rc"
}
trap finish EXIT

oc_install_deps "${OC_BUILD_DEPS[@]}" "${OC_TEST_DEPS[@]}" || {
	echo "FAILED: installing the dependencies" >&2
	exit 1
}

setup_args=()
[ "${CI:-}" = true ] && setup_args+=(-Dwerror=true)
if [ -d "$BUILD_DIR/meson-private" ]; then
	meson setup --reconfigure "${setup_args[@]}" "$BUILD_DIR" || { echo "FAILED: meson setup" >&2; exit 1; }
else
	meson setup "${setup_args[@]}" "$BUILD_DIR" || { echo "FAILED: meson setup" >&2; exit 1; }
fi
meson compile -C "$BUILD_DIR" || { echo "FAILED: build" >&2; exit 1; }

rm -f "$BUILD_DIR/meson-logs/testlog.json"
meson test -C "$BUILD_DIR" --print-errorlogs "$@"
mrc=$?

if [ -s "$BUILD_DIR/meson-logs/testlog.json" ]; then
	summary=$(scripts/tap-summary.sh "$BUILD_DIR/meson-logs/testlog.json") || summary="0 passed, 1 failed, 0 skipped"
fi
failed=${summary#*passed, }
failed=${failed%% failed*}
if [ "$failed" != 0 ]; then
	exit 1
fi
# meson failing with no failed subtest (e.g. no test ran) is still a failure
if [ "$mrc" -ne 0 ]; then
	summary="${summary/ 0 failed/ 1 failed}"
	exit 1
fi
exit 0
