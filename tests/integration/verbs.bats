#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The verbs that act on a running container: exec (every flag), ps, pause,
# resume, update, events, features, and the refusal of checkpoint.  The
# reference is runc 1.1; where ocichroot deliberately differs, the test says
# so behind `is_ocichroot`.

load helpers

# ---- helpers of this file ---------------------------------------------------

# run_ctr ID — run -d and wait for "running".
run_ctr() {
	run_oc run -d --bundle "$BUNDLE" "$1"
	assert_success
	wait_for_status "$1" running
}

# The pids cgroup directory of PID (v1 here; cgroup2 when pids is not v1).
pids_cg_dir() {
	local p m
	p=$(awk -F: '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == "pids") print $3 }' "/proc/$1/cgroup")
	if [ -n "$p" ]; then
		m=$(awk '{ split($0, x, " - "); split(x[2], f, " "); if (f[1] == "cgroup" && f[3] ~ /(^|,)pids(,|$)/) { print $5; exit } }' /proc/self/mountinfo)
	else
		p=$(sed -n 's/^0::\(.*\)$/\1/p' "/proc/$1/cgroup")
		m=$(awk '{ split($0, x, " - "); split(x[2], f, " "); if (f[1] == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
	fi
	echo "$m${p%/}"
}

# cpu_ticks PID — utime + stime of PID.
cpu_ticks() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# has_cap HEX BIT — the capability mask HEX has BIT.
has_cap() {
	(((0x$1 >> $2) & 1))
}

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# ---- exec: flags ----------------------------------------------------------------

@test "exec -e adds to the environment" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec -e FOO=bar -e BAZ=qux "$id" sh -c 'echo "$FOO $BAZ $TERM"'
	assert_success
	assert_eq "$output" "bar qux xterm"
}

@test "exec --cwd sets the working directory" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec --cwd /tmp "$id" pwd
	assert_success
	assert_eq "$output" /tmp
}

@test "exec -u uid:gid and -g set the ids" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec -u 1000:1000 "$id" sh -c 'id -u; id -g'
	assert_success
	assert_eq "${lines[0]}" 1000
	assert_eq "${lines[1]}" 1000
	run_oc exec -u 1000:1000 -g 1001 -g 5 "$id" id -G
	assert_success
	[[ " $output " == *" 1001 "* ]] && [[ " $output " == *" 5 "* ]] || {
		echo "supplementary groups: $output" >&2
		return 1
	}
}

@test "exec -c/--cap adds a capability to the sets" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec "$id" sh -c 'grep -E "^Cap(Eff|Bnd):" /proc/self/status'
	assert_success
	! has_cap "$(awk '/^CapEff/ {print $2}' <<<"$output")" 21
	# (runc's flag parser refuses -c and --cap in one command line)
	run_oc exec --cap CAP_SYS_ADMIN --cap CAP_NET_RAW "$id" sh -c 'grep -E "^Cap(Eff|Bnd|Inh):" /proc/self/status'
	assert_success
	has_cap "$(awk '/^CapEff/ {print $2}' <<<"$output")" 21
	has_cap "$(awk '/^CapBnd/ {print $2}' <<<"$output")" 21
	has_cap "$(awk '/^CapEff/ {print $2}' <<<"$output")" 13
	# CVE-2022-29162: never inheritable
	! has_cap "$(awk '/^CapInh/ {print $2}' <<<"$output")" 21
	run_oc exec -c CAP_SYS_ADMIN "$id" sh -c 'grep -E "^CapEff:" /proc/self/status'
	assert_success
	has_cap "$(awk '/^CapEff/ {print $2}' <<<"$output")" 21
}

@test "exec --cap with an unknown capability names it (ocichroot refuses, runc warns)" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec --cap CAP_NOPE "$id" true
	# runc 1.1: "ignoring unknown or unavailable capabilities: [CAP_NOPE]"
	is_ocichroot && assert_failure
	assert_output_contains "CAP_NOPE"
}

@test "exec --no-new-privs sets NoNewPrivs" {
	local id
	id=$(ctr_id)
	update_config '.process.noNewPrivileges = false'
	run_ctr "$id"
	run_oc exec "$id" sh -c 'grep ^NoNewPrivs: /proc/self/status'
	assert_success
	assert_eq "$(awk '{print $2}' <<<"$output")" 0
	run_oc exec --no-new-privs "$id" sh -c 'grep ^NoNewPrivs: /proc/self/status'
	assert_success
	assert_eq "$(awk '{print $2}' <<<"$output")" 1
}

