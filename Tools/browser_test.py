#!/usr/bin/env python3
"""Drives the SemanticDraw web app in headless Chromium against a running `semantic-draw serve`.

Usage (after `bash Tools/install-browser-test-deps.sh`):
    .venv-browser/bin/python Tools/browser_test.py --url http://127.0.0.1:PORT \
        --screenshots .build/browser-test/

Steps: two brushes with prompts, strokes on #pad, play and frames, a background image without a
prompt captioned into the background prompt field (serve --captioner tiny-random), which the user
then edits, a new stroke changes later frames, undo reverts the layer, shortcuts, palette export and import, save and a downloadable
history PNG carrying its palette (iTXt `semantic-draw`). Prints each step; exits 1 with a clear
message on the first failure (a screenshot of the failing page is kept too).
"""

import argparse
import json
import os
import struct
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.chrome.service import Service
except ImportError:
    sys.exit("browser test: selenium is missing; run `bash Tools/install-browser-test-deps.sh` and use .venv-browser/bin/python")

class TestFailure(Exception):
    pass


class Page:
    """The app in one browser tab, with the waits and page reads the steps use."""

    def __init__(self, driver, url, shots, timeout):
        self.driver, self.url, self.shots, self.timeout = driver, url.rstrip("/"), shots, timeout
        self.step_number, self.step_name, self.errors_seen = 0, "start", 0

    def step(self, name):
        self.step_number += 1
        self.step_name = name
        print(f"[{self.step_number}] {name}", flush=True)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, condition, what):
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                result = condition()
            except WebDriverException:
                result = None
            if result:
                return result
            if time.monotonic() > deadline:
                raise TestFailure(f"timed out after {self.timeout:.0f} s waiting for: {what}; "
                                  f"status line: {self.text('#status')!r}")
            time.sleep(0.1)

    def open(self):
        self.driver.get(self.url + "/")
        self.wait(lambda: self.js("return !!window.semanticDraw"), "the app's script to load")
        self.wait(lambda: self.attr("#connection", "data-state") == "connected" and not self.js(
            "return document.querySelector('#play').disabled"), "the WebSocket session (`ready`)")

    def screenshot(self, name):
        try:
            self.driver.save_screenshot(str(self.shots / f"{name}.png"))
        except WebDriverException:
            pass

    def print_console(self, only_errors=False):
        try:
            entries = self.driver.get_log("browser")
        except WebDriverException:
            return
        for entry in entries:
            if only_errors and entry.get("level") != "SEVERE":
                continue
            print(f"    console {entry.get('level')}: {entry.get('message')}")

    def click(self, selector):
        self.driver.find_element(By.CSS_SELECTOR, selector).click()

    def text(self, selector):
        try:
            return self.driver.find_element(By.CSS_SELECTOR, selector).text
        except WebDriverException:
            return ""

    def attr(self, selector, name):
        return self.driver.find_element(By.CSS_SELECTOR, selector).get_attribute(name)

    def value(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector).get_attribute("value")

    def blur(self):
        self.js("document.activeElement && document.activeElement.blur()")

    def key(self, *keys):
        chain = ActionChains(self.driver)
        modifiers = keys[:-1]
        for modifier in modifiers:
            chain.key_down(modifier)
        chain.send_keys(keys[-1])
        for modifier in reversed(modifiers):
            chain.key_up(modifier)
        chain.perform()

    def sent(self, kind):
        return self.js("return window.semanticDraw.connection.sent[arguments[0]] || 0", kind)

    def received(self, kind):
        return self.js(f"return window.semanticDraw.connection.received['{kind}'] || 0")

    def expect_no_server_error(self):
        errors = self.js("return window.semanticDraw.connection.received.error || 0")
        if errors > self.errors_seen:
            raise TestFailure(f"the server answered an error: {self.text('#status')!r}")

    def add_brush(self, prompt):
        before = self.js("return window.semanticDraw.model.ids()")
        self.click("#add-brush")
        self.wait(lambda: len(self.js("return window.semanticDraw.model.ids()")) == len(before) + 1, "a new .brush-item")
        brush_id = [i for i in self.js("return window.semanticDraw.model.ids()") if i not in before][0]
        self.set_prompt(brush_id, prompt)
        return brush_id

    def brush_field(self, brush_id, selector):
        return self.driver.find_element(By.CSS_SELECTOR, f'.brush-item[data-id="{brush_id}"] {selector}'.strip())

    def set_prompt(self, brush_id, prompt):
        field = self.brush_field(brush_id, ".brush-prompt")
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(prompt)
        field.send_keys(Keys.ENTER)  # Enter commits the prompt (a `brush` message)
        self.wait(lambda: self.js("return window.semanticDraw.model.get(arguments[0]).prompt", brush_id) == prompt,
                  f"the prompt {prompt!r} committed")

    def select_brush(self, brush_id):
        """Selects a brush the way a person does: a click on its item (here its name field)."""
        self.brush_field(brush_id, ".brush-name").click()
        self.blur()
        self.wait(lambda: "selected" in self.brush_field(brush_id, "").get_attribute("class").split()
                  and self.js("return window.semanticDraw.pad.activeId === arguments[0]", brush_id),
                  "the brush selected")

    def stroke(self, points):
        """A pointer stroke through points given as fractions of the pad's displayed size."""
        pad = self.driver.find_element(By.CSS_SELECTOR, "#pad")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
        width, height = pad.size["width"], pad.size["height"]
        offset = lambda p: (int((p[0] - 0.5) * width), int((p[1] - 0.5) * height))
        chain = ActionChains(self.driver, duration=20)
        chain.move_to_element_with_offset(pad, *offset(points[0])).click_and_hold()
        for a, b in zip(points, points[1:]):
            for t in (0.25, 0.5, 0.75, 1.0):
                chain.move_to_element_with_offset(pad, *offset((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)))
        chain.release().perform()

    def coverage(self, brush_id):
        return self.js("return window.semanticDraw.coverage(arguments[0])", brush_id)

    def frame_count(self):
        return int(self.text("#frame-count") or 0)

    def frame_src(self):
        return self.js("return document.querySelector('#frame').src")

    def frame_index(self):
        return int(self.js("return document.querySelector('#frame').dataset.index || -1"))

    def frame_pixels(self):
        return self.js("""
            const img = document.querySelector('#frame');
            if (!img.complete || !img.naturalWidth) return null;
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const ctx = c.getContext('2d');
            ctx.drawImage(img, 0, 0);
            return Array.from(ctx.getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 !== 3));""")

    def history_links(self):
        return self.js("return [...document.querySelectorAll('#history a.history-download')].map(a => a.href)")


