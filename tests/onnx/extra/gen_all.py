"""Regenerates every extra case: python gen_all.py OUTDIR"""
import glob
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "gen_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name == "gen_all":
            continue
        importlib.import_module(name).generate(outdir)


if __name__ == "__main__":
    main()
