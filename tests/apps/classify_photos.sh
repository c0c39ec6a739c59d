#!/usr/bin/env bash
# EfficientNet-Lite0 with its real ImageNet weights, run by `mobinfer run` on
# photos shipped by scikit-image, must give the right top-1 class. The
# expected labels were checked by looking at the photos: 'chelsea' is a tabby
# cat (ImageNet's tabby / tiger cat / Egyptian cat are all right), 'coffee' a
# cup of espresso, 'camera' a photographer behind a camera on a tripod.
# Usage: classify_photos.sh MOBINFER MODEL.onnx IMAGES_DIR
set -euo pipefail
cli="$1" model="$2" images="$3"
passed=0 failed=0
check() {
    local image="$1" expected="$2"
    local top
    top=$("$cli" run "$model" --input "$images/$image.png" --preset efficientnet-lite --top 1 | tail -1)
    if echo "$top" | grep -Eq "$expected"; then
        echo "PASS $image: $top"
        passed=$((passed + 1))
    else
        echo "FAIL $image: got '$top', expected /$expected/"
        failed=$((failed + 1))
    fi
}
check chelsea 'tabby|tiger cat|Egyptian cat'
check coffee 'espresso'
check camera 'tripod|reflex camera'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
