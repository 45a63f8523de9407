#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line: help and version, both option spellings, list, kill's
# signal forms, --log/--log-format, and the spec verb.

load helpers

setup() {
	setup_common
}

teardown() {
	teardown_common
}

VERBS="create start run state kill delete list spec exec ps pause resume events update"

@test "--help and -h of every verb exit 0 and print something" {
	local v
	for v in $VERBS; do
		run "$OCICHROOT" "$v" --help
		[ "$status" -eq 0 ] || { echo "$v --help: $status $output" >&2; return 1; }
		[ -n "$output" ] || { echo "$v --help printed nothing" >&2; return 1; }
		run "$OCICHROOT" "$v" -h
		[ "$status" -eq 0 ] || { echo "$v -h: $status $output" >&2; return 1; }
	done
}

@test "global --help and -h exit 0 and list the verbs" {
	run "$OCICHROOT" --help
	assert_success
	assert_output_contains create start run state kill delete list spec
	run "$OCICHROOT" -h
	assert_success
}

@test "--version and -v exit 0 and print the spec version" {
	run "$OCICHROOT" --version
	assert_success
	assert_output_contains "spec:"
	run "$OCICHROOT" -v
	assert_success
}

@test "--version of ocichroot: version, commit, spec version and +/-FEATURE flags" {
	is_ocichroot || skip "ocichroot's own --version format"
	run "$OCICHROOT" --version
	assert_success
	[[ "${lines[0]}" =~ ^ocichroot\ version\ [0-9]+\.[0-9]+ ]]
	assert_output_contains "commit:" "spec:"
	[[ "$output" =~ (^|[[:space:]])[+-][A-Z][A-Z0-9_]+ ]]
}

@test "an unknown verb or option is an error" {
	run "$OCICHROOT" no-such-verb
	assert_failure
	run "$OCICHROOT" --no-such-option list
	assert_failure
	run_oc kill --no-such-option x
	assert_failure
}

@test "global options: --root DIR and --root=DIR" {
	local id
	id=$(ctr_id)
	"$OCICHROOT" --root="$ROOT" create --bundle "$BUNDLE" "$id" >"$TESTDIR/out" 2>&1 </dev/null
	[ -d "$ROOT/$id" ]
	run "$OCICHROOT" --root="$ROOT" state "$id"
	assert_success
	assert_eq "$(jq -r .id <<<"$output")" "$id"
	run "$OCICHROOT" --root "$ROOT" list -q
	assert_eq "$output" "$id"
}

@test "verb options: --bundle DIR, --bundle=DIR, -b DIR" {
	run_oc create --bundle "$BUNDLE" "$(ctr_id a)"
	assert_success
	run_oc create --bundle="$BUNDLE" "$(ctr_id b)"
	assert_success
	run_oc create -b "$BUNDLE" "$(ctr_id c)"
	assert_success
	run_oc list -q
	assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "$(printf '%s\n' "$(ctr_id a)" "$(ctr_id b)" "$(ctr_id c)" | sort | tr '\n' ' ')"
}

@test "options may follow the container id" {
	# runc (urfave/cli) stops at the first argument; podman and containerd
	# put options first.  Only the id-last form is a contract.
	local id
	id=$(ctr_id)
	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	run_oc delete --force "$id"
	assert_success
}

@test "list: table with a header and one row per container" {
	local a b
	a=$(ctr_id a)
	b=$(ctr_id b)
	run_oc create --bundle "$BUNDLE" "$a"
	assert_success
	run_oc run -d --bundle "$BUNDLE" "$b"
	assert_success
	run_oc list
	assert_success
	[[ "${lines[0]}" =~ ^ID[[:space:]]+PID[[:space:]]+STATUS[[:space:]]+BUNDLE[[:space:]]+CREATED[[:space:]]+OWNER ]]
	assert_eq "${#lines[@]}" 3
	local row
	row=$(grep "^$a " <<<"$output")
	[[ "$row" =~ [[:space:]]created[[:space:]]+$BUNDLE[[:space:]] ]]
	row=$(grep "^$b " <<<"$output")
	[[ "$row" =~ [[:space:]]running[[:space:]]+$BUNDLE[[:space:]] ]]
	# the pid column is the state's pid
	assert_eq "$(awk '{print $2}' <<<"$row")" "$(state_field "$b" .pid)"
}

@test "list -q prints ids only" {
	run_oc create --bundle "$BUNDLE" "$(ctr_id a)"
	run_oc create --bundle "$BUNDLE" "$(ctr_id b)"
	run_oc list -q
	assert_success
	assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "$(printf '%s\n' "$(ctr_id a)" "$(ctr_id b)" | sort | tr '\n' ' ')"
	run_oc list --quiet
	assert_success
	assert_eq "${#lines[@]}" 2
}

@test "list -f json and --format=json print the states as an array" {
	local id
	id=$(ctr_id)
	update_config '.annotations = {"k": "v"}'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	run_oc list -f json
	assert_success
	assert_eq "$(jq -r 'length' <<<"$output")" 1
	assert_eq "$(jq -r '.[0].id' <<<"$output")" "$id"
	assert_eq "$(jq -r '.[0].status' <<<"$output")" created
	assert_eq "$(jq -r '.[0].bundle' <<<"$output")" "$BUNDLE"
	assert_eq "$(jq -r '.[0].pid' <<<"$output")" "$(state_field "$id" .pid)"
	run_oc list --format=json
	assert_success
	assert_eq "$(jq -r '.[0].id' <<<"$output")" "$id"
	run_oc list --format json
	assert_success
	assert_eq "$(jq -r '.[0].id' <<<"$output")" "$id"
}

