# SPDX-License-Identifier: GPL-2.0
#
# Turn the guest console (see guest/init) into one TAP stream on stdout,
# each case prefixed with its target and program.  Variables:
#   timeout   per-test timeout in seconds (for messages)
#   counts    file that receives "<passed> <failed> <skipped> <next number>"
#   raw       1: echo non-marker lines unchanged, count only runner cases
#   n         number of cases before this boot's
#   header    1: print the TAP version line (first boot)

function emit(ok, desc, directive) {
	n++
	# A failing TODO case is expected to fail: count it as skipped.
	if (directive ~ /^[Ss][Kk][Ii][Pp]/ ||
	    (!ok && directive ~ /^[Tt][Oo][Dd][Oo]/)) {
		skipped++
	} else if (ok) {
		passed++
	} else {
		failed++
	}
	printf "%s %d %s%s\n", ok ? "ok" : "not ok", n, desc,
		directive != "" ? " # " directive : ""
	fflush()
}

function prog_end(rc,   what) {
	what = target ": " prog
	if (rc == "timeout") {
		emit(0, what ": timed out after " timeout " s", "")
	} else if (rc == 4 && results == 0) {
		emit(1, what, "SKIP exit status 4")
	} else if (rc != 0 && rc != 4 && !prog_failed) {
		emit(0, what ": exit status " rc \
		     (rc > 128 ? " (signal " rc - 128 ")" : ""), "")
	} else if (rc == 0 && results == 0) {
		emit(1, what, plan == 0 ? "SKIP no tests planned" : "")
	} else if (rc == 0 && plan > results) {
		emit(0, what ": planned " plan " tests, reported " results, "")
	}
	prog = ""
}

BEGIN {
	target = "lane"
	n += 0
	if (header)
		print "TAP version 13"
}

{ sub(/\r$/, "") }

# Firmware escape sequences may share a line with the first marker.
match($0, /@@LANE /) > 1 {
	$0 = substr($0, RSTART)
}

/^@@LANE / {
	started = 1
	split($0, f, " ")
	if (f[2] == "target") {
		target = f[3]
	} else if (f[2] == "case") {
		desc = $0
		sub(/^@@LANE case [a-z]+ /, "", desc)
		emit(f[3] == "ok", target ": " desc, "")
	} else if (f[2] == "prog-begin") {
		prog = f[4]
		results = 0
		plan = -1
		prog_failed = 0
	} else if (f[2] == "prog-end" && prog != "") {
		prog_end(f[3])
	} else if (f[2] == "dmesg-begin") {
		in_dmesg = 1
	} else if (f[2] == "dmesg-end") {
		in_dmesg = 0
		finished = 1
	}
	next
}

# The kernel log is checked by run-lane.sh, not shown.
in_dmesg {
	next
}

raw {
	if (started && !finished)
		print
	fflush()
	next
}

# /init's own messages, e.g. why rmmod failed.
prog == "" {
	if ($0 != "")
		print "# " target ": " $0
	fflush()
	next
}

/^(not )?ok [0-9]+/ {
	ok = ($1 == "ok")
	line = $0
	sub(/^(not )?ok [0-9]+ *(- )?/, "", line)
	directive = ""
	if (match(line, / *# */)) {
		directive = substr(line, RSTART + RLENGTH)
		line = substr(line, 1, RSTART - 1)
	}
	results++
	if (!ok && directive !~ /^[Tt][Oo][Dd][Oo]|^[Ss][Kk][Ii][Pp]/)
		prog_failed = 1
	emit(ok, target ": " prog (line != "" ? ": " line : ""), directive)
	next
}

/^1\.\.[0-9]+/ {
	plan = substr($1, 4) + 0
	next
}

/^TAP version/ {
	next
}

{
	line = $0
	sub(/^# ?/, "", line)
	print "# " target ": " prog ": " line
	fflush()
}

END {
	if (prog != "")
		emit(0, target ": " prog ": did not finish (guest crashed or hung)", "")
	printf "%d %d %d %d\n", passed, failed, skipped, n > counts
}
