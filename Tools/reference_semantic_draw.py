#!/usr/bin/env python3
"""Pinned Python reference of SemanticDraw's one-shot region generation (docs/ALGORITHM.md §2-§4).

This is a *library module* (imported by Tools/make_region_fixtures.py); it implements
docs/ALGORITHM.md §2 (masks), §3 (text conditioning), §4 (one-shot region generation,
background cases (a)-(d), tiling, bootstrapping, mask centring, leak suppression,
pre-averaging, background fill, the random-number contract, the pixel blend; panorama) and the
baseline MultiDiffusion (Algorithm S1) over diffusers components. Every choice where the text
is ambiguous is written down in docs/REFERENCE_PIPELINE.md, which is the specification the
Swift side implements against; the section numbers in comments (R1..R14) refer to it.

Entry points:
    generate(...)   one-shot region generation (LCM, DDIM eta 0, or TCD) -> RegionResult
    hyper_sd_scheduler(...), fuse_lora(...)  the Hyper-SD accelerator preset (R14)
    check_scheduler_splits(...)  denoise/noise/fill helpers against diffusers' step
    panorama(...)   single prompt over a wide canvas (same views and pre-averaging)
    baseline_multidiffusion(...)  Algorithm S1 (DDIM, full step per copy, average after)
    process_masks(...), views_and_weights(...), encode_prompt(...): the building blocks

Pinned versions (asserted at import): torch 2.13.0, diffusers 0.42.1, transformers 5.24.0,
safetensors 0.8.0, numpy 2.4.6 (Tools/setup-reference-env.sh). CPU, float32, no autocast.
"""

import math
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from diffusers import DDIMScheduler, LCMScheduler, TCDScheduler

from reference_pins import check as check_pins  # noqa: E402


def check_versions():
    check_pins("torch", "diffusers", "transformers", "safetensors", "numpy")


check_versions()

GRID = [999 - 20 * k for k in range(50)]  # LCM's 50-step grid (original_inference_steps 50)
DEFAULT_SLOTS = [0, 4, 12, 25, 37]
PANORAMA_SLOTS = [0, 12, 25, 37]
COVER = 0.3
LEAK_SENSITIVITY = 0.2
WHITE_PROMPT = "simple white background image"

Prompt = Union[str, Sequence[int], torch.Tensor]


# --------------------------------------------------------------------------------------------
# Random numbers (R9)
# --------------------------------------------------------------------------------------------


class NoiseRecorder:
    """Wraps the noise source and records every draw (shape, purpose) in draw order."""

    def __init__(self, generator: Optional[torch.Generator] = None,
                 noise_source: Optional[Callable] = None):
        assert (generator is None) != (noise_source is None) or (generator is None and noise_source is None)
        if noise_source is None:
            if generator is None:
                generator = torch.Generator().manual_seed(0)
            gen = generator
            noise_source = lambda shape: torch.randn(tuple(shape), generator=gen, dtype=torch.float32)
        self.source = noise_source
        self.draws: List[torch.Tensor] = []
        self.purposes: List[dict] = []

    def __call__(self, shape, **purpose) -> torch.Tensor:
        n = self.source(tuple(int(s) for s in shape))
        n = torch.as_tensor(n, dtype=torch.float32)
        assert tuple(n.shape) == tuple(shape), (tuple(n.shape), tuple(shape))
        self.draws.append(n.clone())
        self.purposes.append(dict(purpose, shape=list(int(s) for s in shape)))
        return n


# --------------------------------------------------------------------------------------------
# Schedulers (R2): denoise / noise split, exactly diffusers' float32 operation order
# --------------------------------------------------------------------------------------------


class LCMSlots:
    """LCMScheduler with `set_timesteps(timesteps=[GRID[s] for s in slots])`.

    denoise(eps, x, i) = c_out*x0 + c_skip*x, x0 = (x - sqrt(1-abar_t)*eps)/sqrt(abar_t)
    (diffusers' `denoised`, c_skip/c_out from get_scalings_for_boundary_condition_discrete with
    the timestep as a 0-d int64 tensor -> float32); noise(z, n, i) = sqrt(abar')*z + sqrt(1-abar')*n
    with abar' = abar at slot i+1 (diffusers' `prev_sample`; None after the last slot)."""

    kind = "lcm"

    def __init__(self, scheduler: LCMScheduler, slots: Sequence[int]):
        self.s = scheduler
        self.slots = list(slots)
        self.s.set_timesteps(timesteps=[GRID[k] for k in self.slots])
        self.timesteps = self.s.timesteps  # int64 tensor
        self.T = len(self.timesteps)
        assert [int(t) for t in self.timesteps] == [GRID[k] for k in self.slots]

    def abar(self, i):
        return self.s.alphas_cumprod[self.timesteps[i]]

    def noise_level(self, i):
        # b_i = sqrt(1 - abar_i), torch float32 .sqrt() (the mask threshold, R4)
        return (1 - self.abar(i)).sqrt()

    def model_input(self, x, i):
        return x

    def denoise(self, eps, x, i):
        t = self.timesteps[i]
        abar_t = self.s.alphas_cumprod[t]
        beta_t = 1 - abar_t
        c_skip, c_out = self.s.get_scalings_for_boundary_condition_discrete(t)
        x0 = (x - beta_t.sqrt() * eps) / abar_t.sqrt()
        return c_out * x0 + c_skip * x

    def adds_noise(self, i):
        return i < self.T - 1

    def noise(self, z, n, i):
        abar_prev = self.s.alphas_cumprod[self.timesteps[i + 1]]
        beta_prev = 1 - abar_prev
        return abar_prev.sqrt() * z + beta_prev.sqrt() * n

    def add_noise(self, x, n, i):
        # diffusers add_noise at slot i: abar**0.5 * x + (1-abar)**0.5 * n
        return self.s.add_noise(x, n, self.timesteps[i:i + 1])

    def fill(self, bg_latent, n, i):
        # LCM's aggregated z is an x0 estimate: the clean background latent fills it (R7, R14)
        return bg_latent


