#!/usr/bin/env python3
"""End-to-end test of mobinfer-ocr.

Renders known text with Pillow and a Debian font (DejaVu, from
fonts-dejavu-core; a Chinese line too when a CJK font such as
fonts-wqy-microhei is installed), runs mobinfer-ocr on each image, and checks:
  - every rendered line is found, in order, and its box covers where it was drawn;
  - the text read back equals the rendered text (spaces ignored: PP-OCR's
    recogniser often drops the space between words, rapidocr's does too);
  - the text equals what rapidocr-onnxruntime reads from the same image with
    the same models, spaces ignored (the pipeline reproduces PaddleOCR's).
Then prints the end-to-end times of both on the same images.

Usage: test_ocr.py --ocr PATH/TO/mobinfer-ocr [--models DIR] [--repeat N] [--keep DIR]
Exit status 0 when every check passed. The last line reads "N passed, N failed".
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

from PIL import Image, ImageDraw, ImageFont

DEJAVU_DIRS = ["/usr/share/fonts/truetype/dejavu"]
PAGE_MIN_SIDE = 736

# (name, font file, size, lines, options). The strings were chosen to be
# read exactly by PP-OCRv4 (it confuses a capital I with l in 'Invoice', as
# rapidocr does, so such words are avoided).
LATIN_CASES = [
    ("sans", "DejaVuSans.ttf", 36, [
        "Hello, mobinfer!",
        "The quick brown fox jumps over the lazy dog",
        "Order 2024-0815: total 1234.56 EUR",
        "Call +49 30 1234567 before 18:30",
    ], {}),
    ("serif_jpeg", "DejaVuSerif.ttf", 40, [
        "Mobile inference on the edge",
        "Receipt no. 00731, paid 42.10",
    ], {"jpeg": True}),
    ("mono_digits", "DejaVuSansMono.ttf", 34, [
        "0123456789",
        "3.14159 2.71828 1.41421",
    ], {}),
    ("upside_down", "DejaVuSans-Bold.ttf", 40, [
        "Turned upside down",
    ], {"rotate180": True}),
]
CJK_CASE = ("chinese", None, 40, ["今天天气很好", "移动端文字识别"], {})


def find_font(name):
    for d in DEJAVU_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def find_cjk_font():
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                             check=False).stdout
    except OSError:
        return None
    files = sorted(line.strip().rstrip(":") for line in out.splitlines() if line.strip())
    return files[0] if files else None


def render(lines, font_path, size, options, path):
    """Draws the lines top to bottom; returns the y-range of each line."""
    font = ImageFont.truetype(font_path, size)
    pad, gap = size, int(size * 0.9)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    boxes = [probe.textbbox((0, 0), line, font=font) for line in lines]
    # rapidocr scales a page up until its shorter side is 736 pixels; a short,
    # wide strip of text would be enlarged about threefold, its words drawn
    # apart into separate boxes. A page of at least that size is read as drawn.
    width = max(max(b[2] for b in boxes) + 2 * pad, PAGE_MIN_SIDE)
    height = max(sum(b[3] - b[1] for b in boxes) + gap * (len(lines) - 1) + 2 * pad,
                 PAGE_MIN_SIDE)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y, spans = pad, []
    for line, b in zip(lines, boxes):
        draw.text((pad - b[0], y - b[1]), line, fill=(20, 20, 20), font=font)
        spans.append((y, y + b[3] - b[1]))
        y += b[3] - b[1] + gap
    if options.get("rotate180"):
        img = img.rotate(180)
        spans = [(height - b, height - a) for a, b in reversed(spans)]
        lines = list(reversed(lines))
    if options.get("jpeg"):
        img.save(path, quality=92)
    else:
        img.save(path)
    return lines, spans


def run_mobinfer(ocr, models, image, repeat):
    cmd = [ocr, "--models", models, "--time", "--repeat", str(repeat), image]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    lines = []
    for row in p.stdout.splitlines():
        box, score, text = row.split("\t", 2)
        pts = [tuple(int(v) for v in pt.split(",")) for pt in box.split(" ")]
        lines.append((pts, float(score), text))
    runs = []
    for row in p.stderr.splitlines():
        if row.startswith("time: run "):
            runs.append(float(row.split("total ")[1].split(" ms")[0]))
    return lines, runs, wall * 1e3


def norm(text):
    return "".join(unicodedata.normalize("NFKC", text).split())


def edits(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what):
        print(("PASS " if ok else "FAIL ") + what)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def rapidocr_engine(threads):
    from rapidocr_onnxruntime import RapidOCR
    return RapidOCR(intra_op_num_threads=threads) if threads else RapidOCR()


def time_rapidocr(engine, image, repeat):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result, _ = engine(image)
        times.append((time.perf_counter() - t0) * 1e3)
    return result or [], times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ocr", required=True, help="the mobinfer-ocr executable")
    ap.add_argument("--models", help="models directory (default: rapidocr_onnxruntime's)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per image for timing")
    ap.add_argument("--keep", help="write the rendered images to this directory")
    args = ap.parse_args()

    models = args.models
    if models is None:
        import rapidocr_onnxruntime
        models = os.path.join(os.path.dirname(rapidocr_onnxruntime.__file__), "models")

    cases = []
    for name, font, size, lines, opts in LATIN_CASES:
        path = find_font(font)
        if path is None:
            print(f"FAIL font {font} not found: install the Debian package fonts-dejavu-core")
            print("0 passed, 1 failed")
            return 1
        cases.append((name, path, size, lines, opts))
    cjk = find_cjk_font()
    if cjk:
        cases.append((CJK_CASE[0], cjk, *CJK_CASE[2:]))
    else:
        print("note: no CJK font (e.g. fonts-wqy-microhei): the Chinese case is skipped")

    workdir = args.keep or tempfile.mkdtemp(prefix="mobinfer-ocr-test-")
    os.makedirs(workdir, exist_ok=True)
    checks = Checks()
    engines = {"rapidocr 1 thread": rapidocr_engine(1), "rapidocr default": rapidocr_engine(0)}
    timing_rows = []
    exact = total = agree_spaces = 0
    try:
        for name, font, size, lines, opts in cases:
            image = os.path.join(workdir, name + (".jpg" if opts.get("jpeg") else ".png"))
            expected, spans = render(lines, font, size, opts, image)
            got, runs, wall = run_mobinfer(args.ocr, models, image, args.repeat)
            ref = {}
            for label, engine in engines.items():
                ref[label] = time_rapidocr(engine, image, args.repeat)
            ref_texts = [r[1] for r in ref["rapidocr 1 thread"][0]]

            checks.check(len(got) == len(expected),
                         f"{name}: {len(got)} lines read, {len(expected)} drawn")
            for i, want in enumerate(expected):
                if i >= len(got):
                    break
                pts, score, text = got[i]
                total += 1
                exact += text == want
                d = edits(norm(text), norm(want))
                checks.check(d == 0, f"{name}[{i}]: read {text!r} (score {score:.3f}), "
                                     f"drawn {want!r}" + ("" if d == 0 else f", {d} edits"))
                top, bottom = spans[i]
                ys = [p[1] for p in pts]
                centre = (top + bottom) / 2
                checks.check(min(ys) <= centre <= max(ys) and min(ys) >= top - size and
                             max(ys) <= bottom + size,
                             f"{name}[{i}]: box y {min(ys)}..{max(ys)} covers the drawn line "
                             f"{top}..{bottom}")
            got_texts = [g[2] for g in got]
            same = [norm(a) for a in got_texts] == [norm(b) for b in ref_texts]
            agree_spaces += got_texts == ref_texts
            checks.check(same, f"{name}: same text as rapidocr-onnxruntime (spaces ignored)"
                         + ("" if same else f" (rapidocr: {ref_texts})"))
            timing_rows.append((name, runs, wall,
                                {k: v[1] for k, v in ref.items()}))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{exact} of {total} lines read exactly, spaces included; "
          f"{agree_spaces} of {len(timing_rows)} images read exactly as rapidocr does, spaces "
          "included (its recogniser pads a batch of lines to the widest, mobinfer-ocr each line "
          "to a multiple of 160 pixels: the space between two words can come and go)")
    print("\nEnd-to-end time per image in ms (decode excluded for rapidocr; first run "
          "of mobinfer includes planning sessions; 'later' = mean of later runs)")
    print(f"{'image':<14}{'mobinfer 1st':>14}{'later':>10}{'process':>10}"
          f"{'ort 1t 1st':>12}{'later':>10}{'ort 2t 1st':>12}{'later':>10}")

    def later(ts):
        return sum(ts[1:]) / len(ts[1:]) if len(ts) > 1 else ts[0]
    for name, runs, wall, ref in timing_rows:
        r1, r2 = ref["rapidocr 1 thread"], ref["rapidocr default"]
        print(f"{name:<14}{runs[0]:>14.0f}{later(runs):>10.0f}{wall:>10.0f}"
              f"{r1[0]:>12.0f}{later(r1):>10.0f}{r2[0]:>12.0f}{later(r2):>10.0f}")
    print(f"\n{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