@test "exec --process FILE runs the process of the file" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	cat >"$TESTDIR/process.json" <<-'EOF'
		{
			"terminal": false,
			"user": { "uid": 1000, "gid": 1000 },
			"args": [ "sh", "-c", "echo $X $(pwd) $(id -u)" ],
			"env": [ "PATH=/bin", "X=from-process" ],
			"cwd": "/tmp"
		}
	EOF
	run_oc exec --process "$TESTDIR/process.json" "$id"
	assert_success
	assert_eq "$output" "from-process /tmp 1000"
}

@test "exec --process with a missing file is a clear error" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec --process "$TESTDIR/nope.json" "$id"
	assert_failure
	assert_output_contains "nope.json"
}

@test "exec -d -t --console-socket sends the pty master" {
	local id rt rpid
	id=$(ctr_id)
	run_ctr "$id"
	rt=$(recvtty_bin)
	"$rt" "$TESTDIR/tty.sock" "$TESTDIR/tty.out" 3>&- &
	rpid=$!
	BG_PIDS+=("$rpid")
	wait_for_file "$TESTDIR/tty.sock"
	# runc takes --console-socket only with -d
	run_oc exec -d -t --console-socket "$TESTDIR/tty.sock" "$id" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty'
	assert_success
	wait "$rpid" || true
	cat "$TESTDIR/tty.out"
	grep -q '^/dev/pts/[0-9]' "$TESTDIR/tty.out"
	grep -q 'is-a-tty' "$TESTDIR/tty.out"
}

@test "exec --console-socket without -t is refused" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec --console-socket "$TESTDIR/tty.sock" "$id" true
	assert_failure
	assert_output_contains "console socket"
}

@test "exec -d --pid-file: detached, the pid file names the process in the container" {
	local id pid p
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	run_oc exec -d --pid-file "$TESTDIR/exec.pid" "$id" sleep 1000
	assert_success
	p=$(cat "$TESTDIR/exec.pid")
	pid_alive "$p"
	assert_eq "$(tr '\0' ' ' <"/proc/$p/cmdline")" "sleep 1000 "
	assert_eq "$(readlink "/proc/$p/ns/pid")" "$(readlink "/proc/$pid/ns/pid")" "pid namespace"
	assert_eq "$(readlink "/proc/$p/ns/mnt")" "$(readlink "/proc/$pid/ns/mnt")" "mount namespace"
	grep -qx "$p" "$(pids_cg_dir "$pid")/cgroup.procs"
}

@test "exec --preserve-fds passes fd 3 on" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	echo through-fd-3 >"$TESTDIR/in"
	status=0
	"$OCICHROOT" --root "$ROOT" exec --preserve-fds 1 "$id" sh -c 'cat <&3' \
		3<"$TESTDIR/in" >"$TESTDIR/out" 2>&1 </dev/null || status=$?
	cat "$TESTDIR/out"
	assert_eq "$status" 0
	assert_eq "$(cat "$TESTDIR/out")" through-fd-3
	# without it, fd 3 is not there
	status=0
	"$OCICHROOT" --root "$ROOT" exec "$id" sh -c 'cat <&3' \
		3<"$TESTDIR/in" >"$TESTDIR/out" 2>&1 </dev/null || status=$?
	[ "$status" -ne 0 ]
}

