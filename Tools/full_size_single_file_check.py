#!/usr/bin/env python3
"""Full-size SD1.5 single-file checkpoint check of `semantic-draw forward`.

The tiny fixtures (Tools/make_single_file_fixture.py) load only with `--config`; this script
checks what they cannot: a FULL-SIZE Stable Diffusion 1.5 file in the original LDM/A1111
layout, detected and loaded with the built-in SD1.5 configuration (no `--config`), the key
conversion at full size, and the memory each network takes.

1. Builds the SD1.5 UNet, CLIP ViT-L/14 text encoder and VAE from their real configurations
   (UNET_SD15, CLIP_SD15, VAE_SD15 of Tools/bench_pytorch.py, the same values as
   Sources/DiffusionModels/Configuration/ReferenceConfigurations.swift) with random weights
   (torch.manual_seed(0), then every parameter moved off its init value by `perturb` of
   Tools/make_single_file_fixture.py, so norm weights are not all 1 and biases not all 0), and
   rounds every weight to float16.
2. Writes them as ONE LDM-layout file in float16 (`unet_to_ldm`, `vae_to_ldm`, `clip_to_ldm` of
   Tools/make_single_file_fixture.py), plus the non-network keys real SD1.5 files carry
   (`betas`, `alphas_cumprod`, `alphas_cumprod_prev`, `model_ema.decay`,
   `model_ema.num_updates`, the text encoder's int64 `position_ids`): about 2.1 GB.
3. Verifies it with diffusers: `single_file_utils.infer_diffusers_model_type` says "v1"; the
   converters (`convert_ldm_unet_checkpoint`, `convert_ldm_vae_checkpoint`,
   `convert_ldm_clip_checkpoint`) with the standard SD1.5 configs give back exactly the
   models' keys with every tensor equal; `StableDiffusionPipeline.from_single_file(file,
   config=<folder of the SD1.5 config.json files>, local_files_only=True)` loads weights equal
   to the models'.
4. Runs `semantic-draw forward` WITHOUT `--config` (built-in SD1.5 detection) under
   `/usr/bin/time -f %M` for unet (sample [1,4,64,64], timestep [1] = 377, context [1,77,768]),
   text-encoder (input_ids [1,77]: BOS, 9 random tokens, EOS padding), vae-decode (latents
   [1,4,64,64] -> [1,3,512,512]) and vae-encode (images [1,3,256,256]), and compares with the
   outputs of the same fp16-rounded weights in diffusers/transformers (float32 compute, eval,
   no grad; text encoder with eager attention): max-abs error, max-abs error relative to the
   reference's largest magnitude, relative L2 error, peak RSS and wall time of each forward.

Exits non-zero if a check fails or a relative L2 error exceeds --tolerance (default 1e-3).
Work files go to --work (default /tmp/sd15-single-file-check; removed at the end unless --keep).

Run from the repository root (pinned reference environment; build the binary first):
    swift build -c release --product semantic-draw
    .venv-reference/bin/python Tools/full_size_single_file_check.py --binary .build/release/semantic-draw
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)

import make_single_file_fixture as fixture  # noqa: E402  (asserts the pinned versions)
from bench_pytorch import CLIP_SD15, UNET_SD15, VAE_SD15  # noqa: E402

import torch  # noqa: E402
from diffusers import AutoencoderKL, StableDiffusionPipeline, UNet2DConditionModel  # noqa: E402
from diffusers.loaders import single_file_utils as sfu  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel  # noqa: E402

SEED = 0
TIMESTEP = 377.0


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def build_models():
    torch.manual_seed(SEED)
    unet = UNet2DConditionModel(**UNET_SD15).eval()
    text_encoder = CLIPTextModel(CLIPTextConfig(**CLIP_SD15)).eval()
    text_encoder.set_attn_implementation("eager")
    vae = AutoencoderKL(**VAE_SD15).eval()
    for model in (unet, text_encoder, vae):
        fixture.perturb(model)
        fixture.round_to(model, torch.float16)
    return unet, text_encoder, vae


def write_checkpoint(path, unet, text_encoder, vae):
    tensors = {}
    tensors.update(fixture.unet_to_ldm(unet.state_dict(), unet.config))
    tensors.update(fixture.vae_to_ldm(vae.state_dict(), vae.config))
    tensors.update(fixture.clip_to_ldm(fixture.text_state(text_encoder)))
    tensors = {k: v.to(torch.float16).contiguous() for k, v in tensors.items()}
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    alphas_cumprod = torch.cumprod(1 - betas, 0)
    tensors["betas"] = betas.float()
    tensors["alphas_cumprod"] = alphas_cumprod.float()
    tensors["alphas_cumprod_prev"] = torch.cat([torch.ones(1, dtype=torch.float64), alphas_cumprod[:-1]]).float()
    tensors["model_ema.decay"] = torch.tensor(0.9999)
    tensors["model_ema.num_updates"] = torch.tensor(470000, dtype=torch.int32)
    tensors["cond_stage_model.transformer.text_model.embeddings.position_ids"] = torch.arange(77).unsqueeze(0)
    save_file(tensors, path)
    return len(tensors), os.path.getsize(path)


def config_folder(work, unet, text_encoder, vae):
    """A diffusers SD1.5 folder without weights: the `config=` of from_single_file."""
    folder = os.path.join(work, "sd15-config")
    unet.save_config(os.path.join(folder, "unet"))
    vae.save_config(os.path.join(folder, "vae"))
    text_encoder.config.save_pretrained(os.path.join(folder, "text_encoder"))
    shutil.copytree(fixture.TOKENIZER_FIXTURE, os.path.join(folder, "tokenizer"),
                    ignore=shutil.ignore_patterns("README.md", "reference.json"))
    os.makedirs(os.path.join(folder, "scheduler"))
    with open(os.path.join(folder, "scheduler", "scheduler_config.json"), "w") as handle:
        json.dump(fixture.SD15_SCHEDULER, handle)
    index = {"_class_name": "StableDiffusionPipeline", "feature_extractor": [None, None],
             "image_encoder": [None, None], "requires_safety_checker": False, "safety_checker": [None, None],
             "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
             "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
             "vae": ["diffusers", "AutoencoderKL"]}
    with open(os.path.join(folder, "model_index.json"), "w") as handle:
        json.dump(index, handle)
    return folder


def verify_with_diffusers(path, work, unet, text_encoder, vae):
    checkpoint = load_file(path)
    model_type = sfu.infer_diffusers_model_type(checkpoint)
    assert model_type == "v1", "diffusers detects %r, not v1" % model_type
    counts = {
        "unet": fixture.assert_same(sfu.convert_ldm_unet_checkpoint(checkpoint, dict(unet.config)),
                                    unet.state_dict(), "UNet converter"),
        "vae": fixture.assert_same(sfu.convert_ldm_vae_checkpoint(checkpoint, dict(vae.config)),
                                   vae.state_dict(), "VAE converter"),
    }
    converted = sfu.convert_ldm_clip_checkpoint(checkpoint)
    expected_text = fixture.text_state(text_encoder)
    counts["text_encoder"] = fixture.assert_same(converted, expected_text, "text encoder converter",
                                                 [k for k in converted if k.endswith("position_ids")])
    del checkpoint, converted
    pipe = fixture.quiet(StableDiffusionPipeline.from_single_file, path, config=config_folder(work, unet, text_encoder, vae),
                         local_files_only=True, safety_checker=None, requires_safety_checker=False,
                         torch_dtype=torch.float32)
    fixture.assert_same(pipe.unet.state_dict(), unet.state_dict(), "from_single_file UNet")
    fixture.assert_same(pipe.vae.state_dict(), vae.state_dict(), "from_single_file VAE")
    fixture.assert_same(fixture.text_state(pipe.text_encoder), expected_text, "from_single_file text encoder")
    del pipe
    return model_type, counts


def make_inputs():
    generator = torch.Generator().manual_seed(SEED + 1)
    ids = torch.full((1, 77), 49407, dtype=torch.int64)  # EOS as padding, as SD1.5's tokenizer pads
    ids[0, 0] = 49406
    ids[0, 1:10] = torch.randint(0, 49406, (9,), generator=generator)
    return {"sample": torch.randn(1, 4, 64, 64, generator=generator),
            "timestep": torch.tensor([TIMESTEP]),
            "encoder_hidden_states": torch.randn(1, 77, 768, generator=generator),
            "input_ids": ids,
            "latents": torch.randn(1, 4, 64, 64, generator=generator),
            "images": torch.rand(1, 3, 256, 256, generator=generator) * 2 - 1}


def reference_outputs(unet, text_encoder, vae, inputs):
    with torch.no_grad():
        encoded = text_encoder(input_ids=inputs["input_ids"])
        return {
            "unet": {"sample": unet(inputs["sample"], inputs["timestep"],
                                    encoder_hidden_states=inputs["encoder_hidden_states"]).sample},
            "text-encoder": {"last_hidden_state": encoded.last_hidden_state, "pooler_output": encoded.pooler_output},
            "vae-decode": {"sample": vae.decode(inputs["latents"]).sample},
            "vae-encode": {"latent_dist_mean": vae.encode(inputs["images"]).latent_dist.mean},
        }


def run_forward(binary, component, checkpoint, inputs, output):
    """`semantic-draw forward` under /usr/bin/time: (peak RSS in MiB, wall seconds)."""
    rss_file = output + ".rss"
    command = ["/usr/bin/time", "-o", rss_file, "-f", "%M", binary, "forward", component,
               "--model", checkpoint, "--input", inputs, "--output", output]
    log("  $ " + " ".join(command))
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit("forward %s failed (status %d):\n%s" % (component, result.returncode, result.stderr))
    with open(rss_file) as handle:
        peak_kib = int(handle.read().strip().splitlines()[-1])
    return peak_kib / 1024, seconds


def compare(actual, expected):
    difference = (actual.double() - expected.double())
    max_abs = difference.abs().max().item()
    scale = expected.abs().max().item()
    return {"max_abs": max_abs, "max_abs_over_max_ref": max_abs / scale, "max_ref": scale,
            "relative_l2": (difference.norm() / expected.double().norm()).item()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "semantic-draw"))
    parser.add_argument("--work", default="/tmp/sd15-single-file-check")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the reference outputs")
    parser.add_argument("--tolerance", type=float, default=1e-3, help="largest relative L2 error accepted")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (checkpoint, inputs, outputs)")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        raise SystemExit("no executable at %s: build it first (swift build -c release --product semantic-draw)" % args.binary)
    torch.set_num_threads(args.threads)
    if os.path.isdir(args.work):
        shutil.rmtree(args.work)
    os.makedirs(args.work)
    checkpoint = os.path.join(args.work, "sd15-full.safetensors")
    try:
        log("building the SD1.5 networks (seed %d, perturbed, rounded to float16)" % SEED)
        unet, text_encoder, vae = build_models()
        key_count, size = write_checkpoint(checkpoint, unet, text_encoder, vae)
        log("wrote %s: %d tensors, %.2f GB" % (checkpoint, key_count, size / 1e9))
        model_type, counts = verify_with_diffusers(checkpoint, args.work, unet, text_encoder, vae)
        log("diffusers: detected %s, converters and from_single_file equal the models (%s tensors)" % (model_type, counts))

        inputs = make_inputs()
        inputs_path = os.path.join(args.work, "inputs.safetensors")
        save_file({k: v.contiguous() for k, v in inputs.items()}, inputs_path)
        references = reference_outputs(unet, text_encoder, vae, inputs)
        del unet, text_encoder, vae

        results = {"checkpoint_bytes": size, "checkpoint_tensors": key_count, "diffusers_model_type": model_type,
                   "converted_tensors": counts, "components": {}}
        failed = []
        for component in ("unet", "text-encoder", "vae-decode", "vae-encode"):
            output = os.path.join(args.work, component + "-out.safetensors")
            peak_mib, seconds = run_forward(args.binary, component, checkpoint, inputs_path, output)
            actual = load_file(output)
            entry = {"peak_rss_mib": round(peak_mib), "wall_seconds": round(seconds, 2), "outputs": {}}
            for name, expected in references[component].items():
                assert list(actual[name].shape) == list(expected.shape), (component, name, actual[name].shape)
                errors = compare(actual[name], expected)
                entry["outputs"][name] = errors
                if not errors["relative_l2"] <= args.tolerance:
                    failed.append("%s %s: relative L2 %.3g" % (component, name, errors["relative_l2"]))
            results["components"][component] = entry

        print("| forward | output | shape | max-abs | max-abs / max\\|ref\\| | relative L2 | peak RSS | wall |")
        print("|---|---|---|---|---|---|---|---|")
        for component, entry in results["components"].items():
            for name, errors in entry["outputs"].items():
                shape = list(references[component][name].shape)
                print("| %s | %s | %s | %.2e | %.2e | %.2e | %d MiB | %.1f s |" % (
                    component, name, shape, errors["max_abs"], errors["max_abs_over_max_ref"], errors["relative_l2"],
                    entry["peak_rss_mib"], entry["wall_seconds"]))
        with open(os.path.join(args.work, "results.json"), "w") as handle:
            json.dump(results, handle, indent=2)
        print(json.dumps(results))
        if failed:
            raise SystemExit("errors above --tolerance %g: %s" % (args.tolerance, "; ".join(failed)))
    finally:
        if not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
