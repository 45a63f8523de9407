#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# buildah driving the runtime with `--runtime` (buildah calls it directly:
# create, start, state, delete; a console socket of its own for -t), and
# the images it builds then running under podman with the same runtime.

load helpers

setup_file() {
	clients_setup_file
}

teardown_file() {
	if [ -n "${CLI_TMP:-}" ] && command -v buildah >/dev/null 2>&1; then
		buildah rm -a >/dev/null 2>&1 || true
	fi
	clients_teardown_file
}

setup() {
	requires_env buildah podman conmon
	ensure_image
	: >"$CLI_ARGV_LOG"
	# buildah writes its bundles under TMPDIR (/var/tmp by default).
	export TMPDIR=$CLI_TMP/tmp
	mkdir -p "$TMPDIR"
}

teardown() {
	pod_teardown
}

bah() {
	buildah "$@"
}

run_bah() {
	status=0
	output=$(buildah "$@" 2>&1 </dev/null) || status=$?
	mapfile -t lines <<<"$output"
	printf '$ buildah %s  => %s\n%s\n' "$*" "$status" "$output"
}

# Nothing of buildah's runs left: no state in the runtime, no bundle.
check_bah_leftovers() {
	local id bad=0
	for id in $(awk '$1 == "create" { print $NF }' "$CLI_ARGV_LOG"); do
		if "$OCICHROOT" state "$id" >/dev/null 2>&1; then
			echo "runtime still has state for $id"
			bad=1
		fi
	done
	if [ -n "$(ls "$TMPDIR" | grep '^buildah' || true)" ]; then
		echo "bundles left: $(ls "$TMPDIR")"
		bad=1
	fi
	[ "$bad" = 0 ]
}

@test "buildah from and run" {
	c=$(bah from --pull-never --name wc-run "$IMG")
	[ "$c" = wc-run ]
	run_bah run --runtime "$WRAP" wc-run -- sh -c 'echo hi from buildah; id -u; hostname >/dev/null; exit 0'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hi from buildah" ]
	[ "${lines[1]}" = 0 ]
	grep -q '^create ' "$CLI_ARGV_LOG"
	grep -q '^start ' "$CLI_ARGV_LOG"
	grep -q '^delete ' "$CLI_ARGV_LOG"
	# The status of the command is buildah's error.
	run_bah run --runtime "$WRAP" wc-run -- sh -c 'exit 3'
	[ "$status" -ne 0 ]
	[[ "$output" == *"exit status 3"* ]]
	run_bah run --runtime "$WRAP" --user nobody --workingdir /tmp -e FOO=bar wc-run -- sh -c 'echo $(id -u) $(pwd) $FOO'
	[ "$output" = "65534 /tmp bar" ]
	bah rm wc-run
	check_bah_leftovers
}

@test "buildah run -t: a terminal through buildah's console socket" {
	requires_cmd script
	bah from --pull-never --name wc-tty "$IMG" >/dev/null
	run in_tty buildah run -t --runtime "$WRAP" wc-tty -- sh -c 'tty; exit 0'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/"* ]]
	grep -q -- '--console-socket' "$CLI_ARGV_LOG"
	bah rm wc-tty
	check_bah_leftovers
}

@test "buildah commit: the image runs under podman" {
	bah from --pull-never --name wc-commit "$IMG" >/dev/null
	run_bah run --runtime "$WRAP" wc-commit -- sh -c 'echo committed-marker >/etc/marker'
	[ "$status" -eq 0 ]
	bah config --cmd 'cat /etc/marker' wc-commit
	run_bah commit -q wc-commit localhost/committed:test
	[ "$status" -eq 0 ]
	bah rm wc-commit
	run_pod run --rm localhost/committed:test
	[ "$status" -eq 0 ]
	[ "$output" = committed-marker ]
	podman rmi -f localhost/committed:test >/dev/null
	check_bah_leftovers
}

@test "buildah bud with RUN steps: the image runs under podman" {
	mkdir -p "$CLI_TMP/ctx"
	echo copied-file >"$CLI_TMP/ctx/file.txt"
	cat >"$CLI_TMP/ctx/Containerfile" <<-CF
	FROM $IMG
	RUN echo step1 >/step1 && mkdir /app
	WORKDIR /app
	COPY file.txt /app/
	ENV GREETING=hello
	RUN echo "\$GREETING from bud" >/app/msg && cat /step1
	RUN ["sh", "-c", "id -u >/app/uid; pwd >/app/pwd"]
	USER nobody
	RUN test "\$(id -u)" = 65534 && touch /tmp/as-nobody
	CMD ["cat", "/app/msg"]
	CF
	run_bah bud --runtime "$WRAP" --pull-never -t localhost/built:test "$CLI_TMP/ctx"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^create ' "$CLI_ARGV_LOG")" -eq 4 ]
	run_pod run --rm localhost/built:test
	[ "$status" -eq 0 ]
	[ "$output" = "hello from bud" ]
	run_pod run --rm localhost/built:test sh -c 'cat /step1 /app/uid /app/pwd /app/file.txt; id -u'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'step1\n0\n/app\ncopied-file\n65534')" ]
	# A failing RUN fails the build.
	printf 'FROM %s\nRUN exit 7\n' "$IMG" >"$CLI_TMP/ctx/Containerfile.bad"
	run_bah bud --runtime "$WRAP" --pull-never -f "$CLI_TMP/ctx/Containerfile.bad" "$CLI_TMP/ctx"
	[ "$status" -ne 0 ]
	[[ "$output" == *"exit status 7"* ]]
	podman rmi -f localhost/built:test >/dev/null
	check_bah_leftovers
}