@test "exec --cgroup CTRL:SUB runs the process in a sub-cgroup" {
	local id pid d
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	d=$(pids_cg_dir "$pid")
	[[ "$d" == */unified/* ]] && skip "pids is not a v1 controller here"
	mkdir "$d/sub"
	run_oc exec --cgroup pids:sub "$id" cat /proc/self/cgroup
	rmdir "$d/sub" || true
	assert_success
	grep -q ':pids:.*/sub$' <<<"$output"
	run_oc exec --cgroup pids:../escape "$id" true
	assert_failure
}

@test "exec into a paused container is refused; --ignore-paused runs it once resumed" {
	local id ep
	id=$(ctr_id)
	run_ctr "$id"
	run_oc pause "$id"
	assert_success
	run_oc exec "$id" true
	assert_failure
	assert_output_contains "paused"
	# joins the frozen cgroup: runs when the container is resumed
	"$OCICHROOT" --root "$ROOT" exec --ignore-paused "$id" sh -c 'echo ran' \
		>"$TESTDIR/ep.out" 2>&1 </dev/null 3>&- &
	ep=$!
	BG_PIDS+=("$ep")
	sleep 0.5
	run_oc resume "$id"
	assert_success
	local st=0
	wait "$ep" || st=$?
	cat "$TESTDIR/ep.out"
	assert_eq "$st" 0 "exec --ignore-paused status"
	assert_eq "$(cat "$TESTDIR/ep.out")" ran
}

@test "exec into a stopped container is refused" {
	local id
	id=$(ctr_id)
	set_args true
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	wait_for_status "$id" stopped
	run_oc exec "$id" true
	assert_failure
	assert_output_contains "stopped"
}

@test "exec into a container whose init is an unreaped zombie is refused" {
	requires_cmd perl
	[ "$(uname -m)" = x86_64 ] || skip "prctl syscall number is for x86_64"
	local id pid tries=500
	id=$(ctr_id)
	set_args sh -c 'sleep 0.5'
	# a subreaper parent that never reaps: init stays a zombie
	perl -e 'syscall(157, 36, 1, 0, 0, 0) == 0 or die "prctl: $!"; system(@ARGV); sleep 1000' \
		"$OCICHROOT" --root "$ROOT" run -d --bundle "$BUNDLE" "$id" \
		>"$TESTDIR/run.out" 2>&1 </dev/null 3>&- &
	BG_PIDS+=("$!")
	wait_for_status "$id" running
	pid=$(state_field "$id" .pid)
	while [ "$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)" != Z ] && [ $tries -gt 0 ]; do
		sleep 0.01
		tries=$((tries - 1))
	done
	assert_eq "$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)" Z "init is a zombie"
	run_oc exec "$id" true
	assert_failure
	assert_output_contains "stopped"
	assert_eq "$(state_field "$id" .status)" stopped
}

# ---- exec: status, errors, leaks ----------------------------------------------------

@test "exec propagates the exit status" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec "$id" sh -c 'exit 7'
	assert_eq "$status" 7
	run_oc exec "$id" sh -c 'kill -TERM $$'
	assert_eq "$status" 143 "killed by SIGTERM: 128 + 15"
}

@test "exec of a missing command names it" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec "$id" no-such-command
	assert_failure
	assert_output_contains "no-such-command" "executable file not found"
	# the container is unharmed
	assert_eq "$(state_field "$id" .status)" running
}

@test "exec into an unknown container is a clear error" {
	run_oc exec no-such-ctr-$$ true
	assert_failure
	assert_output_contains "does not exist"
}

@test "100 execs leave no process and no descriptor behind" {
	local id pid d fds0 procs0 tagged0 i
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	d=$(pids_cg_dir "$pid")
	run_oc exec "$id" true
	fds0=$(ls "/proc/$pid/fd" | wc -l)
	procs0=$(wc -l <"$d/cgroup.procs")
	tagged0=$(tagged_pids | wc -l)
	for i in $(seq 100); do
		"$OCICHROOT" --root "$ROOT" exec "$id" true >/dev/null 2>&1 </dev/null 3>&- || {
			echo "exec $i failed" >&2
			return 1
		}
	done
	assert_eq "$(ls "/proc/$pid/fd" | wc -l)" "$fds0" "init's descriptors"
	assert_eq "$(wc -l <"$d/cgroup.procs")" "$procs0" "processes in the cgroup"
	assert_eq "$(tagged_pids | wc -l)" "$tagged0" "tagged processes on the host"
	# no zombie children of ours
	! ps -o stat= --ppid $$ 2>/dev/null | grep -q Z
}

# ---- ps ------------------------------------------------------------------------------

@test "ps: a table with a header and the container's pids only" {
	local id pid d want got
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	run_oc exec -d "$id" sleep 1000
	assert_success
	d=$(pids_cg_dir "$pid")
	run_oc ps "$id"
	assert_success
	local col
	col=$(awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "PID") print i }' <<<"$output")
	[ -n "$col" ] || {
		echo "no PID column in the header: ${lines[0]}" >&2
		return 1
	}
	got=$(awk -v c="$col" 'NR > 1 { print $c }' <<<"$output" | sort -n | tr '\n' ' ')
	want=$(sort -n "$d/cgroup.procs" | tr '\n' ' ')
	assert_eq "$got" "$want" "pids of the table"
	assert_eq "${#lines[@]}" 3 "header + 2 processes"
}

@test "ps -f json: an array of the container's pids" {
	local id pid d
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	run_oc exec -d "$id" sleep 1000
	assert_success
	d=$(pids_cg_dir "$pid")
	run_oc ps -f json "$id"
	assert_success
	assert_eq "$(jq -r 'type' <<<"$output")" array
	assert_eq "$(jq -r 'sort | .[]' <<<"$output" | tr '\n' ' ')" "$(sort -n "$d/cgroup.procs" | tr '\n' ' ')"
}

