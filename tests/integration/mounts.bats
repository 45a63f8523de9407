#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The container's filesystem (issue 3): every mount type and option family,
# /dev, devices, console, masked and read-only paths, propagation, the
# read-only root, sysctls, and the attacks on mount destinations.  Checked
# from inside (/proc/self/mountinfo, a write attempt, a device's numbers)
# and, for the attacks, on the host (a marker file's content and mtime).

load helpers

# ---- helpers of this file ---------------------------------------------------

# add_mount JSON — append one mount to the spec.
add_mount() {
	update_config --argjson m "$1" '.mounts += [$m]'
}

# in_ctr SCRIPT [NAME] — run SCRIPT with sh in a new container (run_oc).
in_ctr() {
	set_args sh -c "$1"
	run_oc run --bundle "$BUNDLE" "$(ctr_id "${2:-c}")"
}

# Inside the container: the mountinfo line of a mount point (the last one).
MI='mi() { awk -v d="$1" '"'"'$5 == d'"'"' /proc/self/mountinfo | tail -n1; }'

# opts_of LINE — per-mount options; fs_of LINE — "fstype source superopts".
opts_of() {
	awk '{print $6}' <<<"$1"
}

fs_of() {
	sed 's/.* - //' <<<"$1"
}

# line_for DEST — from $output (lines printed by `mi`), the one for DEST.
line_for() {
	awk -v d="$1" '$5 == d' <<<"$output" | tail -n1
}

has_opt() {
	[[ ",$1," == *",$2,"* ]]
}

# Host mounts of the test (removed by teardown_common through NS_MOUNTS).
host_mount() {
	local dest=${*: -1}
	mount "$@"
	NS_MOUNTS=("$dest" "${NS_MOUNTS[@]}")
}

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

# A clear error names what failed: not empty, no Go panic, no "unknown".
assert_clear_error() {
	assert_failure
	[ -n "$output" ]
	[[ "$output" != *panic* ]]
	[[ "$output" != *"unknown error"* ]]
	assert_output_contains "$@"
}

# The spec without the /dev family of mounts.
drop_dev_mounts() {
	update_config '.mounts |= map(select(.destination | test("^/dev") | not))'
}

setup() {
	setup_common
	cp "$(probe_bin)" "$BUNDLE/rootfs/bin/probe"
}

teardown() {
	teardown_common
}

# ---- mount types ----------------------------------------------------------------

@test "bind: a host directory, readable and writable from inside" {
	mkdir -p "$TESTDIR/src"
	echo from-host >"$TESTDIR/src/file"
	add_mount "{\"destination\": \"/mnt/bind\", \"type\": \"bind\", \"source\": \"$TESTDIR/src\", \"options\": [\"bind\"]}"
	in_ctr "$MI; cat /mnt/bind/file; echo from-ctr >/mnt/bind/new; mi /mnt/bind"
	assert_success
	assert_eq "${lines[0]}" from-host
	assert_eq "$(cat "$TESTDIR/src/new")" from-ctr
	[[ "$(line_for /mnt/bind)" == *"$TESTDIR/src /mnt/bind "* ]]
}

@test "bind vs rbind: only rbind carries the source's submounts" {
	mkdir -p "$TESTDIR/src/sub"
	host_mount -t tmpfs tmpfs "$TESTDIR/src/sub"
	echo in-submount >"$TESTDIR/src/sub/file"
	add_mount "{\"destination\": \"/mnt/b\", \"type\": \"bind\", \"source\": \"$TESTDIR/src\", \"options\": [\"bind\"]}"
	add_mount "{\"destination\": \"/mnt/rb\", \"type\": \"bind\", \"source\": \"$TESTDIR/src\", \"options\": [\"rbind\"]}"
	in_ctr "$MI; ls /mnt/b/sub | wc -l; cat /mnt/rb/sub/file; mi /mnt/rb/sub"
	assert_success
	assert_eq "${lines[0]}" 0
	assert_eq "${lines[1]}" in-submount
	[[ "$(fs_of "$(line_for /mnt/rb/sub)")" == tmpfs* ]]
}

@test "proc: a procfs of the container's pid namespace" {
	in_ctr "$MI; mi /proc; cat /proc/1/comm; readlink /proc/1/exe"
	assert_success
	[[ "$(fs_of "$(line_for /proc)")" == proc* ]]
	assert_eq "${lines[1]}" sh
	assert_eq "${lines[2]}" /bin/busybox
}

@test "sysfs: mounted read-only as asked" {
	in_ctr "$MI; mi /sys; touch /sys/x 2>&1; ls /sys/kernel >/dev/null && echo LISTED"
	[[ "$(fs_of "$(line_for /sys)")" == sysfs* ]]
	has_opt "$(opts_of "$(line_for /sys)")" ro
	assert_output_contains "Read-only file system" LISTED
}

