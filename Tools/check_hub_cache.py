"""Cross-check the Swift Hub client's cache against huggingface_hub (run once; not in CI).

Pinned: huggingface_hub==2.4.0 (the version in .venv-reference). Run from the repository root,
after `flock /tmp/swift-build.lock swift build --build-tests`:

    .venv-reference/bin/python Tools/check_hub_cache.py

1. Swift writes a cache (HubCrossCheckTests.writeCacheForPython, fed by the Swift fake hub);
   huggingface_hub's scan_cache_dir, try_to_load_from_cache and hf_hub_download(local_files_only)
   must accept it, and every blob's content must match its name (sha256 / git blob sha1).
2. huggingface_hub fills a cache from a Python fake hub (http.server on 127.0.0.1, same protocol);
   Swift reads it offline (HubCrossCheckTests.readCacheFromPython) and compares sha256s.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import huggingface_hub

PINNED = "2.4.0"
SWIFT_TEST = ["flock", "/tmp/swift-build.lock", "swift", "test", "--skip-build", "--filter"]


def run_swift(test_filter: str, environment: dict) -> None:
    result = subprocess.run(SWIFT_TEST + [test_filter], env={**os.environ, **environment},
                            capture_output=True, text=True, timeout=600)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-6:])
    print(tail)
    if result.returncode != 0 or " passed" not in result.stdout + result.stderr:
        sys.exit(f"swift test {test_filter} failed")


def check_swift_cache(work: Path) -> None:
    cache = work / "swift-cache"
    run_swift("HubCrossCheckTests/writeCacheForPython", {"HUB_CROSSCHECK_WRITE_CACHE": str(cache)})
    info = huggingface_hub.scan_cache_dir(cache)
    assert not info.warnings, info.warnings
    (repo,) = info.repos
    assert repo.repo_id == "test-org/tiny-pipeline" and repo.repo_type == "model", repo
    (revision,) = repo.revisions
    assert revision.refs == frozenset({"main"}), revision.refs
    print(f"scan_cache_dir: {repo.repo_id} {revision.commit_hash} refs={sorted(revision.refs)} "
          f"files={len(revision.files)} size={repo.size_on_disk} warnings=0")
    for file in revision.files:
        data = file.blob_path.read_bytes()
        blob = file.blob_path.name
        digest = hashlib.sha256(data).hexdigest() if len(blob) == 64 else \
            hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        assert digest == blob, (file.file_path, digest, blob)
        relative = str(file.file_path.relative_to(revision.snapshot_path))
        cached = huggingface_hub.try_to_load_from_cache(repo.repo_id, relative, cache_dir=cache)
        loaded = huggingface_hub.hf_hub_download(repo.repo_id, relative, cache_dir=cache, local_files_only=True)
        assert cached == loaded == str(file.file_path), (cached, loaded)
    print(f"try_to_load_from_cache + hf_hub_download(local_files_only=True): {len(revision.files)} files OK, "
          "every blob name matches its sha256 / git blob sha1")


REPO = "py-org/py-model"
COMMIT = "fedcba9876543210fedcba9876543210fedcba98"
FILES = {  # path -> (content, is LFS)
    "config.json": (b'{"hidden_size": 4}', False),
    "unet/config.json": (b'{"sample_size": 8}', False),
    "unet/diffusion_pytorch_model.safetensors": (os.urandom(123_457), True),
    "tokenizer/merges.txt": (b"#version: 0.2\na b\n", False),
}


def etag(content: bytes, lfs: bool) -> str:
    if lfs:
        return hashlib.sha256(content).hexdigest()
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class FakeHub(BaseHTTPRequestHandler):
    """The same protocol as Tests/HubTests/FakeHubServer.swift, in Python. LFS files redirect to
    another host name (localhost), as huggingface.co redirects to its CDN: huggingface_hub 2.4.0
    follows same-host redirects on HEAD (utils/_http.py) and would lose the hub headers otherwise."""

    def log_message(self, *args):
        pass

    def send(self, status, headers, body=b"", head=False):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def handle_any(self, head):
        path = self.path.split("?")[0]
        if path.startswith(f"/api/models/{REPO}/revision/"):
            body = json.dumps({"id": REPO, "sha": COMMIT, "siblings": [{"rfilename": f} for f in FILES]}).encode()
            return self.send(200, {"Content-Type": "application/json"}, body, head)
        if path.startswith("/lfs/"):
            sha = path[len("/lfs/"):]
            content = next(c for c, lfs in FILES.values() if lfs and etag(c, lfs) == sha)
            return self.send(200, {"ETag": f'"{sha}"'}, content, head)
        prefix = f"/{REPO}/resolve/"
        if not path.startswith(prefix):
            return self.send(404, {"X-Error-Code": "RepoNotFound"}, b"", head)
        revision, _, file = path[len(prefix):].partition("/")
        if file not in FILES:
            return self.send(404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT}, b"", head)
        content, lfs = FILES[file]
        if lfs:
            return self.send(302, {"Location": f"http://localhost:{self.server.server_port}/lfs/{etag(content, lfs)}",
                                   "X-Repo-Commit": COMMIT, "X-Linked-Etag": f'"{etag(content, lfs)}"',
                                   "X-Linked-Size": str(len(content))}, b"", head)
        return self.send(200, {"ETag": f'"{etag(content, lfs)}"', "X-Repo-Commit": COMMIT}, content, head)

    def do_HEAD(self):
        self.handle_any(head=True)

    def do_GET(self):
        self.handle_any(head=False)


def check_python_cache(work: Path) -> None:
    cache = work / "python-cache"
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_port}"
    for file in FILES:
        huggingface_hub.hf_hub_download(REPO, file, cache_dir=cache, endpoint=endpoint)
    server.shutdown()
    print(f"huggingface_hub {huggingface_hub.__version__} filled {cache} with {len(FILES)} files from {endpoint}")
    expected = work / "expected.json"
    expected.write_text(json.dumps({f: hashlib.sha256(c).hexdigest() for f, (c, _) in FILES.items()}))
    run_swift("HubCrossCheckTests/readCacheFromPython", {
        "HUB_CROSSCHECK_READ_CACHE": str(cache), "HUB_CROSSCHECK_REPO": REPO,
        "HUB_CROSSCHECK_EXPECTED": str(expected)})


def main() -> None:
    if huggingface_hub.__version__ != PINNED:
        sys.exit(f"expected huggingface_hub {PINNED}, found {huggingface_hub.__version__}")
    with tempfile.TemporaryDirectory() as folder:
        check_swift_cache(Path(folder))
        check_python_cache(Path(folder))
    print("cross-check passed")


if __name__ == "__main__":
    main()