def png_text_chunks(data):
    """The iTXt/tEXt/zTXt chunks of a PNG as {keyword: text}; raises TestFailure if not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise TestFailure(f"the history download is not a PNG (first bytes {data[:8]!r})")
    chunks, offset = {}, 8
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        offset += 12 + length
        if kind == b"iTXt":
            keyword, rest = body.split(b"\x00", 1)
            compressed, _method = rest[0], rest[1]
            _lang, rest = rest[2:].split(b"\x00", 1)
            _translated, text = rest.split(b"\x00", 1)
            chunks[keyword.decode("latin-1")] = (zlib.decompress(text) if compressed else text).decode("utf-8")
        elif kind == b"tEXt":
            keyword, text = body.split(b"\x00", 1)
            chunks[keyword.decode("latin-1")] = text.decode("latin-1")
        elif kind == b"zTXt":
            keyword, rest = body.split(b"\x00", 1)
            chunks[keyword.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        if kind == b"IEND":
            break
    return chunks


def gradient_png(width, height):
    """An RGB PNG with a colour gradient (no imaging library: zlib and struct)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def make_driver(download_dir):
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1000"):
        options.add_argument(argument)
    chromium = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
    if os.path.exists(chromium):
        options.binary_location = chromium
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir),
        "download.prompt_for_download": False,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
    service = Service(executable_path=driver_path) if os.path.exists(driver_path) else Service()
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    except WebDriverException:
        pass  # the prefs above do the same on most versions
    return driver


