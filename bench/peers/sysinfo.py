"""What the results table says about the machine and the software."""
import os
import platform
import sys
from importlib import metadata

import mobinfer_engine

PACKAGES = ["onnxruntime", "openvino", "mnn", "ncnn", "pnnx", "onnxsim", "numpy"]
FLAGS = ["avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16"]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    return [fl for fl in FLAGS if fl in have]
    except OSError:
        pass
    return []


def loadavg():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


def collect(mobinfer_exe):
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = "not installed"
    if mobinfer_exe:
        versions["mobinfer"] = mobinfer_engine.version(mobinfer_exe)
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "flags": cpu_flags(),
            "kernel": platform.release(), "python": sys.version.split()[0],
            "versions": versions, "loadavg_start": loadavg()}
