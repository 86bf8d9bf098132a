#!/usr/bin/env python3
"""Generate Tests/Fixtures/clip-tokenizer/reference.json: the CLIP tokenizer corpus the Swift
`CLIPTokenizer` (Sources/Tokenizer) must reproduce id for id.

What it does: builds a deterministic corpus of prompts (a fixed list covering the hard cases
plus seeded random combinations of fragments), tokenizes each with transformers'
`CLIPTokenizer.from_pretrained("Tests/Fixtures/clip-tokenizer")` -- the same vocab.json and
merges.txt the Swift tests load -- and records, per prompt, the text, the ids with the start and
end tokens after truncation to 77 (no padding), their token strings and the untruncated length.
It also records a few other special-token configurations ("variants": SD2.x-style pad `!`,
SDXL `tokenizer_2`-style `added_tokens_decoder`, ...) as their two JSON files plus padded ids;
the Swift tests rebuild those folders in a temporary directory from the fixture's vocab.json
and merges.txt.

Pinned versions (asserted at start-up; .venv-reference/ from Tools/setup-reference-env.sh):
    transformers 5.24.0, tokenizers 0.23.3

Run from the repository root:
    .venv-reference/bin/python Tools/make_tokenizer_fixtures.py

The output is deterministic (fixed list, random.Random(SEED)); running it twice gives a
byte-identical file. vocab.json, merges.txt, tokenizer_config.json and special_tokens_map.json
in Tests/Fixtures/clip-tokenizer/ are inputs (copied from OpenAI's CLIP BPE tables in the
Hugging Face layout) and are not rewritten.
"""

import json
import os
import random
import shutil
import sys
import tempfile
import warnings

import tokenizers
import transformers
from transformers import CLIPTokenizer

from reference_pins import check as check_pins  # noqa: E402

SEED = 20250601
RANDOM_COUNT = 380
MAX_LENGTH = 77
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer")
OUTPUT = os.path.join(FIXTURE, "reference.json")


def check_versions():
    check_pins("transformers", "tokenizers")


# --------------------------------------------------------------------------------------------
# The fixed corpus: (category, text).

ORDINARY = [
    "a photo of a cat",
    "A photograph of an astronaut riding a horse",
    "a beautiful landscape painting of mountains at sunset, highly detailed, trending on artstation",
    "portrait of a young woman, oil on canvas, by John Singer Sargent",
    "a red apple on a wooden table",
    "cyberpunk city at night, neon lights, rain, reflections, 8k, octane render",
    "a corgi wearing sunglasses on the beach",
    "studio ghibli style forest with spirits",
    "watercolor of a lighthouse in a storm",
    "an isometric pixel art castle",
    "close-up macro shot of a dew drop on a leaf",
    "minimalist logo of a fox, vector, flat design",
    "the quick brown fox jumps over the lazy dog",
    "sky",
    "blue sky with white clouds",
    "a bowl of ramen, steam rising, food photography",
    "an old man reading a newspaper in a cafe in Paris",
    "a futuristic car, concept art, unreal engine 5",
    "dragon, fantasy, epic, dramatic lighting, matte painting",
    "a cute robot holding a flower",
    "interior of a cozy cabin with a fireplace",
    "underwater coral reef with tropical fish",
    "a knight in shining armor, full body, standing",
    "abstract geometric shapes in pastel colors",
    "black and white photo of a jazz musician",
]

