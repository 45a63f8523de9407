#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# ocichroot in restricted places (docs/isolation.md): rootless, nested in
# a user namespace with a locked /proc, under a seccomp filter refusing
# pid and network namespaces, nested in an unprivileged podman container.
# Where runc/crun refuse, ocichroot runs under `best-effort`, records
# what it dropped in `state` (run.ocichroot.degraded) and `features`
# predicts it (run.ocichroot.degradation); `--policy strict` fails naming
# what was refused.

load helpers

# ---- helpers of this file -------------------------------------------------

OCUSER=ocitest
DEGRADED='.annotations["run.ocichroot.degraded"] // ""'

requires_ocichroot() {
	is_ocichroot || skip "ocichroot-only: the policy and its annotations"
}

# The binary where an unprivileged user can run it ($TESTDIR is 0755).
copy_runtime() {
	OC="$TESTDIR/ocichroot"
	cp "$OCICHROOT" "$OC"
	chmod 755 "$OC"
}

# The test user; removed by teardown_file only when this file created it.
ensure_user() {
	requires_cmd setpriv
	if ! id -u "$OCUSER" >/dev/null 2>&1; then
		requires_cmd useradd userdel
		useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OCUSER" ||
			skip "cannot create the user $OCUSER"
		touch "$BATS_FILE_TMPDIR/user-created"
	fi
	OCUID=$(id -u "$OCUSER")
	OCGID=$(id -g "$OCUSER")
}

# as_user CMD... — CMD as $OCUSER with a clean environment and a private
# XDG_RUNTIME_DIR.
as_user() {
	setpriv --reuid="$OCUID" --regid="$OCGID" --init-groups --reset-env \
		env PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$TESTDIR" XDG_RUNTIME_DIR="$XDG" "$@"
}

# A runtime dir and a bundle owned by the user.
user_setup() {
	ensure_user
	copy_runtime
	XDG="$TESTDIR/xdg"
	mkdir -m 700 "$XDG"
	chown -R "$OCUID:$OCGID" "$XDG" "$BUNDLE"
	UROOT="$XDG/ocichroot"
}

# run_as WHO CMD... — like run_oc, for any command (stdio on a file: a
# detached container keeps the runtime's stdout).
run_cmd() {
	local out
	out=$(mktemp "$TESTDIR/out.XXXXXX")
	chmod 666 "$out"
	status=0
	"$@" >"$out" 2>&1 </dev/null || status=$?
	output=$(cat "$out")
	rm -f "$out"
	mapfile -t lines <<<"$output"
	printf '$ %s  => %s\n%s\n' "$*" "$status" "$output" >&2
}

# Whatever the user left in its state root (processes carry the tag and are
# found by teardown_common).
user_cleanup() {
	local id
	[ -n "${UROOT:-}" ] && [ -d "$UROOT" ] || return 0
	for id in $(as_user "$OC" --root "$UROOT" list -q 2>/dev/null); do
		as_user "$OC" --root "$UROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
}

# The C wrapper that installs the seccomp filter (meson passes SECCOMP_WRAP;
# a direct bats run compiles it).
seccomp_wrap_bin() {
	if [ -n "${SECCOMP_WRAP:-}" ] && [ -x "$SECCOMP_WRAP" ]; then
		echo "$SECCOMP_WRAP"
		return
	fi
	local b="$BATS_FILE_TMPDIR/seccomp-wrap"
	if [ ! -x "$b" ]; then
		command -v cc >/dev/null || skip "needs a C compiler or SECCOMP_WRAP"
		cc -O2 -Wall -D_GNU_SOURCE -o "$b" "$BATS_TEST_DIRNAME/seccomp-wrap.c" -lseccomp ||
			skip "cannot build seccomp-wrap (libseccomp-dev?)"
	fi
	echo "$b"
}

# Script run in an OUTER mount namespace (owned by the caller's user
# namespace): it masks /proc the way engines do, then runs the rest in an
# INNER user+mount namespace, where those masks are locked: the kernel then
# refuses a fresh proc mount (mount_too_revealing).
write_nest_script() {
	cat >"$TESTDIR/nest.sh" <<-'EOF'
		#!/bin/sh
		set -e
		for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
			[ -e "$f" ] && mount --bind /dev/null "$f"
		done
		for d in /proc/acpi /proc/scsi; do
			[ -d "$d" ] && mount -t tmpfs -o ro tmpfs "$d"
		done
		mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys
		exec unshare --user --map-root-user --mount "$@"
	EOF
	chmod 755 "$TESTDIR/nest.sh"
}