@test "tmpfs: a named filesystem with data options (size, mode, uid, gid, nr_inodes)" {
	add_mount '{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "size=1m", "mode=0700", "uid=1000", "gid=1001", "nr_inodes=100"]}'
	in_ctr "$MI; mi /mnt/t; stat -c '%a %u %g' /mnt/t"
	assert_success
	local fs
	fs=$(fs_of "$(line_for /mnt/t)")
	[[ "$fs" == "tmpfs tmpfs "* ]]
	for o in size=1024k nr_inodes=100 mode=700 uid=1000 gid=1001; do
		has_opt "${fs##* }" "$o" || {
			echo "superblock options lack $o: $fs" >&2
			return 1
		}
	done
	assert_eq "${lines[1]}" "700 1000 1001"
}

@test "devpts: a new instance with the spec's options, /dev/ptmx its multiplexer" {
	in_ctr "$MI; mi /dev/pts; ls /dev/pts; readlink /dev/ptmx"
	assert_success
	local fs
	fs=$(fs_of "$(line_for /dev/pts)")
	[[ "$fs" == devpts* ]]
	has_opt "${fs##* }" ptmxmode=666
	has_opt "${fs##* }" mode=620
	has_opt "${fs##* }" gid=5
	# a new instance: no pty of the host is visible
	assert_eq "${lines[1]}" ptmx
	assert_eq "${lines[2]}" pts/ptmx
}

@test "mqueue: mounted with its options" {
	in_ctr "$MI; mi /dev/mqueue"
	assert_success
	[[ "$(fs_of "${lines[0]}")" == mqueue* ]]
	for o in nosuid nodev noexec; do has_opt "$(opts_of "${lines[0]}")" $o; done
}

# The host's v1 controllers that the container must see (this host may be
# hybrid: v1 controllers plus a cgroup2 "unified" mount).
host_v1_controllers() {
	awk '$9 == "cgroup" && $5 ~ "^/sys/fs/cgroup/" {sub("/sys/fs/cgroup/", "", $5); print $5}' /proc/self/mountinfo |
		grep -v / | sort -u
}

@test "cgroup: v1/hybrid host: one read-only hierarchy per controller, the container's own cgroup" {
	local ctrls c
	ctrls=$(host_v1_controllers)
	[ -n "$ctrls" ] || skip "pure cgroup v2 host"
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		"options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
	in_ctr "$MI; cat /proc/self/mountinfo; echo PROCS; cat /sys/fs/cgroup/pids/cgroup.procs; mkdir /sys/fs/cgroup/pids/x 2>&1"
	for c in $ctrls; do
		local l
		l=$(line_for "/sys/fs/cgroup/$c")
		[ -n "$l" ] || {
			echo "no mount for controller $c" >&2
			return 1
		}
		[[ "$(fs_of "$l")" == cgroup* ]]
		has_opt "$(opts_of "$l")" ro
	done
	# the hierarchy's root is the container's cgroup: our sh is in it
	sed -n '/^PROCS$/,$p' <<<"$output" | grep -qx 1
	assert_output_contains "Read-only file system"
}

@test "cgroup: with a cgroup namespace every hierarchy is rooted at the container's cgroup" {
	[ -e /proc/self/ns/cgroup ] || skip "kernel without cgroup namespaces"
	add_mount '{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		"options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	in_ctr "cat /proc/self/cgroup; echo PROCS; cat /sys/fs/cgroup/pids/cgroup.procs 2>/dev/null || cat /sys/fs/cgroup/cgroup.procs"
	assert_success
	# every line of /proc/self/cgroup: the namespace's root
	! sed '/^PROCS$/,$d' <<<"$output" | grep -v ':/$'
	sed -n '/^PROCS$/,$p' <<<"$output" | grep -qx 1
}

@test "overlay: lower, upper and work dirs from the host" {
	grep -qw overlay /proc/filesystems || skip "no overlay filesystem"
	mkdir -p "$TESTDIR"/{lower,upper,work}
	echo lower-file >"$TESTDIR/lower/l"
	add_mount "{\"destination\": \"/mnt/ov\", \"type\": \"overlay\", \"source\": \"overlay\",
		\"options\": [\"lowerdir=$TESTDIR/lower\", \"upperdir=$TESTDIR/upper\", \"workdir=$TESTDIR/work\"]}"
	in_ctr "$MI; cat /mnt/ov/l; echo new >/mnt/ov/n; mi /mnt/ov"
	assert_success
	assert_eq "${lines[0]}" lower-file
	assert_eq "$(cat "$TESTDIR/upper/n")" new
	[[ "$(fs_of "$(line_for /mnt/ov)")" == overlay* ]]
}

# ---- option families -------------------------------------------------------------

