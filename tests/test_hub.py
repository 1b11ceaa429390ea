"""Sharing on the Hub: the upload folder and card, push/pull through the real huggingface_hub client
against a local Hub on 127.0.0.1, the safety checks of pull, one-line errors, and ``hub:`` names."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import torch
from conftest import train_adapter
from huggingface_hub import ModelCard, constants
from peft import PeftModel
from transformers import AutoModelForMaskedLM, BertForMaskedLM

from adapterkit.card import render_hub_card
from adapterkit.cli import main
from adapterkit.models import fingerprint
from adapterkit.registry import MANIFEST, Registry
from adapterkit.variants import adapter_parts, parse_variant

INPUT = {"input_ids": torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 2005, 1996, 5776, 102]])}
TOKEN = "hf_adapterkit_test_token"


# --------------------------------------------------------------------------- a local Hub


def _blob_oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class FakeHub:
    """The Hub endpoints huggingface_hub 2.4 calls for create_repo, upload_folder (regular mode,
    no LFS/Xet), model_info and snapshot_download, kept in memory: repo -> commits of files."""

    def __init__(self) -> None:
        self.repos: dict[str, dict] = {}
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Authorization header
        self.fail_status: int | None = None  # answer every request with this status
        # a hostile Hub: "sha" in model_info, "etag" and "commit" headers, "served" {file: other content},
        # "no_digests": a listing without sizes and digests
        self.crafted: dict = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def commit(self, repo_id: str, files: dict[str, bytes], message: str = "commit") -> str:
        repo = self.repos.setdefault(repo_id, {"commits": {}, "branches": {}, "private": False})
        parent = repo["commits"].get(repo["branches"].get("main"), {})
        tree = {**parent, **files}
        sha = hashlib.sha1(json.dumps(sorted((p, _blob_oid(c)) for p, c in tree.items())).encode()).hexdigest()
        sha = hashlib.sha1((sha + message + str(len(repo["commits"]))).encode()).hexdigest()
        repo["commits"][sha] = tree
        repo["branches"]["main"] = sha
        return sha

    def tree(self, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        repo = self.repos[repo_id]
        return repo["commits"][repo["branches"].get(revision, revision)]

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def _send(self, status: int, body: bytes = b"", headers: dict | None = None, head: bool = False):
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if "Content-Length" not in (headers or {}):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _json(self, status: int, data, headers: dict | None = None) -> None:
                body = json.dumps(data).encode()
                self._send(status, body, {"Content-Type": "application/json", **(headers or {})})

            def _error(self, status: int, code: str | None = None, message: str = "error", head: bool = False):
                headers = {"X-Error-Message": message, **({"X-Error-Code": code} if code else {})}
                if head:
                    self._send(status, b"", headers, head=True)
                else:
                    self._json(status, {"error": message}, headers)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _authorised(self) -> bool:
                return self.headers.get("Authorization") == f"Bearer {TOKEN}"

            def _route(self, method: str) -> None:
                path = urlsplit(self.path).path
                hub.requests.append((method, path, self.headers.get("Authorization")))
                body = self._body() if method == "POST" else b""
                if hub.fail_status is not None:
                    return self._error(hub.fail_status, message="refused by the test hub", head=method == "HEAD")
                parts = [unquote(part) for part in path.strip("/").split("/")]
                if method == "POST" and parts == ["api", "repos", "create"]:
                    return self._create(json.loads(body))
                if method == "POST" and parts == ["api", "validate-yaml"]:
                    return self._json(200, {"errors": [], "warnings": []})
                if parts[:2] == ["api", "models"] and len(parts) >= 4:
                    repo_id, rest = f"{parts[2]}/{parts[3]}", parts[4:]
                    if repo_id not in hub.repos:
                        return self._error(404, "RepoNotFound", "Repository not found")
                    if method == "POST" and rest[:1] == ["preupload"]:
                        return self._preupload(json.loads(body))
                    if method == "POST" and rest[:1] == ["commit"]:
                        return self._commit(repo_id, body)
                    if method == "GET" and (not rest or rest[0] == "revision"):
                        return self._info(repo_id, rest[1] if rest else "main")
                    if method == "GET" and rest[:1] == ["tree"]:
                        return self._tree(repo_id, rest[1])
                if len(parts) >= 5 and parts[2] == "resolve":
                    return self._resolve(f"{parts[0]}/{parts[1]}", parts[3], "/".join(parts[4:]), method == "HEAD")
                return self._error(404, message=f"no route {method} {path}")

            def _create(self, payload: dict) -> None:
                if not self._authorised():
                    return self._error(401, message="Invalid credentials in Authorization header")
                repo_id = f"{payload['organization']}/{payload['name']}"
                if repo_id in hub.repos:
                    return self._json(409, {"error": "You already created this model repo", "url": ""})
                hub.commit(repo_id, {".gitattributes": b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n"})
                hub.repos[repo_id]["private"] = payload.get("visibility") == "private"
                return self._json(200, {"url": f"{hub.url}/{repo_id}"})

            def _preupload(self, payload: dict) -> None:
                if not self._authorised():
                    return self._error(401, message="Invalid credentials in Authorization header")
                files = [
                    {"path": item["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": None}
                    for item in payload["files"]
                ]
                return self._json(200, {"files": files})

            def _commit(self, repo_id: str, body: bytes) -> None:
                if not self._authorised():
                    return self._error(401, message="Invalid credentials in Authorization header")
                files, summary = {}, "commit"
                for line in body.decode().splitlines():
                    item = json.loads(line)
                    if item["key"] == "header":
                        summary = item["value"]["summary"]
                    elif item["key"] == "file" and item["value"]["encoding"] == "base64":
                        files[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
                    else:
                        return self._error(400, message=f"the test hub takes regular files only, not {item['key']}")
                sha = hub.commit(repo_id, files, summary)
                return self._json(200, {"commitUrl": f"{hub.url}/{repo_id}/commit/{sha}", "commitOid": sha})

            def _revision(self, repo_id: str, revision: str) -> str | None:
                repo = hub.repos[repo_id]
                sha = repo["branches"].get(revision, revision)
                return sha if sha in repo["commits"] else None

            def _info(self, repo_id: str, revision: str) -> None:
                sha = self._revision(repo_id, revision)
                if sha is None:
                    return self._error(404, "RevisionNotFound", "Invalid rev id")
                files = hub.repos[repo_id]["commits"][sha]
                siblings = [
                    {"rfilename": name, "size": len(content), "blobId": _blob_oid(content)}
                    for name, content in sorted(files.items())
                ]
                if hub.crafted.get("no_digests"):
                    siblings = [{"rfilename": sibling["rfilename"]} for sibling in siblings]
                sha = hub.crafted.get("sha", sha)
                private = hub.repos[repo_id]["private"]
                return self._json(200, {"id": repo_id, "sha": sha, "private": private, "siblings": siblings})

            def _tree(self, repo_id: str, revision: str) -> None:
                sha = self._revision(repo_id, revision)
                if sha is None:
                    return self._error(404, "RevisionNotFound", "Invalid rev id")
                files = hub.repos[repo_id]["commits"][sha]
                entries = [
                    {"type": "file", "path": name, "size": len(content), "oid": _blob_oid(content)}
                    for name, content in sorted(files.items())
                ]
                return self._json(200, entries)

            def _resolve(self, repo_id: str, revision: str, name: str, head: bool) -> None:
                if repo_id not in hub.repos:
                    return self._error(404, "RepoNotFound", "Repository not found", head=head)
                sha = self._revision(repo_id, revision)
                if sha is None:
                    return self._error(404, "RevisionNotFound", "Invalid rev id", head=head)
                content = hub.repos[repo_id]["commits"][sha].get(name)
                content = hub.crafted.get("served", {}).get(name, content)
                if content is None:
                    return self._error(404, "EntryNotFound", "Entry not found", head=head)
                headers = {
                    "X-Repo-Commit": hub.crafted.get("commit", sha),
                    "ETag": f'"{hub.crafted.get("etag", _blob_oid(content))}"',
                    "Content-Length": str(len(content)),
                    "Content-Type": "application/octet-stream",
                }
                return self._send(200, content, headers, head=head)

            def do_GET(self) -> None:
                self._route("GET")

            def do_HEAD(self) -> None:
                self._route("HEAD")

            def do_POST(self) -> None:
                self._route("POST")

        return Handler


@pytest.fixture
def hub(monkeypatch) -> FakeHub:
    """A local Hub; huggingface_hub talks to it online (the suite runs with HF_HUB_OFFLINE=1)."""
    server = FakeHub()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    # huggingface_hub reads these at import: the offline switch, and Xet (the test hub speaks plain uploads).
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    yield server
    server.close()


# --------------------------------------------------------------------------- adapters to share


def _train(base: Path, corpus: Path, root: Path, name: str, **overrides) -> Path:
    settings = dict(language=["nl"], domain="clinical", max_steps=3, save_steps=3, lr=5e-3)
    return train_adapter(base, corpus, root, name, runs="runs-train", **(settings | overrides))


@pytest.fixture(scope="module")
def shared(tmp_path_factory, tiny_bert, nl_corpus) -> Path:
    """Two adapters on the tiny BERT, and one on a copy of it whose weights a test may change."""
    root = tmp_path_factory.mktemp("hub")
    lines = nl_corpus.read_text(encoding="utf-8").split("\n")
    (root / "a.txt").write_text("\n".join(lines[:200]), encoding="utf-8")
    (root / "b.txt").write_text("\n".join(lines[200:400]), encoding="utf-8")
    shutil.copytree(tiny_bert, root / "base-copy")
    _train(tiny_bert, root / "a.txt", root, "nl-a", lora_r=4, lora_alpha=8, lora_targets=["query", "value"])
    _train(tiny_bert, root / "b.txt", root, "nl-b", seed=7)
    _train(root / "base-copy", root / "a.txt", root, "nl-copy")
    return root


@pytest.fixture
def registry(shared, tmp_path, monkeypatch) -> Path:
    """A fresh registry holding copies of the shared adapters; work in tmp_path."""
    target = tmp_path / "adapters"
    shutil.copytree(shared / "adapters", target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADAPTERKIT_REGISTRY", str(target))
    return target


def _logits(model) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(**INPUT).logits


def _state(folder: Path) -> list[str]:
    """Everything in a folder, hidden files included: to show that nothing was written."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    return err


