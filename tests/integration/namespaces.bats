#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Namespaces: each type new (inode differs from the host's), absent (inode
# equals the host's) and joined by path (inode equals the one of a namespace
# made by unshare(1) and kept alive by a bind mount).

load helpers

setup() {
	setup_common
	requires_cmd unshare
}

teardown() {
	teardown_common
}

# OCI type -> /proc/self/ns name
ns_file() {
	case "$1" in
	network) echo net ;;
	mount) echo mnt ;;
	*) echo "$1" ;;
	esac
}

host_ns_inode() {
	stat -L -c %i "/proc/self/ns/$(ns_file "$1")"
}

# NS_INODE := the inode of /proc/self/ns/<type> inside a container of
# $BUNDLE.  (A global, not an echo: errexit does not reach into $(...).)
container_ns_inode() {
	local f
	NS_INODE=
	f=$(ns_file "$1")
	set_args readlink "/proc/self/ns/$f"
	run_oc run --bundle "$BUNDLE" "$(ctr_id "$f$RANDOM")"
	assert_success || return 1
	[[ "$output" =~ ^$f:\[([0-9]+)\]$ ]] || {
		echo "unexpected output: $output" >&2
		return 1
	}
	NS_INODE=${BASH_REMATCH[1]}
}

# A directory with private propagation, where unshare(1) may bind ns files.
ns_dir() {
	if [ ! -d "$TESTDIR/ns" ]; then
		mkdir "$TESTDIR/ns"
		mount --bind "$TESTDIR/ns" "$TESTDIR/ns"
		# teardown unmounts in this order: files first, then the dir
		NS_MOUNTS=("$TESTDIR/ns" "${NS_MOUNTS[@]}")
		mount --make-private "$TESTDIR/ns"
	fi
}

# persist_ns TYPE — make a namespace and a path to it: NSFILE.  Most types
# are kept by a bind mount of the ns file (no process needed); pid and user
# are kept by a living process and named by /proc/PID/ns/TYPE, because an
# empty pid namespace cannot be entered and a user namespace bind mount is
# refused by the kernel here.
persist_ns() {
	local f opt pid i=0
	NSFILE=
	case "$1" in
	pid)
		# --kill-child: killing unshare (teardown) kills the namespace's init.
		# 3>&- : a background process holding bats' fd 3 hangs bats.
		unshare --pid --fork --kill-child sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
		BG_PIDS+=("$!")
		until pid=$(cat "/proc/$!/task/$!/children" 2>/dev/null) && [ -n "$pid" ] &&
			[ "$(stat -L -c %i "/proc/${pid%% *}/ns/pid")" != "$(host_ns_inode pid)" ]; do
			[ $i -ge 300 ] && { echo "no pid namespace" >&2; return 1; }
			sleep 0.01
			i=$((i + 1))
		done
		NSFILE="/proc/${pid%% *}/ns/pid"
		return 0
		;;
	user)
		unshare --user --map-root-user sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
		pid=$!
		BG_PIDS+=("$pid")
		until [ -n "$(cat "/proc/$pid/uid_map" 2>/dev/null)" ] &&
			[ "$(stat -L -c %i "/proc/$pid/ns/user")" != "$(host_ns_inode user)" ]; do
			[ $i -ge 300 ] && { echo "no user namespace" >&2; return 1; }
			sleep 0.01
			i=$((i + 1))
		done
		NSFILE="/proc/$pid/ns/user"
		return 0
		;;
	network) opt=--net ;;
	*) opt=--$1 ;;
	esac
	ns_dir
	f="$TESTDIR/ns/$(ns_file "$1")"
	touch "$f"
	NS_MOUNTS=("$f" "${NS_MOUNTS[@]}")
	unshare "$opt=$f" true
	grep -qF " $f " /proc/self/mountinfo || {
		echo "unshare did not bind $f" >&2
		return 1
	}
	NSFILE=$f
}

check_new_ns() {
	local t=$1 host inner
	host=$(host_ns_inode "$t")
	update_config --arg t "$t" '.linux.namespaces |= (map(select(.type != $t)) + [{"type": $t}])'
	container_ns_inode "$t"
	inner=$NS_INODE
	[ -n "$inner" ]
	[ "$inner" != "$host" ] || {
		echo "$t: container shares the host namespace $host" >&2
		return 1
	}
}