@test "ro and rw: a read-only bind refuses writes, a rw tmpfs takes them" {
	mkdir -p "$TESTDIR/src"
	add_mount "{\"destination\": \"/mnt/ro\", \"type\": \"bind\", \"source\": \"$TESTDIR/src\", \"options\": [\"bind\", \"ro\"]}"
	add_mount '{"destination": "/mnt/rw", "type": "tmpfs", "source": "tmpfs", "options": ["rw"]}'
	in_ctr "$MI; mi /mnt/ro; mi /mnt/rw; touch /mnt/ro/x 2>&1; touch /mnt/rw/x && echo RW-OK"
	has_opt "$(opts_of "$(line_for /mnt/ro)")" ro
	has_opt "$(opts_of "$(line_for /mnt/rw)")" rw
	assert_output_contains "Read-only file system" RW-OK
	[ ! -e "$TESTDIR/src/x" ]
}

@test "nosuid, nodev, noexec: in mountinfo, and nodev/noexec enforced" {
	local bb=/bin/busybox
	add_mount '{"destination": "/mnt/flags", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec"]}'
	add_mount '{"destination": "/mnt/plain", "type": "tmpfs", "source": "tmpfs", "options": ["suid", "dev", "exec"]}'
	add_mount '{"destination": "/mnt/null-nodev", "type": "bind", "source": "/dev/null", "options": ["bind", "nodev"]}'
	add_mount '{"destination": "/mnt/null-dev", "type": "bind", "source": "/dev/null", "options": ["bind"]}'
	in_ctr "$MI; mi /mnt/flags; mi /mnt/plain
		cp $bb /mnt/flags/true; cp $bb /mnt/plain/true
		/mnt/flags/true 2>/dev/null && echo NOEXEC-RAN
		/mnt/plain/true && echo EXEC-RAN
		echo x 2>/dev/null >/mnt/null-nodev && echo NODEV-OPENED
		echo x >/mnt/null-dev && echo DEV-OPENED"
	local f p
	f=$(opts_of "$(line_for /mnt/flags)")
	p=$(opts_of "$(line_for /mnt/plain)")
	for o in nosuid nodev noexec; do
		has_opt "$f" $o
		! has_opt "$p" $o
	done
	assert_output_contains EXEC-RAN DEV-OPENED
	[[ "$output" != *NOEXEC-RAN* ]]
	[[ "$output" != *NODEV-OPENED* ]]
}

@test "atime family: noatime, strictatime, relatime, nodiratime" {
	add_mount '{"destination": "/mnt/noatime", "type": "tmpfs", "source": "tmpfs", "options": ["noatime"]}'
	add_mount '{"destination": "/mnt/strict", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime"]}'
	add_mount '{"destination": "/mnt/rel", "type": "tmpfs", "source": "tmpfs", "options": ["relatime"]}'
	add_mount '{"destination": "/mnt/nodir", "type": "tmpfs", "source": "tmpfs", "options": ["nodiratime"]}'
	in_ctr "$MI; for d in noatime strict rel nodir; do mi /mnt/\$d; done"
	assert_success
	has_opt "$(opts_of "$(line_for /mnt/noatime)")" noatime
	! has_opt "$(opts_of "$(line_for /mnt/strict)")" relatime
	! has_opt "$(opts_of "$(line_for /mnt/strict)")" noatime
	has_opt "$(opts_of "$(line_for /mnt/rel)")" relatime
	has_opt "$(opts_of "$(line_for /mnt/nodir)")" nodiratime
}

@test "rro: a recursive read-only rbind covers the submount; plain ro does not" {
	mkdir -p "$TESTDIR/src/sub"
	host_mount -t tmpfs tmpfs "$TESTDIR/src/sub"
	add_mount "{\"destination\": \"/mnt/rro\", \"type\": \"bind\", \"source\": \"$TESTDIR/src\", \"options\": [\"rbind\", \"rro\"]}"
	add_mount "{\"destination\": \"/mnt/ro\", \"type\": \"bind\", \"source\": \"$TESTDIR/src\", \"options\": [\"rbind\", \"ro\"]}"
	in_ctr "$MI; for d in /mnt/rro /mnt/rro/sub /mnt/ro /mnt/ro/sub; do mi \$d; touch \$d/f 2>/dev/null && echo \"WROTE \$d\"; done"
	has_opt "$(opts_of "$(line_for /mnt/rro)")" ro
	has_opt "$(opts_of "$(line_for /mnt/rro/sub)")" ro
	has_opt "$(opts_of "$(line_for /mnt/ro)")" ro
	[[ "$output" != *"WROTE /mnt/rro"* ]]
	# runc semantics: "ro" on an rbind is the top mount only
	assert_output_contains "WROTE /mnt/ro/sub"
	[ ! -e "$TESTDIR/src/f" ]
}