class DDIMSlots:
    """DDIMScheduler, eta 0, `set_timesteps(steps)` with the scheduler's own spacing ("leading"
    for the baseline, "trailing" for Hyper-SD, R14): denoise is the whole diffusers step (from
    t to t' = t - N div steps, alpha-bar `final_alpha_cumprod` when t' < 0), noise adds
    nothing; fill(bg, n, i) = sqrt(abar_t')*bg + sqrt(1 - abar_t')*n (R14)."""

    kind = "ddim"

    def __init__(self, scheduler: DDIMScheduler, steps: int):
        self.s = scheduler
        self.s.set_timesteps(steps)
        self.timesteps = self.s.timesteps
        self.T = len(self.timesteps)

    def abar_prev(self, i):
        # exactly DDIMScheduler.step's alpha_prod_t_prev
        prev = self.timesteps[i] - self.s.config.num_train_timesteps // self.s.num_inference_steps
        return self.s.alphas_cumprod[prev] if prev >= 0 else self.s.final_alpha_cumprod

    def abar(self, i):
        return self.s.alphas_cumprod[self.timesteps[i]]

    def noise_level(self, i):
        return (1 - self.abar(i)).sqrt()

    def model_input(self, x, i):
        return x

    def denoise(self, eps, x, i):
        return self.s.step(eps, self.timesteps[i], x, eta=0.0).prev_sample

    def adds_noise(self, i):
        return False

    def noise(self, z, n, i):
        return z

    def add_noise(self, x, n, i):
        return self.s.add_noise(x, n, self.timesteps[i:i + 1])

    def fill(self, bg_latent, n, i):
        # R14: the clean background at the level the step lands on (t'), with the slot's draw n
        # (n = 0 at the last slot); DDIM's own `** 0.5` on the 0-d float32 alpha-bar.
        abar_prev = self.abar_prev(i)
        return abar_prev ** 0.5 * bg_latent + (1 - abar_prev) ** 0.5 * n


class TCDSlots:
    """TCDScheduler (Hyper-SD's one-step preset, R14), `set_timesteps(steps)`, stochasticity eta.

    With t = timesteps[i], t_prev = timesteps[i+1] (0 after the last slot) and
    s = floor((1 - eta) * t_prev) (torch: the double 1 - eta rounded to float32, float32 product,
    floor, int64; eta 0.9, t_prev 10 -> s = 1, not double arithmetic's 0), exactly as
    `TCDScheduler.step`:
        denoise(eps, x, i) = sqrt(abar_s)*x0 + sqrt(1 - abar_s)*eps,
                             x0 = (x - sqrt(1 - abar_t)*eps)/sqrt(abar_t)   (`pred_noised_sample`)
        noise(z, n, i)     = sqrt(abar_prev/abar_s)*z + sqrt(1 - abar_prev/abar_s)*n
                             when eta > 0 and i is not the last slot (`prev_sample`), else none
        fill(bg, n, i)     = sqrt(abar_s)*bg + ((sqrt(1 - abar_prev) - q)/r)*n,
                             r = sqrt(abar_prev/abar_s), q = sqrt(1 - abar_prev/abar_s)
                             (r = 1, q = 0 where the noise part adds nothing), so that
                             r*fill + q*n = sqrt(abar_prev)*bg + sqrt(1 - abar_prev)*n.
    All square roots are torch's float32 `.sqrt()` of 0-d tensors, as diffusers."""

    kind = "tcd"

    def __init__(self, scheduler, steps: int, eta: float):
        assert 0.0 <= float(eta) <= 1.0, eta
        self.s = scheduler
        self.eta = float(eta)
        self.s.set_timesteps(steps)
        self.timesteps = self.s.timesteps
        self.T = len(self.timesteps)

    def abar(self, i):
        return self.s.alphas_cumprod[self.timesteps[i]]

    def noise_level(self, i):
        return (1 - self.abar(i)).sqrt()

    def model_input(self, x, i):
        return x

    def prev_timestep(self, i):
        return self.timesteps[i + 1] if i + 1 < self.T else torch.tensor(0)

    def s_timestep(self, i):
        return torch.floor((1 - self.eta) * self.prev_timestep(i)).to(dtype=torch.long)

    def abar_prev(self, i):
        prev = self.prev_timestep(i)
        return self.s.alphas_cumprod[prev] if prev >= 0 else self.s.final_alpha_cumprod

    def abar_s(self, i):
        return self.s.alphas_cumprod[self.s_timestep(i)]

    def denoise(self, eps, x, i):
        abar_t = self.s.alphas_cumprod[self.timesteps[i]]
        beta_t = 1 - abar_t
        abar_s = self.abar_s(i)
        beta_s = 1 - abar_s
        x0 = (x - beta_t.sqrt() * eps) / abar_t.sqrt()
        return abar_s.sqrt() * x0 + beta_s.sqrt() * eps

    def adds_noise(self, i):
        return self.eta > 0 and i < self.T - 1

    def noise(self, z, n, i):
        ratio = self.abar_prev(i) / self.abar_s(i)
        return ratio.sqrt() * z + (1 - ratio).sqrt() * n

    def fill(self, bg_latent, n, i):
        abar_s, abar_prev = self.abar_s(i), self.abar_prev(i)
        if self.adds_noise(i):
            ratio = abar_prev / abar_s
            c = ((1 - abar_prev).sqrt() - (1 - ratio).sqrt()) / ratio.sqrt()
        else:
            c = (1 - abar_prev).sqrt()
        return abar_s.sqrt() * bg_latent + c * n

    def add_noise(self, x, n, i):
        return self.s.add_noise(x, n, self.timesteps[i:i + 1])


