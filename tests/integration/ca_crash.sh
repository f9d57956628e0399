#!/usr/bin/env bash
# A process killed anywhere during `custos sign` or `custos crl` leaves a consistent
# inventory.  strace kills custos at every file-system call of a run in turn (the nth
# openat, write, pwrite64, fsync, fdatasync, ftruncate, link, rename or unlink; the calls
# ld.so and SQLite make included), on a fresh copy of a CA home that already holds
# certificates, a revocation and two CRLs written to disk.  After each kill:
# - `custos list` works, SQLite's integrity_check is ok and `custos audit verify` passes;
# - the inventory holds either as many rows as before the run or one more, never another
#   count (certificates for sign, CRLs for crl);
# - no certificate file on disk (the --out file, a temporary file beside it, anything in
#   the output directory) has a serial the inventory does not hold; the --out file exists
#   only if its certificate (CRL) was recorded, and then it is whole;
# - sign: the CA still signs (a new run succeeds); crl: the next `custos crl` gets a
#   number strictly above every CRL ever written to disk, and is recorded.
# Both outcomes (before and after) must occur among the kill points.
# This file kills `custos sign`; ca_crash_crl.sh runs it with CA_CRASH_VERBS=crl.  The
# killed copies live in /dev/shm when it is writable: a killed process leaves the page
# cache as it was, so the test loses nothing, and hundreds of runs' fsyncs cost nothing.
# Under the sanitizer build (about 3x slower) every CA_CRASH_STRIDE-th kill point is tried
# (default 2); the normal build tries each one.
. "$(dirname "$0")/lib.bash"
for tool in strace sqlite3 openssl; do
	command -v "$tool" >/dev/null || { echo "$tool is not installed (scripts/install-deps)"; exit 1; }
done
# LeakSanitizer cannot run under ptrace: the sanitizer build keeps ASan but not leak checks here.
trace_env=(env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0")
# Signing verbs run as audited sessions (DESIGN 7): an operator named, the UTC time
# confirmed, and --allow-network (a test machine is not air-gapped; it is recorded).
export CUSTOS_OPERATOR="Test Operator"
now() { date -u +%Y-%m-%dT%H:%MZ; }
signing() { "$CUSTOS" "$1" --confirm-time "$(now)" --allow-network "${@:2}"; }
RUNS=$WORK
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	RUNS=$(mktemp -d /dev/shm/custos-crash.XXXXXX)
	trap 'rm -rf "$WORK" "$RUNS"' EXIT
fi
stride=1
if ldd "$CUSTOS" 2>/dev/null | grep libasan >/dev/null; then stride=${CA_CRASH_STRIDE:-2}; fi
calls=(openat write pwrite64 fsync fdatasync ftruncate link rename unlink)

T=$WORK/template
mkdir "$WORK/shares" "$T"
"$CUSTOS" init --home "$T/ca" --subject "/C=US/O=Example/CN=Crash Root" --key ec-p256 --threshold 2 \
	--custodian a --custodian b --custodian c --shares-out "$WORK/shares" >/dev/null
q=(--share-file "$WORK/shares/a.share" --share-file "$WORK/shares/c.share")
"$CUSTOS" key activate --home "$T/ca" "${q[@]}" >/dev/null 2>&1
mkdir "$T/out"
for i in 1 2 3; do
	openssl req -new -nodes -subj "/C=US/O=Example/CN=Issuing CA $i" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout /dev/null -out "$WORK/sub$i.csr" 2>/dev/null
done
signing sign --home "$T/ca" --csr "$WORK/sub1.csr" --out "$T/out/old1.pem" "${q[@]}" >/dev/null 2>&1
signing sign --home "$T/ca" --csr "$WORK/sub2.csr" --out "$T/out/old2.pem" "${q[@]}" >/dev/null 2>&1
signing crl --home "$T/ca" --out "$T/out/old1.crl" "${q[@]}" >/dev/null 2>&1
signing revoke --home "$T/ca" --serial "$(openssl x509 -in "$T/out/old1.pem" -noout -serial | cut -d= -f2)" \
	--reason superseded >/dev/null 2>&1
signing crl --home "$T/ca" --out "$T/out/old2.crl" "${q[@]}" >/dev/null 2>&1
[ -s "$T/out/old2.crl" ] && [ -s "$T/out/old2.pem" ] && pass || { fail "the template CA could not be made"; finish; }

serials() { # the inventory's serials, one a line, lower-case hex (from `custos list` FILE)
	awk 'NR > 1 { print tolower($1) }' "$1"
}
crl_rows() { sqlite3 "$1/ca.db" "SELECT count(*) FROM crls"; }

# classify FILE: kind=cert and val=its serial (lower-case hex), kind=crl and val=its
# number, or kind=partial (not a whole certificate or CRL: a temporary file cut short).
classify() {
	local v
	kind=partial val=
	case $(head -c 30 "$1") in
	"-----BEGIN CERTIFICATE-----"*)
		v=$(openssl x509 -in "$1" -noout -serial 2>/dev/null) && kind=cert val=$(echo "${v#serial=}" | tr A-F a-f) ;;
	"-----BEGIN X509 CRL-----"*)
		v=$(openssl crl -in "$1" -noout -crlnumber 2>/dev/null) && kind=crl val=$((16#$(echo "${v#crlNumber=}" | sed 's/^0x//'))) ;;
	esac
	return 0
}
declare -A old_kind old_val
for f in "$T"/out/*; do
	classify "$f"
	old_kind[${f##*/}]=$kind old_val[${f##*/}]=$val
done
[ "${old_kind[old2.crl]}" = crl ] && [ "${old_val[old2.crl]}" = 2 ] && [ "${old_kind[old2.pem]}" = cert ] && pass ||
	fail "the template's files are not what they should be"

# verb_cmd VERB HOME OUT: sets cmd to the run that is killed.
verb_cmd() {
	case $1 in
	sign) cmd=("$CUSTOS" sign --home "$2" --csr "$WORK/sub3.csr" --out "$3" "${q[@]}") ;;
	crl) cmd=("$CUSTOS" crl --home "$2" --out "$3" "${q[@]}") ;;
	esac
	cmd+=(--confirm-time "$(now)" --allow-network)
}

