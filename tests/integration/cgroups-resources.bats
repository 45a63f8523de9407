#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.resources through the binary: every value is read back from the real
# file of the container's cgroup (found through /proc/<init>/cgroup), on the
# host as it is (hybrid here: v1 controllers, cgroup2 at .../unified) and in
# a private mount namespace with a pure cgroup2 mount over /sys/fs/cgroup
# (the v2 code path).  The reference is runc 1.1; where ocichroot
# deliberately differs, the test says so behind `is_ocichroot`.

load helpers

# ---- helpers of this file ---------------------------------------------------

# cg_mount CTRL — mountpoint of the v1 hierarchy holding CTRL, or of the
# cgroup2 hierarchy for CTRL=unified (in the caller's mount namespace).
cg_mount() {
	awk -v c="$1" '{
		split($0, p, " - "); split(p[2], f, " ")
		if (c == "unified") { if (f[1] == "cgroup2") { print $5; exit } ; next }
		if (f[1] != "cgroup") next
		n = split(f[3], o, ",")
		for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

# cg_path CTRL PID — the cgroup of PID for CTRL ("unified" for cgroup2),
# as a path below the hierarchy's root.
cg_path() {
	if [ "$1" = unified ]; then
		sed -n 's/^0::\(.*\)$/\1/p' "/proc/$2/cgroup"
	else
		awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$2/cgroup"
	fi
}

# cg_dir CTRL PID — the directory of PID's cgroup for CTRL on this host.
cg_dir() {
	local m p
	m=$(cg_mount "$1")
	p=$(cg_path "$1" "$2")
	[ -n "$m" ] && [ -n "$p" ] || {
		echo "no $1 cgroup for pid $2" >&2
		return 1
	}
	echo "$m${p%/}"
}

# cg_file CTRL PID FILE — the first line of a file of PID's cgroup.
cg_file() {
	local d
	d=$(cg_dir "$1" "$2") || return 1
	head -n1 "$d/$3"
}

# Every cgroup hierarchy mounted here (v1 ones, name=systemd, cgroup2).
all_cg_mounts() {
	awk '{ split($0, p, " - "); split(p[2], f, " "); if (f[1] == "cgroup" || f[1] == "cgroup2") print $5 }' /proc/self/mountinfo
}

# The v1 controllers this host mounts.
V1_CTRLS="cpu cpuacct cpuset memory devices freezer blkio pids"

# A private mount namespace with a pure cgroup2 mount over /sys/fs/cgroup:
# the runtime sees a v2-only host.  Every call makes a new namespace, but
# cgroup2 is one hierarchy, so paths saved in the state stay valid.
v2sh() {
	unshare -m --propagation private sh -c 'mount -t cgroup2 none /sys/fs/cgroup && eval "$1"' sh "$1"
}

v2run_oc() {
	local out
	out=$(mktemp "$TESTDIR/out.XXXXXX")
	status=0
	unshare -m --propagation private sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' sh \
		"$OCICHROOT" --root "$ROOT" "$@" >"$out" 2>&1 </dev/null || status=$?
	output=$(cat "$out")
	rm -f "$out"
	mapfile -t lines <<<"$output"
	printf '$ [v2] oc %s  => %s\n%s\n' "$*" "$status" "$output" >&2
}

# The cgroup2 root as the runtime sees it in v2 mode (the host's mount).
V2ROOT=/sys/fs/cgroup/unified

requires_v2_view() {
	requires_cmd unshare
	[ -f "$V2ROOT/cgroup.controllers" ] || skip "no cgroup2 hierarchy at $V2ROOT"
	v2sh 'test -f /sys/fs/cgroup/cgroup.procs' 2>/dev/null || skip "cannot mount cgroup2 in a private mount namespace"
}

# v2_pid ID — init's pid, from `state` in the v2 view (runc refuses to load
# a container using "unified" in the hybrid view).
v2_pid() {
	v2run_oc state "$1" 2>/dev/null
	jq -r .pid <<<"$output"
}

v2_has() {
	grep -qw "$1" "$V2ROOT/cgroup.controllers"
}

# run_ctr ID [RUNTIME-GLOBAL-ARGS...] — run -d and wait for "running".
run_ctr() {
	local id=$1
	shift
	run_oc "$@" run -d --bundle "$BUNDLE" "$id"
	assert_success
	wait_for_status "$id" running
}

# cgroup directories (every hierarchy) to remove in teardown, parents last.
CG_CLEAN=()

setup() {
	setup_common
	CG_CLEAN=()
	V2_IDS=()
}

teardown() {
	local id d
	for id in "${V2_IDS[@]}"; do
		v2run_oc delete --force "$id" 2>/dev/null || true
	done
	teardown_common
	local rc=$?
	# parents the runtime made for a path (runc and ocichroot leave them)
	for d in "${CG_CLEAN[@]}"; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
	return $rc
}

# cg_gone ID — no directory named ID is left under ocichroot/ in any hierarchy.
cg_gone() {
	local left
	left=$(ls -d /sys/fs/cgroup/*/ocichroot/"$1" 2>/dev/null || true)
	if [ -n "$left" ]; then
		echo "cgroups left: $left" >&2
		return 1
	fi
}

# ---- memory ---------------------------------------------------------------------

@test "memory: limit, reservation, swap, swappiness, disableOOMKiller in memory.*" {
	local id pid d
	id=$(ctr_id)
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432,
		"swap": 134217728, "swappiness": 10, "disableOOMKiller": true}'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	d=$(cg_dir memory "$pid")
	assert_eq "$(cat "$d/memory.limit_in_bytes")" 67108864 "memory.limit_in_bytes"
	assert_eq "$(cat "$d/memory.soft_limit_in_bytes")" 33554432 "memory.soft_limit_in_bytes"
	if [ -f "$d/memory.memsw.limit_in_bytes" ]; then
		assert_eq "$(cat "$d/memory.memsw.limit_in_bytes")" 134217728 "memory.memsw.limit_in_bytes"
	fi
	assert_eq "$(cat "$d/memory.swappiness")" 10 "memory.swappiness"
	grep -qx 'oom_kill_disable 1' "$d/memory.oom_control"
	# inside, the same file through the container's own /sys
	run_oc exec "$id" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	if [ "$status" -eq 0 ]; then
		assert_eq "$output" 67108864 "memory.limit_in_bytes seen inside"
	fi
}

@test "memory: a limit below the current usage with checkBeforeUpdate is refused and keeps the old limit" {
	local id pid d
	id=$(ctr_id)
	update_config '.linux.resources.memory = {"limit": 67108864}'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	d=$(cg_dir memory "$pid")
	echo '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' >"$TESTDIR/r.json"
	run_oc update -r "$TESTDIR/r.json" "$id"
	assert_failure
	if is_ocichroot; then
		assert_output_contains "below current usage"
	fi
	assert_eq "$(cat "$d/memory.limit_in_bytes")" 67108864 "limit unchanged"
	pid_alive "$pid"
}

@test "memory: update --memory below the usage fails (kernel EBUSY) and keeps the old limit" {
	local id pid d
	id=$(ctr_id)
	update_config '.linux.resources.memory = {"limit": 67108864}'
	# a few MB of page cache charged to the container
	set_args sh -c 'dd if=/dev/zero of=/tmp/fill bs=1M count=8 2>/dev/null; exec sleep 1000'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	d=$(cg_dir memory "$pid")
	sleep 0.3
	run_oc update --memory 4096 "$id"
	# tmpfs pages cannot be reclaimed without swap: the kernel refuses
	if [ "$(cat "$d/memory.usage_in_bytes")" -gt 4096 ] && [ "$(free | awk '/Swap/ {print $2}')" = 0 ]; then
		assert_failure
		# runc: "unable to set memory limit to 4096 (current usage: ..., peak usage: ...)"
		is_ocichroot && assert_output_contains "memory.limit_in_bytes"
		assert_eq "$(cat "$d/memory.limit_in_bytes")" 67108864 "limit unchanged"
	fi
}

# ---- cpu, cpuset -----------------------------------------------------------------

@test "cpu: shares, quota, period, cpus, mems in cpu.* and cpuset.*" {
	local id pid
	id=$(ctr_id)
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 200000, "cpus": "0", "mems": "0"}'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	assert_eq "$(cg_file cpu "$pid" cpu.shares)" 512 cpu.shares
	assert_eq "$(cg_file cpu "$pid" cpu.cfs_quota_us)" 50000 cpu.cfs_quota_us
	assert_eq "$(cg_file cpu "$pid" cpu.cfs_period_us)" 200000 cpu.cfs_period_us
	assert_eq "$(cg_file cpuset "$pid" cpuset.cpus)" 0 cpuset.cpus
	assert_eq "$(cg_file cpuset "$pid" cpuset.mems)" 0 cpuset.mems
	assert_eq "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$pid/status)" 0 "init's affinity"
}

# ---- pids ------------------------------------------------------------------------

@test "pids: limit in pids.max, and a fork beyond it fails" {
	local id pid
	id=$(ctr_id)
	update_config '.linux.resources.pids = {"limit": 5}'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	assert_eq "$(cg_file pids "$pid" pids.max)" 5 pids.max
	run_oc exec "$id" sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 100 & done; wait'
	assert_failure
	assert_output_contains "Resource temporarily unavailable"
}

# ---- block io ----------------------------------------------------------------------

@test "blockIO: weight in blkio.weight" {
	local m
	m=$(cg_mount blkio)
	[ -n "$m" ] || skip "no blkio hierarchy"
	[ -f "$m/blkio.weight" ] || [ -f "$m/blkio.bfq.weight" ] ||
		skip "this kernel has no blkio.weight nor blkio.bfq.weight (no CFQ/BFQ scheduler)"
	local id pid f=blkio.weight
	[ -f "$m/blkio.weight" ] || f=blkio.bfq.weight
	id=$(ctr_id)
	update_config '.linux.resources.blockIO = {"weight": 300}'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	cg_file blkio "$pid" "$f" | grep -qw 300
}

# ---- devices ---------------------------------------------------------------------------

# /dev/xdev: the host's /dev/fuse (c 10:229, opened without any capability)
# bind-mounted in.  Not through linux.devices, whose entries are allowed in
# the cgroup, and not one of the always-allowed defaults (/dev/null,
# /dev/net/tun ...), which go after the spec's rules.
add_tun_device() {
	[ -c /dev/fuse ] || skip "needs /dev/fuse on the host"
	update_config '.mounts += [{"destination": "/dev/xdev", "type": "bind", "source": "/dev/fuse",
		"options": ["bind"]}]'
}

@test "devices: a deny rule makes the open fail with EPERM" {
	local id
	id=$(ctr_id)
	add_tun_device
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	run_ctr "$id"
	run_oc exec "$id" sh -c 'exec 3<>/dev/xdev && echo opened'
	assert_failure
	assert_output_contains "Operation not permitted"
	# the defaults stay usable
	run_oc exec "$id" sh -c 'echo x >/dev/null && echo ok'
	assert_success
	assert_eq "$output" ok
}

@test "devices: an allow rule after deny-all opens the device" {
	local id pid
	id=$(ctr_id)
	add_tun_device
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	cg_dir devices "$pid" >/dev/null
	grep -qx 'c 10:229 rwm' "$(cg_dir devices "$pid")/devices.list"
	run_oc exec "$id" sh -c 'exec 3<>/dev/xdev 2>&1; echo rc=$?'
	[[ "$output" != *"Operation not permitted"* ]]
}

@test "devices: a deny rule on /dev/null is overridden by the default allow rules (as runc)" {
	local id
	id=$(ctr_id)
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	run_ctr "$id"
	run_oc exec "$id" sh -c 'echo x >/dev/null && echo ok'
	assert_success
	assert_eq "$output" ok
}

# ---- hugetlb, unified ---------------------------------------------------------------

@test "hugepageLimits: the 2MB limit lands in the unified cgroup (hugetlb is only on cgroup2 here)" {
	[ -n "$(cg_mount hugetlb)" ] && skip "hugetlb is a v1 controller on this host"
	[ -f "$V2ROOT/cgroup.controllers" ] && v2_has hugetlb || skip "no hugetlb controller in $V2ROOT"
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	local id pid
	id=$(ctr_id)
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	run_oc run -d --bundle "$BUNDLE" "$id"
	if ! is_ocichroot; then
		# runc 1.1 knows hugetlb only as a v1 controller
		[ "$status" -ne 0 ] && skip "runc: $output"
	fi
	assert_success
	wait_for_status "$id" running
	pid=$(state_field "$id" .pid)
	assert_eq "$(cg_file unified "$pid" hugetlb.2MB.max)" 4194304 hugetlb.2MB.max
}

@test "unified: a cgroup2 core key is written to the unified cgroup" {
	[ -f "$V2ROOT/cgroup.controllers" ] || skip "no cgroup2 hierarchy"
	is_ocichroot || skip "runc 1.1 refuses linux.resources.unified outside pure v2"
	local id pid
	id=$(ctr_id)
	update_config '.linux.resources.unified = {"cgroup.max.descendants": "7"}'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	assert_eq "$(cg_file unified "$pid" cgroup.max.descendants)" 7
}

@test "unified: a key of a controller bound to v1 is refused with a clear error" {
	[ -n "$(cg_mount memory)" ] || skip "memory is not a v1 controller here"
	local id
	id=$(ctr_id)
	update_config '.linux.resources.unified = {"memory.max": "100000000"}'
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_failure
	if is_ocichroot; then
		assert_output_contains "memory.max" "bound to cgroup v1"
	fi
	run_oc list -q
	assert_eq "$output" ""
	cg_gone "$id"
}

@test "unified: an unknown key is refused, naming the key" {
	local id
	id=$(ctr_id)
	update_config '.linux.resources.unified = {"nosuchctrl.knob": "1"}'
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_failure
	is_ocichroot && assert_output_contains "nosuchctrl.knob"
	cg_gone "$id"
}

@test "unified: update with an unknown key is refused, naming the key; the container keeps running" {
	local id pid
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	echo '{"unified": {"cgroup.nosuchfile": "1"}}' >"$TESTDIR/r.json"
	run_oc update -r "$TESTDIR/r.json" "$id"
	assert_failure
	is_ocichroot && assert_output_contains "cgroup.nosuchfile"
	pid_alive "$pid"
}

# ---- cgroupsPath -----------------------------------------------------------------------

@test "cgroupsPath empty: /ocichroot/<id> in every hierarchy; delete removes it" {
	local id pid c
	id=$(ctr_id)
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	for c in $V1_CTRLS; do
		[ -n "$(cg_mount "$c")" ] || continue
		if is_ocichroot; then
			assert_eq "$(cg_path "$c" "$pid")" "/ocichroot/$id" "$c"
		else
			[[ "$(cg_path "$c" "$pid")" == */"$id" ]]
		fi
	done
	if is_ocichroot && [ -n "$(cg_mount unified)" ]; then
		assert_eq "$(cg_path unified "$pid")" "/ocichroot/$id" unified
	fi
	local dirs=() d
	for c in $V1_CTRLS unified; do
		[ -n "$(cg_mount "$c")" ] && dirs+=("$(cg_dir "$c" "$pid")")
	done
	run_oc delete --force "$id"
	assert_success
	for d in "${dirs[@]}"; do
		[ ! -d "$d" ] || {
			echo "left after delete: $d" >&2
			return 1
		}
	done
	cg_gone "$id"
}