# --------------------------------------------------------------------------- the upload folder and card


def test_upload_folder_has_the_peft_files_the_manifest_and_a_card_with_its_figures(registry, tmp_path, capsys):
    manifest = json.loads((registry / "nl-a" / MANIFEST).read_text())
    cv = tmp_path / "runs" / "cv" / "nl-a+nl-b"
    cv.mkdir(parents=True)
    recorded = {"variant": "nl-a+nl-b", "data": ["data/ro.conll"], "folds": 5, "settings": {"mode": "adapter"}}
    (cv / "cv.json").write_text(json.dumps({**recorded, "summary": {"f1": [0.8123, 0.0101]}}))
    other = tmp_path / "runs" / "cv" / "base"
    other.mkdir(parents=True)
    (other / "cv.json").write_text(json.dumps({**recorded, "variant": "base", "summary": {"f1": [0.5, 0.1]}}))

    out = tmp_path / "upload"
    argv = ["push", "nl-a", "--repo", "team/nl-a", "--output", str(out), "--license", "apache-2.0"]
    assert main([*argv, "--dataset", "team/nl-clinical-notes"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "adapter_config.json",
        "adapter_model.safetensors",
        MANIFEST,
    ]
    weights = "adapter_model.safetensors"
    assert (out / weights).read_bytes() == (registry / "nl-a" / weights).read_bytes()
    # the settings travel without the folders of this machine (see test_ecosystem.py)
    assert json.loads((out / MANIFEST).read_text())["hyperparameters"] == manifest["hyperparameters"]

    card = ModelCard.load(out / "README.md")
    data = card.data.to_dict()
    assert data["library_name"] == "peft"
    assert data["language"] == ["nl"]
    assert data["license"] == "apache-2.0"
    assert data["datasets"] == ["team/nl-clinical-notes"]
    assert {"adapterkit", "clinical", "lora"} <= set(data["tags"])
    assert "base_model" not in data  # the tiny base is a local folder, not a Hub id
    text = card.text
    hyper, ppl = manifest["hyperparameters"], manifest["perplexity"]
    assert f"{manifest['corpus']['train_tokens']:,} training tokens" in text
    assert f"{hyper['steps']} optimisation steps" in text
    assert "| lora_r | 4 |" in text and f"| learning_rate | {hyper['learning_rate']} |" in text
    assert f"| base | {ppl['before']:.2f} |" in text and f"| nl-a | {ppl['after']:.2f} |" in text
    assert "f1 0.8123 ± 0.0101" in text and "0.5000" not in text  # only runs that used nl-a
    assert 'PeftModel.from_pretrained(base, "team/nl-a")' in text
    assert "adapterkit pull team/nl-a" in text


def test_card_names_a_hub_base_model_and_never_a_local_folder(registry):
    manifest = json.loads((registry / "nl-a" / MANIFEST).read_text())
    on_hub = {**manifest, "base": {**manifest["base"], "id": "minilm"}}
    on_hub["base"]["peft_base_model"] = "sentence-transformers/all-MiniLM-L6-v2"
    card = ModelCard(render_hub_card(on_hub, "team/nl-a"))
    assert card.data.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert 'AutoModelForMaskedLM.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")' in card.text
    assert "No downstream runs were recorded" in card.text
    assert ModelCard(render_hub_card(manifest, "team/nl-a")).data.base_model is None


# --------------------------------------------------------------------------- push and pull


def test_push_then_pull_gives_an_adapter_with_the_same_logits(hub, registry, tiny_bert, tmp_path, capsys):
    assert main(["push", "nl-a", "--repo", "team/nl-a"]) == 0
    assert "pushed nl-a to" in capsys.readouterr().out
    uploaded = hub.tree("team/nl-a")
    assert set(uploaded) == {
        ".gitattributes",
        "README.md",
        "adapter_config.json",
        "adapter_model.safetensors",
        MANIFEST,
    }
    writes = [auth for method, _, auth in hub.requests if method == "POST"]
    assert writes and all(auth == f"Bearer {TOKEN}" for auth in writes)

    other = tmp_path / "elsewhere"
    assert main(["pull", "team/nl-a", "--as", "nl-a-copy", "--registry", str(other)]) == 0
    pulled = other / "nl-a-copy"
    commit = hub.repos["team/nl-a"]["branches"]["main"]
    manifest = json.loads((pulled / MANIFEST).read_text())
    assert manifest["name"] == "nl-a-copy" and manifest["origin_name"] == "nl-a"
    assert manifest["source"]["hub"] == "team/nl-a" and manifest["source"]["revision"] == commit
    assert sorted(p.name for p in pulled.iterdir()) == sorted(set(uploaded) - {".gitattributes"})

    original = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), registry / "nl-a")
    again = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), pulled)
    expected, got = _logits(original), _logits(again)
    assert torch.equal(expected, got)
    assert not torch.allclose(expected, _logits(AutoModelForMaskedLM.from_pretrained(tiny_bert)))


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"training_args.bin": b"\x80\x04pickled"}, "training_args.bin can hold pickled code"),
        ({"weights/model.pt": b"\x80\x04pickled"}, "weights/model.pt can hold pickled code"),
        ({"../escape.json": b"{}"}, "is not a plain relative name inside the adapter folder"),
        ({"setup.py": b"print('hi')"}, "setup.py is not safetensors, JSON or Markdown"),
    ],
    ids=["pickle", "nested-pickle", "escaping-name", "code"],
)
def test_pull_refuses_unsafe_files_before_downloading_anything(hub, registry, extra, says, capsys):
    files = {name: (registry / "nl-a" / name).read_bytes() for name in ("adapter_config.json", MANIFEST)}
    files["adapter_model.safetensors"] = (registry / "nl-a" / "adapter_model.safetensors").read_bytes()
    hub.commit("team/unsafe", {**files, **extra})
    before = _state(registry)
    assert main(["pull", "team/unsafe"]) == 2
    assert says in _one_line_error(capsys)
    assert _state(registry) == before
    assert not [path for method, path, _ in hub.requests if "/resolve/" in path]