crash_verb() {
	local verb=$1 out_name total call n points=0 before_n=0 after_n=0 leftovers=0 cmd kind val seen=0 home_tmp=0
	case $verb in sign) out_name=new.pem ;; crl) out_name=new.crl ;; esac
	# How often does a full run make each call?
	rm -rf "$WORK/run" && cp -a "$T" "$WORK/run"
	verb_cmd "$verb" "$WORK/run/ca" "$WORK/run/out/$out_name"
	"${trace_env[@]}" strace -f -c -o "$WORK/counts" -e trace="$(
		IFS=,
		echo "${calls[*]}"
	)" "${cmd[@]}" >/dev/null 2>&1 || fail "$verb: the traced full run failed"
	"$CUSTOS" list --home "$T/ca" >"$WORK/list.txt"
	local certs_before crls_before
	certs_before=$(serials "$WORK/list.txt" | wc -l)
	crls_before=$(crl_rows "$T/ca")
	for call in "${calls[@]}"; do
		total=$(awk -v c="$call" '$NF == c { print $4 }' "$WORK/counts")
		[ -n "$total" ] || continue
		for n in $(seq 1 "$total"); do
			seen=$((seen + 1))
			[ $((seen % stride)) -eq 0 ] || continue
			local at="$verb killed at $call #$n" R=$RUNS/run
			rm -rf "$R" && cp -a "$T" "$R"
			verb_cmd "$verb" "$R/ca" "$R/out/$out_name"
			# (in a subshell, so that bash's "Killed" report goes nowhere)
			("${trace_env[@]}" strace -f -o /dev/null -e trace="$call" -e inject="$call:signal=KILL:when=$n" \
				"${cmd[@]}" >/dev/null 2>&1 || true) 2>/dev/null
			points=$((points + 1))
			# The inventory opens and is whole.
			if ! "$CUSTOS" list --home "$R/ca" >"$WORK/after.txt" 2>"$WORK/err"; then
				fail "$at: custos list fails: $(cat "$WORK/err")"
				continue
			fi
			pass
			[ "$(sqlite3 "$R/ca/ca.db" 'PRAGMA integrity_check')" = ok ] && pass || fail "$at: integrity_check"
			# The audit log (in the same database) still verifies: records of the killed
			# session that were committed are whole, the rest are gone.
			"$CUSTOS" audit verify --home "$R/ca" >"$WORK/audit" 2>&1 && pass ||
				fail "$at: audit verify: $(grep -E 'FIRST BAD|FAILED|custos:' "$WORK/audit" | head -2)"
			serials "$WORK/after.txt" | sort >"$WORK/inv"
			local certs crls
			certs=$(wc -l <"$WORK/inv")
			crls=$(crl_rows "$R/ca")
			local rows=$certs rows_before=$certs_before
			if [ "$verb" = crl ]; then rows=$crls rows_before=$crls_before; fi
			if [ "$rows" -eq "$rows_before" ]; then before_n=$((before_n + 1)); pass
			elif [ "$rows" -eq $((rows_before + 1)) ]; then after_n=$((after_n + 1)); pass
			else fail "$at: $rows inventory rows, before the run $rows_before"; fi
			# The other table is untouched.
			if [ "$verb" = crl ]; then [ "$certs" -eq "$certs_before" ] && pass || fail "$at: certificates changed"
			else [ "$crls" -eq "$crls_before" ] && pass || fail "$at: CRLs changed"; fi
			# Every certificate or CRL on disk is accounted for (the template's, parsed
			# once, and whatever the run left).
			local f base max_crl=0
			for f in "$R"/out/*; do
				[ -f "$f" ] || continue
				base=${f##*/}
				case $base in *.tmp-*) leftovers=$((leftovers + 1)) ;; esac
				if [ -n "${old_kind[$base]:-}" ]; then kind=${old_kind[$base]} val=${old_val[$base]}; else classify "$f"; fi
				case $kind in
				cert) grep -qx "$val" "$WORK/inv" && pass || fail "$at: $base holds serial $val, not in the inventory" ;;
				crl)
					[ "$val" -gt "$max_crl" ] && max_crl=$val
					[ "$val" -le "$crls" ] && pass || fail "$at: $base is CRL $val, the inventory has $crls" ;;
				*) [ "$f" = "$R/out/$out_name" ] && fail "$at: the --out file exists but is not a whole certificate or CRL" ;;
				esac
			done
			if [ -e "$R/out/$out_name" ]; then
				[ "$rows" -eq $((rows_before + 1)) ] && pass || fail "$at: --out was written but nothing was recorded"
			fi
			# crl: the next CRL's number is above every CRL on disk, and it is recorded.
			if [ "$verb" = crl ]; then
				if signing crl --home "$R/ca" --out "$R/next.crl" "${q[@]}" >"$WORK/out" 2>"$WORK/err"; then
					num=$(openssl crl -in "$R/next.crl" -noout -crlnumber | cut -d= -f2 | sed 's/^0x//')
					[ $((16#$num)) -gt "$max_crl" ] && pass || fail "$at: the next CRL is $((16#$num)), CRL $max_crl is on disk"
					[ "$(crl_rows "$R/ca")" -eq $((crls + 1)) ] && pass || fail "$at: the next CRL was not recorded"
				else fail "$at: the next crl fails: $(cat "$WORK/err")"; fi
			fi
			home_tmp=$((home_tmp + $(find "$R/ca" -name '*.tmp-*' | wc -l)))
		done
	done
	echo "$verb: $points kill points of $seen (every $stride); inventory as before $before_n times, with the new row $after_n times; $leftovers temporary files left in the output directory, $home_tmp in the CA home"
	[ "$points" -gt 20 ] && pass || fail "$verb: only $points kill points were tried"
	[ "$before_n" -gt 0 ] && [ "$after_n" -gt 0 ] && pass || fail "$verb: the kill points did not cover both outcomes"
}

for verb in ${CA_CRASH_VERBS:-sign}; do crash_verb "$verb"; done
finish