@test "cgroupsPath absolute: the same path in every hierarchy" {
	local id pid c p m
	id=$(ctr_id)
	p="/ocichroot-it-$$/abs-$id"
	update_config --arg p "$p" '.linux.cgroupsPath = $p'
	for m in $(all_cg_mounts); do
		CG_CLEAN+=("$m/ocichroot-it-$$")
	done
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	for c in $V1_CTRLS unified; do
		[ -n "$(cg_mount "$c")" ] || continue
		assert_eq "$(cg_path "$c" "$pid")" "$p" "$c"
	done
	run_oc delete --force "$id"
	assert_success
	for c in $V1_CTRLS unified; do
		[ -n "$(cg_mount "$c")" ] || continue
		[ ! -d "$(cg_mount "$c")$p" ]
	done
}

@test "cgroupsPath relative: below the runtime's own cgroup of each v1 hierarchy" {
	local id pid c own
	id=$(ctr_id)
	update_config --arg p "rel-$id" '.linux.cgroupsPath = $p'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	for c in $V1_CTRLS; do
		[ -n "$(cg_mount "$c")" ] || continue
		own=$(cg_path "$c" $$)
		assert_eq "$(cg_path "$c" "$pid")" "${own%/}/rel-$id" "$c"
	done
	local d
	d=$(cg_dir pids "$pid")
	run_oc delete --force "$id"
	assert_success
	[ ! -d "$d" ]
}