def test_pull_refuses_a_repo_without_adapter_config(hub, registry, capsys):
    hub.commit(
        "team/weights-only",
        {"adapter_model.safetensors": (registry / "nl-a" / "adapter_model.safetensors").read_bytes()},
    )
    assert main(["pull", "team/weights-only"]) == 2
    assert "no adapter_config.json" in _one_line_error(capsys)


def test_pull_refuses_a_base_with_another_fingerprint_unless_forced(hub, registry, shared, capsys, monkeypatch):
    assert main(["push", "nl-copy", "--repo", "team/nl-copy"]) == 0
    base = shared / "base-copy"
    saved = {file.name: file.read_bytes() for file in base.iterdir() if file.is_file()}
    try:
        model = BertForMaskedLM.from_pretrained(base)
        with torch.no_grad():
            model.bert.encoder.layer[0].attention.self.query.weight.add_(0.01)
        model.save_pretrained(base)  # the local base now differs from the one the adapter was trained on
        before = _state(registry)
        monkeypatch.chdir(shared)  # the shared manifest names the local base by its folder name only
        assert main(["pull", "team/nl-copy", "--as", "copy"]) == 2
        err = _one_line_error(capsys)
        assert "has fingerprint" in err and "--force" in err
        assert _state(registry) == before
        assert main(["pull", "team/nl-copy", "--as", "copy", "--force"]) == 0
        assert "accepted with --force: the local base" in capsys.readouterr().out
        assert (registry / "copy" / "adapter_model.safetensors").is_file()
    finally:
        for name, content in saved.items():
            (base / name).write_bytes(content)