@test "tmpcopyup: the tmpfs starts with a copy of what it covers" {
	add_mount '{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "mode=755"]}'
	in_ctr "$MI; mi /etc; grep ^user: /etc/passwd; echo new >/etc/new && echo WRITABLE"
	[[ "$(fs_of "$(line_for /etc)")" == tmpfs* ]]
	assert_output_contains "user:x:1000:1000" WRITABLE
	# the copy, not the image, took the write
	[ ! -e "$BUNDLE/rootfs/etc/new" ]
}

@test "idmap: an id-mapped bind shows host ids mapped, or is refused with a clear error" {
	requires_userns
	mkdir -p "$TESTDIR/idsrc"
	touch "$TESTDIR/idsrc/f"
	chown 1234:1234 "$TESTDIR/idsrc/f"
	# the rootfs belongs to the host's root, which the mapped root cannot
	# write: the destination must exist
	mkdir -p "$BUNDLE/rootfs/mnt/id"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	# runc's and crun's reading, the kernel's: {containerID: id on the
	# filesystem, hostID: kernel id it shows as}; 100000 is the
	# container's root
	add_mount "{\"destination\": \"/mnt/id\", \"type\": \"bind\", \"source\": \"$TESTDIR/idsrc\", \"options\": [\"bind\", \"idmap\"],
		\"uidMappings\": [{\"containerID\": 1234, \"hostID\": 100000, \"size\": 1}],
		\"gidMappings\": [{\"containerID\": 1234, \"hostID\": 100000, \"size\": 1}]}"
	in_ctr "stat -c '%u:%g' /mnt/id/f"
	if [ "$status" -ne 0 ]; then
		# unsupported: said so, naming the option
		assert_clear_error idmap
		skip "idmap mounts refused by this runtime: $output"
	fi
	# silently ignoring the mapping would show the overflow id 65534
	assert_eq "${lines[0]}" 0:0
}

@test "user namespace: a bind of a read-only, nosuid source keeps the locked flags" {
	requires_userns
	mkdir -p "$TESTDIR/locked"
	host_mount --bind "$TESTDIR/locked" "$TESTDIR/locked"
	mount -o remount,bind,ro,nosuid "$TESTDIR/locked"
	mkdir -p "$BUNDLE/rootfs/mnt/locked"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	add_mount "{\"destination\": \"/mnt/locked\", \"type\": \"bind\", \"source\": \"$TESTDIR/locked\", \"options\": [\"bind\", \"nodev\"]}"
	in_ctr "$MI; mi /mnt/locked"
	assert_success
	local o
	o=$(opts_of "$(line_for /mnt/locked)")
	has_opt "$o" ro
	has_opt "$o" nosuid
	has_opt "$o" nodev
}

@test "destinations are created as a file or a directory to match the source" {
	mkdir -p "$TESTDIR/srcdir"
	echo f >"$TESTDIR/srcfile"
	add_mount "{\"destination\": \"/new/deep/file\", \"type\": \"bind\", \"source\": \"$TESTDIR/srcfile\", \"options\": [\"bind\"]}"
	add_mount "{\"destination\": \"/new2/deep/dir\", \"type\": \"bind\", \"source\": \"$TESTDIR/srcdir\", \"options\": [\"bind\"]}"
	add_mount '{"destination": "/new3/tmp", "type": "tmpfs", "source": "tmpfs"}'
	in_ctr "test -f /new/deep/file && echo FILE; test -d /new2/deep/dir && echo DIR; test -d /new3/tmp && echo TMPDIR"
	assert_success
	assert_output_contains FILE DIR TMPDIR
	[ -f "$BUNDLE/rootfs/new/deep/file" ]
	[ -d "$BUNDLE/rootfs/new2/deep/dir" ]
}

# ---- /dev ---------------------------------------------------------------------------

@test "minimal /dev when the spec mounts none: nodes, links, pts, shm" {
	drop_dev_mounts
	in_ctr "$MI; for d in null zero full random urandom tty; do stat -c \"%n %F %t:%T %a\" /dev/\$d; done
		for l in ptmx fd stdin stdout stderr; do echo \"/dev/\$l -> \$(readlink /dev/\$l)\"; done
		mi /dev; mi /dev/pts; mi /dev/shm; echo x >/dev/null && echo NULL-OK"
	assert_success
	assert_output_contains \
		"/dev/null character special file 1:3 666" \
		"/dev/zero character special file 1:5 666" \
		"/dev/full character special file 1:7 666" \
		"/dev/random character special file 1:8 666" \
		"/dev/urandom character special file 1:9 666" \
		"/dev/tty character special file 5:0 666" \
		"/dev/ptmx -> pts/ptmx" \
		"/dev/fd -> /proc/self/fd" \
		"/dev/stdin -> /proc/self/fd/0" \
		"/dev/stdout -> /proc/self/fd/1" \
		"/dev/stderr -> /proc/self/fd/2" \
		NULL-OK
	if is_ocichroot; then
		# runc uses the image's /dev as is when the spec mounts none;
		# ocichroot gives every container a private /dev
		[[ "$(fs_of "$(line_for /dev)")" == tmpfs* ]]
		local pts
		pts=$(fs_of "$(line_for /dev/pts)")
		[[ "$pts" == devpts* ]]
		has_opt "${pts##* }" ptmxmode=666
		[[ "$(fs_of "$(line_for /dev/shm)")" == tmpfs* ]]
	fi
}