@test "--cgroup-manager disabled: no cgroup is created, the container stays in ours" {
	is_ocichroot || skip "runc has no --cgroup-manager"
	local id pid c
	id=$(ctr_id)
	run_ctr "$id" --cgroup-manager disabled
	pid=$(state_field "$id" .pid)
	for c in $V1_CTRLS unified; do
		[ -n "$(cg_mount "$c")" ] || continue
		assert_eq "$(cg_path "$c" "$pid")" "$(cg_path "$c" $$)" "$c"
	done
	cg_gone "$id"
	# resources cannot be honoured without a cgroup
	run_oc update --pids-limit 10 "$id"
	assert_failure
	assert_output_contains "without a cgroup"
}

@test "--cgroup-manager disabled with resources: accepted, as crun, and still no cgroup" {
	is_ocichroot || skip "runc has no --cgroup-manager"
	local id
	id=$(ctr_id)
	update_config '.linux.resources.pids = {"limit": 10}'
	run_ctr "$id" --cgroup-manager disabled
	cg_gone "$id"
	assert_eq "$(cg_path pids "$(state_field "$id" .pid)")" "$(cg_path pids $$)"
}

@test "--systemd-cgroup: slice:prefix:name becomes <slice>/<prefix>-<name>.scope on cgroupfs, with a warning" {
	is_ocichroot || skip "runc needs a running systemd for --systemd-cgroup"
	local id pid m
	id=$(ctr_id)
	update_config --arg p "ocit$$.slice:octest:$id" '.linux.cgroupsPath = $p'
	for m in $(all_cg_mounts); do
		CG_CLEAN+=("$m/ocit$$.slice")
	done
	run_oc --systemd-cgroup run -d --bundle "$BUNDLE" "$id"
	assert_success
	assert_output_contains "systemd"
	wait_for_status "$id" running
	pid=$(state_field "$id" .pid)
	assert_eq "$(cg_path pids "$pid")" "/ocit$$.slice/octest-$id.scope"
	assert_eq "$(cg_path memory "$pid")" "/ocit$$.slice/octest-$id.scope"
	run_oc --systemd-cgroup delete --force "$id"
	assert_success
	[ ! -d "$(cg_mount pids)/ocit$$.slice/octest-$id.scope" ]
}

