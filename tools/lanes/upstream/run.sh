#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the upstream KVM selftests (build.sh) in the emulated AMD-V host on
# kvmod and then on the real KVM, compare kvmod's results with
# tools/testing/selftests/upstream-kvm.expect and print a report ending in
# "N passed, N failed".  Failed = regressions (expected pass, did not) +
# dishonest skips (skipped for a capability Documentation/api.rst says
# kvmod has) + lane failures (insmod, rmmod, kernel log).  Exit 1 on any.
# See Documentation/upstream-selftests.rst.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

EXPECT=$REPO_DIR/tools/testing/selftests/upstream-kvm.expect
API_DOC=$REPO_DIR/Documentation/api.rst
RST=$REPO_DIR/Documentation/upstream-selftests.rst

usage() {
	cat <<USAGE
usage: ${0##*/} [options]
  --full               the tests of sets "ci" and "full" (default: "ci")
  --tests "a b"        only these tests (the only way to run set "manual")
  --targets "kvmod kvm" hypervisors, in order, in one boot (default)
  --npt on|off         nested paging in the emulated CPU (off: 1 CPU)
  --doc                rewrite Documentation/upstream-selftests.rst
  --log FILE           keep run-lane.sh's TAP output in FILE
  --counts FILE        write "passed failed skipped" to FILE, as run-lane.sh
                       does (passed there excludes the expected skips)
  --kvmod-ko FILE      the module to test (default: the tree's kvmod.ko)
  --from-tap FILE      judge the TAP a previous run kept (--log) instead
                       of booting
USAGE
	exit 2
}

FULL=0
TESTS=
TARGETS="kvmod kvm"
NPT=on
DOC=0
LOG=
COUNTS=
FROM_TAP=
KVMOD_KO=

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		--full) FULL=1 ;;
		--tests) TESTS=$2; shift ;;
		--targets) TARGETS=$2; shift ;;
		--npt) NPT=$2; shift ;;
		--doc) DOC=1 ;;
		--log) LOG=$2; shift ;;
		--counts) COUNTS=$2; shift ;;
		--from-tap) FROM_TAP=$2; shift ;;
		--kvmod-ko) KVMOD_KO=$2; shift ;;
		-h|--help) usage ;;
		*) log "unknown option $1"; usage ;;
		esac
		shift
	done
}

# The expectations as "name|set|timeout|args|kvm|kvmod" lines; with
# --npt off, the npt-off columns where they are given.
expectations() {
	grep -v '^[[:space:]]*#' "$EXPECT" | grep '|' |
		awk -F'|' -v npt="$NPT" '{
			for (i = 1; i <= NF; i++) gsub(/^[ \t]+|[ \t]+$/, "", $i)
			if (npt == "off" && $7 != "") $5 = $7
			if (npt == "off" && $8 != "") $6 = $8
			print $1 "|" $2 "|" $3 "|" $4 "|" $5 "|" $6 }'
}

select_tests() {
	if [[ -n $TESTS ]]; then
		echo "$TESTS"
	elif [[ $FULL == 1 ]]; then
		expectations | awk -F'|' '$2 != "manual" { print $1 }' | xargs
	else
		expectations | awk -F'|' '$2 == "ci" { print $1 }' | xargs
	fi
}

# The lane's timeout must exceed every wrapper's own, or the guest would
# kill a wrapper and leave its test running into the next one.
lane_timeout() {
	expectations | awk -F'|' -v want=" $1 " '
		index(want, " " $1 " ") && $3 + 0 > max { max = $3 + 0 }
		END { print max + 30 }'
}

# "NAME ANSWER" for each KVM_CAP_* api.rst documents with a non-zero
# answer; ANSWER is "always" or "if" (it depends on the host or on nested
# paging).  A truncated name ("KVM_CAP_FOO_...") ends in "...".
documented_caps() {
	awk '/^KVM_CAP_/ {
		split($0, col, /   +/)
		if (col[2] ~ /^0( |$)/)
			next
		kind = col[2] ~ /( if | with |^the )/ ? "if" : "always"
		n = split(col[1], names, /, */)
		for (i = 1; i <= n; i++)
			print names[i], kind
	}' "$API_DOC"
}