def run(args):
    shots = Path(args.screenshots)
    shots.mkdir(parents=True, exist_ok=True)
    try:
        urllib.request.urlopen(args.url.rstrip("/") + "/api/info", timeout=10).read()
    except OSError as error:
        print(f"browser test: FAILED: no semantic-draw server answers {args.url}/api/info ({error})", file=sys.stderr)
        return 1
    downloads = Path(tempfile.mkdtemp(prefix="semantic-draw-downloads-"))
    driver = make_driver(downloads)
    page = Page(driver, args.url, shots, args.timeout)
    try:
        steps(page, args, downloads)
    except TestFailure as failure:
        page.screenshot("failure")
        page.print_console()
        print(f"browser test: FAILED at step {page.step_number} ({page.step_name}): {failure}", file=sys.stderr)
        return 1
    except WebDriverException as error:
        page.screenshot("failure")
        page.print_console()
        print(f"browser test: FAILED at step {page.step_number} ({page.step_name}): WebDriver: {error.msg}", file=sys.stderr)
        return 1
    finally:
        driver.quit()
    print(f"browser test: all {page.step_number} steps passed; screenshots in {shots}")
    return 0


def steps(page, args, downloads):
    page.step("open the page and connect")
    page.open()
    info = page.js("return window.semanticDraw.info")
    print(f"    server: model {info['model']}, canvas {info['width']}x{info['height']}, {info['slots']} slots")

    page.step("create two brushes with prompts")
    first = page.add_brush("a red brick wall")
    second = page.add_brush("a green tree")
    page.wait(lambda: page.js("return window.semanticDraw.model.brushes.every(b => b.created)"),
              "both brushes created on the server (brush messages sent)")
    page.expect_no_server_error()

    page.step("draw strokes on #pad")
    page.select_brush(first)
    page.stroke([(0.15, 0.2), (0.4, 0.35), (0.2, 0.6)])
    page.select_brush(second)
    page.stroke([(0.6, 0.2), (0.85, 0.5), (0.65, 0.8)])
    cov_first, cov_second = page.coverage(first), page.coverage(second)
    if cov_first <= 0 or cov_second <= 0:
        raise TestFailure(f"strokes left no coverage (first {cov_first}, second {cov_second})")
    print(f"    coverage: first {cov_first:.1f} px, second {cov_second:.1f} px")
    page.wait(lambda: page.sent("mask") >= 2, "two mask messages sent after the strokes")
    page.screenshot("01-brushes-and-strokes")

    page.step("play and receive frames")
    page.click("#play")
    page.wait(lambda: page.frame_count() >= 3, "three frames shown in #frame")
    src = page.js("return document.querySelector('#frame').src")
    if not src.startswith("blob:"):
        raise TestFailure(f"#frame shows {src[:40]!r}, not a Blob URL")
    page.wait(lambda: page.frame_src() != src, "the #frame src changes as frames arrive")
    print(f"    {page.frame_count()} frames, {page.text('#fps')} fps, {page.text('#seconds-per-frame')} s/frame")
    page.screenshot("02-playing")

    page.step("a background image without a prompt is captioned into the background prompt field")
    if info.get("captioner") is None:
        raise TestFailure("the server has no captioner (start it with --captioner tiny-random)")
    frames = page.frame_count()
    captions = page.received("caption")
    image = downloads / "background.png"
    image.write_bytes(gradient_png(96, 80))
    page.driver.find_element(By.CSS_SELECTOR, "#background-image").send_keys(str(image.resolve()))
    page.wait(lambda: page.received("caption") > captions, "a caption message from the server")
    caption = page.js("return window.semanticDraw.lastCaption")
    if not isinstance(caption.get("prompt"), str) or not caption["prompt"]:
        raise TestFailure(f"the caption message has no prompt: {caption}")
    page.wait(lambda: page.value("#background-prompt") == caption["prompt"], "the caption in #background-prompt")
    page.wait(lambda: page.frame_count() > frames + 1, "frames keep coming with the captioned background")
    print(f"    caption ({caption['seconds']:.3f} s, {info['captioner']}): {caption['prompt']!r}")
    page.screenshot("03-background-captioned")
    backgrounds = page.sent("background")
    field = page.driver.find_element(By.CSS_SELECTOR, "#background-prompt")
    field.clear()
    field.send_keys("a stone courtyard")
    page.blur()
    page.wait(lambda: page.sent("background") > backgrounds, "the edited background prompt sent")
    page.wait(lambda: page.js("return window.semanticDraw.model.background.prompt") == "a stone courtyard",
              "the edited prompt kept in the palette")
    if page.received("caption") != captions + 1:
        raise TestFailure("an edited background prompt was captioned again")
    page.expect_no_server_error()

    page.step("a new stroke changes later frames")
    before_pixels = page.frame_pixels()
    before_masks = page.sent("mask")
    page.select_brush(first)
    page.stroke([(0.1, 0.9), (0.5, 0.92), (0.9, 0.9)])
    page.wait(lambda: page.sent("mask") > before_masks, "the new stroke's mask sent")
    index = page.frame_index()
    page.wait(lambda: page.frame_index() > index + info["slots"], f"{info['slots'] + 1} more frames after the stroke")
    page.wait(lambda: page.frame_pixels() != before_pixels, "a later frame differs from the one before the stroke")
    page.screenshot("04-after-new-stroke")

    page.step("undo (Ctrl+Z) reverts the layer; redo restores it")
    with_stroke = page.coverage(first)
    masks = page.sent("mask")
    page.blur()
    page.key(Keys.CONTROL, "z")
    page.wait(lambda: abs(page.coverage(first) - cov_first) < 1e-6, f"the layer back to {cov_first:.1f} px after Ctrl+Z")
    page.wait(lambda: page.sent("mask") > masks, "the reverted mask sent to the server")
    page.key(Keys.CONTROL, Keys.SHIFT, "z")
    page.wait(lambda: abs(page.coverage(first) - with_stroke) < 1e-6, "the stroke back after Ctrl+Shift+Z")
    page.click("#undo")
    page.wait(lambda: abs(page.coverage(first) - cov_first) < 1e-6, "the #undo button reverts it again")
    page.screenshot("05-after-undo")

    page.step("shortcuts: E, B, [ and ], not while typing")
    page.blur()
    page.key("e")
    page.wait(lambda: page.attr("#tool-eraser", "aria-pressed") == "true", "E selects the eraser")
    page.key("b")
    page.wait(lambda: page.attr("#tool-brush", "aria-pressed") == "true", "B selects the brush")
    size = int(page.value("#brush-size"))
    page.key("]")
    page.wait(lambda: int(page.value("#brush-size")) > size, "] enlarges the brush")
    page.key("[")
    page.wait(lambda: int(page.value("#brush-size")) <= size, "[ shrinks the brush")
    prompt = page.brush_field(first, ".brush-prompt")
    prompt.click()
    prompt.send_keys("e")
    if page.attr("#tool-eraser", "aria-pressed") == "true":
        raise TestFailure("typing E in a prompt switched to the eraser")
    prompt.send_keys(Keys.BACKSPACE)
    page.blur()

    page.step("export the palette")
    exported_brushes = page.js("return window.semanticDraw.model.brushes.map(b => ({name: b.name, color: b.color, prompt: b.prompt}))")
    coverages = [page.coverage(b) for b in page.js("return window.semanticDraw.model.ids()")]
    page.click("#export-palette")
    exported = wait_for_download(page, downloads, "palette.json")
    palette = json.loads(exported.read_text())
    if palette.get("version") != 1 or len(palette.get("brushes", [])) != 2:
        raise TestFailure(f"the exported palette is not version 1 with 2 brushes: {str(palette)[:200]}")
    for brush in palette["brushes"]:
        if not brush["mask"]["data"].startswith("data:image/png;base64,"):
            raise TestFailure("an exported mask is not a PNG data URL")
    print(f"    {exported.name}: {len(exported.read_bytes())} bytes, prompts {[b['prompt'] for b in palette['brushes']]}")

    page.step("change the palette, then import the export and see the same brushes")
    page.click(f'.brush-item[data-id="{second}"] .brush-delete')
    page.wait(lambda: page.js("return window.semanticDraw.model.brushes.length") == 1, "one brush left after delete")
    page.set_prompt(first, "a blue door")
    imports = page.sent("palette")
    page.driver.find_element(By.CSS_SELECTOR, "#import-palette").send_keys(str(exported.resolve()))
    page.wait(lambda: page.sent("palette") > imports, "a palette message sent")
    page.wait(lambda: page.js("return window.semanticDraw.model.brushes.length") == 2, "two brushes after import")
    imported = page.js("return window.semanticDraw.model.brushes.map(b => ({name: b.name, color: b.color, prompt: b.prompt}))")
    if imported != exported_brushes:
        raise TestFailure(f"imported brushes {imported} differ from exported {exported_brushes}")
    shown = page.js("return [...document.querySelectorAll('.brush-item .brush-prompt')].map(e => e.value)")
    if sorted(shown) != sorted(b["prompt"] for b in exported_brushes):
        raise TestFailure(f"the brush list shows {shown}")
    page.wait(lambda: page.js("return window.semanticDraw.controller.pendingImport === null"), "the server's brush ids adopted")
    new_coverages = [page.coverage(b) for b in page.js("return window.semanticDraw.model.ids()")]
    for old, new in zip(coverages, new_coverages):
        if abs(old - new) > max(1.0, 0.01 * old):
            raise TestFailure(f"imported layer coverage {new:.1f} px differs from exported {old:.1f} px")
    page.expect_no_server_error()
    page.screenshot("06-after-import")

    page.step("save and download the history entry")
    page.wait(lambda: page.frame_count() > 0, "a frame to save")
    before = len(page.history_links())
    page.click("#save")
    page.wait(lambda: len(page.history_links()) > before, "a new #history a.history-download entry")
    href = page.history_links()[0]
    data = urllib.request.urlopen(href, timeout=args.timeout).read()
    chunks = png_text_chunks(data)
    if "semantic-draw" not in chunks:
        raise TestFailure(f"the saved PNG has no semantic-draw text chunk (chunks: {sorted(chunks)})")
    saved = json.loads(chunks["semantic-draw"])
    print(f"    {href}: {len(data)} bytes, palette with {len(saved.get('brushes', []))} brushes")
    page.screenshot("07-saved")

    page.step("pause")
    page.click("#pause")
    page.wait(lambda: page.js("return !document.querySelector('#play').disabled"), "Play enabled again (state.playing false)")
    page.expect_no_server_error()
    page.screenshot("08-paused")
    page.print_console(only_errors=True)


def wait_for_download(page, folder, name):
    def found():
        path = folder / name
        return path if path.exists() and path.stat().st_size > 0 and not list(folder.glob("*.crdownload")) else None
    try:
        return page.wait(found, f"the download {name} in {folder}")
    except TestFailure:
        text = page.js("return window.semanticDraw.lastExport")
        if not text:
            raise
        print("    (the browser kept no download file; using the page's exported text)")
        path = folder / name
        path.write_text(text)
        return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--screenshots", default=".build/browser-test/", help="folder for the screenshots")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each condition")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