@test "--systemd-cgroup: a cgroupsPath that is not slice:prefix:name is refused" {
	is_ocichroot || skip "runc needs a running systemd for --systemd-cgroup"
	local id
	id=$(ctr_id)
	update_config '.linux.cgroupsPath = "/not/systemd"'
	run_oc --systemd-cgroup run -d --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "slice:prefix:name"
}

@test "an existing cgroup is joined and not removed on delete" {
	local id pid c m p="/ocichroot-join-$$"
	id=$(ctr_id)
	for m in $(all_cg_mounts); do
		mkdir -p "$m$p"
		CG_CLEAN+=("$m$p")
		if [ -f "$m/cpuset.cpus" ]; then
			cat "$m/cpuset.cpus" >"$m$p/cpuset.cpus"
			cat "$m/cpuset.mems" >"$m$p/cpuset.mems"
		fi
	done
	update_config --arg p "$p" '.linux.cgroupsPath = $p'
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	assert_eq "$(cg_path pids "$pid")" "$p"
	run_oc delete --force "$id"
	assert_success
	if is_ocichroot; then
		for m in $(all_cg_mounts); do
			[ -d "$m$p" ] || {
				echo "the joined cgroup $m$p was removed" >&2
				return 1
			}
		done
	fi
}

# ---- kill --all ------------------------------------------------------------------------------