@test "linux.devices: type, major, minor, fileMode, uid, gid" {
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
		"fileMode": 416, "uid": 1000, "gid": 1001},
		{"path": "/dev/sub/blk", "type": "b", "major": 7, "minor": 0, "fileMode": 384}]'
	in_ctr 'stat -c "%n %F %t:%T %a %u %g" /dev/fuse /dev/sub/blk'
	assert_success
	assert_eq "${lines[0]}" "/dev/fuse character special file a:e5 640 1000 1001"
	assert_eq "${lines[1]}" "/dev/sub/blk block special file 7:0 600 0 0"
}

@test "linux.devices in a user namespace: bound from the host" {
	requires_userns
	[ -c /dev/fuse ] || skip "host without /dev/fuse"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	in_ctr "$MI; stat -c '%F %t:%T' /dev/fuse /dev/null; mi /dev/fuse"
	assert_success
	assert_eq "${lines[0]}" "character special file a:e5"
	assert_eq "${lines[1]}" "character special file 1:3"
	# a bind mount of the host's node, not a mknod
	[ -n "$(line_for /dev/fuse)" ]
}

@test "/dev/console with process.terminal: the container's pty" {
	local id rt rpid
	id=$(ctr_id)
	rt=$(recvtty_bin)
	"$rt" "$TESTDIR/tty.sock" "$TESTDIR/tty.out" 3>&- &
	rpid=$!
	BG_PIDS+=("$rpid")
	wait_for_file "$TESTDIR/tty.sock"
	update_config '.process.terminal = true'
	set_args sh -c 'stat -c "CONSOLE %F %t" /dev/console; stat -c "PTS0 %t:%T" /dev/pts/0; stat -c "CONS %t:%T" /dev/console'
	run_oc run -d --bundle "$BUNDLE" --console-socket "$TESTDIR/tty.sock" "$id"
	assert_success
	wait "$rpid" || true
	cat "$TESTDIR/tty.out"
	# 0x88 = 136, the first Unix98 pty major
	grep -q "CONSOLE character special file 88" "$TESTDIR/tty.out"
	local pts cons
	pts=$(sed -n 's/^PTS0 \([0-9a-f:]*\).*/\1/p' "$TESTDIR/tty.out")
	cons=$(sed -n 's/^CONS \([0-9a-f:]*\).*/\1/p' "$TESTDIR/tty.out")
	assert_eq "$cons" "$pts" "/dev/console is the container's pts/0"
}

# ---- masked and read-only paths ---------------------------------------------------

@test "maskedPaths: a directory becomes an empty read-only tmpfs, a file /dev/null; missing ones are skipped" {
	mkdir -p "$BUNDLE/rootfs/secret-dir"
	echo secret >"$BUNDLE/rootfs/secret-dir/data"
	echo secret >"$BUNDLE/rootfs/secret-file"
	update_config '.linux.maskedPaths += ["/secret-dir", "/secret-file", "/does/not/exist"]'
	in_ctr "$MI; ls -A /secret-dir | wc -l; cat /secret-file | wc -c; stat -c '%t:%T' /secret-file
		touch /secret-dir/x 2>&1; mi /secret-dir"
	assert_success
	assert_eq "${lines[0]}" 0
	assert_eq "${lines[1]}" 0
	assert_eq "${lines[2]}" 1:3
	assert_output_contains "Read-only file system"
	local l
	l=$(line_for /secret-dir)
	[[ "$(fs_of "$l")" == tmpfs* ]]
	has_opt "$(opts_of "$l")" ro
}

@test "readonlyPaths: read-only inside, the rest writable; missing ones are skipped" {
	mkdir -p "$BUNDLE/rootfs/data" "$BUNDLE/rootfs/other"
	update_config '.root.readonly = false | .linux.readonlyPaths += ["/data", "/does/not/exist"]'
	in_ctr "touch /data/x 2>&1; touch /other/x && echo OTHER-OK; echo 1 >/proc/sys/kernel/hostname 2>&1"
	assert_output_contains "Read-only file system" OTHER-OK
	[ ! -e "$BUNDLE/rootfs/data/x" ]
	[ -e "$BUNDLE/rootfs/other/x" ]
}