def test_pull_of_a_plain_peft_lora_writes_a_manifest_naming_base_and_source(hub, registry, tiny_bert, capsys):
    card = "---\nlanguage:\n- ro\nlibrary_name: peft\n---\n# a LoRA from elsewhere\n"
    files = {
        name: (registry / "nl-b" / name).read_bytes() for name in ("adapter_config.json", "adapter_model.safetensors")
    }
    commit = hub.commit("someone/plain-lora", {**files, "README.md": card.encode()})
    assert main(["pull", "someone/plain-lora"]) == 0
    manifest = json.loads((registry / "someone--plain-lora" / MANIFEST).read_text())
    assert manifest["kind"] == "language" and manifest["languages"] == ["ro"]
    assert manifest["base"]["id"] == str(tiny_bert.resolve())
    assert manifest["base"]["fingerprint"] == fingerprint(BertForMaskedLM.from_pretrained(tiny_bert))
    assert manifest["source"] == {
        "hub": "someone/plain-lora",
        "revision": commit,
        "requested": None,
        "endpoint": hub.url,
    }
    spec = parse_variant("someone--plain-lora", Registry(registry))
    parts = adapter_parts(spec, Registry(registry))
    assert spec.kind == "adapters" and parts[0].fingerprint == manifest["base"]["fingerprint"]


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("command", "status", "says"),
    [
        (["pull", "team/nl-a"], 401, "not found, or private and no valid token was sent (401)"),
        (["pull", "team/nl-a"], 403, "your token may not read team/nl-a (403)"),
        (["pull", "team/missing"], None, "no repository team/missing"),
        (["pull", "team/nl-a", "--revision", "v9"], None, "revision 'v9' not found in team/nl-a"),
        (["push", "nl-a", "--repo", "team/nl-a"], 401, "the Hub refused the token for team/nl-a (401)"),
        (["push", "nl-a", "--repo", "team/nl-a"], 403, "your token may not write to team/nl-a (403)"),
    ],
    ids=["pull-401", "pull-403", "pull-404", "pull-revision", "push-401", "push-403"],
)
def test_hub_failures_are_one_line_and_leave_the_registry_unchanged(hub, registry, command, status, says, capsys):
    hub.commit("team/nl-a", {name: (registry / "nl-a" / name).read_bytes() for name in ("adapter_config.json",)})
    hub.fail_status = status
    before = _state(registry)
    assert main(command) == 2
    assert says in _one_line_error(capsys)
    assert _state(registry) == before
    assert TOKEN not in capsys.readouterr().err


