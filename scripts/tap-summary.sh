#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tap-summary.sh TESTLOG.JSON — "N passed, N failed, N skipped" over the TAP
# subtests of a meson test log.  `ok ... # skip` counts as skipped, `not ok
# ... # TODO` as skipped too (TAP: not a failure).  A test that printed no
# TAP counts as one, by its meson result; a TAP test that meson marks as
# failed without a `not ok` line (crash, timeout, bad plan) adds one failure.
set -euo pipefail
log=${1:?usage: tap-summary.sh testlog.json}
jq -rs '
	map(
		. as $t
		| (($t.stdout // "") | split("\n")) as $l
		| ($l | map(select(test("^ok\\b")))) as $ok
		| ($l | map(select(test("^not ok\\b")))) as $nok
		| ($ok | map(select(test("#\\s*skip"; "i"))) | length) as $skip
		| ($nok | map(select(test("#\\s*todo"; "i"))) | length) as $todo
		| ($l | map(select(test("^1\\.\\.0\\b.*#\\s*skip"; "i"))) | length) as $planskip
		| (($ok | length) - $skip) as $pass
		| (($nok | length) - $todo) as $fail
		| ($t.result | IN("OK", "SKIP", "EXPECTEDFAIL")) as $good
		| if ($pass + $fail + $skip + $todo + $planskip) == 0 then
			if $t.result == "SKIP" then {p: 0, f: 0, s: 1}
			elif $good then {p: 1, f: 0, s: 0}
			else {p: 0, f: 1, s: 0} end
		  else
			{p: $pass,
			 f: ($fail + (if $good or $fail > 0 then 0 else 1 end)),
			 s: ($skip + $todo + $planskip)}
		  end
	)
	| "\(map(.p) | add // 0) passed, \(map(.f) | add // 0) failed, \(map(.s) | add // 0) skipped"
' "$log"