# ---- propagation ------------------------------------------------------------------

# A shared host directory, as on a systemd host where / is shared.
make_shared_src() {
	mkdir -p "$TESTDIR/psrc"
	host_mount --bind "$TESTDIR/psrc" "$TESTDIR/psrc"
	mount --make-shared "$TESTDIR/psrc"
}

@test "propagation: an rslave bind receives host mounts made later, a private one does not" {
	local id pid
	id=$(ctr_id)
	make_shared_src
	mkdir -p "$TESTDIR/psrc/later"
	add_mount "{\"destination\": \"/mnt/slave\", \"type\": \"bind\", \"source\": \"$TESTDIR/psrc\", \"options\": [\"rbind\", \"rslave\"]}"
	add_mount "{\"destination\": \"/mnt/priv\", \"type\": \"bind\", \"source\": \"$TESTDIR/psrc\", \"options\": [\"rbind\", \"rprivate\"]}"
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(state_field "$id" .pid)
	host_mount -t tmpfs later "$TESTDIR/psrc/later"
	awk '{print $5}' "/proc/$pid/mountinfo" | grep -qx /mnt/slave/later
	! awk '{print $5}' "/proc/$pid/mountinfo" | grep -qx /mnt/priv/later
	# and nothing flows back
	local before
	before=$(wc -l </proc/self/mountinfo)
	nsenter -t "$pid" -m mount -t tmpfs inner /mnt/slave
	assert_eq "$(wc -l </proc/self/mountinfo)" "$before"
}

@test "propagation: rshared bind with rootfsPropagation rshared: a mount made inside reaches the host" {
	local id pid
	id=$(ctr_id)
	make_shared_src
	mkdir -p "$TESTDIR/psrc/inner"
	update_config '.linux.rootfsPropagation = "rshared"'
	add_mount "{\"destination\": \"/mnt/shared\", \"type\": \"bind\", \"source\": \"$TESTDIR/psrc\", \"options\": [\"rbind\", \"rshared\"]}"
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	# shared propagation must not cost the pivot_root
	[[ "$output" != *chroot* ]]
	pid=$(state_field "$id" .pid)
	NS_MOUNTS=("$TESTDIR/psrc/inner" "${NS_MOUNTS[@]}")
	nsenter -t "$pid" -m mount -t tmpfs bidir /mnt/shared/inner
	grep -q " $TESTDIR/psrc/inner .* - tmpfs bidir " /proc/self/mountinfo
}

rootfs_prop_line() {
	local id=$1 pid
	pid=$(state_field "$id" .pid)
	awk '$5 == "/"' "/proc/$pid/mountinfo"
}

@test "rootfsPropagation: private, rslave, rshared on a rootfs under a shared mount" {
	local p id l
	host_mount --bind "$BUNDLE" "$BUNDLE"
	mount --make-shared "$BUNDLE"
	for p in private rslave rshared; do
		id=$(ctr_id "$p")
		update_config --arg p "$p" '.linux.rootfsPropagation = $p'
		run_oc run -d --bundle "$BUNDLE" "$id"
		assert_success
		[[ "$output" != *chroot* ]]
		l=$(rootfs_prop_line "$id")
		echo "$p: $l"
		case $p in
		private) [[ "$l" != *shared:* && "$l" != *master:* ]] ;;
		rslave) [[ "$l" == *master:* && "$l" != *shared:* ]] ;;
		# runc applies it to the namespace before the rootfs bind, and
		# leaves the new / private: only success (with pivot_root) is
		# common ground; the bidirectional test checks what it is for
		rshared) ;;
		esac
		oc delete --force "$id"
	done
	# none of the container's mounts leaked onto the host
	[ -z "$(testdir_mounts | grep -v " $BUNDLE $BUNDLE ")" ]
}

# ---- root, sysctl ------------------------------------------------------------------

@test "root.readonly: true refuses writes to /, false allows them" {
	in_ctr "$MI; mi /; touch /x 2>&1"
	has_opt "$(opts_of "${lines[0]}")" ro
	assert_output_contains "Read-only file system"
	update_config '.root.readonly = false'
	in_ctr "touch /x && echo WRITABLE" b
	assert_success
	assert_output_contains WRITABLE
	[ -e "$BUNDLE/rootfs/x" ]
}

@test "linux.sysctl: ipc and net sysctls of the container's namespaces" {
	local host_fwd
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	update_config --arg f "$((1 - host_fwd))" '.linux.sysctl = {"kernel.shmmax": "123456789", "net.ipv4.ip_forward": $f}'
	in_ctr "cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward"
	assert_success
	assert_eq "${lines[0]}" 123456789
	assert_eq "${lines[1]}" "$((1 - host_fwd))"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "host's ip_forward"
}