# The commands run in the nested place; prints one marker line per step.
write_nested_checks() {
	cat >"$TESTDIR/nested.sh" <<-'EOF'
		#!/bin/sh
		# $1: the runtime, $2: state root, $3: bundle
		OC=$1 R=$2 B=$3
		# a fresh proc mount must be refused here, or the test means nothing
		if unshare --pid --fork --mount-proc true 2>/dev/null; then
			echo "MARK fresh-proc-allowed"
			exit 0
		fi
		echo "MARK features $("$OC" features | grep run.ocichroot | tr -d '\n')"
		"$OC" --root "$R" --cgroup-manager disabled --policy strict run -d -b "$B" strict1 </dev/null >/dev/null 2>"$R.err"
		echo "MARK strict rc=$? $(tr '\n' ' ' <"$R.err")"
		"$OC" --root "$R" run -d -b "$B" be1 </dev/null >/dev/null 2>"$R.err"
		echo "MARK best-effort rc=$? $(tr '\n' ' ' <"$R.err")"
		echo "MARK state $("$OC" --root "$R" state be1 | tr -d '\n')"
		echo "MARK procmount $("$OC" --root "$R" exec be1 grep ' /proc ' /proc/self/mountinfo | head -n1)"
		"$OC" --root "$R" delete --force be1
		echo "MARK deleted rc=$? left=$(ls -A "$R" | tr '\n' ' ')"
		if command -v runc >/dev/null; then
			runc --root "$R.runc" run -b "$B" runc1 </dev/null >/dev/null 2>"$R.err"
			echo "MARK runc rc=$? $(tr '\n' ' ' <"$R.err")"
			runc --root "$R.runc" delete --force runc1 >/dev/null 2>&1
		fi
	EOF
	chmod 755 "$TESTDIR/nested.sh"
}

# has_line TEXT — $output has a line that is exactly TEXT (the runtime's
# warnings share the output).
has_line() {
	local l
	for l in "${lines[@]}"; do
		[ "$l" = "$1" ] && return 0
	done
	return 1
}

# mark NAME — the rest of the marker line NAME of $output.
mark() {
	printf '%s\n' "$output" | sed -n "s/^MARK $1 //p" | head -n1
}

# ---- podman -----------------------------------------------------------------

IMG=localhost/ocichroot-nest:test