UNICODE = [
    "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e",                      # precomposed (NFC)
    "cafe\u0301 cre\u0300me bru\u0302le\u0301e",                 # decomposed (NFD) -> NFC
    "e\u0301",
    "E\u0301",
    "q\u0301",                                                   # no precomposed form: mark stays
    "a\u0308\u0304",                                             # two marks: a-umlaut + macron
    "A\u030a",                                                   # A + ring -> U+00C5
    "\u212b",                                                    # angstrom sign -> U+00C5 (NFC)
    "\u2126 ohm",                                                # ohm sign -> omega
    "\u1100\u1161\u11a8",                                        # Hangul jamo -> one syllable
    "\u1100\u1161",
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",                     # Korean
    "na\u00efve fa\u00e7ade co\u00f6perate",
    "\u00c5ngstr\u00f6m \u00d8resund \u00e6\u00f8\u00e5",
    "Stra\u00dfe GROSSE \u1e9e",                                 # sharp s, capital sharp s
    "\u0130stanbul \u0131s\u0131k",                             # dotted capital I -> i + U+0307
    "\u03a3\u0391\u03a3 \u03c3\u03bf\u03c6\u03af\u03b1 \u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3",  # final sigma
    "\ufb01nance \ufb02ow",                                      # ligatures (NFC keeps them)
    "\u01c5 \u01c4 \u01c6 \u01f2",                               # titlecase letters
    "\u00bd \u00bc \u00be \u2153",                               # vulgar fractions (No)
    "\u00b2 \u00b3 x\u00b2+y\u00b2",                             # superscripts (No)
    "\u2160 \u2161 \u216b \u2170",                               # roman numerals (Nl)
    "\u2460\u2461\u2462 \u2474",                                 # circled numbers
    "\uff11\uff12\uff13 \uff21\uff22\uff23",                     # fullwidth digits and letters
    "\u0663\u0664\u0665 \u0967\u0968",                           # Arabic-Indic, Devanagari digits
    "\U0001d400\U0001d401\U0001d402 \U0001d7d9",                 # math bold letters, double-struck 1
    "\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5 \u00c0\u00c1\u00c2\u00c3\u00c4\u00c5",
    "\u0141\u00f3d\u017a \u017b\u00f3\u0142w",                   # Polish
    "\u010ce\u0161tina \u0159\u00ed\u010d",                       # Czech
    "Ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u",                      # Vietnamese (stacked accents)
    "Tie\u0302\u0301ng Vie\u0323\u0302t",                        # Vietnamese decomposed
    "\u00f1and\u00fa pi\u00f1ata ma\u00f1ana",
]

SCRIPTS = [
    "\u732b\u306e\u5199\u771f",                                   # Japanese kanji + hiragana
    "\u6771\u4eac\u30bf\u30ef\u30fc\u3068\u5bcc\u58eb\u5c71",     # katakana
    "\u4e00\u53ea\u53ef\u7231\u7684\u732b\u54aa\u5728\u8349\u5730\u4e0a",  # Chinese
    "\u5c71\u6c34\u753b\uff0c\u6c34\u58a8\uff0c\u4e2d\u56fd\u98ce",        # CJK punctuation
    "\U00020000\U0002a6d6",                                       # CJK extension B
    "\u0642\u0637\u0629 \u062c\u0645\u064a\u0644\u0629",          # Arabic
    "\u0627\u0644\u0633\u0644\u0627\u0645 \u0639\u0644\u064a\u0643\u0645",
    "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f",           # Arabic with harakat (Mn)
    "\u041a\u043e\u0448\u043a\u0430 \u043d\u0430 \u043a\u0440\u044b\u0448\u0435",  # Cyrillic
    "\u041f\u0420\u0418\u0412\u0415\u0422 \u041c\u0418\u0420",
    "\u0439\u043e\u0436\u0438\u043a \u0438\u0306",                 # short i, and i + breve (NFC)
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",          # Hebrew
    "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd",                 # Hebrew with niqqud
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0939\u093f\u0928\u094d\u0926\u0940",  # Devanagari (Mc/Mn)
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35",                       # Thai
    "\u10d2\u10d0\u10db\u10d0\u10e0\u10ef\u10dd\u10d1\u10d0",    # Georgian
    "\u0531\u0532\u0533 \u0561\u0562\u0563",                     # Armenian
    "\u03b1\u03b2\u03b3 \u0391\u0392\u0393 \u1f00\u1f01",         # Greek incl. polytonic
    "\u13a0\u13a1\u13a2 \uab70",                                  # Cherokee (lowercase maps)
    "\u1e9b\u0323",                                               # long s with dot
    "\u2c00\u2c01 \u2c30",                                        # Glagolitic
    "\ua640\ua641",                                               # Cyrillic extended-B
    "\u1c89\u1c8a \u1c89x",                                       # Cyrillic TJE (Unicode 16.0, cased)
    "\U000323b0\U000323b1 \U00033479",                            # CJK Ext. J (Unicode 17.0: unassigned for tokenizers)
    "a\U00010940\U00010941b \U00011de0\U00011de1",                # Sidetic letters, Tolong Siki digits (17.0)
    "\ua7ce\ua7cf \u0c5c \U00016ea0",                             # more Unicode 17.0 letters
]

