#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Exec benchmark: `exec <id> /bin/true` into a running container, for
# ocichroot and, when installed, crun and runc, side by side in ONE
# hyperfine run (or --rounds K of them, see bench/lib.sh).  Each runtime
# first creates and starts its own container from the start-up bundle
# (busybox) running `sleep 1000`; the containers stay up during the
# measurement and are deleted at exit.  Run as root:
#
#   bench/exec.sh [--runs N] [--rounds K] [--export-json FILE]
#                  [extra hyperfine args]
#
#   OCICHROOT, RUNTIMES and the fairness rules: see bench/lib.sh (runc's
#   exec also joins the cgroup runc made for the container).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=300
# shellcheck source=bench/lib.sh disable=SC2034
. "$here/lib.sh"
bench_enter "$@"

b="$work/bundle"
bench_bundle "$b" '["/bin/sleep", "1000"]'

cmds=()
for rt in $RUNTIMES; do
	bench_runtime "$rt" || continue
	id="bench-$rt"
	rt_cmd="$bench_bin ${bench_extra[*]} --root $bench_root"
	# The container's init keeps the stdio it is given: /dev/null, so
	# that nothing waits on a pipe it holds open.
	if ! $rt_cmd create --bundle "$b" "$id" </dev/null >/dev/null 2>"$work/err" ||
	   ! $rt_cmd start "$id" </dev/null >/dev/null 2>>"$work/err"; then
		echo "$bench_name: $rt cannot start a container here, left out: $(cat "$work/err")" >&2
		continue
	fi
	cmd="$rt_cmd exec $id /bin/true"
	# shellcheck disable=SC2086 # the command is split into words on purpose
	bench_try "$rt" $cmd || continue
	cmds+=(-n "$rt" "$cmd")
done
[ ${#cmds[@]} -gt 0 ] || bench_die "no runtime to measure"

bench_hyperfine 20 "${cmds[@]}"
echo
bench_table