@test "kill --all reaches every process of the cgroup" {
	local id pid extra=() p
	id=$(ctr_id)
	# pid 1 of the namespace ignores TERM (no handler): only --all kills the rest
	run_ctr "$id"
	pid=$(state_field "$id" .pid)
	for p in 1 2; do
		run_oc exec -d --pid-file "$TESTDIR/x$p.pid" "$id" sleep 1000
		assert_success
		extra+=("$(cat "$TESTDIR/x$p.pid")")
	done
	run_oc exec -d "$id" sh -c 'sleep 1000 & sleep 1000 & wait'
	assert_success
	sleep 0.2
	local all
	all=$(cat "$(cg_dir pids "$pid")/cgroup.procs" | wc -l)
	[ "$all" -ge 6 ] || {
		echo "expected at least 6 processes in the cgroup, got $all" >&2
		return 1
	}
	run_oc kill --all "$id" TERM
	assert_success
	for p in "${extra[@]}"; do
		wait_for_dead "$p"
	done
	local tries=300
	while [ "$(wc -l <"$(cg_dir pids "$pid")/cgroup.procs")" -gt 1 ] && [ $tries -gt 0 ]; do
		sleep 0.01
		tries=$((tries - 1))
	done
	assert_eq "$(cat "$(cg_dir pids "$pid")/cgroup.procs")" "$pid" "only init (no TERM handler) is left"
	run_oc kill --all "$id" KILL
	assert_success
	wait_for_status "$id" stopped
}