EMOJI = [
    "\U0001f431",
    "a cat \U0001f431 and a dog \U0001f436",
    "\U0001f389\U0001f389\U0001f389 party",
    "\U0001f44d\U0001f3fd thumbs up",                             # skin tone modifier
    "\U0001f44b\U0001f3fb\U0001f44b\U0001f3ff",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",  # ZWJ sequence
    "\U0001f469\U0001f3fe\u200d\U0001f4bb coder",                 # ZWJ + skin tone
    "\U0001f3f3\ufe0f\u200d\U0001f308 flag",                      # rainbow flag (VS16 + ZWJ)
    "\U0001f1ef\U0001f1f5 \U0001f1fa\U0001f1f8 \U0001f1eb\U0001f1f7",  # regional indicators
    "\u2764\ufe0f love \u2764",                                   # heart with and without VS16
    "1\ufe0f\u20e3 2\ufe0f\u20e3 #\ufe0f\u20e3",                  # keycaps (digit + VS16 + U+20E3)
    "\U0001f525\U0001f525 fire!!!",
    "\U0001f600\U0001f603\U0001f604\U0001f601\U0001f606\U0001f605\U0001f602\U0001f923",
    "sunset \U0001f305 over the sea \U0001f30a, golden hour \u2728",
    "\u2600\ufe0f\u2601\ufe0f\u2602\ufe0f\u2603\ufe0f",
    "\U0001f9d1\u200d\U0001f680 astronaut",
    "\U0001f43b\u200d\u2744\ufe0f polar bear",
    "\u00a9 \u00ae \u2122 \u2020 \u2021 \u00a7 \u00b6",
]

PUNCTUATION = [
    "!!!???",
    "wow!!!",
    "what?!",
    "...",
    "wait... what",
    "\u2014",
    "a \u2014 b \u2013 c - d",
    "\u201cquoted\u201d and \u2018single\u2019",
    "\u00abguillemets\u00bb \u2039x\u203a",
    "(((masterpiece)))",
    "[[[bad hands]]]",
    "{a|b|c}",
    "a,b;c:d",
    "#$%&*@^~`|\\/",
    "<tag> </tag> <>",
    "</w>",
    "a</w>b",
    "___---===+++",
    "...!!!???,,,;;;",
    "\u3002\u3001\u300c\u300d",
    "\u00bfqu\u00e9? \u00a1s\u00ed!",
    "\u2026 ellipsis char",
    "''''",
    "\"double\" 'single'",
]

WHITESPACE = [
    "",
    " ",
    "   ",
    "\t",
    "\n",
    "\r\n",
    "  leading and trailing  ",
    "a  b   c    d",
    "tab\tseparated\twords",
    "new\nline\n\nparagraph",
    "carriage\rreturn",
    "no\u00a0break\u00a0space",
    "ideographic\u3000space",
    "em\u2003space en\u2002space thin\u2009space hair\u200aspace",
    "narrow\u202fnbsp math\u205fspace ogham\u1680space",
    "line\u2028separator paragraph\u2029separator",
    "next\u0085line",
    "vertical\u000btab form\u000cfeed",
    "file\u001csep group\u001dsep record\u001esep unit\u001fsep",
    "zero\u200bwidth non\u200cjoiner joiner\u200dx",
    "bom\ufeffinside",
    "mongolian\u180evowel",
    "nul\u0000char bell\u0007 escape\u001b[0m",
    " \t\n\u00a0\u3000\u2003 ",
    "\u00a0",
    "\u3000\u3000x\u3000\u3000",
]

