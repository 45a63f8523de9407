#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# podman (through conmon) driving the runtime with `--runtime`.

load helpers

setup_file() {
	clients_setup_file
}

teardown_file() {
	clients_teardown_file
}

setup() {
	pod_setup
	snapshot_host
}

teardown() {
	pod_teardown
}

# cgroup_file NAME — the path of a cgroup file inside the container, v2
# name first (the container sees a v2 tree on a unified host, per-controller
# v1 dirs on a hybrid or legacy one).
CG_MEM='for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do [ -e $f ] && cat $f && exit; done; exit 9'
CG_PIDS='for f in /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max; do [ -e $f ] && cat $f && exit; done; exit 9'

@test "podman run --rm: output and exit status" {
	run_pod run --rm "$IMG" echo hello from ocichroot
	[ "$status" -eq 0 ]
	[ "$output" = "hello from ocichroot" ]

	run_pod run --rm "$IMG" sh -c 'echo out; echo err >&2; exit 42'
	[ "$status" -eq 42 ]
	[[ "$output" == *out* ]]
	[[ "$output" == *err* ]]
	grep -q '^create ' "$CLI_ARGV_LOG"
	grep -q '^start ' "$CLI_ARGV_LOG"
	check_no_leftovers
}

@test "podman run -i: stdin piped" {
	run bash -c 'printf "line1\nline2\n" | "$0" --runtime "$1" run --rm -i "$2" sh -c "wc -l; cat /proc/self/cmdline >/dev/null"' podman "$WRAP" "$IMG"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]

	run bash -c 'echo payload | "$0" --runtime "$1" run --rm -i "$2" cat' podman "$WRAP" "$IMG"
	[ "$status" -eq 0 ]
	[ "$output" = payload ]
}