@test "ps with ps options, and an invalid format" {
	local id pid
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	run_oc ps "$id" -o pid,comm
	assert_success
	assert_eq "$(awk '{print $1}' <<<"${lines[0]}")" PID
	assert_eq "$(awk '{print $1, $2}' <<<"${lines[1]}")" "$pid sleep"
	run_oc ps -f xml "$id"
	assert_failure
	assert_output_contains "format"
}

# ---- pause, resume ---------------------------------------------------------------------

@test "pause stops a busy process's CPU time; resume restarts it" {
	local id pid t1 t2 t3
	id=$(ctr_id)
	set_args sh -c 'while :; do :; done'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	sleep 0.3
	run_oc pause "$id"
	assert_success
	assert_eq "$(state_field "$id" .status)" paused
	t1=$(cpu_ticks "$pid")
	sleep 0.6
	t2=$(cpu_ticks "$pid")
	assert_eq "$t2" "$t1" "CPU time while paused"
	run_oc list
	assert_output_contains paused
	run_oc pause "$id"
	assert_failure
	run_oc resume "$id"
	assert_success
	assert_eq "$(state_field "$id" .status)" running
	sleep 0.6
	t3=$(cpu_ticks "$pid")
	[ "$t3" -gt "$t2" ] || {
		echo "CPU time did not grow after resume: $t2 -> $t3" >&2
		return 1
	}
	run_oc resume "$id"
	assert_failure
	assert_output_contains "not paused"
}

@test "delete --force of a paused container" {
	local id pid
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	run_oc pause "$id"
	assert_success
	run_oc delete --force "$id"
	assert_success
	wait_for_dead "$pid"
}

# ---- update ---------------------------------------------------------------------------------

@test "update flags, read back from the cgroup files" {
	local id pid mem cpu pids
	id=$(ctr_id)
	update_config '.linux.resources = {"memory": {"limit": 268435456}, "pids": {"limit": 100},
		"cpu": {"shares": 1024, "quota": 100000, "period": 100000}}'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	mem=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")
	cpu=/sys/fs/cgroup/cpu$(awk -F: '$2 == "cpu" {print $3}' "/proc/$pid/cgroup")
	pids=$(pids_cg_dir "$pid")
	[ -f "$mem/memory.limit_in_bytes" ] && [ -f "$cpu/cpu.shares" ] || skip "needs v1 memory and cpu (hybrid host)"
	run_oc update --memory 100M --memory-reservation 50M --pids-limit 42 --cpu-share 256 \
		--cpu-quota 20000 --cpu-period 50000 "$id"
	assert_success
	assert_eq "$(cat "$mem/memory.limit_in_bytes")" 104857600 memory.limit_in_bytes
	assert_eq "$(cat "$mem/memory.soft_limit_in_bytes")" 52428800 memory.soft_limit_in_bytes
	assert_eq "$(cat "$pids/pids.max")" 42 pids.max
	assert_eq "$(cat "$cpu/cpu.shares")" 256 cpu.shares
	assert_eq "$(cat "$cpu/cpu.cfs_quota_us")" 20000 cpu.cfs_quota_us
	assert_eq "$(cat "$cpu/cpu.cfs_period_us")" 50000 cpu.cfs_period_us
	# a longer period with a quota that only fits with it
	run_oc update --cpu-quota 400000 --cpu-period 500000 "$id"
	assert_success
	assert_eq "$(cat "$cpu/cpu.cfs_quota_us")" 400000
	assert_eq "$(cat "$cpu/cpu.cfs_period_us")" 500000
	# -1: unlimited
	run_oc update --pids-limit -1 --memory -1 "$id"
	assert_success
	assert_eq "$(cat "$pids/pids.max")" max
	[ "$(cat "$mem/memory.limit_in_bytes")" -gt 1000000000000 ]
}

@test "update -r - reads the resources from stdin" {
	local id pid pids mem
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	pids=$(pids_cg_dir "$pid")
	mem=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")
	status=0
	echo '{"pids": {"limit": 33}, "memory": {"limit": 52428800}}' |
		"$OCICHROOT" --root "$ROOT" update -r - "$id" >"$TESTDIR/out" 2>&1 || status=$?
	cat "$TESTDIR/out"
	assert_eq "$status" 0
	assert_eq "$(cat "$pids/pids.max")" 33
	if [ -f "$mem/memory.limit_in_bytes" ]; then
		assert_eq "$(cat "$mem/memory.limit_in_bytes")" 52428800
	fi
	# invalid JSON
	status=0
	echo '{"pids": ' | "$OCICHROOT" --root "$ROOT" update -r - "$id" >"$TESTDIR/out" 2>&1 || status=$?
	[ "$status" -ne 0 ]
	assert_eq "$(cat "$pids/pids.max")" 33 "unchanged after a bad update"
}