NUMBERS = [
    "1234567",
    "3.14",
    "3.14159265358979",
    "1,000",
    "1,000,000 dollars",
    "-42",
    "+7",
    "1e10",
    "0x1F",
    "2024-06-01",
    "12:30pm",
    "4k 8k 16k",
    "1920x1080",
    "50%",
    "$19.99",
    "\u20ac100 \u00a350 \u00a5200",
    "v1.5 sd2.1 sdxl1.0",
    "007",
    "2nd 3rd 4th 21st",
    "100 200 300 400 500 600 700 800 900",
]

CONTRACTIONS = [
    "it's",
    "don't",
    "I'LL",
    "I'm here",
    "we've been",
    "they're",
    "she'd",
    "you'll",
    "IT'S DON'T WON'T CAN'T",
    "it\u2019s don\u2019t",                                       # curly apostrophe: not a contraction
    "'s",
    "'t start",
    "''s",
    "rock'n'roll",
    "o'clock",
    "the dog's bone",
    "'twas",
    "y'all'd've",
    "'S 'T 'RE 'VE 'M 'LL 'D",
    "x's'",
    "!'s",
]

SPECIAL = [
    "<|startoftext|>",
    "<|endoftext|>",
    "<|startoftext|>a photo of a cat<|endoftext|>",
    "a <|endoftext|> b",
    "a<|endoftext|>b",
    "<|endoftext|><|endoftext|>",
    "<|STARTOFTEXT|>",
    "<|EndOfText|>",
    "<|startoftext |>",
    "<| endoftext|>",
    "<|startoftext",
    "endoftext|>",
    "<<|endoftext|>>",
    "!<|endoftext|>!",
    "<|endoftext|>\u0301",
    "\u00e9<|startoftext|>\u00e9",
    "<|startoftext|> " * 3,
    "<|endoftext|> padding test",
]

MIXED_CASE = [
    "HELLO WORLD",
    "Hello World",
    "hElLo WoRlD",
    "iPhone McDonald's LaTeX",
    "CamelCaseWordsTogether",
    "ALL CAPS PROMPT, MASTERPIECE, BEST QUALITY",
]

WEB = [
    "https://example.com/path?query=1&x=y#frag",
    "http://www.test.org/a_b-c.html",
    "www.stable-diffusion.ai",
    "user@example.com",
    "#sunset #photography #nofilter",
    "@username check this out",
    "#AI #MachineLearning #StableDiffusion2024",
    "file:///C:/Users/me/image.png",
    "~/models/sd-v1-5/tokenizer",
]

WEIGHTS = [
    "(cat:1.2)",
    "a (red:1.3) dress, (blue sky:0.8)",
    "((masterpiece)), (best quality:1.4), [blurry]",
    "[cat:dog:0.5]",
    "<lora:detail:0.7> portrait",
    "(embedding:EasyNegative:1.0)",
    "\\(escaped\\) parens",
    "cat AND dog",
    "cat BREAK dog",
    "{{{{very detailed}}}}",
]

HTML = [
    "&amp;",
    "salt &amp; pepper",
    "&lt;b&gt;bold&lt;/b&gt;",
    "&quot;quoted&quot; &#39;single&#39;",
    "&nbsp;&copy;&#169;&#x27;",
    "<b>bold</b> <i>italic</i>",
    "<br/>",
    "AT&T R&D",
]