# --------------------------------------------------------------------------------------------
# Masks (docs/ALGORITHM.md §2, R4)
# --------------------------------------------------------------------------------------------


def gaussian_blur(m: torch.Tensor, std: float) -> torch.Tensor:
    """Gaussian blur of an H x W float64 mask (same convention as Tools/make_mask_fixtures.py):
    replicate padding by r = ceil(3*std), F.conv2d with the normalised 2-D kernel outer(g, g),
    g = exp(-x^2 / (2 std^2)) / sum, x = -r..r, all in float64. std <= 0: unchanged."""
    if std <= 0:
        return m.clone()
    r = int(math.ceil(3 * std))
    x = torch.arange(-r, r + 1, dtype=torch.float64)
    g = torch.exp(-(x * x) / (2 * std * std))
    g = g / g.sum()
    kernel = torch.outer(g, g)[None, None]
    padded = F.pad(m.to(torch.float64)[None, None], (r, r, r, r), mode="replicate")
    return F.conv2d(padded, kernel)[0, 0]


def resize_mask(m: torch.Tensor, H: int, W: int) -> torch.Tensor:
    if tuple(m.shape) == (H, W):
        return m.clone()
    return F.interpolate(m[None, None], size=(H, W), mode="bilinear", align_corners=False)[0, 0]


def process_masks(masks: Sequence[torch.Tensor], alphas: Sequence[float], stds: Sequence[float],
                  thresholds: Sequence[torch.Tensor], H: int, W: int, h: int, w: int,
                  quantization: str = "discrete"):
    """docs/ALGORITHM.md §2 steps 1-6 (steps 2-3 in float64, as Tools/make_mask_fixtures.py). Returns (quantised P x T x 1 x h x w, blurred P x H x W)."""
    P, T = len(masks), len(thresholds)
    m = [resize_mask(torch.as_tensor(x, dtype=torch.float32), H, W).to(torch.float64) for x in masks]
    # 2. cover (float64): brush p *= 0.3 where any later brush is > 0
    covered = []
    for p in range(P):
        x = m[p]
        if p < P - 1:
            later = torch.zeros(H, W, dtype=torch.bool)
            for q in range(p + 1, P):
                later |= m[q] > 0
            x = torch.where(later, x * COVER, x)
        covered.append(x)
    # 3. blur in float64, rounded to float32 once
    blurred = [gaussian_blur(covered[p], float(stds[p])).to(torch.float32) for p in range(P)]
    b = [torch.as_tensor(t, dtype=torch.float32) for t in thresholds] + [torch.tensor(0.0)]
    out = torch.zeros(P, T, 1, h, w)
    for p in range(P):
        x = blurred[p] * float(alphas[p])
        for i in range(T):
            if quantization == "discrete":
                q = (x > b[i]).to(torch.float32)
            elif quantization == "continuous":
                q = ((x - b[i + 1]) / (b[i] - b[i + 1])).clamp(0, 1)
            else:
                raise ValueError(quantization)
            out[p, i, 0] = F.interpolate(q[None, None], size=(h, w), mode="nearest")[0, 0]
    return out, torch.stack(blurred)


# --------------------------------------------------------------------------------------------
# Views (docs/ALGORITHM.md §4 tiling, R5)
# --------------------------------------------------------------------------------------------