@test "list of an empty root: header only, and JSON null or []" {
	run_oc list
	assert_success
	assert_eq "${#lines[@]}" 1
	run_oc list -q
	assert_success
	assert_eq "$output" ""
	run_oc list -f json
	assert_success
	# runc prints null
	jq -e '. == null or . == []' <<<"$output"
}

@test "kill accepts KILL, SIGKILL, 9, kill and sigkill" {
	local s id pid n=0
	for s in KILL SIGKILL 9 kill sigkill; do
		n=$((n + 1))
		id=$(ctr_id "k$n")
		run_oc create --bundle "$BUNDLE" "$id"
		assert_success
		pid=$(state_field "$id" .pid)
		run_oc kill "$id" "$s"
		[ "$status" -eq 0 ] || { echo "kill $s: $output" >&2; return 1; }
		wait_for_status "$id" stopped
		wait_for_dead "$pid"
		run_oc delete "$id"
		assert_success
	done
}

@test "kill accepts TERM, SIGTERM and 15 (delivered to the process)" {
	local s id n=0
	set_args sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
	for s in TERM SIGTERM 15; do
		n=$((n + 1))
		id=$(ctr_id "t$n")
		run_oc run -d --bundle "$BUNDLE" "$id"
		assert_success
		run_oc kill "$id" "$s"
		[ "$status" -eq 0 ] || { echo "kill $s: $output" >&2; return 1; }
		wait_for_status "$id" stopped
		run_oc delete "$id"
		assert_success
	done
}

@test "kill with an unknown signal is an error and the container lives on" {
	local id
	id=$(ctr_id)
	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	run_oc kill "$id" NOSUCHSIG
	assert_failure
	# runc: unknown signal "NOSUCHSIG"
	assert_output_contains "unknown signal"
	assert_eq "$(state_field "$id" .status)" created
}

@test "--log FILE --log-format json: a failing command writes a JSON error line" {
	local log="$TESTDIR/log.json"
	run "$OCICHROOT" --root "$ROOT" --log "$log" --log-format json state no-such-id
	assert_failure
	# the message also reaches stderr
	assert_output_contains "does not exist"
	[ -s "$log" ]
	cat "$log"
	# every line is one JSON object
	local line
	while IFS= read -r line; do
		jq -e 'type == "object"' <<<"$line" >/dev/null
	done <"$log"
	local last
	last=$(tail -n 1 "$log")
	assert_eq "$(jq -r .level <<<"$last")" error
	[[ "$(jq -r .msg <<<"$last")" == *"does not exist"* ]]
	[[ "$(jq -r .time <<<"$last")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2} ]]
}

@test "--log=FILE --log-format=json (= forms)" {
	local log="$TESTDIR/log2.json"
	run "$OCICHROOT" --root="$ROOT" --log="$log" --log-format=json kill no-such-id KILL
	assert_failure
	assert_eq "$(tail -n 1 "$log" | jq -r .level)" error
	[[ "$(tail -n 1 "$log" | jq -r .msg)" == *"does not exist"* ]]
}

@test "--log FILE in text format gets the error too" {
	local log="$TESTDIR/log.txt"
	run "$OCICHROOT" --root "$ROOT" --log "$log" state no-such-id
	assert_failure
	grep -q "does not exist" "$log"
}

@test "--log-format json: a failing create writes its error as JSON and leaves nothing" {
	local log="$TESTDIR/create.json" id
	id=$(ctr_id)
	update_config '.root.path = "/no/such/rootfs"'
	run "$OCICHROOT" --root "$ROOT" --log "$log" --log-format json create --bundle "$BUNDLE" "$id" </dev/null
	assert_failure
	assert_eq "$(tail -n 1 "$log" | jq -r .level)" error
	[ -n "$(tail -n 1 "$log" | jq -r .msg)" ]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "spec writes a runnable config.json, refuses to overwrite it" {
	local d="$TESTDIR/spec"
	mkdir "$d"
	cd "$d"
	run "$OCICHROOT" spec
	assert_success
	[ -s config.json ]
	jq -e . config.json >/dev/null
	[ -n "$(jq -r .ociVersion config.json)" ]
	assert_eq "$(jq -r .root.path config.json)" rootfs
	assert_eq "$(jq -r '.process.args[0]' config.json)" sh
	assert_eq "$(jq -r .process.terminal config.json)" true
	jq -e '.linux.namespaces | map(.type) | contains(["pid", "mount"])' config.json >/dev/null

	run "$OCICHROOT" spec
	assert_failure
	# runc: "File config.json exists. Remove it first"
	assert_output_contains "exists"

	# The default spec, made non-interactive, runs as is.
	cp -a "$BUNDLE/rootfs" "$d/rootfs"
	update_config -f config.json '.process.terminal = false | .process.args = ["echo", "default-spec-ok"]'
	run_oc run --bundle "$d" "$(ctr_id)"
	assert_success
	assert_eq "$output" default-spec-ok
}

@test "spec --bundle DIR and spec -b DIR" {
	mkdir "$TESTDIR/s1" "$TESTDIR/s2"
	run "$OCICHROOT" spec --bundle "$TESTDIR/s1"
	assert_success
	jq -e . "$TESTDIR/s1/config.json" >/dev/null
	run "$OCICHROOT" spec -b "$TESTDIR/s2"
	assert_success
	jq -e . "$TESTDIR/s2/config.json" >/dev/null
}

@test "spec --rootless adds a user namespace with mappings" {
	mkdir "$TESTDIR/s"
	run "$OCICHROOT" spec --rootless --bundle "$TESTDIR/s"
	assert_success
	jq -e '.linux.namespaces | map(.type) | index("user") != null' "$TESTDIR/s/config.json"
	jq -e '(.linux.uidMappings | length) > 0 and (.linux.gidMappings | length) > 0' "$TESTDIR/s/config.json"
}