run_lane() {
	local suite=$1 tests=$2 timeout rc=0

	timeout=$(lane_timeout "$tests")
	log "running $(wc -w <<<"$tests") test(s) on '$TARGETS', npt $NPT," \
		"lane timeout ${timeout}s"
	# Lane failures show in the TAP and are judged below.
	"$LANES_DIR/run-lane.sh" --suite "upstream=$suite" \
		--tests "cap_probe $tests" --targets "$TARGETS" --npt "$NPT" \
		--timeout "$timeout" ${KVMOD_KO:+--kvmod-ko "$KVMOD_KO"} \
		>"$TAP" || rc=$?
	log "run-lane.sh exit status $rc"
}

# One line per target and test from the TAP:
# target|test|result|seconds|why (result: pass, skip, fail, timeout).
results() {
	awk -v progs=" $1 " '
	function key(t, p) { return t SUBSEP p }
	function note(k, s) { if (!(k in why)) why[k] = s }
	/^(not )?ok [0-9]+ [a-z]+: / {
		t = $0; sub(/^(not )?ok [0-9]+ /, "", t)
		tgt = t; sub(/:.*/, "", tgt)
		p = t; sub(/^[a-z]+: /, "", p); sub(/[: ].*/, "", p)
		if (!index(progs, " " p " "))
			next
		k = key(tgt, p)
		seen[k] = 1
		order[++n] = k
		if ($1 == "not" && t !~ / # *([Tt][Oo][Dd][Oo]|[Ss][Kk][Ii][Pp])/) {
			bad[k] = 1
			d = t; sub(/^[a-z]+: [^:]*(: )?/, "", d)
			note(k, d)
		} else if (t ~ / # *[Ss][Kk][Ii][Pp]/) {
			skips[k]++
			d = t; sub(/.* # *[Ss][Kk][Ii][Pp] */, "", d)
			if (d != "" && d !~ /^exit status 4$|no tests planned/)
				skipwhy[k] = d
		} else {
			oks[k]++
		}
		next
	}
	/^# [a-z]+: [^:]+: / {
		t = $0; sub(/^# /, "", t)
		tgt = t; sub(/:.*/, "", tgt)
		p = t; sub(/^[a-z]+: /, "", p); sub(/:.*/, "", p)
		line = t; sub(/^[a-z]+: [^:]+: /, "", line)
		k = key(tgt, p)
		if (line ~ /^upstream-time: /) {
			secs[k] = line; sub(/^upstream-time: /, "", secs[k])
			sub(/s$/, "", secs[k])
		} else if (line ~ /^upstream-timeout: /) {
			timedout[k] = 1
		} else if (line ~ /^upstream-skip: /) {
			sub(/^upstream-skip: (- )?/, "", line)
			skipwhy[k] = line
		} else if (line ~ /^==== Test Assertion Failure ====/) {
			assert[k] = 1
		} else if (assert[k] == 1 && line ~ /^ +[^ ]+:[0-9]+: /) {
			sub(/^ +/, "", line)
			where[k] = line
			assert[k] = 2
		} else if (assert[k] == 2 && line ~ /^ +pid=/) {
			assert[k] = 3
		} else if (assert[k] == 3 && line !~ /^ +(0x|\t|[^ ]+ at |\?\?)|addr2line/ &&
			   line !~ /^ +[^ ]+:[0-9?]+$|^ +\(inlined by\)/) {
			sub(/^ +/, "", line)
			if (line != "") {
				msg[k] = line
				assert[k] = 4
			}
		} else if (line ~ /[Ss]kipping test|SKIP/) {
			s = line; sub(/, skipping test$/, "", s)
			if (!(k in skipwhy))
				skipwhy[k] = s
		}
		next
	}
	END {
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (done[k]++)
				continue
			split(k, kp, SUBSEP)
			if (timedout[k])
				r = "timeout"
			else if (bad[k])
				r = "fail"
			else if (skips[k] && !oks[k])
				r = "skip"
			else
				r = "pass"
			w = ""
			if (r == "skip")
				w = skipwhy[k]
			else if (r == "fail" && where[k] != "")
				w = where[k] (msg[k] != "" ? " -- " msg[k] : "")
			else if (r == "fail")
				w = why[k]
			gsub(/\|/, "/", w)
			print kp[1] "|" kp[2] "|" r "|" (k in secs ? secs[k] : "?") "|" w
		}
	}' "$TAP"
}