# ---- bad input --------------------------------------------------------------------------------

@test "update of a stopped container is refused" {
	local id
	id=$(ctr_id)
	set_args true
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	wait_for_status "$id" stopped
	run_oc update --pids-limit 10 "$id"
	assert_failure
	assert_output_contains "not running"
}

@test "cpu shares out of the kernel's range are refused with the bound" {
	local id
	id=$(ctr_id)
	run_ctr "$id"
	run_oc update --cpu-share 1 "$id"
	assert_failure
	assert_output_contains "minimum allowed cpu-shares is 2"
}

# ---- pure cgroup v2 (private mount namespace) -------------------------------------------------

@test "v2: run creates /ocichroot/<id>, ps and events --stats work, delete removes it" {
	requires_v2_view
	local id pid
	id=$(ctr_id)
	V2_IDS+=("$id")
	v2run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(v2_pid "$id")
	if is_ocichroot; then
		assert_eq "$(cg_path unified "$pid")" "/ocichroot/$id"
	fi
	local d
	d=$V2ROOT$(cg_path unified "$pid")
	grep -qx "$pid" "$d/cgroup.procs"
	v2run_oc ps -f json "$id"
	assert_success
	assert_eq "$(jq -c . <<<"$output")" "[$pid]"
	v2run_oc events --stats "$id"
	assert_success
	assert_eq "$(jq -r .type <<<"$output")" stats
	v2run_oc delete --force "$id"
	assert_success
	[ ! -d "$d" ]
}

