#!/usr/bin/env python3
"""Full-size Stable Diffusion 1.5 UNet parity check between diffusers and the Swift port.

The fixtures in Tests/Fixtures/ use tiny networks. This script makes the same kind of
check at the real SD1.5 size (860M parameters, 3.4 GB of float32 weights), which is too
big to commit, so it is generated on demand into a scratch folder.

Subcommands

  make DIR
      Builds UNet2DConditionModel with the real SD1.5 config (UNET_SD15 below, written out
      in full) and random weights: torch.manual_seed(0), the library's default init, then
      every parameter, in named_parameters() order and with the same global RNG, gets
      p += 0.02 * randn_like(p), so no parameter stays at its init value (zero biases move
      off zero, GroupNorm/LayerNorm weights stay around 1). Writes
          DIR/unet/config.json
          DIR/unet/diffusion_pytorch_model.safetensors   (save_pretrained, float32, 1 file)
          DIR/inputs.safetensors
              sample                 float32 [4,4,64,64]  randn, generator seeded 1
              timestep               float32 [4]          [999, 759, 499, 259]
              encoder_hidden_states  float32 [4,77,768]   randn, same generator, after sample
          DIR/outputs.safetensors
              sample                 float32 [4,4,64,64]  UNet2DConditionModel(...).sample
          DIR/outputs_bf16_autocast.safetensors
              sample                 float32 [4,4,64,64]  the same forward under
                                     torch.autocast("cpu", dtype=torch.bfloat16)
      The forward runs in eval() mode under torch.inference_mode() with the default
      attention processor (AttnProcessor2_0, i.e. scaled_dot_product_attention), float32,
      torch.set_num_threads(2). Existing DIR/unet, inputs and outputs are overwritten.
      Prints the output statistics and timings, plus one JSON summary line on stdout.

  compare OUT_SWIFT.safetensors DIR/outputs.safetensors
      Loads tensor `sample` from both files (any float dtype; compared in float64) and
      prints its shape, the max-abs error, the relative error max|a-e| / max|e| and the
      mean-abs error; human-readable lines go to stderr, one JSON line to stdout:
          {"shape": [...], "max_abs": ..., "rel": ..., "mean_abs": ...,
           "expected_absmax": ..., "expected_std": ..., "finite": true}
      Exit status 1 when the shapes differ, when the Swift output is not finite, or when
      the optional --max-rel threshold is exceeded; 0 otherwise.

Pinned versions (checked by `make`, exit status 2 on a mismatch; see
Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), diffusers 0.42.1, transformers 5.24.0, safetensors 0.8.0

Usage (from the repository root)
    .venv-reference/bin/python Tools/full_size_unet_parity.py make /tmp/sd15-unet-full
    .venv-reference/bin/python Tools/full_size_unet_parity.py compare \
        /tmp/swift-unet-out.safetensors /tmp/sd15-unet-full/outputs.safetensors [--max-rel X]

`make` needs about 8 GB of RAM and 3.4 GB of disk; the forward pass takes roughly half a
minute on two cores.
"""

import argparse
import json
import os
import sys
import time

import reference_pins  # noqa: E402  (Tools/ is on sys.path when run as a script)

# The Stable Diffusion 1.5 UNet config, shared with the benchmark so both time and check the
# same architecture.
from bench_pytorch import UNET_SD15  # noqa: E402  (Tools/ is on sys.path when run as a script)

PERTURB_SCALE = 0.02
WEIGHTS_SEED = 0
INPUTS_SEED = 1
TIMESTEPS = [999.0, 759.0, 499.0, 259.0]
THREADS = 2


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def die(msg, status=2):
    log("full_size_unet_parity.py: error: " + msg)
    sys.exit(status)


def check_versions():
    """Exit with status 2 unless torch/diffusers/transformers/safetensors match the pins (Tools/reference_pins.py)."""
    packages = ("torch", "diffusers", "transformers", "safetensors")
    bad = reference_pins.mismatches(*packages)
    if bad:
        die("reference environment does not match the pins: %s -- recreate it with "
            "Tools/setup-reference-env.sh" % ", ".join(bad))
    return reference_pins.describe(*packages)


def stats(t):
    t = t.double()
    return {"std": t.std().item(), "mean": t.mean().item(), "absmax": t.abs().max().item()}


