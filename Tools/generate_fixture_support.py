"""What the `semantic-draw generate` end-to-end fixture generators (Tools/make_generate_fixtures.py,
Tools/make_hyper_sd_fixtures.py) share: the input PNGs (two masks and a background image), the
tiny-random model exported by the built CLI, a case's brushes and reference arguments with those
PNGs loaded, the reference image rounded to 8 bits and saved, and `cases.json`.

A case (an entry of a script's CASES) has "brushes", the reference's brush dicts with the mask
given as a PNG file name, and "kwargs", the other `reference_semantic_draw.generate` keyword
arguments, where "background_image" (if present) is a PNG file name too.

    import generate_fixture_support as fixtures

    fixtures.write_inputs(OUT)
    with tempfile.TemporaryDirectory() as folder:
        fixtures.export_tiny_random(args.semantic_draw, folder)
        brushes, kwargs = fixtures.reference_arguments(OUT, case)
        result = ref.generate(..., brushes=brushes, height=fixtures.HEIGHT, width=fixtures.WIDTH, **kwargs)
        fixtures.save_image(OUT, name, fixtures.png_pixels(result.image))
    fixtures.write_cases(OUT, index)

Importing it changes no torch setting (threads, deterministic algorithms) and checks no versions:
each script does what it did before (the reference module asserts the pinned versions).
"""

import json
import os
import subprocess

import numpy as np
import torch
from PIL import Image, ImageDraw

# The size of the input PNGs and of every case's canvas, in pixels.
WIDTH, HEIGHT = 64, 48


def write_inputs(folder):
    """Create `folder` if needed and write the inputs every case names: `disc.png` (a grey disc
    mask), `half.png` (the right half) and `background.png` (a 4 x 4 RGB image from
    `torch.Generator().manual_seed(0)`, resized bilinearly), all WIDTH x HEIGHT."""
    os.makedirs(folder, exist_ok=True)
    disc = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(disc).ellipse((6, 10, 34, 38), fill=255)
    disc.save(os.path.join(folder, "disc.png"))
    half = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(half).rectangle((32, 0, WIDTH - 1, HEIGHT - 1), fill=255)
    half.save(os.path.join(folder, "half.png"))
    generator = torch.Generator().manual_seed(0)
    small = (torch.rand(4, 4, 3, generator=generator) * 255).to(torch.uint8).numpy()
    Image.fromarray(small, "RGB").resize((WIDTH, HEIGHT), Image.BILINEAR).save(os.path.join(folder, "background.png"))


def export_tiny_random(semantic_draw, folder):
    """Write the built-in tiny-random model into `folder` with the built CLI
    (`semantic-draw export tiny-random FOLDER --force`)."""
    subprocess.run([semantic_draw, "export", "tiny-random", folder, "--force"], check=True)


def load_png(folder, name, mode):
    """The PNG `folder`/`name` converted to PIL `mode` ("L" or "RGB") as a float32 tensor in 0...1
    ([height, width] or [height, width, 3])."""
    image = Image.open(os.path.join(folder, name)).convert(mode)
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0)


def reference_arguments(folder, case):
    """The case's brushes and other `generate` keyword arguments with the PNGs they name (in
    `folder`) loaded: each brush's "mask" as a grey tensor, "background_image" as an RGB tensor.
    Returns (brushes, kwargs), copies: the case is left as it is."""
    brushes = []
    for brush in case["brushes"]:
        brush = dict(brush)
        brush["mask"] = load_png(folder, brush["mask"], "L")
        brushes.append(brush)
    kwargs = dict(case["kwargs"])
    if "background_image" in kwargs:
        kwargs["background_image"] = load_png(folder, kwargs["background_image"], "RGB")
    return brushes, kwargs


def png_pixels(image):
    """The reference's image ([3, height, width] or [1, 3, height, width], 0...1) as 8-bit RGB
    pixels [height, width, 3]: clamped, times 255, rounded to nearest."""
    image = image[0] if image.dim() == 4 else image
    return (image.permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).numpy()


def save_image(folder, name, pixels):
    """Save the 8-bit RGB `pixels` as `folder`/`name`.png."""
    Image.fromarray(pixels, "RGB").save(os.path.join(folder, "%s.png" % name))


def write_cases(folder, options):
    """Write `cases.json` in `folder`: each case's `generate` options (name -> list of arguments),
    indented by 2, with a final newline."""
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(options, handle, indent=2)
        handle.write("\n")
