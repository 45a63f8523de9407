#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Published runc/crun vulnerabilities, replayed as attacks from inside a
# container (issue 4).  Each attack test fails on a runtime that lacks the
# defence: it checks the effect on the host (a binary's sha256, a marker
# file, a real procfs value), not the runtime's intentions.

load helpers

# ---- helpers of this file ---------------------------------------------------


install_probe() {
	local p
	p=$(probe_bin) || return 1
	cp "$p" "$BUNDLE/rootfs/bin/probe"
}

# add_caps CAP... — into bounding, effective and permitted.
add_caps() {
	local c
	for c in "$@"; do
		update_config --arg c "$c" '.process.capabilities.bounding += [$c]
			| .process.capabilities.effective += [$c]
			| .process.capabilities.permitted += [$c]'
	done
}

# A private copy of the runtime binary for the attacks that try to overwrite
# it: a runtime that fails the test must not break the build under test.
make_runtime_copy() {
	RT="$TESTDIR/runtime-copy"
	cp "$OCICHROOT" "$RT"
	RT_SHA=$(sha256sum <"$RT")
}

# run_rt ARGS... — run_oc for the copy (stdio on a file, see run_oc), with
# a time limit: an attack that wedges the runtime must not hang the suite.
run_rt() {
	local out
	out=$(mktemp "$TESTDIR/out.XXXXXX")
	status=0
	timeout 30 "$RT" --root "$ROOT" "$@" >"$out" 2>&1 </dev/null || status=$?
	output=$(cat "$out")
	rm -f "$out"
	printf '$ runtime-copy %s  => %s\n%s\n' "$*" "$status" "$output"
}