def test_offline_and_unreachable_hub_are_one_line_errors(hub, registry, monkeypatch, capsys):
    before = _state(registry)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    assert main(["pull", "team/nl-a"]) == 2
    assert "HF_HUB_OFFLINE is set" in _one_line_error(capsys)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    hub.close()  # nothing listens there any more
    assert main(["pull", "team/nl-a"]) == 2
    assert f"cannot reach the Hub at {hub.url}" in _one_line_error(capsys)
    assert main(["push", "nl-a", "--repo", "team/nl-a"]) == 2
    assert f"cannot reach the Hub at {hub.url}" in _one_line_error(capsys)
    assert _state(registry) == before


# --------------------------------------------------------------------------- hub: names


def test_hub_names_work_in_compose_and_eval_mlm_and_are_pulled_once(
    hub, registry, shared, tmp_path, capsys, monkeypatch, tiny_bert
):
    for name in ("nl-a", "nl-b"):
        assert main(["push", name, "--repo", f"team/{name}"]) == 0
    monkeypatch.chdir(tiny_bert.parent)  # shared adapters name their local base by its folder name only
    empty = tmp_path / "fresh"
    argv = ["compose", "hub:team/nl-a", "hub:team/nl-b", "--name", "ab", "--registry", str(empty)]
    assert main(argv) == 0
    assert (empty / "team--nl-a" / MANIFEST).is_file() and (empty / "team--nl-b" / MANIFEST).is_file()
    assert main(["compose", "nl-a", "nl-b", "--name", "ab-local"]) == 0
    with_hub = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(_base(registry)), empty / "ab")
    local = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(_base(registry)), registry / "ab-local")
    assert torch.allclose(_logits(with_hub), _logits(local), atol=1e-6)

    infos = len([p for m, p, _ in hub.requests if p.startswith("/api/models/")])
    argv = ["compose", "hub:team/nl-a", "hub:team/nl-b", "--name", "ab2", "--registry", str(empty)]
    assert main(argv) == 0  # the second use reads the registry: no request reaches the Hub
    assert len([p for m, p, _ in hub.requests if p.startswith("/api/models/")]) == infos
    spec = parse_variant("hub:team/nl-a", Registry(empty))
    parts = adapter_parts(spec, Registry(empty))
    assert spec.kind == "adapters" and parts[0].name == "team--nl-a"

    # eval-mlm takes the base of a hub: variant (not the default mBERT, which is not here)
    argv = ["eval-mlm", "hub:team/nl-a", "base", "--corpus", str(shared / "a.txt"), "--max-seq-len", "64"]
    assert main([*argv, "--registry", str(empty)]) == 0
    assert "hub:team/nl-a" in capsys.readouterr().out

    # a composition of pulled adapters can be shared in turn: its card lists the parts
    assert (
        main(["push", "ab", "--repo", "team/ab", "--output", str(tmp_path / "ab-upload"), "--registry", str(empty)])
        == 0
    )
    card = ModelCard.load(tmp_path / "ab-upload" / "README.md")
    assert card.data.library_name == "peft" and "| team--nl-a | 1 |" in card.text and "| team--nl-b | 1 |" in card.text