@test "v2: pause and resume through cgroup.freeze" {
	requires_v2_view
	local id pid d
	id=$(ctr_id)
	V2_IDS+=("$id")
	v2run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(v2_pid "$id")
	d=$V2ROOT$(cg_path unified "$pid")
	v2run_oc pause "$id"
	assert_success
	assert_eq "$(cat "$d/cgroup.freeze")" 1
	grep -qx 'frozen 1' "$d/cgroup.events"
	v2run_oc state "$id"
	assert_eq "$(jq -r .status <<<"$output")" paused
	v2run_oc resume "$id"
	assert_success
	assert_eq "$(cat "$d/cgroup.freeze")" 0
	v2run_oc state "$id"
	assert_eq "$(jq -r .status <<<"$output")" running
}

@test "v2: hugepageLimits in hugetlb.2MB.max, unified keys written" {
	requires_v2_view
	v2_has hugetlb || skip "no hugetlb controller in $V2ROOT"
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	local id pid d
	id=$(ctr_id)
	V2_IDS+=("$id")
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]
		| .linux.resources.unified = {"cgroup.max.descendants": "5"}'
	v2run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(v2_pid "$id")
	d=$V2ROOT$(cg_path unified "$pid")
	assert_eq "$(cat "$d/hugetlb.2MB.max")" 4194304
	assert_eq "$(cat "$d/cgroup.max.descendants")" 5
}

@test "v2: pids limit in pids.max (or a clear error when the controller is not available)" {
	requires_v2_view
	local id pid
	id=$(ctr_id)
	V2_IDS+=("$id")
	update_config '.linux.resources.pids = {"limit": 9}'
	v2run_oc run -d --bundle "$BUNDLE" "$id"
	if v2_has pids; then
		assert_success
		pid=$(v2_pid "$id")
		assert_eq "$(cat "$V2ROOT$(cg_path unified "$pid")/pids.max")" 9
	else
		# pids is bound to v1 on this host: not in the cgroup2 tree
		assert_failure
		assert_output_contains "pids"
		is_ocichroot && assert_output_contains "not available"
		cg_gone "$id"
	fi
}

@test "v2: memory limit (or a clear error when the controller is not available)" {
	requires_v2_view
	local id pid
	id=$(ctr_id)
	V2_IDS+=("$id")
	update_config '.linux.resources.memory = {"limit": 67108864}'
	v2run_oc run -d --bundle "$BUNDLE" "$id"
	if v2_has memory; then
		assert_success
		pid=$(v2_pid "$id")
		assert_eq "$(cat "$V2ROOT$(cg_path unified "$pid")/memory.max")" 67108864
	else
		assert_failure
		assert_output_contains "memory"
		cg_gone "$id"
	fi
}

@test "v2: devices through the eBPF program: deny makes the open fail" {
	requires_v2_view
	local id
	id=$(ctr_id)
	V2_IDS+=("$id")
	add_tun_device
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	v2run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	v2run_oc exec "$id" sh -c 'exec 3<>/dev/xdev && echo opened'
	assert_failure
	assert_output_contains "Operation not permitted"
	v2run_oc exec "$id" sh -c 'echo x >/dev/null && echo ok'
	assert_success
}

@test "v2: kill --all through cgroup.kill" {
	requires_v2_view
	local id pid
	id=$(ctr_id)
	V2_IDS+=("$id")
	v2run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(v2_pid "$id")
	v2run_oc exec -d --pid-file "$TESTDIR/x.pid" "$id" sleep 1000
	assert_success
	v2run_oc kill --all "$id" KILL
	assert_success
	wait_for_dead "$(cat "$TESTDIR/x.pid")"
	wait_for_dead "$pid"
}
