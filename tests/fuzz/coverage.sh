#!/usr/bin/env bash
# Source coverage of the fuzz corpora: builds the harnesses with clang's
# profile instrumentation (build-fuzz-cov/, MOBINFER_FUZZ_COVERAGE=ON),
# replays build-fuzz/corpus/<harness>/ through each and prints llvm-cov's
# per-file report of the code under test (src/, tools/cli/).
#
# Usage: tests/fuzz/coverage.sh [HARNESS...]     (default: every corpus)
# Writes build-fuzz-cov/coverage/<harness>.txt and, for all harnesses
# together, build-fuzz-cov/coverage/all.txt and an HTML report in
# build-fuzz-cov/coverage/html/.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FUZZ_BUILD="${FUZZ_BUILD_DIR:-$REPO/build-fuzz}"
COV_BUILD="${FUZZ_COV_BUILD_DIR:-$REPO/build-fuzz-cov}"
NICE="${FUZZ_NICE:-10}"
suffix=""
command -v llvm-profdata >/dev/null 2>&1 || suffix="-14"
PROFDATA="llvm-profdata$suffix"
LLVMCOV="llvm-cov$suffix"

if [ ! -f "$COV_BUILD/CMakeCache.txt" ]; then
    mkdir -p "$COV_BUILD"
    CC=clang cmake -S "$REPO" -B "$COV_BUILD" -DMOBINFER_FUZZ=ON -DMOBINFER_FUZZ_COVERAGE=ON \
        -DMOBINFER_BUILD_CLI=ON -DMOBINFER_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        >"$COV_BUILD/configure.log" 2>&1 || { cat "$COV_BUILD/configure.log" >&2; exit 2; }
fi
nice -n "$NICE" cmake --build "$COV_BUILD" --target fuzzers -j2 >"$COV_BUILD/build.log" 2>&1 ||
    { tail -n 40 "$COV_BUILD/build.log" >&2; exit 2; }

if [ "$#" -eq 0 ]; then
    set --
    for d in "$FUZZ_BUILD"/corpus/*/; do
        [ -d "$d" ] && set -- "$@" "$(basename "$d")"
    done
fi
[ "$#" -gt 0 ] || { echo "coverage: no corpus in $FUZZ_BUILD/corpus (run run_fuzz.sh first)" >&2; exit 2; }

out="$COV_BUILD/coverage"
rm -rf "$out"; mkdir -p "$out"
objects=()
profiles=()
for h in "$@"; do
    bin="$COV_BUILD/tests/fuzz/$h"
    corpus="$FUZZ_BUILD/corpus/$h"
    if [ ! -x "$bin" ] || [ ! -d "$corpus" ]; then
        echo "coverage: skipping $h" >&2
        continue
    fi
    # -runs=0: execute the corpus once, then stop. Known bugs may crash the
    # uninstrumented replay; each input then runs in a fresh process.
    LLVM_PROFILE_FILE="$out/$h.%p.profraw" nice -n "$NICE" "$bin" -runs=0 -timeout=60 \
        -rss_limit_mb=4096 "$corpus" >"$out/$h.replay.log" 2>&1 || {
        echo "coverage: $h: replay of the whole corpus failed; replaying file by file" >&2
        for f in "$corpus"/*; do
            LLVM_PROFILE_FILE="$out/$h.%p.profraw" timeout 60 "$bin" "$f" >/dev/null 2>&1 || true
        done
    }
    "$PROFDATA" merge -sparse "$out/$h".*.profraw -o "$out/$h.profdata"
    rm -f "$out/$h".*.profraw
    "$LLVMCOV" report "$bin" -instr-profile="$out/$h.profdata" \
        "$REPO/src" "$REPO/tools/cli" >"$out/$h.txt"
    echo "== $h: $(tail -n 1 "$out/$h.txt" | awk '{print "regions " $4 ", functions " $7 ", lines " $10}')"
    objects+=(-object "$bin")
    profiles+=("$out/$h.profdata")
done
[ "${#profiles[@]}" -gt 0 ] || exit 2
"$PROFDATA" merge -sparse "${profiles[@]}" -o "$out/all.profdata"
# llvm-cov takes the first binary positionally and the others with -object.
first="${objects[1]}"
rest=("${objects[@]:2}")
"$LLVMCOV" report "$first" "${rest[@]}" -instr-profile="$out/all.profdata" \
    "$REPO/src" "$REPO/tools/cli" >"$out/all.txt"
"$LLVMCOV" show "$first" "${rest[@]}" -instr-profile="$out/all.profdata" -format=html \
    -output-dir="$out/html" "$REPO/src" "$REPO/tools/cli" >/dev/null
echo "== all harnesses: $(tail -n 1 "$out/all.txt" | awk '{print "regions " $4 ", functions " $7 ", lines " $10}')"
echo "per-file reports: $out/*.txt; HTML: $out/html/index.html"
