#!/usr/bin/env python3
"""Generate the one-shot region generation fixtures in Tests/Fixtures/region/.

Runs Tools/reference_semantic_draw.py (the pinned reference of docs/ALGORITHM.md §2-§4, specified in
docs/REFERENCE_PIPELINE.md) with the tiny fixture models:

    UNet   Tests/Fixtures/unet-sd1          (cross-attention 32, one downsample)
    CLIP   Tests/Fixtures/clip-quick-gelu   (hidden 32, vocab 1000, eager attention)
    VAE    Tests/Fixtures/vae               (3 levels: latent = image / 4, scaling_factor 0.18215)
    LCM    Tests/Fixtures/schedulers/lcm-sd15/scheduler_config.json
    DDIM   Tests/Fixtures/schedulers/ddim-leading/scheduler_config.json (baseline only)

Because the VAE downsamples by 4, `scale_factor` is 4 here (8 for SD): latent h = H/4, w = W/4,
and the tile / window rule uses window = tile / scale_factor. The tiny CLIP has no tokenizer
(vocab 1000), so every prompt is given as 77 token ids fed straight to
`CLIPTextModel(input_ids=...)` (no attention mask); see ids() below.

Each case writes Tests/Fixtures/region/<case>.safetensors with safetensors metadata
`fixture` (a JSON object: the settings, the brushes' scalar settings, the noise draw list in
draw order with purpose/slot/view/shape, timesteps, thresholds, views) and tensors:

    input.mask.<p>            H0 x W0 float32 brush masks as given (1 = inside)
    input.ids.<name>          77 int64 token ids: brush<p>, brush<p>.negative, background,
                              background.negative (only those used)
    input.background_image    H0 x W0 x 3 float32 in [0,1] (cases a, b)
    noise.<k>                 the k-th draw (k = 000, 001, ...) in draw order
    masks.quantised           R x T x 1 x h x w (case (c): background region first)
    masks.blurred             P x H x W (after cover + blur, before alpha)
    embeddings.cond / .uncond R x 77 x 32 (after prompt strength; uncond only with guidance > 1)
    latent.background / latent.white   1 x 4 x h x w (when used)
    latent.initial            1 x 4 x h x w
    slot.<i>.denoised         averaged + background-filled z of slot i (before the noise part)
    slot.<i>.latent           after the noise part (== denoised for the last slot)
    latent.final              the final latent (before decode)
    image.decoded             1 x 3 x H x W in [0,1] (clamp(decode/2 + 0.5))
    image.final               after the pixel blend (== decoded without a background image)

Self-checks (printed): every case is generated twice and must be bit-identical; a single
full-canvas brush without background and with bootstrap 0 must equal a plain LCM loop over
the same noise (denoise, then noise once) bit for bit.

Run from the repository root (deterministic):
    .venv-reference/bin/python Tools/make_region_fixtures.py
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_semantic_draw as ref  # noqa: E402  (asserts the pinned versions)

from diffusers import AutoencoderKL, DDIMScheduler, LCMScheduler, UNet2DConditionModel  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import CLIPTextModel  # noqa: E402
import diffusers  # noqa: E402

torch.set_num_threads(1)
diffusers.utils.logging.set_verbosity_error()

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIX = os.path.join(REPO, "Tests", "Fixtures")
OUT = os.path.join(FIX, "region")
SF = 4  # VAE scale factor of the tiny fixture VAE


def load_models():
    unet = UNet2DConditionModel.from_pretrained(os.path.join(FIX, "unet-sd1")).eval()
    vae = AutoencoderKL.from_pretrained(os.path.join(FIX, "vae")).eval()
    clip = CLIPTextModel.from_pretrained(os.path.join(FIX, "clip-quick-gelu"),
                                         attn_implementation="eager").eval()
    return unet, vae, clip


def lcm():
    return LCMScheduler.from_pretrained(os.path.join(FIX, "schedulers", "lcm-sd15"))


def ddim():
    return DDIMScheduler.from_pretrained(os.path.join(FIX, "schedulers", "ddim-leading"))


def ids(*tokens):
    """A prompt as 77 ids: 998 (start), the given tokens, 999 (end), then 1 (pad) to 77."""
    row = [998] + list(tokens) + [999]
    return torch.tensor(row + [1] * (77 - len(row)), dtype=torch.int64)


EMPTY = ids()  # the empty prompt "" (start, end, padding)


def rect(H, W, top, left, bottom, right):
    m = torch.zeros(H, W)
    m[top:bottom, left:right] = 1
    return m


def disc(H, W, cy, cx, r):
    """Anti-aliased disc: clamp(r - dist + 0.5, 0, 1)."""
    y = torch.arange(H, dtype=torch.float32)[:, None] + 0.5
    x = torch.arange(W, dtype=torch.float32)[None, :] + 0.5
    d = ((y - cy) ** 2 + (x - cx) ** 2).sqrt()
    return (r - d + 0.5).clamp(0, 1)


def smooth_image(H0, W0, seed):
    g = torch.Generator().manual_seed(seed)
    small = torch.rand(1, 3, 4, 4, generator=g)
    img = torch.nn.functional.interpolate(small, size=(H0, W0), mode="bilinear", align_corners=False)
    return img[0].permute(1, 2, 0).contiguous()  # H0 x W0 x 3


def cases():
    """(name, description, kwargs for generate or panorama or baseline, runner)."""
    out = []
    H, W = 32, 32
    out.append(("two_brushes_bg_prompt",
                "case (c): background prompt generated as the first region; 2 brushes (disc, "
                "rectangle), blur std 1 px, bootstrap 1, 5 default slots, guidance 1",
                "generate",
                dict(height=H, width=W, slots=[0, 4, 12, 25, 37], background_prompt=ids(11, 12, 13),
                     brushes=[dict(prompt=ids(21, 22), mask=disc(H, W, 12, 12, 8), mask_std=1.0),
                              dict(prompt=ids(31, 32, 33), mask=rect(H, W, 14, 16, 30, 30), mask_std=1.0)])))
    H, W = 32, 40
    out.append(("bg_image_blur",
                "case (a): background image (24 x 30, resized bicubically to 32 x 40) + prompt; "
                "2 brushes with blur std 2.0 and 1.5, alpha 0.9; slots [4, 12, 25, 37] (first "
                "timestep 919 < 999, so the initial latent is the background noised to slot 0); "
                "pixel blend",
                "generate",
                dict(height=H, width=W, slots=[4, 12, 25, 37], background_prompt=ids(41, 42),
                     background_image=smooth_image(24, 30, 7),
                     brushes=[dict(prompt=ids(51), mask=disc(H, W, 10, 12, 7), mask_std=2.0, mask_alpha=0.9),
                              dict(prompt=ids(61, 62), mask=rect(H, W, 16, 20, 30, 38), mask_std=1.5)])))
    H, W = 32, 32
    out.append(("prompt_strength_cfg",
                "case (d): no background (white image, white prompt ids); prompt strengths 0.6 "
                "and 0.8; guidance 2.5 with per-brush negative prompts (background negative = "
                "the empty prompt); pixel blend with the white image",
                "generate",
                dict(height=H, width=W, guidance=2.5, white_prompt=ids(71, 72, 73, 74),
                     brushes=[dict(prompt=ids(81), negative_prompt=ids(82, 83), mask=rect(H, W, 2, 2, 18, 18),
                                   prompt_strength=0.6),
                              dict(prompt=ids(91, 92), negative_prompt=ids(93), mask=disc(H, W, 22, 22, 9),
                                   prompt_strength=0.8)])))
    H, W = 32, 32
    out.append(("bootstrap2_mix1.5",
                "case (b): background image only (caption = the empty prompt); bootstrap_steps 2, "
                "bootstrap_mix 1.5 (r = 1 at slot 0, 0.5 at slot 1); slots [0, 12, 25, 37]",
                "generate",
                dict(height=H, width=W, slots=[0, 12, 25, 37], bootstrap_steps=2, bootstrap_mix=1.5,
                     background_image=smooth_image(32, 32, 11), caption_prompt=EMPTY,
                     brushes=[dict(prompt=ids(101, 102), mask=disc(H, W, 16, 10, 6)),
                              dict(prompt=ids(111), mask=rect(H, W, 4, 18, 28, 30))])))
    H, W = 48, 72
    out.append(("tiled",
                "case (c) on a 48 x 72 px canvas (latent 12 x 18) with tile 32 px: window 8, stride "
                "4, 2 x 4 views (the last column clipped to width 6), triangular weights; "
                "bootstrap 1 (one draw per view)",
                "generate",
                dict(height=H, width=W, tile=32, background_prompt=ids(121),
                     brushes=[dict(prompt=ids(131, 132), mask=disc(H, W, 20, 22, 14)),
                              dict(prompt=ids(141), mask=rect(H, W, 8, 40, 44, 68))])))
    H, W = 32, 32
    out.append(("empty_mask",
                "case (c) with one brush whose mask is all zero (centring rolls it by (h/2, w/2)), "
                "continuous quantisation, bootstrap 1",
                "generate",
                dict(height=H, width=W, background_prompt=ids(151), quantization="continuous",
                     brushes=[dict(prompt=ids(161), mask=torch.zeros(H, W)),
                              dict(prompt=ids(171, 172), mask=disc(H, W, 15, 17, 9))])))
    out.append(("single_brush_plain",
                "case (d) with one full-canvas brush, bootstrap 0: equals a plain LCM loop",
                "generate",
                dict(height=32, width=32, bootstrap_steps=0, white_prompt=ids(71, 72, 73, 74),
                     brushes=[dict(prompt=ids(181, 182), mask=torch.ones(32, 32))])))
    out.append(("panorama",
                "panorama 32 x 96 px (latent 8 x 24): tile = min(32, 512) = 32, window 8, 1 x 5 "
                "views; slots [0, 12, 25, 37]; no background, no bootstrap",
                "panorama",
                dict(height=32, width=96, prompt=ids(191, 192, 193))))
    out.append(("baseline_s1",
                "baseline MultiDiffusion (Algorithm S1): DDIM leading eta 0, 10 steps, CFG 7.5, "
                "random-colour bootstrapping for int(0.4*10) = 4 steps, case (c)",
                "baseline",
                dict(height=32, width=32, steps=10, guidance=7.5, background_prompt=ids(201),
                     brushes=[dict(prompt=ids(211), negative_prompt=EMPTY, mask=disc(32, 32, 12, 12, 8)),
                              dict(prompt=ids(221), negative_prompt=ids(222), mask=rect(32, 32, 16, 16, 30, 30))])))
    H, W = 32, 40
    out.append(("bg_image_mean",
                "as bg_image_blur, with image_encoding 'mean' (docs/ALGORITHM.md's posterior mean, no "
                "posterior draw; `generate --posterior-mean`)",
                "generate",
                dict(height=H, width=W, slots=[4, 12, 25, 37], background_prompt=ids(41, 42),
                     background_image=smooth_image(24, 30, 7), image_encoding="mean",
                     brushes=[dict(prompt=ids(51), mask=disc(H, W, 10, 12, 7), mask_std=2.0, mask_alpha=0.9),
                              dict(prompt=ids(61, 62), mask=rect(H, W, 16, 20, 30, 38), mask_std=1.5)])))
    H, W = 32, 200
    out.append(("white_posterior",
                "case (d) on a 32 x 200 px canvas: wider than 768 / f = 192 px, so the white latent "
                "is re-encoded and sampled (R13: background posterior draw, then white posterior "
                "draw, then the initial latent); bootstrap 1",
                "generate",
                dict(height=H, width=W, white_prompt=ids(71, 72, 73, 74),
                     brushes=[dict(prompt=ids(231, 232), mask=disc(H, W, 16, 60, 12)),
                              dict(prompt=ids(241), mask=rect(H, W, 4, 120, 28, 180))])))
    return out


def run_case(models, kind, kw, seed):
    unet, vae, clip = models
    gen = torch.Generator().manual_seed(seed)
    kw = dict(kw)
    if kind in ("generate", "baseline"):
        kw.setdefault("default_negative_prompt", EMPTY)
    if kind == "generate":
        return ref.generate(unet, vae, clip, None, "lcm", lcm(), scale_factor=SF, generator=gen, **kw)
    if kind == "panorama":
        kw.setdefault("negative_prompt", EMPTY)
        return ref.panorama(unet, vae, clip, None, lcm(), scale_factor=SF, generator=gen, **kw)
    if kind == "baseline":
        return ref.baseline_multidiffusion(unet, vae, clip, None, ddim(), scale_factor=SF, generator=gen, **kw)
    raise ValueError(kind)


def tensors_of(kind, kw, res):
    t = {}
    meta_brushes = []
    brushes = kw.get("brushes", [])
    for p, b in enumerate(brushes):
        t["input.mask.%d" % p] = b["mask"].contiguous()
        t["input.ids.brush%d" % p] = b["prompt"]
        if "negative_prompt" in b:
            t["input.ids.brush%d.negative" % p] = b["negative_prompt"]
        meta_brushes.append({k: v for k, v in b.items() if k in ("mask_alpha", "mask_std", "prompt_strength")})
    for key, name in (("background_prompt", "background"), ("background_negative_prompt", "background.negative"),
                      ("white_prompt", "white"), ("caption_prompt", "caption"), ("prompt", "prompt")):
        if key in kw:
            t["input.ids.%s" % name] = kw[key]
    if "background_image" in kw:
        t["input.background_image"] = kw["background_image"].contiguous()
    if kind == "baseline":
        r = res
        noise = r["noise"]
        t.update({"masks.quantised": r["masks"], "embeddings.cond": r["cond"],
                  "latent.initial": r["initial_latent"], "latent.final": r["latent"],
                  "image.decoded": r["image"]})
        if r["uncond"] is not None:
            t["embeddings.uncond"] = r["uncond"]
        for i, x in enumerate(r["slot_latents"]):
            t["slot.%d.latent" % i] = x
        extra = {"timesteps": r["timesteps"]}
    else:
        noise = res.noise
        t.update({"masks.quantised": res.masks, "embeddings.cond": res.cond,
                  "latent.initial": res.initial_latent, "latent.final": res.latent,
                  "image.decoded": res.decoded, "image.final": res.image})
        if res.blurred is not None:
            t["masks.blurred"] = res.blurred
        if res.uncond is not None:
            t["embeddings.uncond"] = res.uncond
        if res.background_latent is not None:
            t["latent.background"] = res.background_latent
        if res.white_latent is not None:
            t["latent.white"] = res.white_latent
        for i in range(len(res.slot_latents)):
            t["slot.%d.denoised" % i] = res.slot_denoised[i]
            t["slot.%d.latent" % i] = res.slot_latents[i]
        extra = {"case": res.case, "timesteps": res.timesteps, "thresholds": res.thresholds,
                 "views": [list(v) for v in res.views]}
    for k, n in enumerate(noise.draws):
        t["noise.%03d" % k] = n
    t = {k: v.detach().contiguous().clone() for k, v in t.items()}
    settings = {k: v for k, v in kw.items() if not isinstance(v, torch.Tensor) and k != "brushes"}
    return t, meta_brushes, settings, noise.purposes, extra


def main():
    models = load_models()
    os.makedirs(OUT, exist_ok=True)
    ok = True
    index = []
    for n, (name, desc, kind, kw) in enumerate(cases()):
        seed = 1000 + n
        a = run_case(models, kind, kw, seed)
        b = run_case(models, kind, kw, seed)
        ta, brushes, settings, draws, extra = tensors_of(kind, kw, a)
        tb = tensors_of(kind, kw, b)[0]
        same = ta.keys() == tb.keys() and all(torch.equal(ta[k], tb[k]) for k in ta)
        ok &= same
        print("%-22s deterministic (two runs bit-identical): %s" % (name, same))
        meta = {"case": name, "description": desc, "runner": kind, "seed": seed, "scale_factor": SF,
                "settings": settings, "brushes": brushes, "draws": draws,
                "models": {"unet": "unet-sd1", "text_encoder": "clip-quick-gelu", "vae": "vae",
                           "scheduler": "schedulers/ddim-leading" if kind == "baseline" else "schedulers/lcm-sd15"}}
        meta.update(extra)
        path = os.path.join(OUT, name + ".safetensors")
        save_file(ta, path, metadata={"fixture": json.dumps(meta, sort_keys=True)})
        index.append((name, os.path.getsize(path), desc))
        if name == "single_brush_plain":
            cond = ta["embeddings.cond"]
            plain = ref.plain_lcm_loop(models[0], lcm(), ref.DEFAULT_SLOTS, cond, a.noise.draws)
            eq = torch.equal(plain, a.latent)
            diff = (plain - a.latent).abs().max().item()
            ok &= eq
            print("self-check: single full-canvas brush, no background, bootstrap 0 == plain LCM loop "
                  "over the same noise: %s (max abs diff %g, %d draws)" % (eq, diff, len(a.noise.draws)))
    total = sum(s for _, s, _ in index)
    for name, size, _ in index:
        print("  %-26s %7d bytes" % (name + ".safetensors", size))
    print("total %d bytes" % total)
    assert total < 3 * 1024 * 1024
    if not ok:
        sys.exit("self-checks FAILED")


if __name__ == "__main__":
    main()