LONG = [
    "masterpiece, best quality, ultra detailed, 8k, photorealistic, a beautiful young woman with long flowing red hair "
    "standing in a field of sunflowers at golden hour, wearing a white summer dress, soft natural lighting, shallow depth "
    "of field, bokeh, film grain, shot on kodak portra 400, 85mm lens, f/1.8, award winning photograph, trending on "
    "artstation, by greg rutkowski and alphonse mucha",
    " ".join(["word"] * 100),
    ", ".join(["cat"] * 80),
    "a" * 300,
    "ab" * 120,
    "!" * 200,
    "1" * 120,
    "\U0001f431" * 60,
    "\u732b" * 90,
    "supercalifragilisticexpialidocious " * 10,
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    " ".join(str(i) for i in range(100)),
    "a photo of " + "a very " * 40 + "big cat",
    "The " + "quick brown fox jumps over the lazy dog. " * 9,
]

FIXED = [
    ("ordinary", ORDINARY),
    ("unicode", UNICODE),
    ("scripts", SCRIPTS),
    ("emoji", EMOJI),
    ("punctuation", PUNCTUATION),
    ("whitespace", WHITESPACE),
    ("numbers", NUMBERS),
    ("contractions", CONTRACTIONS),
    ("special", SPECIAL),
    ("mixed-case", MIXED_CASE),
    ("web", WEB),
    ("weights", WEIGHTS),
    ("html", HTML),
    ("long", LONG),
]

# Fragments and separators for the seeded random combinations.
FRAGMENTS = sorted({text for _, texts in FIXED for text in texts if 0 < len(text) <= 60})
SEPARATORS = [" ", " ", " ", ", ", ",", "", "\t", "\n", "  ", "\u00a0", "\u3000", "\u2003", " | ", ". ", "!", "'s ", "-"]


def transform_case(rng, text):
    choice = rng.randrange(5)
    if choice == 0:
        return text.upper()
    if choice == 1:
        return text.title()
    if choice == 2:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in text)
    return text


def random_prompts(count, exclude):
    """`count` distinct prompts, none of them in `exclude`."""
    rng = random.Random(SEED)
    prompts = []
    seen = set(exclude)
    while len(prompts) < count:
        # Every fourth one is long enough to be truncated.
        pieces = rng.randint(12, 30) if len(prompts) % 4 == 0 else rng.randint(1, 6)
        parts = [transform_case(rng, rng.choice(FRAGMENTS)) for _ in range(pieces)]
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(SEPARATORS) + part
        if rng.random() < 0.1:
            text = " " + text + " "
        if text not in seen:
            seen.add(text)
            prompts.append(text)
    return prompts


def corpus():
    cases = []
    seen = set()
    for category, texts in FIXED:
        for text in texts:
            if text not in seen:
                seen.add(text)
                cases.append((category, text))
    cases += [("random", text) for text in random_prompts(RANDOM_COUNT, seen)]
    return cases


# --------------------------------------------------------------------------------------------
# Special-token configurations besides the fixture's own (SD1.5: plain strings, pad
# <|endoftext|>). Written into a temporary folder next to copies of vocab.json and merges.txt.

def added(content, normalized):
    return {"content": content, "lstrip": False, "normalized": normalized, "rstrip": False, "single_word": False}


def typed(content, normalized):
    return {"__type": "AddedToken", **added(content, normalized)}