# The dynamic loader and libraries of the runtime copy, at their host paths
# inside the rootfs: without them a dynamically linked runtime binary cannot
# be run from inside the container, and the attack would fail for a reason
# that has nothing to do with the runtime's defence.
install_runtime_libs() {
	local l
	for l in $(ldd "$RT" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$BUNDLE/rootfs$(dirname "$l")"
		cp -L "$l" "$BUNDLE/rootfs$l"
	done
}

# host_marker — a file on the host that no container may read or change.
make_host_marker() {
	MARKER="$TESTDIR/host-marker"
	echo "HOST-SECRET-$$-$RANDOM" >"$MARKER"
	MARKER_CONTENT=$(cat "$MARKER")
	touch -d '2001-02-03 04:05:06' "$MARKER"
	MARKER_MTIME=$(stat -c %Y "$MARKER")
}

assert_marker_untouched() {
	assert_eq "$(cat "$MARKER")" "$MARKER_CONTENT" "host marker content"
	assert_eq "$(stat -c %Y "$MARKER")" "$MARKER_MTIME" "host marker mtime"
}

# wait_file_content FILE NOT — until FILE exists and holds something else
# than NOT (100 ms steps, 10 s).
wait_file_content() {
	local i
	for i in $(seq 100); do
		if [ -s "$1" ] && [ "$(cat "$1")" != "$2" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

setup() {
	setup_common
	install_probe
}

teardown() {
	teardown_common
}

# ---- CVE-2019-5736: overwriting the runtime binary --------------------------

@test "CVE-2019-5736: an exec'd #!/proc/self/exe cannot overwrite the runtime binary" {
	local id out
	id=$(ctr_id)
	make_runtime_copy
	install_runtime_libs
	# The classic exploit: the program `exec` runs is a script whose
	# interpreter is /proc/self/exe, i.e. the runtime's own binary as
	# seen by the process doing execve.  A second process of the container
	# grabs /proc/PID/exe of that process and writes to it once it exits.
	# --log on a FIFO nobody reads keeps that process alive (blocked in
	# open) until the attacker has its handle: no race to win.
	printf '#!/proc/self/exe --log=/attack.fifo\n' >"$BUNDLE/rootfs/bin/evil"
	chmod 755 "$BUNDLE/rootfs/bin/evil"
	mkfifo "$BUNDLE/rootfs/attack.fifo"
	update_config '.root.readonly = false'
	set_args probe exe-attack /attack.out 8 kill
	run_rt run -d --bundle "$BUNDLE" "$id"
	assert_success
	wait_file_content "$BUNDLE/rootfs/attack.out" ""
	run_rt exec "$id" /bin/evil
	# whatever exec says, the verdict is on the host
	wait_file_content "$BUNDLE/rootfs/attack.out" waiting || true
	out=$(cat "$BUNDLE/rootfs/attack.out")
	echo "attacker: $out"
	[[ "$out" != WROTE* ]]
	# the attack did run: it found the runtime's process
	[[ "$out" != waiting* ]]
	assert_eq "$(sha256sum <"$RT")" "$RT_SHA" "sha256 of the runtime binary"
}

@test "CVE-2019-5736/CVE-2016-9962: init waiting on exec.fifo: /proc/1/exe cannot be read nor opened for writing" {
	local id
	id=$(ctr_id)
	make_runtime_copy
	run_rt create --bundle "$BUNDLE" "$id"
	assert_success
	# While init runs runtime code inside the container it must not be
	# open to the container's other processes (non-dumpable, or a sealed
	# copy of the binary): no readable link, no writable handle.
	run_rt exec "$id" sh -c 'echo "exe: $(probe openw /proc/1/exe)"; echo "mem: $(probe openw /proc/1/mem)"; cat /proc/1/environ >/dev/null && echo ENVIRON-READABLE; echo "link: $(readlink /proc/1/exe)"'
	assert_success
	[[ "$output" != *"exe: ok"* ]]
	assert_eq "$(sha256sum <"$RT")" "$RT_SHA" "sha256 of the runtime binary"
	# a readable init is tolerable only when its exe is not the host's
	# binary (runc runs init from a sealed memfd copy)
	if [[ "$output" == *ENVIRON-READABLE* ]]; then
		[[ "$output" != *"$RT"* ]]
	fi
	if is_ocichroot; then
		# ocichroot's defence is a non-dumpable init: nothing of it is
		# open to the container, not even its memory
		[[ "$output" != *"mem: ok"* ]]
		[[ "$output" != *ENVIRON-READABLE* ]]
		[[ "$output" == *"link: "$'\n'* ]] || [[ "$output" == *"link: " ]]
	fi
}

@test "CVE-2019-5736: a handle on init's exe taken before start cannot write the runtime after start" {
	local id out
	id=$(ctr_id)
	make_runtime_copy
	run_rt create --bundle "$BUNDLE" "$id"
	assert_success
	# The attacker runs beside the created init, takes whatever handle it
	# can on /proc/1/exe, and writes once init has left the binary
	# (after `start` it execs the container's program).
	run_rt exec -d "$id" probe exe-attack /tmp/attack.out 6
	assert_success
	sleep 0.5
	run_rt start "$id"
	assert_success
	local pid
	pid=$(state_field "$id" .pid)
	wait_file_content "/proc/$pid/root/tmp/attack.out" waiting || true
	out=$(cat "/proc/$pid/root/tmp/attack.out" 2>/dev/null || true)
	echo "attacker: $out"
	[[ "$out" != WROTE* ]]
	assert_eq "$(sha256sum <"$RT")" "$RT_SHA" "sha256 of the runtime binary"
}

# ---- CVE-2024-21626 / CVE-2016-9962: descriptors and cwd ----------------------

@test "CVE-2024-21626: the container's program has only fds 0, 1, 2" {
	set_args probe fds
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$(cut -d' ' -f1 <<<"$output" | tr '\n' ' ')" "0 1 2 "
}

@test "CVE-2024-21626: an exec'd process has only fds 0, 1, 2" {
	local id
	id=$(ctr_id)
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	run_oc exec "$id" probe fds
	assert_success
	assert_eq "$(cut -d' ' -f1 <<<"$output" | tr '\n' ' ')" "0 1 2 "
}

@test "CVE-2024-21626: --preserve-fds 2 hands over exactly fds 3 and 4" {
	local id out
	id=$(ctr_id)
	set_args probe fds
	out="$TESTDIR/fds.out"
	"$OCICHROOT" --root "$ROOT" run --preserve-fds 2 --bundle "$BUNDLE" "$id" \
		3<"$BUNDLE/config.json" 4</dev/null 5</dev/null >"$out" 2>&1 </dev/null
	cat "$out"
	assert_eq "$(cut -d' ' -f1 <"$out" | tr '\n' ' ')" "0 1 2 3 4 "
	grep -q '^3 .*/config.json$' "$out"
}

# runc < 1.1.12 leaked a host directory descriptor into init; process.cwd
# "/proc/self/fd/N" then made the container start in a host directory, and
# ../../.. reached the host's root.
@test "CVE-2024-21626: process.cwd /proc/self/fd/N never starts the container outside its rootfs" {
	local n
	make_host_marker
	for n in $(seq 3 15); do
		update_config --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		set_args sh -c "pwd; cat ../../../../../../../../../../..$MARKER; cat ./1/root$MARKER; ls | head -20"
		run_oc run --bundle "$BUNDLE" "$(ctr_id "c$n")"
		if [[ "$output" == *"$MARKER_CONTENT"* ]]; then
			echo "cwd /proc/self/fd/$n reached the host marker" >&2
			return 1
		fi
		# a container that did start must not be in a runtime directory
		[[ "$output" != *state.json* ]] || {
			echo "cwd /proc/self/fd/$n is the container's state directory" >&2
			return 1
		}
	done
	assert_marker_untouched
}

@test "CVE-2024-21626: exec --cwd /proc/self/fd/N never starts the process outside the rootfs" {
	local id n
	id=$(ctr_id)
	make_host_marker
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	for n in $(seq 3 15); do
		run_oc exec --cwd "/proc/self/fd/$n" "$id" \
			sh -c "pwd; cat ../../../../../../../../../../..$MARKER; ls | head -20"
		if [[ "$output" == *"$MARKER_CONTENT"* ]] || [[ "$output" == *state.json* ]]; then
			echo "exec --cwd /proc/self/fd/$n reached the host" >&2
			return 1
		fi
	done
}

# ---- CVE-2019-19921 / CVE-2025-52881: writes into a fake procfs --------------

# kernel.shmmax of the container's IPC namespace, read through the host's
# procfs (the real one whatever the container mounted).
real_shmmax() {
	nsenter --ipc="/proc/$1/ns/ipc" cat /proc/sys/kernel/shmmax
}

@test "CVE-2019-19921: a bind mount over /proc/sys does not receive the sysctl write" {
	local id
	id=$(ctr_id)
	requires_cmd nsenter
	mkdir -p "$BUNDLE/rootfs/fakesys/kernel"
	echo FAKE >"$BUNDLE/rootfs/fakesys/kernel/shmmax"
	# /proc/sys out of readonlyPaths: a read-only fake would refuse the
	# write by accident and hide a runtime that writes through the path.
	update_config --arg s "$BUNDLE/rootfs/fakesys" '
		.mounts |= (.[0:1] + [{"destination": "/proc/sys", "type": "bind", "source": $s, "options": ["rbind", "rw"]}] + .[1:])
		| .linux.readonlyPaths -= ["/proc/sys"]
		| .linux.sysctl = {"kernel.shmmax": "123456789"}'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_eq "$(cat "$BUNDLE/rootfs/fakesys/kernel/shmmax")" FAKE "the fake sysctl file"
	if [ "$status" -eq 0 ]; then
		assert_eq "$(real_shmmax "$(state_field "$id" .pid)")" 123456789 "the real sysctl"
	fi
}

@test "CVE-2019-19921: without a proc mount, a sysctl is not written into the image's /proc" {
	local id
	id=$(ctr_id)
	requires_cmd nsenter
	mkdir -p "$BUNDLE/rootfs/proc/sys/kernel"
	echo FAKE >"$BUNDLE/rootfs/proc/sys/kernel/shmmax"
	update_config '.mounts |= map(select(.destination != "/proc"))
		| .root.readonly = false
		| .linux.sysctl = {"kernel.shmmax": "123456789"}'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_eq "$(cat "$BUNDLE/rootfs/proc/sys/kernel/shmmax")" FAKE "the fake sysctl file"
	if [ "$status" -eq 0 ]; then
		assert_eq "$(real_shmmax "$(state_field "$id" .pid)")" 123456789 "the real sysctl"
	fi
}

@test "CVE-2019-19921: /proc a symlink in the image: proc is mounted inside, the sysctl reaches the real procfs" {
	local id
	id=$(ctr_id)
	requires_cmd nsenter
	rmdir "$BUNDLE/rootfs/proc"
	mkdir -p "$BUNDLE/rootfs/fakeproc/sys/kernel"
	echo FAKE >"$BUNDLE/rootfs/fakeproc/sys/kernel/shmmax"
	ln -s "$TESTDIR/host-proc" "$BUNDLE/rootfs/proc"
	mkdir -p "$TESTDIR/host-proc/sys/kernel"
	echo HOSTFAKE >"$TESTDIR/host-proc/sys/kernel/shmmax"
	update_config '.linux.sysctl = {"kernel.shmmax": "123456789"}'
	run_oc create --bundle "$BUNDLE" "$id"
	# nothing on the host, nothing in the image's fake
	assert_eq "$(cat "$TESTDIR/host-proc/sys/kernel/shmmax")" HOSTFAKE "host file behind the symlink"
	assert_eq "$(cat "$BUNDLE/rootfs/fakeproc/sys/kernel/shmmax")" FAKE "the image's fake file"
	[ -z "$(testdir_mounts | grep host-proc)" ]
	if [ "$status" -eq 0 ]; then
		assert_eq "$(real_shmmax "$(state_field "$id" .pid)")" 123456789 "the real sysctl"
	fi
}

@test "CVE-2019-19921: oomScoreAdj reaches the real procfs, not the image's fake /proc" {
	local id pid
	id=$(ctr_id)
	mkdir -p "$BUNDLE/rootfs/proc/self"
	echo FAKE >"$BUNDLE/rootfs/proc/self/oom_score_adj"
	update_config '.mounts |= map(select(.destination != "/proc"))
		| .root.readonly = false
		| .process.oomScoreAdj = 123'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_eq "$(cat "$BUNDLE/rootfs/proc/self/oom_score_adj")" FAKE "the fake file"
	if [ "$status" -eq 0 ]; then
		pid=$(state_field "$id" .pid)
		assert_eq "$(cat "/proc/$pid/oom_score_adj")" 123 "the real oom_score_adj"
	fi
}

# ---- CVE-2022-29162: inheritable capabilities ---------------------------------

@test "CVE-2022-29162: the container's inheritable set is empty unless the spec asks" {
	set_args sh -c 'grep ^CapInh /proc/self/status'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_output_contains "CapInh:	0000000000000000"
}

@test "CVE-2022-29162: exec --cap adds to bounding, effective, permitted, never inheritable" {
	local id
	id=$(ctr_id)
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	run_oc exec --cap CAP_SYS_ADMIN "$id" grep ^Cap /proc/self/status
	assert_success
	assert_output_contains "CapInh:	0000000000000000"
	# CAP_SYS_ADMIN is bit 21
	local set v
	for set in CapBnd CapEff CapPrm; do
		v=$(awk -v s="$set:" '$1 == s {print $2}' <<<"$output")
		[ $(((0x$v >> 21) & 1)) -eq 1 ] || {
			echo "$set $v lacks CAP_SYS_ADMIN" >&2
			return 1
		}
	done
}

# ---- chroot escape ----------------------------------------------------------------

@test "chroot escape: the default root switch (pivot_root) contains it" {
	make_host_marker
	add_caps CAP_SYS_CHROOT
	set_args sh -c "cd /tmp && probe chroot-escape $MARKER"
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	[[ "$output" != *ESCAPED* ]]
	assert_output_contains contained
	assert_marker_untouched
}

@test "chroot escape: --no-pivot with CAP_SYS_CHROOT: contained, or the runtime warned" {
	make_host_marker
	add_caps CAP_SYS_CHROOT
	set_args sh -c "cd /tmp && probe chroot-escape $MARKER"
	run_oc run --no-pivot --bundle "$BUNDLE" "$(ctr_id)"
	assert_marker_untouched
	if [[ "$output" == *ESCAPED* ]]; then
		# chroot-only isolation is known weaker; the runtime must say so
		echo "$output" | grep -i warn | grep -q CAP_SYS_CHROOT
	fi
}

@test "--no-pivot with CAP_SYS_CHROOT in the bounding set prints a warning" {
	is_ocichroot || skip "ocichroot's own warning (issue 4); runc does not warn"
	add_caps CAP_SYS_CHROOT
	set_args true
	run_oc run --no-pivot --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	echo "$output" | grep -i warn | grep -q CAP_SYS_CHROOT
	# and not without the capability
	update_config '.process.capabilities.bounding -= ["CAP_SYS_CHROOT"]
		| .process.capabilities.effective -= ["CAP_SYS_CHROOT"]
		| .process.capabilities.permitted -= ["CAP_SYS_CHROOT"]'
	run_oc run --no-pivot --bundle "$BUNDLE" "$(ctr_id b)"
	assert_success
	! echo "$output" | grep -i warn | grep -q CAP_SYS_CHROOT
}
