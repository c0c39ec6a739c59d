#!/usr/bin/env bash
# Builds the libFuzzer harnesses, prepares their corpora and fuzzes each one
# in turn. See tests/fuzz/README.md.
#
# Usage: tests/fuzz/run_fuzz.sh [SECONDS_PER_HARNESS] [HARNESS...]
#   SECONDS_PER_HARNESS  default 30
#   HARNESS              any of fuzz_load fuzz_run fuzz_tensor fuzz_npy fuzz_image
#                        (default: all that were built)
# Environment:
#   FUZZ_BUILD_DIR       build tree (default: build-fuzz in the repository)
#   FUZZ_NICE            niceness of the fuzzing process (default 10)
#   FUZZ_RESEED=1        rebuild each corpus from the seeds (default: reuse
#                        build-fuzz/corpus/<harness> when it is not empty)
#   FUZZ_ONNX_DIRS       extra directories searched for *.onnx / *.pb seeds,
#                        colon-separated; build/onnx-node, build/onnx-extra,
#                        build/models, /tmp/onnx-node and /tmp/mt are searched
#                        when they exist
#   FUZZ_ARGS            extra libFuzzer flags for every harness
#   FUZZ_KEEP_GOING=1    do not stop at the first crash: libFuzzer's fork mode
#                        with one child (-fork=1 -ignore_crashes=1 ...) saves
#                        every crash, timeout and OOM and fuzzes on; for long
#                        local runs while known bugs are unfixed
#   FUZZ_IGNORE          names of known-bug checks of the harnesses to skip,
#                        comma-separated (see README.md)
#
# One fuzzing process runs at a time (no -jobs/-workers: the machine has two
# cores shared with builds). Exits 1 if any harness crashed, leaked, hit a
# sanitizer report or timed out; the reproducer's path is printed (libFuzzer
# writes it under build-fuzz/artifacts/<harness>/).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FUZZ_SRC="$REPO/tests/fuzz"
BUILD="${FUZZ_BUILD_DIR:-$REPO/build-fuzz}"
SECONDS_PER="${1:-30}"
shift || true
NICE="${FUZZ_NICE:-10}"
ALL_HARNESSES=(fuzz_load fuzz_run fuzz_tensor fuzz_npy fuzz_image)

case "$SECONDS_PER" in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS_PER_HARNESS] [HARNESS...]" >&2; exit 2 ;;
esac

log() { printf 'run_fuzz: %s\n' "$*"; }

# ---- toolchain ------------------------------------------------------------
have_libfuzzer() {
    local t
    t="$(mktemp -d)"
    printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$t/f.c"
    if clang -fsanitize=fuzzer,address,undefined "$t/f.c" -o "$t/f" >/dev/null 2>&1; then
        rm -rf "$t"; return 0
    fi
    rm -rf "$t"; return 1
}
if ! command -v clang >/dev/null 2>&1 || ! have_libfuzzer; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing clang and its libFuzzer runtime"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-dev >/dev/null ||
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
    fi
    if ! command -v clang >/dev/null 2>&1 || ! have_libfuzzer; then
        echo "run_fuzz: clang with libFuzzer is needed (Debian: apt-get install clang libclang-rt-14-dev)" >&2
        exit 2
    fi
fi

# ---- build ----------------------------------------------------------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    log "configuring $BUILD"
    mkdir -p "$BUILD"
    CC=clang cmake -S "$REPO" -B "$BUILD" -DMOBINFER_FUZZ=ON -DMOBINFER_BUILD_CLI=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/fuzz-configure.log" 2>&1 ||
        { cat "$BUILD/fuzz-configure.log" >&2; exit 2; }
fi
log "building the harnesses in $BUILD"
nice -n "$NICE" cmake --build "$BUILD" --target fuzzers -j2 >"$BUILD/fuzz-build.log" 2>&1 ||
    { tail -n 50 "$BUILD/fuzz-build.log" >&2; exit 2; }
BIN="$BUILD/tests/fuzz"

if [ "$#" -gt 0 ]; then
    HARNESSES=("$@")
else
    HARNESSES=()
    for h in "${ALL_HARNESSES[@]}"; do
        [ -x "$BIN/$h" ] && HARNESSES+=("$h")
    done
fi
for h in "${HARNESSES[@]}"; do
    [ -x "$BIN/$h" ] || { echo "run_fuzz: no harness $h in $BIN" >&2; exit 2; }
done

# ---- per-harness settings ---------------------------------------------------
seed_dir() {    # checked-in seeds
    case "$1" in
        fuzz_load|fuzz_run) echo onnx ;;
        fuzz_tensor) echo tensor ;;
        fuzz_npy) echo npy ;;
        fuzz_image) echo image ;;
    esac
}
max_len() {
    case "$1" in
        fuzz_load|fuzz_run) echo 1048576 ;;
        *) echo 65536 ;;
    esac
}

# Directories holding generated test data, when present.
DATA_DIRS=()
for d in "$REPO/build/onnx-node" "$REPO/build/onnx-extra" "$REPO/build/models" \
         /tmp/onnx-node /tmp/mt; do
    [ -d "$d" ] && DATA_DIRS+=("$d/")   # "/": follow a symlinked directory