VARIANTS = [
    {
        "name": "sd1.5",
        "description": "the fixture's own files: plain strings, pad <|endoftext|>",
        "tokenizer_config": None,  # filled from the fixture
        "special_tokens_map": None,
    },
    {
        "name": "sd2-style",
        "description": "SD2.x layout: AddedToken objects with normalized=true, pad '!' in special_tokens_map.json",
        "tokenizer_config": {
            "add_prefix_space": False,
            "bos_token": typed("<|startoftext|>", True),
            "do_lower_case": True,
            "eos_token": typed("<|endoftext|>", True),
            "errors": "replace",
            "model_max_length": 77,
            "pad_token": "<|endoftext|>",
            "tokenizer_class": "CLIPTokenizer",
            "unk_token": typed("<|endoftext|>", True),
        },
        "special_tokens_map": {
            "bos_token": added("<|startoftext|>", True),
            "eos_token": added("<|endoftext|>", True),
            "pad_token": "!",
            "unk_token": added("<|endoftext|>", True),
        },
    },
    {
        "name": "sdxl-tokenizer-2-style",
        "description": "added_tokens_decoder layout (transformers >= 4.34 saves) with pad '!'; special_tokens_map.json is ignored",
        "tokenizer_config": {
            "add_prefix_space": False,
            "added_tokens_decoder": {
                "0": {**added("!", False), "special": True},
                "49406": {**added("<|startoftext|>", True), "special": True},
                "49407": {**added("<|endoftext|>", True), "special": True},
            },
            "bos_token": "<|startoftext|>",
            "clean_up_tokenization_spaces": True,
            "do_lower_case": True,
            "eos_token": "<|endoftext|>",
            "errors": "replace",
            "model_max_length": 77,
            "pad_token": "!",
            "tokenizer_class": "CLIPTokenizer",
            "unk_token": "<|endoftext|>",
        },
        "special_tokens_map": {
            "bos_token": added("<|startoftext|>", True),
            "eos_token": added("<|endoftext|>", True),
            "pad_token": "<|endoftext|>",
            "unk_token": added("<|endoftext|>", True),
        },
    },
    {
        "name": "sd1.4-style",
        "description": "AddedToken objects (normalized=true) for bos/eos/unk, plain string pad <|endoftext|>",
        "tokenizer_config": {"model_max_length": 77, "tokenizer_class": "CLIPTokenizer"},
        "special_tokens_map": {
            "bos_token": added("<|startoftext|>", True),
            "eos_token": added("<|endoftext|>", True),
            "pad_token": "<|endoftext|>",
            "unk_token": added("<|endoftext|>", True),
        },
    },
    {
        "name": "strings-pad-bang",
        "description": "plain strings with pad '!'",
        "tokenizer_config": {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "model_max_length": 77,
                             "pad_token": "!", "unk_token": "<|endoftext|>"},
        "special_tokens_map": {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "!",
                               "unk_token": "<|endoftext|>"},
    },
    {
        "name": "no-configuration",
        "description": "only vocab.json and merges.txt: CLIPTokenizer's defaults",
        "tokenizer_config": "absent",
        "special_tokens_map": "absent",
    },
]

VARIANT_PROMPTS = [
    "a photo of a cat",
    "hello!!! world!",
    "a ! b !! c",
    "<|startoftext|>x<|endoftext|>",
    "<|STARTOFTEXT|>x<|ENDOFTEXT|>",
    "<|EndOfText|>!",
    "",
    "!",
    "what?! really!?",
    "\U0001f525\U0001f525 fire!!!",
    LONG[0],
    ", ".join(["cat!"] * 50),
]