# Lane cases (insmod, rmmod, kernel log) that failed, one a line.
lane_failures() {
	local progs

	progs=$(expectations | cut -d'|' -f1 | xargs)
	grep -E '^not ok [0-9]+ ' "$TAP" |
		grep -Ev "^not ok [0-9]+ [a-z]+: ($(tr ' ' '|' <<<"cap_probe $progs"))(:| |$)" || true
}

# class RESULT: the expectation class it meets (timeouts are failures).
class() {
	case $1 in
	pass|skip) echo "$1" ;;
	*) echo fail ;;
	esac
}

# How api.rst documents capability $1: always, if (conditional) or
# nothing (absent).
documented() {
	local c kind

	while read -r c kind; do
		if [[ $c == *... && $1 == "${c%...}"* ]] || [[ $1 == "$c" ]]; then
			echo "$kind"
			return
		fi
	done <<<"$DOC_CAPS"
}

# The live KVM_CHECK_EXTENSION answer of target $1 for $2 (cap_probe).
live_cap() {
	sed -n "s/^# $1: cap_probe: upstream-cap $2 \([-0-9]*\) .*/\1/p" "$TAP" |
		head -n 1
}

get() {
	awk -F'|' -v t="$1" -v p="$2" -v f="$3" '$1 == t && $2 == p { print $f }' \
		"$RESULTS"
}

# compare TEST KVM-EXPECTED KVMOD-EXPECTED: judge both targets' results of
# TEST; adds to the report and the counters.  Every kvmod result that meets
# its expectation counts as passed; an expected skip also as skipped.
compare() {
	local name=$1 exp_kvm=$2 exp_kvmod=$3 r why kr cap live bad=0

	r=$(get kvmod "$name" 3)
	why=$(get kvmod "$name" 5)
	kr=$(get kvm "$name" 3)
	if [[ " $TARGETS " == *" kvmod "* ]]; then
		r=${r:-missing}
		if [[ ${exp_kvmod%%:*} == pass && $r != pass ]]; then
			REPORT+="REGRESSION $name: expected pass, got $r: $why"$'\n'
			bad=1
		elif [[ $r == pass && ${exp_kvmod%%:*} != pass ]]; then
			REPORT+="NEW PASS $name: expected $exp_kvmod; update ${EXPECT##*/}"$'\n'
		elif [[ $(class "$r") != "${exp_kvmod%%:*}" ]]; then
			REPORT+="CHANGED $name: expected $exp_kvmod, got $r: $why"$'\n'
		fi
		# A skip must name something kvmod lacks.
		if [[ $r == skip ]]; then
			for cap in $(grep -o 'KVM_CAP_[A-Z0-9_]*' <<<"$why" | sort -u); do
				live=$(live_cap kvmod "$cap")
				if [[ $(documented "$cap") == always ]]; then
					REPORT+="DISHONEST SKIP $name: skipped on $cap, which api.rst documents as present: $why"$'\n'
					bad=1
				elif [[ $live =~ ^[1-9] ]]; then
					REPORT+="NOTE $name: skipped on $cap, which kvmod answers $live (a value the test does not accept): $why"$'\n'
				fi
			done
		fi
		if [[ $bad == 1 ]]; then
			FAILED=$((FAILED + 1))
		else
			PASSED=$((PASSED + 1))
			[[ $r != skip ]] || SKIPPED=$((SKIPPED + 1))
		fi
	fi
	if [[ " $TARGETS " == *" kvm "* ]]; then
		kr=${kr:-missing}
		if [[ $(class "$kr") != "${exp_kvm%%:*}" ]]; then
			REPORT+="KVM $name: real KVM expected $exp_kvm, got $kr: $(get kvm "$name" 5)"$'\n'
		fi
	fi
}