def _base(registry: Path) -> str:
    return json.loads((registry / "nl-a" / MANIFEST).read_text())["base"]["peft_base_model"]


# --------------------------------------------------------------------------- what the Hub sends is verified


def _shared_files(registry: Path, tmp_path: Path, name: str = "nl-a") -> dict[str, bytes]:
    """What push uploads for ``name`` (written with --out, read back): to commit altered copies of it."""
    out = tmp_path / f"upload-{name}"
    assert main(["push", name, "--repo", f"team/{name}", "--output", str(out)]) == 0
    return {file.name: file.read_bytes() for file in sorted(out.iterdir())}


def _with_manifest(files: dict[str, bytes], **changes) -> dict[str, bytes]:
    manifest = json.loads(files[MANIFEST])
    manifest.update(changes)
    return {**files, MANIFEST: json.dumps(manifest).encode()}


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _raise_alpha(files: dict[str, bytes]) -> dict[str, bytes]:
    config = files["adapter_config.json"]
    assert b'"lora_alpha": 8,' in config
    return {**files, "adapter_config.json": config.replace(b'"lora_alpha": 8,', b'"lora_alpha": 80,')}


def _flip_last_value(content: bytes) -> bytes:
    """The same safetensors file with one weight changed slightly (the header stays valid)."""
    return content[:-4] + bytes([content[-4] ^ 1]) + content[-3:]


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """Temporary folders go under tmp_path/tmp/inner, huggingface_hub's cache under tmp_path: whatever
    pull writes outside its temporary folder shows up in tmp_path."""
    inner = tmp_path / "tmp" / "inner"
    inner.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(inner))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    return inner