@test "linux.sysctl: a net.* sysctl without a private network namespace is refused" {
	local host_fwd
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	update_config --arg f "$((1 - host_fwd))" '.linux.namespaces |= map(select(.type != "network"))
		| .linux.sysctl = {"net.ipv4.ip_forward": $f}'
	in_ctr "cat /proc/sys/net/ipv4/ip_forward"
	assert_clear_error net.ipv4.ip_forward
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "host's ip_forward"
}

# ---- attacks on mount destinations ---------------------------------------------------

# Mounts whose destinations go through the link /evil of the image; the
# payload is a bind of a file and a tmpfs on a new directory.  Inside the
# rootfs they are harmless; on the host the file would cover the marker and
# the directory would be created there.
evil_mounts() {
	mkdir -p "$TESTDIR/hostdir"
	cp -p "$MARKER" "$TESTDIR/hostdir/marker"
	touch -d '2001-02-03 04:05:06' "$TESTDIR/hostdir/marker"
	echo PAYLOAD >"$TESTDIR/payload"
	add_mount "{\"destination\": \"/evil/marker\", \"type\": \"bind\", \"source\": \"$TESTDIR/payload\", \"options\": [\"bind\"]}"
	add_mount '{"destination": "/evil/newdir", "type": "tmpfs", "source": "tmpfs"}'
}

assert_evil_contained() {
	assert_marker_untouched
	assert_eq "$(cat "$TESTDIR/hostdir/marker")" "$MARKER_CONTENT" "host dir marker"
	[ ! -e "$TESTDIR/hostdir/newdir" ]
	[ ! -e "$BUNDLE/newdir" ]
	if [ "$status" -eq 0 ]; then
		# stayed inside: the payload is where the link points in the rootfs
		assert_output_contains PAYLOAD
	else
		assert_clear_error evil
	fi
}

@test "attack: a mount destination through a symlink to an absolute host path stays inside" {
	make_host_marker
	evil_mounts
	ln -s "$TESTDIR/hostdir" "$BUNDLE/rootfs/evil"
	in_ctr "cat /evil/marker; test -d /evil/newdir && echo NEWDIR"
	assert_evil_contained
}

@test "attack: a mount destination through a symlink to ../../.. stays inside" {
	make_host_marker
	evil_mounts
	ln -s "../../../../../../../../../../..$TESTDIR/hostdir" "$BUNDLE/rootfs/evil"
	in_ctr "cat /evil/marker"
	assert_evil_contained
}

@test "attack: a mount destination through a symlink to /proc/self/cwd or /proc/self/root" {
	make_host_marker
	evil_mounts
	# at mount time the runtime's cwd is the bundle and its root the host
	ln -s /proc/self/cwd "$BUNDLE/rootfs/evil"
	in_ctr "cat /evil/marker"
	assert_evil_contained
	rm "$BUNDLE/rootfs/evil"
	ln -s "/proc/self/root$TESTDIR/hostdir" "$BUNDLE/rootfs/evil"
	in_ctr "cat /evil/marker" b
	assert_evil_contained
}

@test "attack: a masked path that is a symlink to a host file" {
	make_host_marker
	ln -s "$MARKER" "$BUNDLE/rootfs/masklink"
	update_config '.linux.maskedPaths += ["/masklink"]'
	in_ctr "cat /masklink 2>&1; echo done"
	assert_success
	[[ "$output" != *"$MARKER_CONTENT"* ]]
	assert_marker_untouched
}

@test "attack: the image's /dev/null a symlink to a host file, with masked files (no /dev in the spec)" {
	make_host_marker
	drop_dev_mounts
	echo secret >"$BUNDLE/rootfs/secret-file"
	rm -f "$BUNDLE/rootfs/dev/null"
	ln -s "$MARKER" "$BUNDLE/rootfs/dev/null"
	update_config '.root.readonly = false | .linux.maskedPaths += ["/secret-file"]'
	in_ctr "stat -c '%t:%T' /secret-file; cat /secret-file | wc -c"
	assert_marker_untouched
	[ -L "$BUNDLE/rootfs/dev/null" ] || [ -c "$BUNDLE/rootfs/dev/null" ]
	if [ "$status" -eq 0 ]; then
		assert_eq "${lines[0]}" 1:3
		assert_eq "${lines[1]}" 0
	fi
	[[ "$output" != *"$MARKER_CONTENT"* ]]
}