done
if [ -n "${FUZZ_ONNX_DIRS:-}" ]; then
    IFS=: read -r -a extra <<<"$FUZZ_ONNX_DIRS"
    for d in "${extra[@]}"; do [ -d "$d" ] && DATA_DIRS+=("$d/"); done
fi

# Collects the raw seeds of a harness into $1 (a fresh directory).
collect_seeds() {
    local h="$1" out="$2" sd n=0 f limit
    sd="$FUZZ_SRC/seeds/$(seed_dir "$h")"
    limit="$(max_len "$h")"
    if [ -d "$sd" ]; then cp "$sd"/* "$out"/; fi
    if [ "${#DATA_DIRS[@]}" -gt 0 ]; then
        case "$h" in
        fuzz_load|fuzz_run)
            # Every model of the ONNX node suite (tiny, one or a few operators
            # each), the extra cases, and the exported models that fit max_len.
            # libFuzzer's merge below keeps only the ones adding coverage.
            while IFS= read -r -d '' f; do
                n=$((n + 1)); cp "$f" "$out/model_$n.onnx"
            done < <(find "${DATA_DIRS[@]}" -name '*.onnx' -size -"$((limit / 1024))"k -print0 2>/dev/null)
            ;;
        fuzz_tensor)
            # The node suite's serialized inputs and outputs, at most 64 KB.
            while IFS= read -r -d '' f; do
                n=$((n + 1)); cp "$f" "$out/tensor_$n.pb"
            done < <(find "${DATA_DIRS[@]}" -path '*test_data_set_0*' -name '*.pb' \
                          -size -"$((limit / 1024))"k -print0 2>/dev/null)
            ;;
        esac
    fi
    log "$h: $(find "$out" -type f | wc -l) raw seeds"
}

FAILED=()
SUMMARY=()
for h in "${HARNESSES[@]}"; do
    corpus="$BUILD/corpus/$h"
    artifacts="$BUILD/artifacts/$h"
    logf="$BUILD/logs/$h.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$logf")"
    dict="$FUZZ_SRC/dicts/$(seed_dir "$h").dict"
    common=(-max_len="$(max_len "$h")" -timeout=30 -rss_limit_mb=2048
            -artifact_prefix="$artifacts/" -print_final_stats=1)
    [ -f "$dict" ] && common+=(-dict="$dict")

    if [ "${FUZZ_RESEED:-0}" = 1 ] || [ -z "$(ls -A "$corpus")" ]; then
        raw="$BUILD/seeds-raw/$h"
        rm -rf "$raw"; mkdir -p "$raw"
        collect_seeds "$h" "$raw"
        log "$h: merging seeds into $corpus"
        # -merge runs every seed in a child process (a crashing seed is
        # skipped, not fatal) and keeps those that add coverage.
        nice -n "$NICE" "$BIN/$h" -merge=1 "${common[@]}" "$corpus" "$raw" \
            >"$BUILD/logs/$h.merge.log" 2>&1 ||
            { tail -n 30 "$BUILD/logs/$h.merge.log" >&2; log "$h: merge failed"; }
        log "$h: corpus has $(find "$corpus" -type f | wc -l) files"
    fi

    log "$h: fuzzing for ${SECONDS_PER}s (log: $logf)"
    touch "$logf.start"
    rc=0
    mode=()
    if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
        mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    before="$(find "$artifacts" -type f | wc -l)"
    # shellcheck disable=SC2086
    nice -n "$NICE" "$BIN/$h" "${common[@]}" "${mode[@]}" -max_total_time="$SECONDS_PER" \
        ${FUZZ_ARGS:-} "$corpus" >"$logf" 2>&1 || rc=$?
    after="$(find "$artifacts" -type f | wc -l)"
    # In fork mode the exit code stays 0 when crashes are ignored.
    if [ "$rc" = 0 ] && [ "$after" -gt "$before" ]; then
        rc=1
        echo "run_fuzz: $h: $((after - before)) new artifact(s) in $artifacts:" >&2
        find "$artifacts" -type f -newer "$logf.start" | sed 's/^/  /' >&2
    fi
    # Normal mode ends with "#N DONE cov: ..."; fork mode prints "#N: cov: ...".
    stats="$(grep -E '^#[0-9]+(:|[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED))' "$logf" |
             tail -n 1 || true)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | tail -n 1)"
    SUMMARY+=("$h: rc=$rc execs=${execs:-?} ${stats}")
    if [ "$rc" != 0 ]; then
        FAILED+=("$h")
        echo "---- $h FAILED (exit $rc); end of $logf:" >&2
        tail -n 60 "$logf" >&2
        crash="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logf" | tail -n 1)"
        if [ -n "$crash" ]; then
            echo "run_fuzz: $h: reproducer: $crash" >&2
            echo "run_fuzz: reproduce with: $BIN/$h $crash" >&2
        fi
    fi
done

echo
log "summary (${SECONDS_PER}s per harness):"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
if [ "${#FAILED[@]}" -gt 0 ]; then
    log "FAILED: ${FAILED[*]}"
    exit 1
fi
log "no crash"
