#!/usr/bin/env python3
"""Generate Tests/Fixtures/torch-randn/: what torch.randn / torch.rand return for a seeded CPU
torch.Generator, for the Swift `TorchGenerator` (Sources/TensorRuntime/Random/) to reproduce.

What it writes:
  randn.json         every case: seeds, the raw 32-bit Mersenne Twister outputs, and draws
                     (single draws and sequences of draws from one generator); small draws
                     hold all their values, large ones a sample of indices, or a key into
  randn.safetensors  the full float32 values of a few large draws.
  README.md          what is in the two files (written by this script; do not edit).

Pinned versions (asserted at start-up; see Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), safetensors 0.8.0, numpy 2.4.6

Run from the repository root:
    .venv-reference/bin/python Tools/make_randn_fixtures.py

PyTorch picks the normal kernel by CPU capability: x86-64 CPUs with AVX2 (AVX-512 ones too,
normal_stub is not dispatched to AVX-512) run the AVX2 Box-Muller kernel; other builds run the
scalar float kernel (libm logf/sinf/cosf). The script requires AVX2 or AVX-512 for the main
values and also records, from a subprocess with ATEN_CPU_CAPABILITY=default, one draw from the
non-AVX kernel. The output is deterministic (byte-identical on rerun on an AVX2 machine).
"""

import json
import os
import subprocess
import sys

import torch
from safetensors.torch import save_file

from reference_pins import check as check_pins


OUTPUT = os.path.join("Tests", "Fixtures", "torch-randn")

SEEDS = [0, 1, 5, 42, 123456789, 2**32 + 5, 2**63 - 1, 2**64 - 1]
SMALL_SHAPES = [[1], [2], [3], [5], [15], [16], [17], [31], [32], [33], [2, 3, 5], [1, 4, 4, 4]]
MEDIUM_SHAPE = [4, 4, 9, 7]  # 1008 elements: 1008 % 16 == 0
LARGE_SHAPES = [[1, 4, 64, 64], [1, 4, 96, 96], [4, 4, 128, 128], [3, 4, 17, 19]]  # last: 3876 % 16 == 4
SAMPLE_COUNT = 256


def check_versions():
    check_pins("torch", "safetensors", "numpy")


def generator(seed):
    return torch.Generator().manual_seed(seed)


def float_list(tensor):
    """float32 values as JSON numbers that parse back to the same float32 exactly."""
    return [float(value) for value in tensor.reshape(-1).tolist()]


