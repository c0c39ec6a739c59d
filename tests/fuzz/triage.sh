#!/usr/bin/env bash
# Groups crash files by the first line of their report that points into
# mobinfer's sources, so that one bug found a hundred times shows once.
#
# Usage: tests/fuzz/triage.sh [ARTIFACT_DIR...]
#   default: every build-fuzz/artifacts/<harness>/ directory
# Prints, per distinct signature: the count, one (the smallest) reproducer
# and the signature (sanitizer message or FUZZ_CHECK, and the frame).
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${FUZZ_BUILD_DIR:-$REPO/build-fuzz}"
[ "$#" -gt 0 ] || set -- "$BUILD"/artifacts/*/
tmp="$(mktemp)"
for dir in "$@"; do
    h="$(basename "$dir")"
    [ -x "$BUILD/tests/fuzz/$h" ] || continue
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        out="$(UBSAN_OPTIONS=print_stacktrace=1 timeout 120 "$BUILD/tests/fuzz/$h" -timeout=30 "$f" 2>&1)"
        what="$(printf '%s\n' "$out" | grep -m1 -E 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|FUZZ_CHECK failed|ERROR: libFuzzer: (timeout|out-of-memory)' |
                sed -E 's/0x[0-9a-f]+/ADDR/g; s/==[0-9]+==//; s/ on address ADDR.*//; s/(FUZZ_CHECK failed at [^:]+:[0-9]+).*/\1/')"
        frame="$(printf '%s\n' "$out" | grep -E '^ +#[0-9]+ .* in [A-Za-z_0-9]+ /.*/(src|tools)/' | grep -v -E 'in (fuzz_|LLVMFuzzer)' |
                 head -n1 | sed -E 's/^ +#[0-9]+ ADDR? *//; s/^ *#[0-9]+ 0x[0-9a-f]+ //; s/:[0-9]+$//')"
        [ -n "$what" ] || what="$(printf '%s\n' "$out" | grep -m1 -E 'ERROR|SUMMARY' || echo "no crash on replay")"
        printf '%s\t%s\t%s | %s\n' "$h" "$(stat -c %s "$f")" "$f" "$what | $frame" >>"$tmp"
    done
done
# Group by harness + signature; show the smallest file of each group.
sort -t$'\t' -k1,1 -k3,3 -k2,2n "$tmp" | awk -F'\t' '
{ split($3, a, " \\| "); sig = $1 " | " substr($3, index($3, " | ") + 3);
  if (!(sig in first)) { first[sig] = a[1]; order[++n] = sig } count[sig]++ }
END { for (i = 1; i <= n; i++) printf "%4d  %s\n      e.g. %s\n", count[order[i]], order[i], first[order[i]] }'
rm -f "$tmp"