def _axis_views(L: int, window: int):
    """[(start, end, weights[end-start])] for one latent axis of length L."""
    if L <= window:  # Decision: one view spanning the axis
        return [(0, L, torch.ones(L))]
    stride = window // 2
    count = math.ceil((L - window) / stride) + 1
    half_fwd = torch.linspace(0, 1, (window + 1) // 2)
    half_rev = half_fwd.flip(0)
    if window % 2 == 1:
        half_rev = half_rev[1:]
    c = torch.cat((half_fwd, half_rev))  # 0 -> 1 -> 0 over the window
    first = c.clone()
    first[: window // 2] = 1
    last = c.clone()
    last[-(window // 2):] = 1
    out = []
    for k in range(count):
        s = k * stride
        e = min(s + window, L)
        prof = first if k == 0 else (last if k == count - 1 else c)
        if count == 1:
            prof = torch.ones(window)
        out.append((s, e, prof[: e - s].clone()))
    return out


def views_and_weights(h: int, w: int, H: int, W: int, tile: int, scale_factor: int):
    """List of (h0, h1, w0, w1, weight 1 x 1 x vh x vw), row-major (rows outer)."""
    if H > tile or W > tile:
        window = tile // scale_factor
        rows, cols = _axis_views(h, window), _axis_views(w, window)
    else:
        rows, cols = [(0, h, torch.ones(h))], [(0, w, torch.ones(w))]
    views = []
    for (h0, h1, wr) in rows:
        for (w0, w1, wc) in cols:
            views.append((h0, h1, w0, w1, (wr[:, None] * wc[None, :])[None, None]))
    return views


# --------------------------------------------------------------------------------------------
# Text (docs/ALGORITHM.md §3, R3)
# --------------------------------------------------------------------------------------------


def prompt_ids(tokenizer, prompt: Prompt) -> torch.Tensor:
    """77 int64 token ids: given directly (list/tensor of 77 ids), or tokenised (pad to 77,
    truncate keeping the end token) with the CLIP tokenizer."""
    if isinstance(prompt, str):
        assert tokenizer is not None, "a text prompt needs a tokenizer; pass 77 token ids instead"
        ids = tokenizer(prompt, padding="max_length", max_length=77, truncation=True,
                        return_tensors="pt").input_ids[0]
    else:
        ids = torch.as_tensor(prompt, dtype=torch.int64).reshape(-1)
    assert ids.numel() == 77, ids.numel()
    return ids.to(torch.int64)


@torch.no_grad()
def encode_prompt(text_encoder, tokenizer, prompt: Prompt) -> torch.Tensor:
    """CLIP last hidden state, 1 x 77 x D, one prompt per encoder call (batch 1), no attention mask."""
    ids = prompt_ids(tokenizer, prompt)
    return text_encoder(input_ids=ids[None]).last_hidden_state.to(torch.float32)


def lerp(start: torch.Tensor, end: torch.Tensor, s: float) -> torch.Tensor:
    """torch.lerp: s < 0.5: start + s*(end - start); else end - (end - start)*(1 - s)
    (exact at s = 1)."""
    return torch.lerp(start, end, torch.tensor(float(s), dtype=torch.float32))


# --------------------------------------------------------------------------------------------
# VAE (R8)
# --------------------------------------------------------------------------------------------


@torch.no_grad()
def sample_image(vae, image_chw01: torch.Tensor, draw, purpose: str) -> torch.Tensor:
    """R13: the posterior *sample* mean + std * n with n = draw(shape) (the authors' encode_imgs,
    `latent_dist.sample()` on the seeded generator), times scaling_factor. A VAE with no posterior
    (AutoencoderTiny) draws nothing and gives its latents, as theirs."""
    x = image_chw01 * 2 - 1
    encoded = vae.encode(x)
    if not hasattr(encoded, "latent_dist"):
        return encoded.latents * vae.config.scaling_factor
    dist = encoded.latent_dist
    n = draw(tuple(dist.mean.shape), purpose=purpose)
    return (dist.mean + dist.std * n) * vae.config.scaling_factor


@torch.no_grad()
def encode_image(vae, image_chw01: torch.Tensor) -> torch.Tensor:
    """1 x 3 x H x W image in [0,1] -> posterior mean * scaling_factor (1 x C x H/f x W/f)."""
    x = image_chw01 * 2 - 1
    encoded = vae.encode(x)
    # AutoencoderKL: the posterior mean; AutoencoderTiny (TAESD) gives its latents directly.
    latent = encoded.latent_dist.mean if hasattr(encoded, "latent_dist") else encoded.latents
    return latent * vae.config.scaling_factor


@torch.no_grad()
def decode_latent(vae, latent: torch.Tensor) -> torch.Tensor:
    """latent -> 1 x 3 x H x W image in [0,1]: clamp(decode(latent / sf) / 2 + 0.5, 0, 1)."""
    x = vae.decode(latent / vae.config.scaling_factor).sample
    return (x / 2 + 0.5).clamp(0, 1)


# --------------------------------------------------------------------------------------------
# One-shot region generation (docs/ALGORITHM.md §4)
# --------------------------------------------------------------------------------------------


@dataclass
class RegionResult:
    latent: torch.Tensor                 # final latent 1 x C x h x w (before decode)
    image: torch.Tensor                  # 1 x 3 x H x W in [0,1], after the blend if any
    decoded: torch.Tensor                # 1 x 3 x H x W in [0,1], before the blend
    initial_latent: torch.Tensor
    slot_denoised: List[torch.Tensor]    # per slot: averaged + background-filled z (before noise)
    slot_latents: List[torch.Tensor]     # per slot: latent after the noise part (= z for the last)
    masks: torch.Tensor                  # R x T x 1 x h x w, regions (case (c): background first)
    blurred: Optional[torch.Tensor]      # P x H x W blurred brush masks (before alpha)
    cond: torch.Tensor                   # R x 77 x D region embeddings (after prompt strength)
    uncond: Optional[torch.Tensor]       # R x 77 x D, None when guidance <= 1
    background_latent: Optional[torch.Tensor]
    white_latent: Optional[torch.Tensor]
    background_pixels: Optional[torch.Tensor]
    case: str
    timesteps: List[int]
    thresholds: List[float]
    views: list
    noise: NoiseRecorder = field(repr=False, default=None)


def _scheduler(kind, scheduler, slots, steps, eta=1.0):
    if kind == "lcm":
        return LCMSlots(scheduler, slots)
    if kind == "ddim":
        return DDIMSlots(scheduler, steps)
    if kind == "tcd":
        return TCDSlots(scheduler, steps, eta)
    raise ValueError(kind)


@torch.no_grad()
def _unet_eps(unet, x, t, cond, uncond, guidance):
    """One batched call: [uncond rows..., cond rows...] when guidance > 1, else cond only."""
    if guidance > 1:
        out = unet(torch.cat([x, x]), t, encoder_hidden_states=torch.cat([uncond, cond])).sample
        eu, ec = out.chunk(2)
        return eu + guidance * (ec - eu)
    return unet(x, t, encoder_hidden_states=cond).sample


def _centre_shifts(m: torch.Tensor):
    """Per region: (h//2 - cy, w//2 - cx) from the bounding box of m > 0 (R6)."""
    vh, vw = m.shape[-2:]
    shifts = []
    for p in range(m.shape[0]):
        occ = m[p, 0] > 0
        rows = torch.nonzero(occ.any(dim=1)).flatten()
        cols = torch.nonzero(occ.any(dim=0)).flatten()
        top, bottom = (int(rows[0]), int(rows[-1])) if rows.numel() else (0, 0)
        left, right = (int(cols[0]), int(cols[-1])) if cols.numel() else (0, 0)
        cy, cx = (top + bottom + 1) // 2, (left + right + 1) // 2
        shifts.append((vh // 2 - cy, vw // 2 - cx))
    return shifts


def _roll(x, shifts, sign):
    return torch.stack([torch.roll(x[p], shifts=(sign * s[0], sign * s[1]), dims=(-2, -1))
                        for p, s in enumerate(shifts)])


@torch.no_grad()
def generate(unet, vae, text_encoder, tokenizer, scheduler_kind: str, scheduler,
             slots: Sequence[int] = DEFAULT_SLOTS, brushes: Sequence[dict] = (),
             background_image: Optional[torch.Tensor] = None,
             background_prompt: Optional[Prompt] = None,
             background_negative_prompt: Optional[Prompt] = None,
             height: int = 512, width: int = 512, guidance: float = 1.0,
             bootstrap_steps: int = 1, bootstrap_mix: float = 1.0,
             quantization: str = "discrete", tile: int = 768, scale_factor: int = 8,
             steps: Optional[int] = None, eta: float = 1.0,
             generator: Optional[torch.Generator] = None, noise_source: Optional[Callable] = None,
             white_prompt: Prompt = WHITE_PROMPT, caption_prompt: Prompt = "",
             default_negative_prompt: Prompt = "",
             image_encoding: str = "sample",
             _panorama: bool = False) -> RegionResult:
    """One-shot region generation (docs/ALGORITHM.md §4; the spec is docs/REFERENCE_PIPELINE.md).

    brushes: dicts with prompt, negative_prompt (optional), mask (H0 x W0 float, 1 = inside),
    mask_alpha (1.0), mask_std (1.0 px), prompt_strength (1.0). Prompts are strings (need
    `tokenizer`) or 77 token ids. background_image: H0 x W0 x 3 float in [0,1].
    scheduler: a diffusers LCMScheduler (scheduler_kind "lcm", `slots` into GRID),
    DDIMScheduler ("ddim", `steps` steps, eta 0; its own timestep spacing) or TCDScheduler
    ("tcd", `steps` steps, stochasticity `eta`); `hyper_sd_scheduler` builds the Hyper-SD preset
    (R14)."""
    H, W = int(height), int(width)
    assert H % scale_factor == 0 and W % scale_factor == 0, "H and W must be multiples of scale_factor"
    h, w = H // scale_factor, W // scale_factor
    draw = NoiseRecorder(generator, noise_source)
    sch = _scheduler(scheduler_kind, scheduler, slots, steps, eta)
    T = sch.T
    thresholds = [sch.noise_level(i) for i in range(T)]
    P = len(brushes)
    assert P >= 1

    # ---- background case (R1)
    if _panorama:
        case = "panorama"
    elif background_image is not None:
        case = "a" if background_prompt is not None else "b"
    else:
        case = "c" if background_prompt is not None else "d"
    if case == "b":
        background_prompt = caption_prompt
    if case == "d":
        background_prompt = white_prompt

    # ---- masks (R4)
    q, blurred = process_masks(
        [b["mask"] for b in brushes], [b.get("mask_alpha", 1.0) for b in brushes],
        [b.get("mask_std", 1.0) for b in brushes], thresholds, H, W, h, w, quantization)
    # R1: a background exists only if the quantised brush masks leave some latent pixel
    # uncovered at some slot (the authors' `has_background = bg_masks.sum() > 0`); otherwise
    # the background image and prompt are unused: no background latent, no prompt strength,
    # no fill, no blend.
    if case != "panorama" and float((1 - q.sum(dim=0)).clamp(0, 1).sum()) == 0.0:
        case = "covered"
        background_prompt = None
    has_bg_latent = case in ("a", "b", "d")
    if case == "c":
        bg_region = (1 - q.sum(dim=0)).clamp(0, 1)  # T x 1 x h x w
        q = torch.cat([bg_region[None], q], dim=0)

    # ---- text (R3)
    cfg = guidance > 1
    e_cond = [encode_prompt(text_encoder, tokenizer, b["prompt"]) for b in brushes]
    e_unc = ([encode_prompt(text_encoder, tokenizer, b.get("negative_prompt", default_negative_prompt))
              for b in brushes] if cfg else None)
    if background_prompt is not None and case != "panorama":
        bg_neg = background_negative_prompt if background_negative_prompt is not None else default_negative_prompt
        e_bg = encode_prompt(text_encoder, tokenizer, background_prompt)
        e_bgu = encode_prompt(text_encoder, tokenizer, bg_neg) if cfg else None
        strengths = [float(b.get("prompt_strength", 1.0)) for b in brushes]
        e_cond = [lerp(e_bg, e, s) for e, s in zip(e_cond, strengths)]
        if cfg:
            e_unc = [lerp(e_bgu, e, s) for e, s in zip(e_unc, strengths)]
        if case == "c":
            e_cond = [e_bg] + e_cond
            if cfg:
                e_unc = [e_bgu] + e_unc
    cond = torch.cat(e_cond)
    uncond = torch.cat(e_unc) if cfg else None
    R = cond.shape[0]
    assert q.shape[0] == R

    # ---- background / white latents (R8)
    bg_pixels = None
    bg_latent = None
    white_latent = None
    if case in ("a", "b"):
        img = torch.as_tensor(background_image, dtype=torch.float32).permute(2, 0, 1)[None]
        bg_pixels = F.interpolate(img, size=(H, W), mode="bicubic", align_corners=False)
    if case == "d":
        bg_pixels = torch.ones(1, 3, H, W)
    if image_encoding == "sample" and not _panorama:
        # R13, the authors' order: the background posterior sample (cases a, b, d), then the
        # bootstrap white latent, sampled when their 768-px cache is "too small" (they compare
        # its latent size with the canvas's pixel size), else the posterior mean (they crop a
        # cached 768 x 768 sample drawn before any seed, which no seed reproduces).
        if bg_pixels is not None:
            bg_latent = sample_image(vae, bg_pixels, draw, "background posterior")
        if bootstrap_steps > 0:
            if H > 768 // scale_factor or W > 768 // scale_factor:
                white_latent = sample_image(vae, torch.ones(1, 3, H, W), draw, "white posterior")
            else:
                white_latent = encode_image(vae, torch.ones(1, 3, H, W))
    else:
        assert image_encoding in ("sample", "mean"), image_encoding
        if case in ("a", "b"):
            bg_latent = encode_image(vae, bg_pixels)
        if case == "d" or bootstrap_steps > 0:
            white_latent = encode_image(vae, torch.ones(1, 3, H, W))
        if case == "d":
            bg_latent = white_latent

    C = unet.config.in_channels
    views = views_and_weights(h, w, H, W, tile, scale_factor)

    # ---- initial latent (R9 draw 1, R14): the noised background only when the schedule does
    # not start from pure noise (first timestep < num_train_timesteps - 1 = 999)
    if has_bg_latent and int(sch.timesteps[0]) < int(sch.s.config.num_train_timesteps) - 1:
        latent = sch.add_noise(bg_latent, draw((1, C, h, w), purpose="initial", slot=0), 0)
    else:
        latent = draw((1, C, h, w), purpose="initial") * float(getattr(sch.s, "init_noise_sigma", 1.0))
    initial = latent.clone()

    slot_denoised, slot_latents = [], []
    for i in range(T):
        t = sch.timesteps[i]
        value = torch.zeros(1, C, h, w)
        count = torch.zeros(1, 1, h, w)
        for v, (h0, h1, w0, w1, vw) in enumerate(views):
            vh, vwid = h1 - h0, w1 - w0
            x = latent[:, :, h0:h1, w0:w1].repeat(R, 1, 1, 1)
            m = q[:, i, :, h0:h1, w0:w1]  # R x 1 x vh x vw
            boot = None
            if i < bootstrap_steps:
                r = min(1.0, max(0.0, float(bootstrap_mix) - i))
                white_v = white_latent[:, :, h0:h1, w0:w1]
                if bg_latent is not None:
                    boot_clean = r * white_v + (1.0 - r) * bg_latent[:, :, h0:h1, w0:w1]
                else:
                    boot_clean = white_v
                n = draw((1, C, vh, vwid), purpose="bootstrap", slot=i, view=v)
                boot = sch.add_noise(boot_clean, n, i)
                x = (1.0 - m) * boot + m * x
                shifts = _centre_shifts(m)
                x = _roll(x, shifts, +1)
            eps = _unet_eps(unet, sch.model_input(x, i), t, cond, uncond, guidance)
            z = sch.denoise(eps, x, i)
            if boot is not None:
                z = _roll(z, shifts, -1)
                d = (z - boot).pow(2).mean(dim=1, keepdim=True)
                m = m * (torch.sigmoid(d / LEAK_SENSITIVITY) * 2 - 1)
            mw = m * vw
            value[:, :, h0:h1, w0:w1] += (mw * z).sum(dim=0, keepdim=True)
            count[:, :, h0:h1, w0:w1] += mw.sum(dim=0, keepdim=True)
        latent = torch.where(count > 0, value / count, value)
        # R7/R14: unless this is the last slot, one full-size draw n (the contract's noise-part
        # draw, made here for every scheduler, whether or not its noise part uses it); the
        # uncovered weight is filled with the background expressed where this slot's denoise
        # output lives (fill(bg, n, i); n = 0 at the last slot), then the noise part with n.
        n = draw((1, C, h, w), purpose="noise", slot=i + 1) if i < T - 1 else None
        if has_bg_latent:
            bgw = (1 - count).clamp(0, 1)
            fill_noise = n if n is not None else torch.zeros(1, C, h, w)
            latent = (1 - bgw) * latent + bgw * sch.fill(bg_latent, fill_noise, i)
        slot_denoised.append(latent.clone())
        if sch.adds_noise(i):
            latent = sch.noise(latent, n, i)
        slot_latents.append(latent.clone())

    decoded = decode_latent(vae, latent)
    image = decoded
    if bg_pixels is not None:
        alpha = blurred.sum(dim=0).clamp(0, 1)[None, None]
        image = alpha * decoded + (1 - alpha) * bg_pixels
    return RegionResult(
        latent=latent, image=image, decoded=decoded, initial_latent=initial,
        slot_denoised=slot_denoised, slot_latents=slot_latents, masks=q,
        blurred=None if _panorama else blurred, cond=cond, uncond=uncond,
        background_latent=bg_latent, white_latent=white_latent, background_pixels=bg_pixels,
        case=case, timesteps=[int(t) for t in sch.timesteps],
        thresholds=[float(b) for b in thresholds],
        views=[(a, b, c, d) for (a, b, c, d, _) in views], noise=draw)


@torch.no_grad()
def panorama(unet, vae, text_encoder, tokenizer, scheduler, prompt: Prompt,
             negative_prompt: Prompt = "", height: int = 512, width: int = 3072,
             slots: Sequence[int] = PANORAMA_SLOTS, guidance: float = 1.0,
             scale_factor: int = 8, max_tile: int = 512, generator=None, noise_source=None):
    """Single prompt over a wide canvas: one full-canvas brush (mask 1, no blur, alpha 1),
    no background (no fill, no blend, no prompt interpolation), no bootstrapping,
    tile = min(min(H, W), max_tile), the same views, pre-averaging and noise draws as generate."""
    tile = min(min(height, width), max_tile)
    brush = {"prompt": prompt, "negative_prompt": negative_prompt,
             "mask": torch.ones(height, width), "mask_alpha": 1.0, "mask_std": 0.0,
             "prompt_strength": 1.0}
    return generate(unet, vae, text_encoder, tokenizer, "lcm", scheduler, slots=slots,
                    brushes=[brush], height=height, width=width, guidance=guidance,
                    bootstrap_steps=0, tile=tile, scale_factor=scale_factor,
                    generator=generator, noise_source=noise_source, _panorama=True)


@torch.no_grad()
def baseline_multidiffusion(unet, vae, text_encoder, tokenizer, scheduler: DDIMScheduler,
                            brushes: Sequence[dict], background_prompt: Optional[Prompt] = None,
                            background_negative_prompt: Optional[Prompt] = None,
                            default_negative_prompt: Prompt = "",
                            height: int = 512, width: int = 512, steps: int = 50,
                            guidance: float = 7.5, bootstrap_fraction: float = 0.4,
                            tile: int = 768, scale_factor: int = 8,
                            generator=None, noise_source=None):
    """Algorithm S1 (R11): DDIM eta 0, the *full* step per copy, averaging after the step,
    random-colour bootstrapping of the brush regions for the first int(0.4*steps) steps.
    Background: case (c) (background prompt as first region, mask clamp(1 - sum, 0, 1)) or
    none (uncovered latent pixels become 0). No prompt interpolation, no blend, no centring,
    no leak suppression. Masks: §2 discrete quantisation against the DDIM timesteps' b_t."""
    H, W = height, width
    h, w = H // scale_factor, W // scale_factor
    draw = NoiseRecorder(generator, noise_source)
    sch = DDIMSlots(scheduler, steps)
    T = sch.T
    thresholds = [sch.noise_level(i) for i in range(T)]
    q, blurred = process_masks([b["mask"] for b in brushes], [b.get("mask_alpha", 1.0) for b in brushes],
                               [b.get("mask_std", 1.0) for b in brushes], thresholds, H, W, h, w)
    cfg = guidance > 1
    cond = [encode_prompt(text_encoder, tokenizer, b["prompt"]) for b in brushes]
    unc = ([encode_prompt(text_encoder, tokenizer, b.get("negative_prompt", default_negative_prompt))
            for b in brushes] if cfg else None)
    if background_negative_prompt is None:
        background_negative_prompt = default_negative_prompt
    boot_rows = list(range(len(brushes)))
    if background_prompt is not None:
        q = torch.cat([(1 - q.sum(0)).clamp(0, 1)[None], q])
        cond = [encode_prompt(text_encoder, tokenizer, background_prompt)] + cond
        if cfg:
            unc = [encode_prompt(text_encoder, tokenizer, background_negative_prompt)] + unc
        boot_rows = [r + 1 for r in boot_rows]
    cond = torch.cat(cond)
    uncond = torch.cat(unc) if cfg else None
    R = cond.shape[0]
    C = unet.config.in_channels
    views = views_and_weights(h, w, H, W, tile, scale_factor)
    n_boot = int(bootstrap_fraction * T)
    latent = draw((1, C, h, w), purpose="initial") * float(scheduler.init_noise_sigma)
    initial = latent.clone()
    slot_latents = []
    for i in range(T):
        t = sch.timesteps[i]
        value = torch.zeros(1, C, h, w)
        count = torch.zeros(1, 1, h, w)
        for v, (h0, h1, w0, w1, vw) in enumerate(views):
            vh, vwid = h1 - h0, w1 - w0
            x = latent[:, :, h0:h1, w0:w1].repeat(R, 1, 1, 1)
            m = q[:, i, :, h0:h1, w0:w1]
            if i < n_boot:
                colours = torch.sigmoid(draw((len(boot_rows), 3), purpose="colour", slot=i, view=v))
                imgs = colours[:, :, None, None].expand(-1, 3, vh * scale_factor, vwid * scale_factor)
                boot = encode_image(vae, imgs.contiguous())
                n = draw((1, C, vh, vwid), purpose="bootstrap", slot=i, view=v)
                boot = sch.add_noise(boot, n, i)
                rows = torch.tensor(boot_rows)
                x[rows] = (1.0 - m[rows]) * boot + m[rows] * x[rows]
            eps = _unet_eps(unet, x, t, cond, uncond, guidance)
            z = sch.denoise(eps, x, i)
            mw = m * vw
            value[:, :, h0:h1, w0:w1] += (mw * z).sum(dim=0, keepdim=True)
            count[:, :, h0:h1, w0:w1] += mw.sum(dim=0, keepdim=True)
        latent = torch.where(count > 0, value / count, value)
        slot_latents.append(latent.clone())
    decoded = decode_latent(vae, latent)
    return dict(latent=latent, image=decoded, initial_latent=initial, slot_latents=slot_latents,
                masks=q, cond=cond, uncond=uncond, noise=draw,
                timesteps=[int(t) for t in sch.timesteps])


@torch.no_grad()
def plain_lcm_loop(unet, scheduler: LCMScheduler, slots, cond, noises):
    """Plain LCM sampling over given noises (noises[0] initial, then one per slot transition):
    denoise, then noise once. Used by the self-check."""
    sch = LCMSlots(scheduler, slots)
    x = noises[0].clone()
    k = 1
    for i in range(sch.T):
        eps = unet(x, sch.timesteps[i], encoder_hidden_states=cond).sample
        z = sch.denoise(eps, x, i)
        if sch.adds_noise(i):
            x = sch.noise(z, noises[k], i)
            k += 1
        else:
            x = z
    return x


# --------------------------------------------------------------------------------------------
# Accelerator presets (R14)
# --------------------------------------------------------------------------------------------

HYPER_SD_STEPS = (1, 2, 4, 8)
HYPER_SD_ETA = 1.0


def hyper_sd_scheduler(scheduler_config, steps: int):
    """The Hyper-SD SD1.5 preset (ByteDance/Hyper-SD model card) from the model's scheduler
    configuration: 1 step -> ("tcd", TCDScheduler.from_config(config)) (eta default 1.0);
    2/4/8 steps -> ("ddim", DDIMScheduler.from_config(config, timestep_spacing="trailing"))
    (eta 0). Guidance 0. Returns (scheduler_kind, scheduler) for `generate`."""
    if int(steps) == 1:
        return "tcd", TCDScheduler.from_config(scheduler_config)
    return "ddim", DDIMScheduler.from_config(scheduler_config, timestep_spacing="trailing")


def fuse_lora(pipe, path, scale: float = 1.0):
    """diffusers' LoRA fusion as the Hyper-SD model card prescribes: `pipe.load_lora_weights(path)`,
    `pipe.fuse_lora(lora_scale=scale)`, then `unload_lora_weights()` (the fused weights stay)."""
    pipe.load_lora_weights(path)
    pipe.fuse_lora(lora_scale=scale)
    pipe.unload_lora_weights()
    return pipe


@torch.no_grad()
def check_scheduler_splits(scheduler_config, shape=(2, 4, 8, 8), seed=0):
    """Checks the denoise/noise split of every scheduler helper against diffusers' own `step`
    (bit for bit) and the fill rule of R14 (to float32 round-off). Raises AssertionError;
    returns a list of lines saying what was checked."""
    lines = []
    g = torch.Generator().manual_seed(seed)

    def rnd():
        return torch.randn(shape, generator=g)

    # LCM: denoise == `denoised`, noise(denoise, n) == `prev_sample` (n from the step's generator).
    sch = LCMSlots(LCMScheduler.from_config(scheduler_config), DEFAULT_SLOTS)
    x = rnd()
    for i in range(sch.T):
        eps = rnd()
        out = sch.s.step(eps, sch.timesteps[i], x, generator=torch.Generator().manual_seed(100 + i))
        z = sch.denoise(eps, x, i)
        assert torch.equal(z, out.denoised), ("lcm denoise", i)
        if sch.adds_noise(i):
            n = torch.randn(shape, generator=torch.Generator().manual_seed(100 + i))
            assert torch.equal(sch.noise(z, n, i), out.prev_sample), ("lcm noise", i)
            bg = rnd()
            assert torch.equal(sch.fill(bg, n, i), bg)
        else:
            assert torch.equal(z, out.prev_sample)
        x = out.prev_sample
    lines.append("LCM slots %s: denoise == denoised, noise(denoise) == prev_sample (bit for bit)" % DEFAULT_SLOTS)

    # DDIM trailing (and leading): denoise == step(eta 0).prev_sample; the fill lands where a
    # step of the exact epsilon takes the background.
    for spacing, steps_list in (("trailing", (1, 2, 4, 8)), ("leading", (10,))):
        for steps in steps_list:
            sch = DDIMSlots(DDIMScheduler.from_config(scheduler_config, timestep_spacing=spacing), steps)
            x = rnd()
            worst = 0.0
            for i in range(sch.T):
                eps = rnd()
                out = sch.s.step(eps, sch.timesteps[i], x, eta=0.0)
                assert torch.equal(sch.denoise(eps, x, i), out.prev_sample), ("ddim", spacing, steps, i)
                assert not sch.adds_noise(i)
                # fill: x_t = add_noise(bg, e, t) and the exact eps e -> the step lands on fill(bg, e)
                bg, e = rnd(), rnd()
                xt = sch.add_noise(bg, e, i)
                landed = sch.s.step(e, sch.timesteps[i], xt, eta=0.0).prev_sample
                worst = max(worst, float((landed - sch.fill(bg, e, i)).abs().max()))
                x = out.prev_sample
            assert worst < 1e-4, ("ddim fill", spacing, steps, worst)
            lines.append("DDIM %s %d steps %s: denoise == step(eta 0).prev_sample (bit for bit); a step of the "
                         "exact epsilon lands on fill (max %.2g)" % (spacing, steps, [int(t) for t in sch.timesteps], worst))

    # TCD: denoise == pred_noised_sample, noise(denoise, n) == prev_sample (n = the step's own
    # draw from its generator), for several step counts and etas; r*fill + q*n lands on
    # sqrt(abar_prev)*bg + sqrt(1 - abar_prev)*n.
    for steps in (1, 2, 4, 8):
        for eta in (1.0, 0.3, 0.0):
            sch = TCDSlots(TCDScheduler.from_config(scheduler_config), steps, eta)
            x = rnd()
            worst = 0.0
            for i in range(sch.T):
                eps = rnd()
                out = sch.s.step(eps, sch.timesteps[i], x, eta=eta, generator=torch.Generator().manual_seed(200 + i))
                z = sch.denoise(eps, x, i)
                assert torch.equal(z, out.pred_noised_sample), ("tcd denoise", steps, eta, i)
                n = torch.randn(shape, generator=torch.Generator().manual_seed(200 + i))
                if sch.adds_noise(i):
                    assert torch.equal(sch.noise(z, n, i), out.prev_sample), ("tcd noise", steps, eta, i)
                else:
                    assert torch.equal(z, out.prev_sample), ("tcd no noise", steps, eta, i)
                bg = rnd()
                if i == sch.T - 1:
                    n = torch.zeros(shape)
                filled = sch.fill(bg, n, i)
                if sch.adds_noise(i):
                    filled = sch.noise(filled, n, i)
                abar_prev = sch.abar_prev(i)
                target = abar_prev.sqrt() * bg + (1 - abar_prev).sqrt() * n
                if not sch.adds_noise(i) and i == sch.T - 1:
                    target = sch.abar_s(i).sqrt() * bg  # last slot: the background at s, n = 0
                worst = max(worst, float((filled - target).abs().max()))
                x = out.prev_sample
            assert worst < 1e-5, ("tcd fill", steps, eta, worst)
            lines.append("TCD %d steps eta %.1f %s (s %s): denoise == pred_noised_sample, noise == prev_sample "
                         "(bit for bit); fill then noise lands on the step's level (max %.2g)" % (
                             steps, eta, [int(t) for t in sch.timesteps],
                             [int(sch.s_timestep(i)) for i in range(sch.T)], worst))
    return lines