@test "attack: /dev/null a symlink in a /dev bound from a directory, with masked files" {
	make_host_marker
	mkdir -p "$TESTDIR/imgdev"
	ln -s "$MARKER" "$TESTDIR/imgdev/null"
	ln -s /proc/sys/kernel/core_pattern "$TESTDIR/imgdev/zero"
	drop_dev_mounts
	echo secret >"$BUNDLE/rootfs/secret-file"
	update_config --arg d "$TESTDIR/imgdev" '.mounts += [{"destination": "/dev", "type": "bind", "source": $d, "options": ["rbind"]}]
		| .linux.maskedPaths += ["/secret-file"]'
	in_ctr "cat /secret-file"
	assert_marker_untouched
	[ -L "$TESTDIR/imgdev/null" ]
	assert_eq "$(readlink "$TESTDIR/imgdev/null")" "$MARKER"
	[[ "$output" != *secret* ]] || [ "$status" -ne 0 ]
	[[ "$output" != *"$MARKER_CONTENT"* ]]
}

@test "attack: the image's /dev/console a symlink to a host file" {
	local id rt rpid
	id=$(ctr_id)
	make_host_marker
	drop_dev_mounts
	ln -s "$MARKER" "$BUNDLE/rootfs/dev/console"
	rt=$(recvtty_bin)
	"$rt" "$TESTDIR/tty.sock" "$TESTDIR/tty.out" 3>&- &
	rpid=$!
	BG_PIDS+=("$rpid")
	wait_for_file "$TESTDIR/tty.sock"
	update_config '.process.terminal = true | .root.readonly = false'
	set_args sh -c 'stat -c "CONSOLE %F %t" /dev/console; echo to-console >/dev/console'
	run_oc run -d --bundle "$BUNDLE" --console-socket "$TESTDIR/tty.sock" "$id"
	if [ "$status" -eq 0 ]; then
		wait "$rpid" || true
		cat "$TESTDIR/tty.out"
		grep -q "CONSOLE character special file 88" "$TESTDIR/tty.out"
	fi
	assert_marker_untouched
}

@test "a missing mount source is a clear error" {
	add_mount "{\"destination\": \"/mnt/x\", \"type\": \"bind\", \"source\": \"$TESTDIR/does-not-exist\", \"options\": [\"bind\"]}"
	in_ctr true
	assert_clear_error "$TESTDIR/does-not-exist"
	[[ "${output,,}" == *"no such file or directory"* ]]
}

@test "a file bound onto a directory is a clear error" {
	echo f >"$TESTDIR/srcfile"
	add_mount "{\"destination\": \"/etc\", \"type\": \"bind\", \"source\": \"$TESTDIR/srcfile\", \"options\": [\"bind\"]}"
	in_ctr true
	assert_clear_error /etc
	[ -d "$BUNDLE/rootfs/etc" ]
}

# ---- no mount leaks -------------------------------------------------------------------

@test "200 create/delete cycles of a container with 20 mounts leave the host's mount table as it was" {
	local i
	mkdir -p "$TESTDIR/src"
	for i in $(seq 10); do
		add_mount "{\"destination\": \"/mnt/b$i\", \"type\": \"bind\", \"source\": \"$TESTDIR/src\", \"options\": [\"rbind\", \"ro\"]}"
		add_mount "{\"destination\": \"/mnt/t$i\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\"]}"
	done
	[ "$(jq '.mounts | length' "$BUNDLE/config.json")" -ge 20 ]
	# In a mount namespace of our own, private, so that the mounts other
	# test suites make on this machine meanwhile do not count: what the
	# runtime leaves behind in the namespace it runs from shows there.
	cat >"$TESTDIR/cycles.sh" <<-'EOF'
		set -e
		cp /proc/self/mountinfo "$TESTDIR/mi.before"
		for i in $(seq 200); do
			id="cyc$i-$$"
			"$OCICHROOT" --root "$ROOT" create --bundle "$BUNDLE" "$id" >/dev/null 2>"$TESTDIR/err" </dev/null ||
				{ cat "$TESTDIR/err"; exit 1; }
			"$OCICHROOT" --root "$ROOT" delete --force "$id"
		done
		cp /proc/self/mountinfo "$TESTDIR/mi.after"
		echo "mountinfo lines: before $(wc -l <"$TESTDIR/mi.before") after $(wc -l <"$TESTDIR/mi.after")"
		# A mount can vanish meanwhile (another suite removing its temp
		# dir detaches the mounts on it in every namespace): only a new
		# line is the runtime's leak.
		added=$(sort "$TESTDIR/mi.after" | comm -13 <(sort "$TESTDIR/mi.before") -)
		[ -z "$added" ] || { echo "new mounts:"; echo "$added"; exit 1; }
	EOF
	run unshare -m --propagation private env OCICHROOT="$OCICHROOT" ROOT="$ROOT" BUNDLE="$BUNDLE" TESTDIR="$TESTDIR" \
		bash "$TESTDIR/cycles.sh"
	echo "$output" | tail -n 30
	assert_success
	[ -z "$(testdir_mounts)" ]
}