# Capabilities kvmod answers non-zero that api.rst does not list.
doc_drift() {
	local cap v

	for cap in $(sed -n 's/^# kvmod: cap_probe: upstream-cap \(KVM_CAP_[A-Z0-9_]*\) [1-9].*/\1/p' "$TAP" | sort -u); do
		[[ -z $(documented "$cap") ]] || continue
		v=$(live_cap kvmod "$cap")
		REPORT+="API.RST $cap: kvmod answers $v, api.rst says 0"$'\n'
	done
	while read -r cap kind; do
		[[ $kind == always && $cap != *... ]] || continue
		v=$(live_cap kvmod "$cap")
		[[ $v != 0 ]] ||
			REPORT+="API.RST $cap: api.rst documents it, kvmod answers 0"$'\n'
	done <<<"$DOC_CAPS"
}

table() {
	local name set tmo args ekvm ekvmod

	printf '%-38s %-8s %-8s %11s  %s\n' test kvm kvmod "time(s)" "kvmod expected"
	while IFS='|' read -r name set tmo args ekvm ekvmod; do
		[[ " $SELECTED " == *" $name "* ]] || continue
		printf '%-38s %-8s %-8s %5s/%-5s  %s\n' "$name" \
			"$(get kvm "$name" 3)" "$(get kvmod "$name" 3)" \
			"$(get kvm "$name" 4)" "$(get kvmod "$name" 4)" "$ekvmod"
	done < <(expectations)
}