def test_push_records_the_sha256_of_every_shared_file_but_the_manifest_and_card(registry, tmp_path):
    files = _shared_files(registry, tmp_path)
    recorded = json.loads(files[MANIFEST])["sha256"]
    assert recorded == {name: _sha256(files[name]) for name in ("adapter_config.json", "adapter_model.safetensors")}


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (
            lambda f: {**f, "adapter_model.safetensors": _flip_last_value(f["adapter_model.safetensors"])},
            "adapter_model.safetensors does not have the sha256 adapterkit.json records",
        ),
        (_raise_alpha, "adapter_config.json does not have the sha256 adapterkit.json records"),
        (lambda f: _with_manifest(f, sha256={}), "records no sha256 of the shared files"),
        (
            lambda f: {**f, "extra.safetensors": f["adapter_model.safetensors"]},
            "extra.safetensors is not listed in the sha256 of adapterkit.json",
        ),
        (lambda f: {**f, "notes.json": b"{}"}, "notes.json is not listed in the sha256 of adapterkit.json"),
        (
            lambda f: _with_manifest(f, sha256={**json.loads(f[MANIFEST])["sha256"], "../evil.safetensors": "0" * 64}),
            "is not a plain relative name inside the adapter folder",
        ),
        (
            lambda f: _with_manifest(f, sha256={**json.loads(f[MANIFEST])["sha256"], "gone.safetensors": "0" * 64}),
            "records gone.safetensors, which the repository does not hold",
        ),
    ],
    ids=["weights", "peft-config", "no-digests", "unlisted-weights", "unlisted-json", "escaping-digest", "missing"],
)
def test_pull_refuses_files_that_differ_from_or_are_missing_in_the_shared_manifest(
    hub, registry, tmp_path, tamper, says, capsys
):
    files = _shared_files(registry, tmp_path)
    hub.commit("team/tampered", tamper(files))
    before = _state(registry)
    assert main(["pull", "team/tampered", "--force"]) == 2  # --force accepts a base, never unverified files
    assert says in _one_line_error(capsys)
    assert _state(registry) == before


def test_a_clean_pull_records_the_shared_digests_and_verify_catches_later_tampering(hub, registry, tmp_path, capsys):
    files = _shared_files(registry, tmp_path)
    hub.commit("team/nl-a", files)
    assert main(["pull", "team/nl-a", "--as", "copy"]) == 0
    shared = json.loads(files[MANIFEST])["sha256"]
    assert json.loads((registry / "copy" / MANIFEST).read_text())["sha256"] == shared
    assert main(["adapters", "verify", "copy"]) == 0
    weights = registry / "copy" / "adapter_model.safetensors"
    weights.write_bytes(_flip_last_value(weights.read_bytes()))
    capsys.readouterr()
    assert main(["adapters", "verify", "copy"]) == 2
    captured = capsys.readouterr()
    assert "adapter_model.safetensors: sha256 does not match" in captured.out + captured.err
    config = registry / "copy" / "adapter_config.json"
    weights.write_bytes(files["adapter_model.safetensors"])
    config.write_bytes(_raise_alpha({"adapter_config.json": config.read_bytes()})["adapter_config.json"])
    assert main(["adapters", "verify", "copy"]) == 2  # the PEFT config was shared with its digest too


@pytest.mark.parametrize(
    ("crafted", "argv", "says"),
    [
        ({}, ["--revision", "../../../escaped"], "--revision '../../../escaped': give a branch, tag or commit"),
        ({}, ["--revision", "main\n"], "--revision 'main\\n': give a branch, tag or commit"),
        ({"sha": "../../../escaped"}, [], "the commit '../../../escaped' is not 40 hexadecimal digits"),
        ({"sha": "ABCDEF" * 7}, [], "is not 40 hexadecimal digits"),
    ],
    ids=["revision-dotdot", "revision-newline", "sha-dotdot", "sha-not-hex"],
)
def test_a_crafted_revision_or_commit_is_refused_with_nothing_written(
    hub, registry, tmp_path, sandbox, crafted, argv, says, capsys
):
    hub.commit("team/nl-a", _shared_files(registry, tmp_path))
    hub.crafted.update(crafted)
    hub.requests.clear()
    before = _state(tmp_path)
    assert main(["pull", "team/nl-a", *argv]) == 2
    assert says in _one_line_error(capsys)
    assert _state(tmp_path) == before  # the registry, the temporary folders and everything around them
    assert not [path for _, path, _ in hub.requests if "/resolve/" in path]