def make(out_dir):
    """Build, perturb, save and run the full-size SD1.5 UNet; write inputs and outputs."""
    versions = check_versions()
    import torch
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file

    torch.set_num_threads(THREADS)
    log("versions: " + versions)
    t_start = time.perf_counter()

    # Weights: seed 0, default init, then p += 0.02 * randn with the same global RNG.
    torch.manual_seed(WEIGHTS_SEED)
    model = UNet2DConditionModel(**UNET_SD15)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.add_(PERTURB_SCALE * torch.randn_like(p))
    model.eval()
    n_params = sum(p.numel() for p in model.parameters())
    assert all(p.dtype == torch.float32 for p in model.parameters())
    t_built = time.perf_counter()
    log("built + perturbed %.1fM parameters in %.1f s" % (n_params / 1e6, t_built - t_start))

    # Inputs: their own generator, so they do not depend on the weights' RNG consumption.
    g = torch.Generator().manual_seed(INPUTS_SEED)
    inputs = {
        "sample": torch.randn(4, 4, 64, 64, generator=g),
        "timestep": torch.tensor(TIMESTEPS, dtype=torch.float32),
        "encoder_hidden_states": torch.randn(4, 77, 768, generator=g),
    }

    os.makedirs(out_dir, exist_ok=True)
    unet_dir = os.path.join(out_dir, "unet")
    model.save_pretrained(unet_dir, safe_serialization=True)
    weights = os.path.join(unet_dir, "diffusion_pytorch_model.safetensors")
    if not os.path.isfile(weights):
        die("save_pretrained did not write a single %s (sharded?): %r"
            % (weights, sorted(os.listdir(unet_dir))), status=1)
    save_file({k: v.contiguous() for k, v in inputs.items()},
              os.path.join(out_dir, "inputs.safetensors"))
    t_saved = time.perf_counter()
    log("saved %s (%.2f GB) in %.1f s"
        % (weights, os.path.getsize(weights) / 1e9, t_saved - t_built))

    with torch.inference_mode():
        out = model(inputs["sample"], inputs["timestep"],
                    encoder_hidden_states=inputs["encoder_hidden_states"]).sample
    t_forward = time.perf_counter()
    if not torch.isfinite(out).all():
        die("diffusers output is not finite", status=1)
    save_file({"sample": out.contiguous()}, os.path.join(out_dir, "outputs.safetensors"))

    # PyTorch's own CPU bf16 (autocast), the counterpart of `forward unet --precision bf16`:
    # its error against the float32 output is the bar our bf16 must not fall below.
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        out_bf16 = model(inputs["sample"], inputs["timestep"],
                         encoder_hidden_states=inputs["encoder_hidden_states"]).sample
    save_file({"sample": out_bf16.float().contiguous()},
              os.path.join(out_dir, "outputs_bf16_autocast.safetensors"))

    s = stats(out)
    per_sample_std = [round(x, 6) for x in out.double().flatten(1).std(dim=1).tolist()]
    log("output sample %s: std %.6f, mean %.6f, absmax %.6f; per-sample std %s"
        % (list(out.shape), s["std"], s["mean"], s["absmax"], per_sample_std))
    log("forward (batch 4, %d threads) %.1f s; total %.1f s"
        % (THREADS, t_forward - t_saved, time.perf_counter() - t_start))
    print(json.dumps({
        "dir": os.path.abspath(out_dir),
        "params": n_params,
        "output_shape": list(out.shape),
        "output_std": s["std"],
        "output_mean": s["mean"],
        "output_absmax": s["absmax"],
        "per_sample_std": per_sample_std,
        "forward_seconds": round(t_forward - t_saved, 3),
        "total_seconds": round(time.perf_counter() - t_start, 3),
        "threads": THREADS,
        "versions": versions,
    }), flush=True)


def compare(swift_path, expected_path, max_rel=None):
    """Compare tensor `sample` of the Swift output with the diffusers reference."""
    import torch
    from safetensors.torch import load_file

    torch.set_num_threads(THREADS)
    tensors = []
    for path in (swift_path, expected_path):
        if not os.path.isfile(path):
            die("no such file: %s" % path, status=1)
        d = load_file(path)
        if "sample" not in d:
            die("%s has no tensor `sample` (has %s)" % (path, sorted(d)), status=1)
        tensors.append(d["sample"].to(torch.float64))
    a, e = tensors
    if a.shape != e.shape:
        log("shape mismatch: swift %s vs expected %s" % (list(a.shape), list(e.shape)))
        print(json.dumps({"shape": list(a.shape), "expected_shape": list(e.shape),
                          "error": "shape mismatch"}), flush=True)
        sys.exit(1)

    finite = bool(torch.isfinite(a).all())
    diff = (a - e).abs()
    e_absmax = e.abs().max().item()
    result = {
        "shape": list(a.shape),
        "max_abs": diff.max().item(),
        "rel": diff.max().item() / e_absmax if e_absmax > 0 else float("inf"),
        "mean_abs": diff.mean().item(),
        "expected_absmax": e_absmax,
        "expected_std": e.std().item(),
        "finite": finite,
    }
    log("sample %s: max-abs %.3e, rel (max|a-e|/max|e|) %.3e, mean-abs %.3e "
        "(expected absmax %.4f, std %.4f)%s"
        % (result["shape"], result["max_abs"], result["rel"], result["mean_abs"],
           e_absmax, result["expected_std"], "" if finite else "; SWIFT OUTPUT NOT FINITE"))
    if max_rel is not None:
        result["max_rel"] = max_rel
        result["pass"] = finite and result["rel"] <= max_rel
    print(json.dumps(result), flush=True)
    if not finite or (max_rel is not None and not result["pass"]):
        sys.exit(1)


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Full-size SD1.5 UNet parity fixture (make) and comparison (compare).")
    sub = p.add_subparsers(dest="command", required=True)
    pm = sub.add_parser("make", help="write DIR/unet, DIR/inputs.safetensors, "
                                     "DIR/outputs.safetensors")
    pm.add_argument("dir")
    pc = sub.add_parser("compare", help="compare tensor `sample` of two safetensors files")
    pc.add_argument("swift_output")
    pc.add_argument("expected_output")
    pc.add_argument("--max-rel", type=float, default=None,
                    help="exit 1 if max|a-e|/max|e| exceeds this")
    args = p.parse_args(argv)
    if args.command == "make":
        make(args.dir)
    else:
        compare(args.swift_output, args.expected_output, args.max_rel)


if __name__ == "__main__":
    main()