# Private podman configuration and storage under the file's temp dir.
pod_env() {
	PODTMP="$BATS_FILE_TMPDIR/podman"
	mkdir -p "$PODTMP"
	local hn hu
	hn=$(ulimit -Hn)
	[ "$hn" = unlimited ] && hn=1048576
	[ "$hn" -gt 65536 ] && hn=65536
	hu=$(ulimit -Hu)
	[ "$hu" = unlimited ] && hu=1048576
	[ "$hu" -gt 32768 ] && hu=32768
	export CONTAINERS_CONF="$PODTMP/containers.conf"
	cat >"$CONTAINERS_CONF" <<-EOF
		[containers]
		default_ulimits = ["nofile=$hn:$hn", "nproc=$hu:$hu"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PODTMP/events.log"
		tmp_dir = "$PODTMP/libpod-tmp"
		volume_path = "$PODTMP/volumes"
		runtime = "runc"
	EOF
	export CONTAINERS_STORAGE_CONF="$PODTMP/storage.conf"
	cat >"$CONTAINERS_STORAGE_CONF" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$PODTMP/storage"
		runroot = "$PODTMP/runroot"
	EOF
	export REGISTRIES_CONFIG_PATH="$PODTMP/registries.conf"
	printf 'unqualified-search-registries = []\n' >"$REGISTRIES_CONFIG_PATH"
}

# The outer image: busybox plus the shared libraries of the runtime (ldd);
# the runtime itself and the bundle are bind-mounted per run.
ensure_pod_image() {
	podman image exists "$IMG" 2>/dev/null && return 0
	local img="$PODTMP/img" lib t
	t=$(_rootfs_template)
	rm -rf "$img"
	cp -a "$t" "$img"
	for lib in $(ldd "$OCICHROOT" | grep -o '/[^ ]*'); do
		mkdir -p "$img$(dirname "$lib")"
		cp -L "$lib" "$img$lib"
	done
	mkdir -p "$img/bundle" "$img/run"
	tar -C "$img" -c . | podman import -q - "$IMG" >/dev/null
}

# pod_run [PODMAN OPTIONS...] -- SCRIPT: the script in an unprivileged
# podman container (podman's default security: runc, its seccomp profile,
# no CAP_SYS_ADMIN), with the runtime at /oc and the bundle at /bundle.
pod_run() {
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	run_cmd podman run --rm --name "oc-nest-$$" --runtime runc "${opts[@]}" \
		-v "$OC:/oc:ro" -v "$BUNDLE:/bundle" -v "$TESTDIR/bundle-cg:/bundle-cg" "$IMG" sh -c "$1"
}

# The checks run in the podman container (markers as in nested.sh).
NESTED_POD_SCRIPT='
echo "MARK caps $(grep CapEff /proc/self/status)"
echo "MARK features $(/oc features | grep run.ocichroot | tr -d "\n")"
/oc --root /run/oc --cgroup-manager disabled --policy strict run -d -b /bundle strict1 </dev/null >/dev/null 2>/tmp/err
echo "MARK strict rc=$? $(tr "\n" " " </tmp/err)"
/oc --root /run/oc run -d -b /bundle be1 </dev/null >/dev/null 2>/tmp/err
echo "MARK best-effort rc=$? $(tr "\n" " " </tmp/err)"
echo "MARK state $(/oc --root /run/oc state be1 | tr -d "\n")"
echo "MARK id $(/oc --root /run/oc exec be1 id -u 2>&1)"
/oc --root /run/oc delete --force be1
/oc --root /run/oc run -b /bundle-cg cg1 </dev/null >/tmp/out 2>/tmp/err
echo "MARK cgroupmount rc=$? $(tr "\n" " " </tmp/out) $(tr "\n" " " </tmp/err)"
echo "MARK deleted rc=$? left=$(ls -A /run/oc | tr "\n" " ")"
'

# ---- buildah in the podman container ------------------------------------------

BUILDAH_IMG=localhost/ocichroot-buildah:test

# The outer image for buildah: busybox, buildah and the shared libraries of
# buildah and the runtime (ldd), a policy that accepts unsigned local
# images, and a configuration of its own: vfs storage (it mounts nothing
# in a container without CAP_SYS_ADMIN), cgroupfs, events in a file.
ensure_buildah_image() {
	podman image exists "$BUILDAH_IMG" 2>/dev/null && return 0
	local img="$PODTMP/bimg" bin lib t
	t=$(_rootfs_template)
	rm -rf "$img"
	cp -a "$t" "$img"
	for bin in "$(command -v buildah)" "$OCICHROOT"; do
		for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
			mkdir -p "$img$(dirname "$lib")"
			cp -L "$lib" "$img$lib"
		done
	done
	mkdir -p "$img/usr/local/bin" "$img/etc/containers" "$img/var/tmp" "$img/bundle" "$img/bundle-cg"
	cp "$(command -v buildah)" "$img/usr/local/bin/buildah"
	printf '{"default": [{"type": "insecureAcceptAnything"}]}\n' >"$img/etc/containers/policy.json"
	printf 'unqualified-search-registries = []\n' >"$img/etc/containers/registries.conf"
	cat >"$img/etc/containers/storage.conf" <<-'EOF'
		[storage]
		driver = "vfs"
		graphroot = "/var/lib/containers/storage"
		runroot = "/run/containers/storage"
	EOF
	cat >"$img/etc/containers/containers.conf" <<-'EOF'
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
	EOF
	tar -C "$img" -c . | podman import -q - "$BUILDAH_IMG" >/dev/null
}

# Run in the outer container (markers as in nested.sh): a base image
# committed from the busybox rootfs at /bb (no registry), then a build
# whose RUN steps run under the runtime at /oc.  --network host: a network
# namespace of the build's own makes buildah ask for the sysctl
# net.ipv4.ping_group_range, and /proc/sys is read-only in the outer
# container.
BUILDAH_POD_SCRIPT='
B="buildah --network host --isolation oci --runtime /oc"
c=$(buildah from scratch) && buildah copy -q "$c" /bb / >/dev/null &&
	buildah commit -q "$c" localhost/busybox >/dev/null && buildah rm "$c" >/dev/null
echo "MARK base rc=$?"
mkdir -p /ctx
printf "FROM localhost/busybox\nRUN echo hi > /x\nRUN cat /x\n" >/ctx/Containerfile
$B bud -t localhost/out /ctx >/tmp/out 2>&1
echo "MARK build rc=$? $(tr "\n" " " </tmp/out)"
echo "MARK build-lines $(grep -c "^hi$" /tmp/out)"
c=$(buildah from localhost/out)
echo "MARK run $($B run "$c" cat /x 2>/dev/null)"
buildah rm "$c" >/dev/null
$B --runtime-flag policy=strict bud -t localhost/out-strict /ctx >/tmp/out 2>&1
echo "MARK strict rc=$? $(tr "\n" " " </tmp/out)"
echo "MARK left $(ls -A /run/ocichroot 2>/dev/null | tr "\n" " ")"
'

# ---- setup ------------------------------------------------------------------

setup() {
	setup_common
	requires_ocichroot
	set_args sleep 1000
}

teardown() {
	user_cleanup
	if [ -n "${PODTMP:-}" ]; then
		podman rm -f -t 0 "oc-nest-$$" >/dev/null 2>&1 || true
	fi
	teardown_common
}

teardown_file() {
	if [ -e "$BATS_FILE_TMPDIR/user-created" ]; then
		userdel "$OCUSER" >/dev/null 2>&1 || true
	fi
	if [ -d "$BATS_FILE_TMPDIR/podman" ] && command -v podman >/dev/null; then
		PODTMP="$BATS_FILE_TMPDIR/podman"
		export CONTAINERS_CONF="$PODTMP/containers.conf" CONTAINERS_STORAGE_CONF="$PODTMP/storage.conf"
		podman rm -af -t 0 >/dev/null 2>&1 || true
		podman system reset -f >/dev/null 2>&1 || true
		local m
		for m in $(awk -v p="$PODTMP" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r); do
			umount -l "$m" 2>/dev/null || true
		done
		rm -rf "$PODTMP"
	fi
}

# ---- 6. features on the host ---------------------------------------------------

@test "restricted: features as root on the host: strict, no degradation" {
	[ "$(cat /proc/self/uid_map | awk '{print $3}')" = 4294967295 ] || skip "not in the initial user namespace"
	# the test host itself must be a normal one for "strict" to be right
	grep -q '^Seccomp:[[:space:]]*2' /proc/self/status && skip "the test host runs under a seccomp filter"
	local eff
	eff=$(awk '/^CapEff/ {print $2}' /proc/self/status)
	(((0x$eff >> 21) & 1)) || skip "the test host lacks CAP_SYS_ADMIN"
	run_oc features
	assert_success
	assert_eq "$(jq -r '.annotations["run.ocichroot.policy.default"]' <<<"$output")" strict
	assert_eq "$(jq -r '.annotations["run.ocichroot.degradation"]' <<<"$output")" none
}

# ---- 1. rootless ----------------------------------------------------------------

@test "restricted: rootless run as an unprivileged user, strict refuses, nothing left" {
	requires_userns
	user_setup
	local cg_writable=no
	as_user test -w /sys/fs/cgroup && cg_writable=yes

	# features predicts the steps
	run_cmd as_user "$OC" features
	assert_success
	assert_eq "$(jq -r '.annotations["run.ocichroot.policy.default"]' <<<"$output")" best-effort
	[ "$(jq -r '.annotations["run.ocichroot.degradation"]' <<<"$output")" != none ]

	# uid 0 inside, the caller outside
	set_args id -u
	chown "$OCUID:$OCGID" "$BUNDLE/config.json"
	run_cmd as_user "$OC" --root "$UROOT" run -b "$BUNDLE" rl-fg
	assert_success
	assert_output_contains "a user namespace of our own"
	has_line 0 || { echo "no line '0' (id -u) in: $output" >&2; false; }

	set_args sleep 1000
	chown "$OCUID:$OCGID" "$BUNDLE/config.json"
	run_cmd as_user "$OC" --root "$UROOT" run -d -b "$BUNDLE" rl
	assert_success
	run_cmd as_user "$OC" --root "$UROOT" state rl
	assert_success
	local deg pid
	deg=$(jq -r "$DEGRADED" <<<"$output")
	pid=$(jq -r .pid <<<"$output")
	[[ "$deg" == *"a user namespace of our own maps uid $OCUID"* ]] || { echo "degraded: $deg" >&2; false; }
	if [ "$cg_writable" = no ]; then
		[[ "$deg" == *cgroup* ]] || { echo "no cgroup step recorded: $deg" >&2; false; }
	fi
	# the container's process runs as the user on the host
	assert_eq "$(stat -c %u "/proc/$pid")" "$OCUID" "owner of the container's init"

	run_cmd as_user "$OC" --root "$UROOT" delete --force rl
	assert_success
	wait_for_dead "$pid"
	assert_eq "$(ls -A "$UROOT")" "" "state root after delete"

	# strict: whatever best-effort dropped beyond the user namespace of
	# our own (which drops nothing the config asked for) is refused,
	# named, and nothing is left
	local others
	others=$(tr ';' '\n' <<<"$deg" | grep -v "a user namespace of our own" || true)
	run_cmd as_user "$OC" --root "$UROOT" --policy strict run -d -b "$BUNDLE" rl-strict
	if [ -n "$others" ]; then
		assert_failure
		assert_output_contains "strict policy"
		assert_eq "$(ls -A "$UROOT")" "" "state root after strict failure"
	else
		assert_success
		run_cmd as_user "$OC" --root "$UROOT" delete --force rl-strict
	fi
	check_clean
}

@test "restricted: rootless exec joins the container (user namespace first)" {
	requires_userns
	user_setup
	chown "$OCUID:$OCGID" "$BUNDLE/config.json"
	run_cmd as_user "$OC" --root "$UROOT" run -d -b "$BUNDLE" rlx
	assert_success
	run_cmd as_user "$OC" --root "$UROOT" exec rlx id -u
	assert_success
	has_line 0 || { echo "no line '0' (id -u) in: $output" >&2; false; }
	run_cmd as_user "$OC" --root "$UROOT" delete --force rlx
	assert_success
}

# ---- 2. nested in a user namespace, /proc masked and locked ------------------

nested_check() {
	# $1: root or user
	assert_success
	[ "$(mark fresh-proc-allowed)" = "" ] && [[ "$output" != *"MARK fresh-proc-allowed"* ]] ||
		skip "a fresh proc mount is allowed in the inner namespace: masks not locked here"
	local f
	f=$(mark features)
	[[ "$f" == *"\"run.ocichroot.policy.default\": \"best-effort\""* ]] || { echo "features: $f" >&2; false; }
	[[ "$f" == *"the host's /proc bound read-only"* ]] || { echo "features does not predict the proc step: $f" >&2; false; }
	[[ "$(mark strict)" == "rc=1 "*"strict policy"*proc* ]] || { echo "strict: $(mark strict)" >&2; false; }
	[[ "$(mark best-effort)" == "rc=0 "* ]] || { echo "best-effort: $(mark best-effort)" >&2; false; }
	[[ "$(mark state)" == *"run.ocichroot.degraded"*"the host's /proc bound read-only"* ]] ||
		{ echo "state: $(mark state)" >&2; false; }
	# the bound /proc is read-only
	[[ "$(mark procmount)" == *" /proc ro,"* ]] || { echo "proc mount: $(mark procmount)" >&2; false; }
	assert_eq "$(mark deleted)" "rc=0 left=" "delete --force in the nested place"
	local r
	r=$(mark runc)
	if [ -n "$r" ]; then
		# documentation: runc refuses here (not ours to fail on)
		echo "# runc in the same place: $r" >&3
	fi
}

@test "restricted: nested in a user namespace with a locked /proc mask (as root)" {
	requires_userns
	requires_cmd unshare
	copy_runtime
	write_nest_script
	write_nested_checks
	mkdir -m 755 "$TESTDIR/nstate"
	run_cmd unshare --mount --propagation private "$TESTDIR/nest.sh" \
		"$TESTDIR/nested.sh" "$OC" "$TESTDIR/nstate/oc" "$BUNDLE"
	nested_check root
	check_clean
}

@test "restricted: nested in a user namespace with a locked /proc mask (as a user)" {
	requires_userns
	requires_cmd unshare
	user_setup
	write_nest_script
	write_nested_checks
	mkdir -m 755 "$TESTDIR/nstate"
	chown "$OCUID:$OCGID" "$TESTDIR/nstate"
	run_cmd as_user unshare --user --map-root-user --mount "$TESTDIR/nest.sh" \
		"$TESTDIR/nested.sh" "$OC" "$TESTDIR/nstate/oc" "$BUNDLE"
	nested_check user
	check_clean
}

# ---- 3. under a seccomp filter refusing pid and network namespaces ---------------

@test "restricted: seccomp refuses pid+net namespaces: strict fails, best-effort records them" {
	local wrap before
	wrap=$(seccomp_wrap_bin)
	run_cmd "$wrap" unshare --pid true
	[ "$status" -ne 0 ] || skip "the seccomp filter does not refuse CLONE_NEWPID here"
	before=$(hostname)

	run_cmd "$wrap" "$OCICHROOT" features
	assert_success
	assert_output_contains "the host's pid namespace" "the host's network namespace"

	run_cmd "$wrap" "$OCICHROOT" --root "$ROOT" --policy strict run -d -b "$BUNDLE" sc-strict
	assert_failure
	assert_output_contains "strict policy"
	[[ "$output" == *"pid namespace"* || "$output" == *"network namespace"* ]]
	assert_eq "$(ls -A "$ROOT" 2>/dev/null)" "" "state root after strict failure"

	run_cmd "$wrap" "$OCICHROOT" --root "$ROOT" --policy best-effort run -d -b "$BUNDLE" sc
	assert_success
	run_oc state sc
	assert_success
	local deg
	deg=$(jq -r "$DEGRADED" <<<"$output")
	[[ "$deg" == *"the host's pid namespace"* && "$deg" == *"the host's network namespace"* ]] ||
		{ echo "degraded: $deg" >&2; false; }
	# the UTS namespace was not refused: the container has its name, the host keeps its own
	assert_eq "$(hostname)" "$before" "host name after the run"
	run_oc exec sc hostname
	assert_success
	assert_eq "$output" ocitest "container's hostname"
	# the host's pid namespace: the container's init is not pid 1
	run_oc exec sc sh -c 'echo $$; readlink /proc/self'
	assert_success
	run_oc delete --force sc
	assert_success
	check_clean
}

@test "restricted: seccomp refuses the UTS namespace too: hostname is not set" {
	local wrap before
	wrap=$(seccomp_wrap_bin)
	run_cmd "$wrap" --uts unshare --uts true
	[ "$status" -ne 0 ] || skip "the seccomp filter does not refuse CLONE_NEWUTS here"
	before=$(hostname)
	run_cmd "$wrap" --uts "$OCICHROOT" --root "$ROOT" --policy best-effort run -d -b "$BUNDLE" sc-uts
	assert_success
	assert_eq "$(hostname)" "$before" "host name after the run"
	run_oc state sc-uts
	local deg
	deg=$(jq -r "$DEGRADED" <<<"$output")
	[[ "$deg" == *"the host's uts namespace"* && "$deg" == *"the host's names left as they are"* ]] ||
		{ echo "degraded: $deg" >&2; false; }
	run_oc exec sc-uts hostname
	assert_eq "$output" "$before" "the container sees the host's name"
	run_oc delete --force sc-uts
	assert_success
	assert_eq "$(hostname)" "$before" "host name after delete"
	check_clean
}

# ---- 4. nested in an unprivileged podman container ---------------------------------

podman_nested_check() {
	assert_success
	local f
	f=$(mark features)
	[[ "$f" == *"\"run.ocichroot.policy.default\": \"best-effort\""* ]] || { echo "features: $f" >&2; false; }
	[[ "$f" != *"\"run.ocichroot.degradation\": \"none\""* ]] || { echo "features: $f" >&2; false; }
	[[ "$(mark strict)" == "rc=1 "*"strict policy"* ]] || { echo "strict: $(mark strict)" >&2; false; }
	[[ "$(mark best-effort)" == "rc=0 "* ]] || { echo "best-effort: $(mark best-effort)" >&2; false; }
	[[ "$(mark state)" == *"run.ocichroot.degraded"*"no CAP_SYS_ADMIN: a user namespace of our own"* ]] ||
		{ echo "state: $(mark state)" >&2; false; }
	assert_eq "$(mark deleted)" "rc=0 left=" "delete --force in the podman container"
	assert_eq "$(mark id)" 0 "exec id -u in the nested container"
	# engines' configs mount cgroup: inside the outer container only its
	# own subtree of each v1 hierarchy is there
	[[ "$(mark cgroupmount)" == "rc=0 "* ]] || { echo "cgroup mount: $(mark cgroupmount)" >&2; false; }
}

podman_setup() {
	requires_cmd podman conmon runc ldd
	copy_runtime
	# a second bundle on the same rootfs, with the cgroup mount engines add
	mkdir -p "$TESTDIR/bundle-cg"
	jq '.root.path = "/bundle/rootfs" | .process.args = ["ls", "/sys/fs/cgroup"]
	    | .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
	                   "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}]' \
		"$BUNDLE/config.json" >"$TESTDIR/bundle-cg/config.json"
	pod_env
	ensure_pod_image || skip "cannot import the outer image into podman"
}

@test "restricted: nested in an unprivileged podman container (default seccomp profile)" {
	podman_setup
	pod_run -- 'unshare -U -r true && echo MARK userns-ok'
	[[ "$output" == *"MARK userns-ok"* ]] ||
		skip "podman's seccomp profile refuses user namespaces here (see the unconfined variant): $output"
	pod_run -- "$NESTED_POD_SCRIPT"
	podman_nested_check
	check_clean
}

@test "restricted: nested in an unprivileged podman container (seccomp=unconfined)" {
	podman_setup
	pod_run --security-opt seccomp=unconfined -- "$NESTED_POD_SCRIPT"
	podman_nested_check
	check_clean
}

# ---- 5. buildah --runtime ocichroot inside such a container -------------------------

@test "restricted: buildah --runtime ocichroot inside an unprivileged podman container" {
	requires_cmd podman buildah
	podman_setup
	pod_run -- 'unshare -U -r true && echo MARK userns-ok'
	[[ "$output" == *"MARK userns-ok"* ]] ||
		skip "podman's seccomp profile refuses user namespaces here (buildah needs one without CAP_SYS_ADMIN): $output"
	ensure_buildah_image || skip "cannot import the buildah image into podman"
	# pod_run runs $IMG
	local IMG=$BUILDAH_IMG
	pod_run -v "$(_rootfs_template):/bb:ro" -- "$BUILDAH_POD_SCRIPT"
	assert_success
	assert_eq "$(mark base)" "rc=0" "base image from the busybox rootfs"
	local b
	b=$(mark build)
	[[ "$b" == "rc=0 "*"RUN echo hi > /x"*"RUN cat /x"* ]] || { echo "build: $b" >&2; false; }
	# best-effort took the steps the outer container refuses, and said so
	[[ "$b" == *"ocichroot: warning: "*"the host's /proc bound read-only"* ]] || { echo "build: $b" >&2; false; }
	assert_eq "$(mark build-lines)" 1 "lines 'hi' (RUN cat /x) in the build's output"
	# the committed image holds what the RUN step wrote
	assert_eq "$(mark run)" hi "buildah run cat /x in the built image"
	# strict names what the outer container refuses; the build fails
	[[ "$(mark strict)" == "rc="[1-9]*"strict policy"* ]] || { echo "strict: $(mark strict)" >&2; false; }
	assert_eq "$(mark left)" "" "the runtime's state root after the builds"
	check_clean
}