@pytest.mark.parametrize(
    "crafted",
    [{"etag": "../../../../../escaped"}, {"commit": "../../../escaped-commit"}],
    ids=["etag", "commit-header"],
)
def test_headers_a_crafted_hub_sends_never_become_paths(hub, registry, tmp_path, sandbox, crafted, capsys):
    """huggingface_hub's cache names files after the ETag and commit headers; pull writes only files it names."""
    files = _shared_files(registry, tmp_path)
    hub.commit("team/nl-a", files)
    hub.crafted.update(crafted)
    outside = [path for path in _state(tmp_path) if not path.startswith("adapters")]
    assert main(["pull", "team/nl-a", "--as", "copy"]) == 0
    assert [path for path in _state(tmp_path) if not path.startswith("adapters")] == outside
    assert _state(sandbox) == []  # the temporary folder is gone too
    assert not list(tmp_path.parent.glob("escaped*")) and not list(tmp_path.glob("**/escaped*"))
    assert (registry / "copy" / "adapter_model.safetensors").read_bytes() == files["adapter_model.safetensors"]


def test_pull_refuses_a_peft_config_naming_another_base_than_the_manifest_even_with_force(
    hub, registry, tmp_path, capsys
):
    files = _shared_files(registry, tmp_path)
    config = json.loads(files["adapter_config.json"])
    config["base_model_name_or_path"] = "someone/another-bert"
    files["adapter_config.json"] = json.dumps(config).encode()
    digests = {**json.loads(files[MANIFEST])["sha256"], "adapter_config.json": _sha256(files["adapter_config.json"])}
    hub.commit("team/other-base", _with_manifest(files, sha256=digests))  # consistent digests: only the base differs
    before = _state(registry)
    assert main(["pull", "team/other-base", "--force"]) == 2
    err = _one_line_error(capsys)
    assert "adapter_config.json names the base 'someone/another-bert' but adapterkit.json records" in err
    assert _state(registry) == before


def test_compose_and_finetune_refuse_an_adapter_whose_peft_config_names_another_base(registry, tmp_path, capsys):
    config_file = registry / "nl-b" / "adapter_config.json"
    config = json.loads(config_file.read_text())
    config["base_model_name_or_path"] = "someone/another-bert"
    config_file.write_text(json.dumps(config))
    says = "adapter 'nl-b': adapter_config.json names the base 'someone/another-bert' but adapterkit.json records"
    assert main(["compose", "nl-a", "nl-b", "--name", "ab"]) == 2
    assert says in _one_line_error(capsys)
    data = tmp_path / "ner.conll"
    data.write_text("De\tO\npatiënt\tO\nheeft\tO\ndiabetes\tB-DISO\n\n", encoding="utf-8")
    argv = ["finetune", "--data", str(data), "--name", "ner", "--variant", "nl-b", "--max-steps", "1"]
    assert main([*argv, "--mode", "adapter"]) == 2
    assert says in _one_line_error(capsys)
    assert not (registry / "ab").exists() and not (registry / "ner").exists() and not (tmp_path / "models").exists()


def test_pull_checks_every_file_against_the_listing_of_the_commit_also_without_a_manifest(hub, registry, capsys):
    files = {
        name: (registry / "nl-b" / name).read_bytes() for name in ("adapter_config.json", "adapter_model.safetensors")
    }
    hub.commit("someone/plain-lora", files)
    before = _state(registry)
    weights = files["adapter_model.safetensors"]
    hub.crafted["served"] = {"adapter_model.safetensors": _flip_last_value(weights)}  # altered on the way
    assert main(["pull", "someone/plain-lora"]) == 2
    assert "adapter_model.safetensors does not have the digest the Hub lists for it" in _one_line_error(capsys)
    hub.crafted["served"] = {"adapter_model.safetensors": weights + b" "}
    assert main(["pull", "someone/plain-lora"]) == 2
    assert "arrived with another size than the Hub lists" in _one_line_error(capsys)
    hub.crafted = {"no_digests": True}  # nothing to check a plain LoRA against: refused
    assert main(["pull", "someone/plain-lora"]) == 2
    assert "the Hub lists no digest for adapter_config.json" in _one_line_error(capsys)
    assert _state(registry) == before
    hub.crafted = {}
    assert main(["pull", "someone/plain-lora"]) == 0
    recorded = json.loads((registry / "someone--plain-lora" / MANIFEST).read_text())["sha256"]
    assert recorded == {name: _sha256(content) for name, content in files.items()}  # as fetched at the commit