check_host_ns() {
	local t=$1 host inner
	host=$(host_ns_inode "$t")
	update_config --arg t "$t" '.linux.namespaces |= map(select(.type != $t))'
	container_ns_inode "$t"
	inner=$NS_INODE
	assert_eq "$inner" "$host" "$t namespace should be the host's"
}

check_joined_ns() {
	local t=$1 f want inner
	persist_ns "$t"
	f=$NSFILE
	want=$(stat -L -c %i "$f")
	[ "$want" != "$(host_ns_inode "$t")" ]
	update_config --arg t "$t" --arg p "$f" \
		'.linux.namespaces |= (map(select(.type != $t)) + [{"type": $t, "path": $p}])'
	container_ns_inode "$t"
	inner=$NS_INODE
	assert_eq "$inner" "$want" "$t namespace joined by path"
}

@test "pid namespace: new" {
	check_new_ns pid
}

@test "pid namespace: absent => host's" {
	check_host_ns pid
}

@test "pid namespace: joined by path" {
	check_joined_ns pid
}

@test "network namespace: new (only lo inside)" {
	check_new_ns network
	set_args sh -c 'ls /sys/class/net'
	run_oc run --bundle "$BUNDLE" "$(ctr_id lo)"
	assert_success
	assert_eq "$output" lo
}

@test "network namespace: absent => host's" {
	check_host_ns network
}

@test "network namespace: joined by path" {
	check_joined_ns network
}

@test "ipc namespace: new" {
	check_new_ns ipc
}

@test "ipc namespace: absent => host's" {
	check_host_ns ipc
}

@test "ipc namespace: joined by path" {
	check_joined_ns ipc
}

@test "uts namespace: new, and the hostname does not leak to the host" {
	local before
	before=$(hostname)
	check_new_ns uts
	assert_eq "$(hostname)" "$before"
}

@test "uts namespace: joined by path" {
	# A hostname needs a private uts namespace of the container's own.
	update_config 'del(.hostname)'
	check_joined_ns uts
}

@test "mount namespace: new, and no container mount shows on the host" {
	check_new_ns mount
	[ -z "$(testdir_mounts)" ]
}

@test "mount namespace: joined by path" {
	check_joined_ns mount
}

@test "cgroup namespace: new" {
	[ -e /proc/self/ns/cgroup ] || skip "kernel without cgroup namespaces"
	check_new_ns cgroup
}

@test "cgroup namespace: absent => host's" {
	[ -e /proc/self/ns/cgroup ] || skip "kernel without cgroup namespaces"
	check_host_ns cgroup
}

@test "cgroup namespace: joined by path" {
	[ -e /proc/self/ns/cgroup ] || skip "kernel without cgroup namespaces"
	check_joined_ns cgroup
}

@test "user namespace: new, with uid/gid mappings" {
	requires_userns
	local host inner
	host=$(host_ns_inode user)
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	set_args sh -c 'readlink /proc/self/ns/user; cat /proc/self/uid_map /proc/self/gid_map; id -u'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	[[ "${lines[0]}" =~ ^user:\[([0-9]+)\]$ ]]
	inner=${BASH_REMATCH[1]}
	[ "$inner" != "$host" ]
	# the map as the container sees it
	[[ "${lines[1]}" =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536$ ]]
	[[ "${lines[2]}" =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536$ ]]
	assert_eq "${lines[3]}" 0
}

@test "user namespace: the container's root is an unprivileged host uid" {
	requires_userns
	local id pid
	id=$(ctr_id)
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(state_field "$id" .pid)
	assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" 100000
	assert_eq "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" 100000
}

@test "user namespace: joined by path" {
	requires_userns
	# runc 1.1 insists on mappings even when joining; give the ones of the
	# joined namespace (unshare --map-root-user: 0 0 1).
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
		| (.mounts[] | select(.destination == "/dev/pts") | .options) |= map(select(. != "gid=5"))'
	check_joined_ns user
}