@test "podman run -t: a terminal through conmon's console socket" {
	requires_cmd script
	run in_tty podman --runtime "$WRAP" run --rm -t "$IMG" sh -c 'tty; stty size >/dev/null && echo sized; exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
	[[ "${lines[0]}" == /dev/pts/* ]]
	[[ "$output" == *sized* ]]
	grep -q -- '--console-socket' "$CLI_ARGV_LOG"
	check_no_leftovers
}

@test "podman run -d, ps, logs, inspect" {
	run_pod run -d --name bg "$IMG" sh -c 'echo started; exec sleep 1000'
	[ "$status" -eq 0 ]
	run_pod ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"bg Up"* ]]
	run_pod logs bg
	[ "$output" = started ]
	run_pod inspect -f '{{.State.Status}} {{.State.Pid}}' bg
	[[ "$output" == "running "[1-9]* ]]
	pid=${output#running }
	[ -d "/proc/$pid" ]
	# The runtime's own view agrees with podman's.
	id=$(pod inspect -f '{{.Id}}' bg)
	run "$OCICHROOT" state "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" = "$pid" ]
	run_pod rm -f -t 0 bg
	[ "$status" -eq 0 ]
	check_no_leftovers
}

@test "podman exec and exec -t" {
	requires_cmd script
	run_pod run -d --name ex "$IMG" sleep 1000
	[ "$status" -eq 0 ]
	run_pod exec ex sh -c 'echo in-exec $$; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == in-exec* ]]
	[[ "${lines[1]}" == "sleep 1000"* ]]
	run_pod exec ex sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run_pod exec -e FOO=bar -w /tmp -u nobody ex sh -c 'echo $FOO $(pwd) $(id -u)'
	[ "$output" = "bar /tmp 65534" ]
	run bash -c 'echo via-stdin | "$0" --runtime "$1" exec -i ex cat' podman "$WRAP"
	[ "$output" = via-stdin ]
	run in_tty podman --runtime "$WRAP" exec -t ex sh -c 'tty; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "${lines[0]}" == /dev/pts/* ]]
	grep -q '^exec .*--tty.*--console-socket' "$CLI_ARGV_LOG"
	# A missing command in exec is podman's 127 as well.
	run_pod exec ex no-such-command
	[ "$status" -eq 127 ]
	run_pod rm -f -t 0 ex
	check_no_leftovers
}

@test "podman top" {
	run_pod run -d --name tp "$IMG" sh -c 'sleep 1000 & exec sleep 999'
	[ "$status" -eq 0 ]
	sleep 0.3
	run_pod top tp
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 999"* ]]
	[[ "$output" == *"sleep 1000"* ]]
	run_pod top tp pid comm
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *1*sleep* ]]
}

@test "podman stop: TERM, then KILL after the timeout" {
	run_pod run -d --name st "$IMG" sh -c 'trap "" TERM; sleep 1000 & wait; sleep 1000'
	[ "$status" -eq 0 ]
	start=$(date +%s)
	run_pod stop -t 2 st
	[ "$status" -eq 0 ]
	end=$(date +%s)
	[ $((end - start)) -ge 2 ]
	[ $((end - start)) -lt 15 ]
	run_pod inspect -f '{{.State.Status}} {{.State.ExitCode}}' st
	[ "$output" = "exited 137" ]
	grep -Eq '^kill .* (15|TERM|SIGTERM)$' "$CLI_ARGV_LOG"
	grep -Eq '^kill .* (9|KILL|SIGKILL)$' "$CLI_ARGV_LOG"

	# A container that obeys TERM stops at once with its own status.
	run_pod run -d --name st2 "$IMG" sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
	sleep 0.3
	start=$(date +%s)
	run_pod stop -t 10 st2
	[ "$status" -eq 0 ]
	[ $(($(date +%s) - start)) -lt 5 ]
	run_pod inspect -f '{{.State.Status}} {{.State.ExitCode}}' st2
	[ "$output" = "exited 3" ]
	run_pod rm st st2
	[ "$status" -eq 0 ]
	check_no_leftovers
}

@test "podman kill -s" {
	run_pod run -d --name kl "$IMG" sh -c 'trap "echo got-usr1" USR1; trap "exit 9" HUP; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	sleep 0.3
	run_pod kill -s USR1 kl
	[ "$status" -eq 0 ]
	sleep 0.5
	run_pod logs kl
	[[ "$output" == *got-usr1* ]]
	run_pod kill -s HUP kl
	[ "$status" -eq 0 ]
	run_pod wait kl
	[ "$output" = 9 ]
	run_pod run -d --name kl2 "$IMG" sleep 1000
	run_pod kill kl2
	run_pod wait kl2
	[ "$output" = 137 ]
	run_pod rm kl kl2
	check_no_leftovers
}

@test "podman pause and unpause" {
	run_pod run -d --name pz "$IMG" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
	[ "$status" -eq 0 ]
	sleep 0.3
	run_pod pause pz
	[ "$status" -eq 0 ]
	run_pod inspect -f '{{.State.Status}}' pz
	[ "$output" = paused ]
	id=$(pod inspect -f '{{.Id}}' pz)
	[ "$("$OCICHROOT" state "$id" | jq -r .status)" = paused ]
	pid=$(pod inspect -f '{{.State.Pid}}' pz)
	a=$(cat "/proc/$pid/root/tmp/count")
	sleep 0.4
	b=$(cat "/proc/$pid/root/tmp/count")
	[ "$a" = "$b" ]
	run_pod unpause pz
	[ "$status" -eq 0 ]
	run_pod inspect -f '{{.State.Status}}' pz
	[ "$output" = running ]
	sleep 0.4
	c=$(cat "/proc/$pid/root/tmp/count")
	[ "$c" -gt "$b" ]
	run_pod rm -f -t 0 pz
	check_no_leftovers
}

@test "podman restart" {
	run_pod run -d --name rs "$IMG" sh -c 'echo boot; trap "exit 0" TERM; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	pid1=$(pod inspect -f '{{.State.Pid}}' rs)
	sleep 0.3
	run_pod restart -t 5 rs
	[ "$status" -eq 0 ]
	run_pod inspect -f '{{.State.Status}} {{.State.Pid}}' rs
	[[ "$output" == "running "* ]]
	[ "${output#running }" != "$pid1" ]
	sleep 0.3
	run_pod logs rs
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = boot ]
	run_pod rm -f -t 0 rs
	check_no_leftovers
}

@test "podman rm -f of a running container" {
	run_pod run -d --name rmf "$IMG" sh -c 'trap "" TERM; sleep 1000'
	[ "$status" -eq 0 ]
	pid=$(pod inspect -f '{{.State.Pid}}' rmf)
	run_pod rm -f -t 1 rmf
	[ "$status" -eq 0 ]
	! [ -d "/proc/$pid" ]
	check_no_leftovers
}

@test "podman rm -f and kill of a paused container" {
	run_pod run -d --name pzr "$IMG" sleep 1000
	[ "$status" -eq 0 ]
	run_pod pause pzr
	[ "$status" -eq 0 ]
	run_pod rm -f -t 1 pzr
	[ "$status" -eq 0 ]
	run_pod run -d --name pzk "$IMG" sleep 1000
	run_pod pause pzk
	run_pod kill pzk
	[ "$status" -eq 0 ]
	run_pod wait pzk
	[ "$output" = 137 ]
	run_pod rm pzk
	[ "$status" -eq 0 ]
	check_no_leftovers
}

@test "podman run --user, -w, -e, --hostname" {
	run_pod run --rm --user nobody "$IMG" id
	[ "$output" = "uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)" ]
	run_pod run --rm --user 1234:5678 "$IMG" sh -c 'echo $(id -u):$(id -g)'
	[ "$output" = 1234:5678 ]
	run_pod run --rm --user 1234:5678 --group-add 4242 "$IMG" id -G
	[[ " $output " == *" 4242 "* ]]
	run_pod run --rm -w /etc "$IMG" pwd
	[ "$output" = /etc ]
	run_pod run --rm -e FOO=bar -e 'SPACED=a b' "$IMG" sh -c 'echo "$FOO|$SPACED"'
	[ "$output" = "bar|a b" ]
	run_pod run --rm --hostname box42 "$IMG" hostname
	[ "$output" = box42 ]
	check_no_leftovers
}

@test "podman run --read-only" {
	run_pod run --rm --read-only "$IMG" sh -c 'touch /x'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	# podman's read-only-tmpfs: /tmp and /run stay writable.
	run_pod run --rm --read-only "$IMG" sh -c 'touch /tmp/x /run/x && echo ok'
	[ "$output" = ok ]
	check_no_leftovers
}

@test "podman run --cap-drop, --cap-add" {
	run_pod run --rm --cap-drop all "$IMG" sh -c 'grep -E "^Cap(Eff|Bnd|Prm)" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *0000000000000000 ]]
	[[ "${lines[1]}" == *0000000000000000 ]]
	[[ "${lines[2]}" == *0000000000000000 ]]
	# CAP_CHOWN is bit 0, CAP_NET_ADMIN bit 12.
	run_pod run --rm --cap-drop all --cap-add CHOWN --cap-add NET_ADMIN "$IMG" sh -c 'grep ^CapEff /proc/self/status'
	[[ "$output" == *0000000000001001 ]]
	run_pod run --rm --cap-drop CHOWN "$IMG" sh -c 'touch /tmp/f; chown nobody /tmp/f'
	[ "$status" -ne 0 ]
	run_pod run --rm "$IMG" sh -c 'touch /tmp/f; chown nobody /tmp/f && echo chowned'
	[ "$output" = chowned ]
	check_no_leftovers
}

@test "podman run --security-opt no-new-privileges" {
	run_pod run --rm --security-opt no-new-privileges "$IMG" grep NoNewPrivs /proc/self/status
	[[ "$output" == *"NoNewPrivs:"*1 ]]
	run_pod run --rm "$IMG" grep NoNewPrivs /proc/self/status
	[[ "$output" == *"NoNewPrivs:"*0 ]]
}

@test "podman run --pids-limit" {
	run_pod run --rm --pids-limit 42 "$IMG" sh -c "$CG_PIDS"
	[ "$status" -eq 0 ]
	[ "$output" = 42 ]
	# The limit bites: 60 sleepers cannot all start.
	run_pod run --rm --pids-limit 20 "$IMG" sh -c 'n=0; for i in $(seq 60); do sleep 5 & n=$((n+1)); done 2>/dev/null; echo ran'
	[ "$status" -ne 0 ] || [[ "$output" == *"Resource temporarily unavailable"* ]] || [[ "$output" == *"can't fork"* ]]
	check_no_leftovers
}

@test "podman run --memory: the limit is in the container's cgroup" {
	run_pod run --rm --memory 64m "$IMG" sh -c "$CG_MEM"
	[ "$status" -eq 0 ]
	[ "$output" = 67108864 ]
	id=$(pod run -d --memory 32m "$IMG" sleep 100)
	pid=$(pod inspect -f '{{.State.Pid}}' "$id")
	# From the host: the cgroup the init process is in carries the limit.
	mem=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
	if [ -n "$mem" ]; then
		[ "$(cat "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes")" = 33554432 ]
	else
		u=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
		[ "$(cat "/sys/fs/cgroup$u/memory.max")" = 33554432 ]
	fi
	run_pod rm -f -t 0 "$id"
	check_no_leftovers
}

@test "podman run --ulimit" {
	# podman replaces the containers.conf defaults by --ulimit and then
	# adds its own 1048576 for what is not given: give both.
	run_pod run --rm --ulimit nofile=100:200 --ulimit nproc=300:400 "$IMG" sh -c 'echo $(ulimit -n) $(ulimit -Hn) $(ulimit -u) $(ulimit -Hu)'
	[ "$output" = "100 200 300 400" ]
}

@test "podman run -v rw and ro" {
	mkdir -p "$CLI_TMP/vol"
	echo host-data >"$CLI_TMP/vol/in"
	run_pod run --rm -v "$CLI_TMP/vol:/data" "$IMG" sh -c 'cat /data/in; echo from-container >/data/out'
	[ "$status" -eq 0 ]
	[ "$output" = host-data ]
	[ "$(cat "$CLI_TMP/vol/out")" = from-container ]
	run_pod run --rm -v "$CLI_TMP/vol:/data:ro" "$IMG" sh -c 'cat /data/in; echo x >/data/out2'
	[ "$status" -ne 0 ]
	[[ "$output" == *host-data* ]]
	[[ "$output" == *"Read-only file system"* ]]
	! [ -e "$CLI_TMP/vol/out2" ]
	# A named volume.
	run_pod run --rm -v namedvol:/nv "$IMG" sh -c 'echo persisted >/nv/f'
	[ "$status" -eq 0 ]
	run_pod run --rm -v namedvol:/nv:ro "$IMG" cat /nv/f
	[ "$output" = persisted ]
	pod volume rm -f namedvol
	check_no_leftovers
}

@test "podman run --tmpfs" {
	run_pod run --rm --tmpfs /scratch:rw,size=1m,mode=1777 "$IMG" sh -c 'grep " /scratch " /proc/mounts; echo x >/scratch/f && echo wrote'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "tmpfs /scratch tmpfs "* ]]
	[[ "${lines[0]}" == *size=1024k* ]]
	[ "${lines[1]}" = wrote ]
	check_no_leftovers
}

@test "podman run --init" {
	requires_cmd catatonit
	run_pod run --rm --init "$IMG" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $$'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *init* ]] || [[ "${lines[0]}" == *catatonit* ]]
	[ "${lines[1]}" != 1 ]
	# The init forwards TERM and reaps: stop is quick and clean.
	run_pod run -d --init --name in "$IMG" sleep 1000
	start=$(date +%s)
	run_pod stop -t 10 in
	[ "$status" -eq 0 ]
	[ $(($(date +%s) - start)) -lt 5 ]
	run_pod rm in
	check_no_leftovers
}

@test "podman run --sysctl (net and ipc namespaced)" {
	run_pod run --rm --sysctl net.ipv4.ping_group_range="0 1" "$IMG" cat /proc/sys/net/ipv4/ping_group_range
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^0[[:space:]]+1$ ]]
	run_pod run --rm --sysctl kernel.msgmax=9000 "$IMG" cat /proc/sys/kernel/msgmax
	[ "$status" -eq 0 ]
	[ "$output" = 9000 ]
	# /proc/sys itself stays read-only for the process.
	run_pod run --rm --sysctl kernel.msgmax=9000 "$IMG" sh -c 'echo 9001 >/proc/sys/kernel/msgmax'
	[ "$status" -ne 0 ]
	check_no_leftovers
}

@test "podman run --network none" {
	run_pod run --rm --network none "$IMG" sh -c 'ls /sys/class/net'
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
	run_pod run --rm --network none "$IMG" sh -c 'readlink /proc/self/ns/net'
	[ "$output" != "$(readlink /proc/self/ns/net)" ]
	check_no_leftovers
}

@test "podman: missing command is 127, non-executable is 126" {
	run_pod run --rm "$IMG" /no/such/command
	[ "$status" -eq 127 ]
	run_pod run --rm "$IMG" no-such-command
	[ "$status" -eq 127 ]
	run_pod run --rm "$IMG" /etc/passwd
	[ "$status" -eq 126 ]
	check_no_leftovers
}

@test "podman: 20 runs in a row leave nothing behind" {
	for i in $(seq 20); do
		run pod run --rm "$IMG" echo "run $i"
		[ "$status" -eq 0 ] || { echo "run $i: $output"; false; }
		[ "$output" = "run $i" ]
	done
	[ "$(grep -c '^create ' "$CLI_ARGV_LOG")" -eq 20 ]
	check_no_leftovers
}

@test "podman: 5 runs at once leave nothing behind" {
	for i in 1 2 3 4 5; do
		pod run --rm "$IMG" sh -c "sleep 0.5; echo par $i" >"$CLI_TMP/par.$i" 2>&1 </dev/null &
	done
	wait
	for i in 1 2 3 4 5; do
		cat "$CLI_TMP/par.$i"
		[ "$(cat "$CLI_TMP/par.$i")" = "par $i" ]
	done
	check_no_leftovers
}