def sample_indices(count):
    """The first and last 32 elements (the tail recomputation region) plus an even spread."""
    if count <= SAMPLE_COUNT:
        return list(range(count))
    chosen = set(range(32)) | set(range(count - 32, count))
    spread = SAMPLE_COUNT - len(chosen)
    for step in range(spread):
        chosen.add((step * 7919 + 13) % count if step % 2 else step * (count - 1) // spread)
    return sorted(chosen)


def draw(function, generator_object, shape):
    return function(*shape, generator=generator_object)


def record(kind, shape, tensor, storage, safetensors_key, tensors):
    """One draw: all values, a sample of them, or a key into randn.safetensors."""
    entry = {"kind": kind, "shape": shape}
    if storage == "values":
        entry["values"] = float_list(tensor)
    elif storage == "sample":
        flat = tensor.reshape(-1)
        indices = sample_indices(flat.numel())
        entry["sampledIndices"] = indices
        entry["sampledValues"] = [float(flat[i]) for i in indices]
    else:
        tensors[safetensors_key] = tensor.contiguous()
        entry["safetensorsKey"] = safetensors_key
    return entry


def raw_outputs(seed, count):
    """The first `count` 32-bit outputs of at::mt19937 seeded by manual_seed(seed).

    random_(-2**63, None) takes the full-64-bit-range kernel, one random64() per element, and
    random64() is (first 32-bit output << 32) | second output (CPUGeneratorImpl.cpp).
    """
    words = torch.empty((count + 1) // 2, dtype=torch.int64).random_(-(2**63), None, generator=generator(seed))
    result = []
    for word in words.tolist():
        word &= 2**64 - 1
        result += [word >> 32, word & 0xFFFFFFFF]
    return result[:count]


def default_kernel_values(seed, shape):
    """torch.randn from the non-AVX (DEFAULT capability) kernel, run in a subprocess."""
    code = (
        "import sys, torch\n"
        "assert torch.backends.cpu.get_cpu_capability() == 'DEFAULT'\n"
        "t = torch.randn(%r, generator=torch.Generator().manual_seed(%d))\n"
        "sys.stdout.write(' '.join(repr(float(v)) for v in t.reshape(-1).tolist()))\n" % (shape, seed)
    )
    environment = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    text = subprocess.run([sys.executable, "-c", code], env=environment, check=True, capture_output=True, text=True).stdout
    return torch.tensor([float(v) for v in text.split()], dtype=torch.float32).reshape(shape)


def main():
    check_versions()
    capability = torch.backends.cpu.get_cpu_capability()
    assert capability in ("AVX2", "AVX512"), "run on an x86-64 CPU with AVX2 (found %s)" % capability
    torch.set_num_threads(1)
    os.makedirs(OUTPUT, exist_ok=True)
    tensors = {}
    cases = []

    # Raw Mersenne Twister outputs: the start, and around the second state refill (index 624).
    raw = []
    for seed in SEEDS:
        outputs = raw_outputs(seed, 660)
        raw.append({"seed": seed, "start": 0, "uint32": outputs[:20]})
        raw.append({"seed": seed, "start": 616, "uint32": outputs[616:648]})

    # Single draws from a fresh generator.
    for seed in SEEDS:
        for shape in SMALL_SHAPES:
            tensor = draw(torch.randn, generator(seed), shape)
            cases.append({"name": "randn seed %d %s" % (seed, shape), "seed": seed,
                          "draws": [record("randn", shape, tensor, "values", None, tensors)]})
        tensor = draw(torch.randn, generator(seed), MEDIUM_SHAPE)
        storage = "values" if seed in (0, 42) else "sample"
        cases.append({"name": "randn seed %d %s" % (seed, MEDIUM_SHAPE), "seed": seed,
                      "draws": [record("randn", MEDIUM_SHAPE, tensor, storage, None, tensors)]})
        for shape in LARGE_SHAPES:
            tensor = draw(torch.randn, generator(seed), shape)
            key = "randn_seed%d_%s" % (seed, "x".join(map(str, shape)))
            full = (seed, shape) in ((0, [1, 4, 64, 64]), (42, [1, 4, 96, 96]))
            cases.append({"name": "randn seed %d %s" % (seed, shape), "seed": seed,
                          "draws": [record("randn", shape, tensor, "safetensors" if full else "sample", key, tensors)]})

    # Sequences of draws from one generator: the state (and the cached second Box-Muller
    # sample of the scalar path) carries over from draw to draw.
    sequences = [
        ("latents then small draws", 0,
         [("randn", [1, 4, 64, 64], "safetensors"), ("randn", [1, 4, 8, 8], "values"),
          ("randn", [5], "values"), ("randn", [1, 4, 64, 64], "safetensors")]),
        ("scalar cache across batched draws", 42,
         [("randn", [3], "values"), ("randn", [16], "values"), ("randn", [1], "values"),
          ("randn", [17], "values"), ("randn", [2], "values"), ("randn", [15], "values"),
          ("randn", [33], "values"), ("randn", [1], "values")]),
        ("repeated odd draws", 123456789,
         [("randn", [7], "values"), ("randn", [7], "values"), ("randn", [1, 4, 8, 8], "values"),
          ("randn", [9], "values")]),
        ("rand and randn interleaved", 2**32 + 5,
         [("randn", [3], "values"), ("rand", [5], "values"), ("randn", [1], "values"),
          ("rand", [1, 4, 8, 8], "values"), ("randn", [20], "values")]),
        ("many stream steps", 1,
         [("randn", [2, 4, 32, 32], "sample"), ("randn", [2, 4, 32, 32], "sample"),
          ("randn", [2, 4, 32, 32], "sample"), ("randn", [11], "values")]),
    ]
    for name, seed, steps in sequences:
        generator_object = generator(seed)
        draws = []
        for index, (kind, shape, storage) in enumerate(steps):
            function = torch.randn if kind == "randn" else torch.rand
            tensor = draw(function, generator_object, shape)
            key = "sequence_seed%d_draw%d" % (seed, index)
            draws.append(record(kind, shape, tensor, storage, key, tensors))
        cases.append({"name": "sequence: " + name, "seed": seed, "draws": draws})

    # torch.rand from fresh generators.
    for seed in (0, 42):
        for shape in ([1], [5], [17], [1, 4, 8, 8]):
            tensor = draw(torch.rand, generator(seed), shape)
            cases.append({"name": "rand seed %d %s" % (seed, shape), "seed": seed,
                          "draws": [record("rand", shape, tensor, "values", None, tensors)]})

    # The non-AVX kernel, for the documented tolerance against PyTorch builds without AVX2.
    default_shape = [1, 4, 64, 64]
    default_values = default_kernel_values(0, default_shape)
    tensors["default_kernel_randn_seed0_1x4x64x64"] = default_values
    avx2_values = torch.randn(default_shape, generator=generator(0))
    default_difference = float((default_values - avx2_values).abs().max())

    document = {
        "generatedBy": "Tools/make_randn_fixtures.py",
        "torch": torch.__version__,
        "cpuCapability": capability,
        "normalKernel": "AVX2 (normal_stub has no AVX-512 kernel)",
        "defaultKernel": {"seed": 0, "shape": default_shape,
                          "safetensorsKey": "default_kernel_randn_seed0_1x4x64x64",
                          "maximumAbsoluteDifferenceFromAVX2": default_difference},
        "rawOutputs": raw,
        "cases": cases,
    }
    with open(os.path.join(OUTPUT, "randn.json"), "w") as file:
        json.dump(document, file, indent=None, separators=(",", ":"))
        file.write("\n")
    save_file(tensors, os.path.join(OUTPUT, "randn.safetensors"))

    with open(os.path.join(OUTPUT, "README.md"), "w") as file:
        file.write(README % {"torch": torch.__version__, "capability": capability,
                             "cases": len(cases), "keys": len(tensors),
                             "difference": "%.3g" % default_difference})
    print("wrote %d cases, %d safetensors tensors; non-AVX kernel differs from AVX2 by %.3g"
          % (len(cases), len(tensors), default_difference))


README = """# torch.randn fixtures

Generated by `Tools/make_randn_fixtures.py` -- do not edit by hand (this README is written by
the script too). Regenerate from the repository root with
`.venv-reference/bin/python Tools/make_randn_fixtures.py` on an x86-64 machine with AVX2.

torch %(torch)s, CPU capability %(capability)s (the AVX2 normal kernel).

- `randn.json`: `rawOutputs` (the 32-bit Mersenne Twister outputs of
  `torch.Generator().manual_seed(seed)` from index `start`) and %(cases)d `cases`. A case is a
  seed and a list of draws made one after another from one generator; each draw is `randn` or
  `rand` with a shape and either `values` (all of them), `sampledIndices` + `sampledValues`, or
  a `safetensorsKey`. Values are float32 written as JSON numbers that parse back exactly.
- `randn.safetensors`: %(keys)d float32 tensors (the full values of a few large draws), and
  `default_kernel_randn_seed0_1x4x64x64`: `torch.randn(1, 4, 64, 64)` for seed 0 from PyTorch's
  non-AVX kernel (`ATEN_CPU_CAPABILITY=default`), which differs from the AVX2 kernel by up to
  %(difference)s.
"""


if __name__ == "__main__":
    main()
