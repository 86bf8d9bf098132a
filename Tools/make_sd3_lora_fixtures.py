#!/usr/bin/env python3
"""Generate Tests/Fixtures/sd3-lora/: PEFT LoRA adapters on the tiny SD3 transformer fixture
(Tests/Fixtures/sd3/transformer-sd3) and what peft makes of them, for the Swift LoRA fusion into
`SD3Transformer2DModel` (the Flash SD3 LoRA, jasperai/flash-sd3, is such an adapter).

- adapter/: `PeftModel.save_pretrained` of a `LoraConfig` over the transformer's attention,
  feed-forward and projection layers: `adapter_config.json` + `adapter_model.safetensors` with
  `base_model.model.<module>.lora_A.weight` / `.lora_B.weight` keys, r=4, lora_alpha=8 (scale 2),
  a `rank_pattern` (ff.net.2: rank 2) and an `alpha_pattern` (to_add_out: alpha 2), random A
  and B (`init_lora_weights=False`), so every scale rule of peft 0.21 is used.
- merged.safetensors: the adapted weights after `merge_and_unload()` (W + scale * B @ A), by
  the transformer's own keys.
- outputs.safetensors: the transformer's `sample` with the adapter active (unmerged, as the
  authors' SD3 pipeline runs `PeftModel(transformer)`) on the transformer-sd3 fixture inputs.
- diffusers-lora.safetensors: the same layers as a diffusers SD3 LoRA file (`transformer.` keys,
  the adapter config as `lora_adapter_metadata`), as `StableDiffusion3Pipeline.save_lora_weights`
  writes it.

Pinned versions (asserted): torch 2.13.0, diffusers 0.42.1, peft 0.21.2, safetensors 0.8.0.
Deterministic (seeded, float32, one thread): a rerun is byte-identical.

    .venv-reference/bin/python Tools/make_sd3_lora_fixtures.py
"""

import json
import os
import shutil

import torch
from safetensors.torch import load_file, save_file

from reference_pins import check as check_pins

check_pins("torch", "diffusers", "safetensors", "peft")

from diffusers import SD3Transformer2DModel, StableDiffusion3Pipeline  # noqa: E402
from peft import LoraConfig, get_peft_model  # noqa: E402
from peft.utils import get_peft_model_state_dict  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = os.path.join(ROOT, "Tests", "Fixtures", "sd3", "transformer-sd3")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "sd3-lora")
TARGETS = ["to_q", "to_k", "to_v", "to_out.0", "add_q_proj", "add_k_proj", "add_v_proj", "to_add_out",
           "ff.net.0.proj", "ff.net.2", "ff_context.net.0.proj", "ff_context.net.2", "proj_out", "context_embedder"]


def config():
    return LoraConfig(r=4, lora_alpha=8, target_modules=TARGETS, rank_pattern={"ff.net.2": 2},
                      alpha_pattern={"to_add_out": 2.0}, init_lora_weights=False, lora_dropout=0.0)


def run(model, inputs):
    with torch.no_grad():
        return model(hidden_states=inputs["hidden_states"], encoder_hidden_states=inputs["encoder_hidden_states"],
                     pooled_projections=inputs["pooled_projections"], timestep=inputs["timestep"]).sample


def main():
    torch.set_num_threads(1)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    inputs = load_file(os.path.join(SOURCE, "inputs.safetensors"))
    base = SD3Transformer2DModel.from_pretrained(SOURCE).eval()
    base_weights = {k: v.clone() for k, v in base.state_dict().items()}
    torch.manual_seed(3131)
    model = get_peft_model(base, config()).eval()
    with torch.no_grad():  # random A and B of unit-order magnitude (init_lora_weights=False keeps nn.Linear's init)
        for name, parameter in model.named_parameters():
            if "lora_" in name:
                parameter.mul_(2.0)
    adapter = os.path.join(OUT, "adapter")
    model.save_pretrained(adapter, safe_serialization=True)
    for name in sorted(os.listdir(adapter)):
        if name not in ("adapter_config.json", "adapter_model.safetensors"):
            os.remove(os.path.join(adapter, name))
    with open(os.path.join(adapter, "adapter_config.json")) as handle:  # stable bytes: no local paths, sorted keys
        saved = json.load(handle)
    saved["base_model_name_or_path"] = None
    saved["peft_version"] = None
    saved["target_modules"] = sorted(saved["target_modules"])  # a set in peft: its order varies between runs
    with open(os.path.join(adapter, "adapter_config.json"), "w") as handle:
        json.dump(saved, handle, indent=2, sort_keys=True)

    sample = run(model, inputs)
    save_file({"sample": sample.contiguous()}, os.path.join(OUT, "outputs.safetensors"))

    lora_state = get_peft_model_state_dict(model)
    merged_model = model.merge_and_unload()
    merged = {}
    for key, value in merged_model.state_dict().items():
        if not torch.equal(value, base_weights[key]):
            merged[key] = value.contiguous()
    expected_modules = {k[:-len(".lora_A.weight")] for k in lora_state if k.endswith(".lora_A.weight")}
    assert {k[:-len(".weight")] for k in merged} == {m[len("base_model.model."):] if m.startswith("base_model.model.") else m
                                                      for m in expected_modules}, "merged keys differ from the adapted modules"
    save_file(merged, os.path.join(OUT, "merged.safetensors"))

    metadata = config().to_dict()
    metadata = {k: (sorted(v) if isinstance(v, set) else v) for k, v in metadata.items()}
    # diffusers' own LoRA layers (transformer.add_adapter) carry no PeftModel prefix.
    layers = {k[len("base_model.model."):]: v for k, v in lora_state.items()}
    StableDiffusion3Pipeline.save_lora_weights(OUT, transformer_lora_layers=layers,
                                               transformer_lora_adapter_metadata=metadata,
                                               weight_name="diffusers-lora.safetensors", safe_serialization=True)
    keys = sorted(load_file(os.path.join(OUT, "diffusers-lora.safetensors")))
    assert all(k.startswith("transformer.") and "base_model" not in k for k in keys), keys[:3]
    print("adapter: %d tensors, merged: %d weights, sample std %.4f" % (len(lora_state), len(merged), sample.std().item()))


if __name__ == "__main__":
    main()
