"""Shared fixtures: the CLI binary the Python results are compared with, and the CLI's own
test fixtures (../../tests/fixtures)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def _binary() -> Path:
    env = os.environ.get("TOKENBUDGET_BIN")
    if env:
        return Path(env)
    for profile in ("release", "debug"):
        p = REPO / "target" / profile / "tokenbudget"
        if p.exists():
            return p
    subprocess.run(["cargo", "build", "--quiet"], cwd=REPO, check=True)
    return REPO / "target" / "debug" / "tokenbudget"


@pytest.fixture(scope="session")
def cli_bin() -> Path:
    return _binary()


@pytest.fixture(scope="session")
def run_cli(cli_bin: Path):
    """Run the real binary: returns (exit code, stdout text); a clean environment."""

    def run(*args: str, cwd: Path | None = None) -> tuple[int, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENBUDGET_")}
        env.pop("NO_COLOR", None)
        p = subprocess.run(
            [str(cli_bin), *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
        )
        assert p.returncode in (0, 1), f"{args}: exit {p.returncode}: {p.stderr}"
        return p.returncode, p.stdout

    return run


@pytest.fixture(scope="session")
def cli_json(run_cli):
    def run(*args: str, cwd: Path | None = None):
        _, out = run_cli(*args, cwd=cwd)
        return json.loads(out)

    return run


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith("TOKENBUDGET_"):
            monkeypatch.delenv(k)


@pytest.fixture(scope="session")
def tiktoken_offline(tmp_path_factory: pytest.TempPathFactory):
    """Python tiktoken with its encoding files taken from the tiktoken-rs crate's assets in the
    cargo registry (as ../shared/bench/tiktoken-reference does): nothing is downloaded."""
    tiktoken = pytest.importorskip("tiktoken")
    import hashlib

    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    assets = sorted(cargo_home.glob("registry/src/*/tiktoken-rs-0.12.*/assets"))
    if not assets:
        subprocess.run(["cargo", "fetch", "--quiet"], cwd=REPO, check=True)
        assets = sorted(cargo_home.glob("registry/src/*/tiktoken-rs-0.12.*/assets"))
    assert assets, "tiktoken-rs assets not found in the cargo registry (a dev-dependency)"
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for e in ["cl100k_base", "o200k_base", "p50k_base", "r50k_base"]:
        url = f"https://openaipublic.blob.core.windows.net/encodings/{e}.tiktoken"
        shutil.copy(assets[-1] / f"{e}.tiktoken", cache / hashlib.sha1(url.encode()).hexdigest())
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    return tiktoken