def tokenizer_from(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CLIPTokenizer.from_pretrained(folder)


def record(tokenizer, text):
    full = tokenizer(text).input_ids
    truncated = tokenizer(text, truncation=True, max_length=MAX_LENGTH).input_ids
    if len(full) <= MAX_LENGTH:
        assert truncated == full, text
    else:
        assert truncated == full[: MAX_LENGTH - 1] + [tokenizer.eos_token_id], text
    return {
        "text": text,
        "ids": truncated,
        "tokens": tokenizer.convert_ids_to_tokens(truncated),
        "untruncated_length": len(full),
    }


def variant_cases(variant, scratch):
    folder = os.path.join(scratch, variant["name"])
    os.makedirs(folder)
    for name in ["vocab.json", "merges.txt"]:
        shutil.copy(os.path.join(FIXTURE, name), folder)
    for key, name in [("tokenizer_config", "tokenizer_config.json"), ("special_tokens_map", "special_tokens_map.json")]:
        content = variant[key]
        if content is None:
            with open(os.path.join(FIXTURE, name), encoding="utf-8") as handle:
                content = variant[key] = json.load(handle)
        if content != "absent":
            with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
                json.dump(content, handle, indent=2)
    tokenizer = tokenizer_from(folder)
    cases = []
    for text in VARIANT_PROMPTS:
        encoded = tokenizer(text, truncation=True, max_length=MAX_LENGTH, padding="max_length")
        unpadded = tokenizer(text, truncation=True, max_length=MAX_LENGTH).input_ids
        cases.append({
            "text": text,
            "ids": encoded.input_ids,
            "tokens": tokenizer.convert_ids_to_tokens(encoded.input_ids),
            "count": len(unpadded),
            "untruncated_length": len(tokenizer(text).input_ids),
        })
    return {
        "name": variant["name"],
        "description": variant["description"],
        "pad_token_id": tokenizer.pad_token_id,
        "tokenizer_config": variant["tokenizer_config"],
        "special_tokens_map": variant["special_tokens_map"],
        "cases": cases,
    }


def dumps_compact(value):
    return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))


def write(reference):
    # One case per line: small, and diffs stay readable.
    lines = ["{"]
    for key in ["generator", "versions", "fixture", "maximum_length", "counts"]:
        lines.append("  %s: %s," % (json.dumps(key), dumps_compact(reference[key])))
    lines.append('  "cases": [')
    cases = reference["cases"]
    for index, case in enumerate(cases):
        lines.append("    " + dumps_compact(case) + ("," if index + 1 < len(cases) else ""))
    lines.append("  ],")
    lines.append('  "variants": [')
    variants = reference["variants"]
    for index, variant in enumerate(variants):
        head = {k: v for k, v in variant.items() if k != "cases"}
        body = dumps_compact(head)[:-1] + ', "cases": [\n'
        body += ",\n".join("      " + dumps_compact(case) for case in variant["cases"])
        body += "\n    ]}" + ("," if index + 1 < len(variants) else "")
        lines.append("    " + body)
    lines.append("  ]")
    lines.append("}")
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines) + "\n")


def main():
    check_versions()
    transformers.logging.set_verbosity_error()  # the over-length warnings are expected
    tokenizer = tokenizer_from(FIXTURE)
    assert tokenizer("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]
    cases = []
    counts = {}
    for category, text in corpus():
        case = record(tokenizer, text)
        case["category"] = category
        cases.append(case)
        counts[category] = counts.get(category, 0) + 1
    counts["total"] = len(cases)
    counts["truncated"] = sum(1 for case in cases if case["untruncated_length"] > MAX_LENGTH)
    scratch = tempfile.mkdtemp(prefix="clip-tokenizer-variants-")
    try:
        variants = [variant_cases(variant, scratch) for variant in VARIANTS]
    finally:
        shutil.rmtree(scratch)
    reference = {
        "generator": "Tools/make_tokenizer_fixtures.py: transformers CLIPTokenizer.from_pretrained(Tests/Fixtures/clip-tokenizer); "
                     "ids with start/end tokens, truncation=True, max_length=77, no padding",
        "versions": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__, "python": sys.version.split()[0]},
        "fixture": "Tests/Fixtures/clip-tokenizer",
        "maximum_length": MAX_LENGTH,
        "counts": counts,
        "cases": cases,
        "variants": variants,
    }
    write(reference)
    with open(OUTPUT, encoding="utf-8") as handle:
        assert json.load(handle) == reference, "reference.json does not read back identically"
    print("wrote %s: %d cases (%d truncated), %d variants, %d bytes"
          % (os.path.relpath(OUTPUT, ROOT), len(cases), counts["truncated"], len(variants), os.path.getsize(OUTPUT)))


if __name__ == "__main__":
    main()