@test "update with an invalid value is refused and changes nothing" {
	local id pid pids
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	pids=$(pids_cg_dir "$pid")
	run_oc update --pids-limit 20 "$id"
	assert_success
	run_oc update --memory 12xyz --pids-limit 30 "$id"
	assert_failure
	assert_eq "$(cat "$pids/pids.max")" 20
}

# ---- events -----------------------------------------------------------------------------------

@test "events --stats: one stats event with memory, pids and cpu" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc exec -d "$id" sleep 1000
	run_oc events --stats "$id"
	assert_success
	assert_eq "${#lines[@]}" 1 "one line"
	assert_eq "$(jq -r .type <<<"$output")" stats
	assert_eq "$(jq -r .id <<<"$output")" "$id"
	assert_eq "$(jq -r '.data | has("memory") and has("pids") and has("cpu")' <<<"$output")" true
	assert_eq "$(jq -r '.data.pids.current' <<<"$output")" 2 "pids.current"
	[ "$(jq -r '.data.memory.usage.usage' <<<"$output")" -gt 0 ]
	[ "$(jq -r '.data.cpu.usage.total' <<<"$output")" -gt 0 ]
}

@test "events --interval 1s streams stats and exits when the container does" {
	local id ev n st=0
	id=$(ctr_id)
	set_args sleep 3
	run_ctr "$id"
	timeout 8 "$OCICHROOT" --root "$ROOT" events --interval 1s "$id" \
		>"$TESTDIR/events.out" 2>"$TESTDIR/events.err" </dev/null 3>&- &
	ev=$!
	BG_PIDS+=("$ev")
	wait "$ev" || st=$?
	cat "$TESTDIR/events.out" "$TESTDIR/events.err"
	# runc 1.1 keeps streaming after the container is gone (timeout: 124)
	if is_ocichroot; then
		[ "$st" -ne 124 ] || {
			echo "events did not exit after the container did" >&2
			return 1
		}
	fi
	n=$(grep -c '"type":"stats"' "$TESTDIR/events.out" || true)
	[ "$n" -ge 2 ] || {
		echo "expected at least 2 stats events, got $n" >&2
		return 1
	}
	jq -e -s 'all(.[]; .type == "stats" or .type == "oom")' "$TESTDIR/events.out" >/dev/null
}

@test "events of a stopped container is refused; a bad --interval too" {
	local id
	id=$(ctr_id)
	set_args true
	run_oc run -d --bundle "$BUNDLE" "$id"
	wait_for_status "$id" stopped
	run_oc events --stats "$id"
	assert_failure
	assert_output_contains "not running"
	run_oc events --interval 0 "$id"
	assert_failure
}

# ---- features, checkpoint ----------------------------------------------------------------------

@test "features: the JSON document" {
	run_oc features
	assert_success
	local f=$output
	jq -e . <<<"$f" >/dev/null
	assert_eq "$(jq -r .ociVersionMin <<<"$f")" 1.0.0
	[[ "$(jq -r .ociVersionMax <<<"$f")" == 1.* ]]
	assert_eq "$(jq -r '.hooks | sort | join(",")' <<<"$f")" \
		"createContainer,createRuntime,poststart,poststop,prestart,startContainer"
	[ "$(jq -r '.mountOptions | length' <<<"$f")" -gt 0 ]
	jq -e '.mountOptions | index("rbind") and index("ro")' <<<"$f" >/dev/null
	local want_ns="cgroup,ipc,mount,network,pid,user,uts"
	is_ocichroot && want_ns="cgroup,ipc,mount,network,pid,time,user,uts"
	assert_eq "$(jq -r '.linux.namespaces | sort | join(",")' <<<"$f")" "$want_ns"
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' <<<"$f" >/dev/null
	assert_eq "$(jq -r .linux.seccomp.enabled <<<"$f")" true
	assert_eq "$(jq -r .linux.cgroup.v1 <<<"$f")" true
	assert_eq "$(jq -r .linux.cgroup.v2 <<<"$f")" true
	if is_ocichroot; then
		jq -e '.annotations | has("run.ocichroot.policy.default")' <<<"$f" >/dev/null
	fi
}

@test "checkpoint --help fails: not supported" {
	is_ocichroot || skip "runc implements checkpoint"
	run_oc checkpoint --help
	assert_failure
	assert_output_contains "not supported"
	run_oc restore --help
	assert_failure
}