# One rst cell: the result, and why for a skip or failure.
cell() {
	local r w

	r=$(get "$1" "$2" 3)
	w=$(get "$1" "$2" 5)
	[[ -n $r ]] || { echo "not run"; return; }
	w=${w#Requirement not met: }
	[[ $r == pass || -z $w ]] || r+=": \`\`$w\`\`"
	echo "$r"
}

write_rst() {
	local name set tmo args ekvm ekvmod

	{
		cat <<EOF
.. SPDX-License-Identifier: GPL-2.0

================================
Upstream KVM selftests on kvmod
================================

The x86_64 KVM selftests of Debian's \`\`linux-source-6.1\`\` ($(dpkg-query -W -f='${Version}' linux-source-6.1))
run against kvmod and, in the same boot, against the kernel's real KVM
(kvm_amd), in the emulated AMD-V host of \`\`tools/lanes/run-lane.sh\`\`.  They
are an external test suite: built and run as Debian ships them, never
copied into the tree.  This page is generated by \`\`run.sh --doc\`\`.

Commands
========

\`\`tools/lanes/upstream/build.sh\`\`
    Extracts the source into \`\`/var/cache/kvmod/upstream/<version>/\`\`, runs
    \`\`make headers_install\`\` and builds \`\`tools/testing/selftests/kvm\`\`
    statically (once per source version; later calls take seconds).
    6.1.192 ships two tests that do not compile (\`\`dirty_log_test\`\` uses
    \`\`TEST_ASSERT_EQ\`\`, \`\`steal_time\`\` needs \`\`linux/stddef.h\`\`); a
    forced include generated in the cache fixes both.  Then it stages the
    suite \`\`/var/cache/kvmod/upstream/suite\`\` and prints its path: one
    wrapper per test (a shell script carrying the static test program, which
    it unpacks in the guest and runs with the test's arguments under the
    test's own timeout), plus \`\`cap_probe\`\`, which lists every
    \`\`KVM_CHECK_EXTENSION\`\` answer of the target.

\`\`tools/lanes/upstream/run.sh\`\` [\`\`--full\`\`] [\`\`--npt off\`\`] [\`\`--doc\`\`]
    Runs set \`\`ci\`\` (with \`\`--full\`\` also set \`\`full\`\`; set \`\`manual\`\` only
    with \`\`--tests\`\`) on kvmod, then on the real KVM, and compares kvmod's
    results with \`\`tools/testing/selftests/upstream-kvm.expect\`\`:

    * REGRESSION: expected to pass on kvmod, did not (counts as failed);
    * DISHONEST SKIP: skipped for a \`\`KVM_CAP_*\`\` that
      \`\`Documentation/api.rst\`\` documents as always present (failed);
    * NEW PASS: expected to fail or skip, passes now: update the file;
    * CHANGED: expected to fail, skipped (or the reverse);
    * KVM: the real KVM did not do what the file says (a lane problem or
      a broken test; not counted);
    * API.RST: a capability kvmod answers that api.rst does not list (or
      the reverse), from \`\`cap_probe\`\`;
    * LANE: insmod, rmmod or the kernel log check failed (failed).

    It ends with "N passed, N failed" (failed: regressions, dishonest skips
    and lane failures) and exits 1 on failures.  \`\`--from-tap FILE\`\` judges
    the TAP of an earlier run (kept with \`\`--log FILE\`\`, else in
    \`\`/var/cache/kvmod/upstream/last.tap\`\`) without booting.

Set \`\`ci\`\` (61 tests) took 3.5 minutes for kvmod and KVM together in one
boot on an idle 2-core host, and up to 10 on a busy one (mostly the real
KVM; kvmod fails fast today).  \`\`--full\`\` (66 tests) took 7 minutes: it
adds the tests that are slow or time out on the real KVM in this lane too.
Set \`\`manual\`\` holds \`\`dirty_log_perf_test\`\`, which wedged the emulated
host once.  Output a test prints before its timeout kills it can be lost
(its stdout is a pipe, so it is block buffered).  With \`\`--npt off\`\` the emulated host has one CPU: with two CPUs and
no nested paging it soft-locks now and then.

Results
=======

$(date -u +%Y-%m-%d), nested paging $NPT; time in seconds (real KVM / kvmod);
a failure shows its first failing assertion, a skip what the test found
absent.

EOF
		echo ".. list-table::"
		echo "   :header-rows: 1"
		echo
		echo "   * - test"
		echo "     - real KVM"
		echo "     - kvmod"
		echo "     - time"
		while IFS='|' read -r name set tmo args ekvm ekvmod; do
			[[ " $SELECTED " == *" $name "* ]] || continue
			echo "   * - $name${args:+ \`\`$args\`\`}"
			echo "     - $(cell kvm "$name")"
			echo "     - $(cell kvmod "$name")"
			echo "     - $(get kvm "$name" 4) / $(get kvmod "$name" 4)"
		done < <(expectations)
	} >"$RST"
	log "wrote ${RST#"$REPO_DIR"/}"
}

main() {
	local suite name set tmo args ekvm ekvmod start=$SECONDS

	parse_args "$@"
	SELECTED=$(select_tests)
	DOC_CAPS=$(documented_caps)
	WORK=$(mktemp -d /tmp/kvmod-upstream.XXXXXX)
	trap 'rm -rf "$WORK"' EXIT
	RESULTS=$WORK/results
	if [[ -n $FROM_TAP ]]; then
		TAP=$FROM_TAP
	else
		TAP=${LOG:-$WORK/tap}
		suite=$("$LANES_DIR/upstream/build.sh")
		run_lane "$suite" "$SELECTED"
	fi
	results "$SELECTED" >"$RESULTS"
	PASSED=0 FAILED=0 SKIPPED=0 REPORT=
	while IFS='|' read -r name set tmo args ekvm ekvmod; do
		[[ " $SELECTED " == *" $name "* ]] || continue
		compare "$name" "$ekvm" "$ekvmod"
	done < <(expectations)
	while read -r name; do
		[[ -n $name ]] || continue
		REPORT+="LANE $name"$'\n'
		FAILED=$((FAILED + 1))
	done < <(lane_failures)
	doc_drift
	table
	echo
	printf '%s' "$REPORT"
	[[ $DOC == 0 ]] || write_rst
	[[ -n $LOG || -n $FROM_TAP ]] || cp "$TAP" "$CACHE_DIR/upstream/last.tap"
	log "TAP: ${LOG:-${FROM_TAP:-$CACHE_DIR/upstream/last.tap}} ($((SECONDS - start))s)"
	# As run-lane.sh: passed and skipped are disjoint there.
	[[ -z $COUNTS ]] || echo "$((PASSED - SKIPPED)) $FAILED $SKIPPED" >"$COUNTS"
	echo "$PASSED passed, $FAILED failed"
	[[ $FAILED -eq 0 ]]
}

main "$@"
