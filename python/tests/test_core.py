"""count / encode / decode / count_batch: exact, equal to the CLI and to tiktoken."""

from __future__ import annotations

import warnings

import pytest

import tokenbudget as tb
from conftest import FIXTURES

TEXTS = [
    "Hello world\n",
    "",
    "<|endoftext|> is ordinary text here",
    "naïve café — 日本語のテキスト 🎉🎉",
    "    indented\n\n\n  code() {\r\n}\t\t",
    "x" * 5000,
    "1234567890 3.14159 1e10 ,,,;;;",
]


def test_count_known_values():
    assert tb.count("Hello world\n") == 3
    assert tb.count("Hello world\n", model="gpt-4o") == 3
    assert tb.encode("Hello world\n") == [13225, 2375, 198]
    assert tb.encode("Hello world\n", encoding="cl100k_base") == [9906, 1917, 198]
    assert tb.count("", encoding="r50k_base") == 0


@pytest.mark.parametrize("name", ["hello.txt", "empty.txt"])
def test_count_equals_cli(name, cli_json):
    path = FIXTURES / "count" / name
    text = path.read_text(encoding="utf-8")
    for model in ["gpt-4o", "gpt-4", "text-davinci-003"]:
        doc = cli_json("count", path, "--json", "--model", model)
        assert tb.count(text, model=model) == doc["total"]["tokens"]


def test_count_readme_equals_cli(cli_json):
    from conftest import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    doc = cli_json("count", REPO / "README.md", "--json")
    assert tb.count(text) == doc["total"]["tokens"]
    assert len(tb.encode(text)) == doc["total"]["tokens"]


@pytest.mark.filterwarnings("ignore::tokenbudget.ApproximationWarning")
@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "gemini-2.5-pro"])
def test_estimates_equal_the_cli(model, cli_json):
    # models without an exact tokenizer: the same calibrated estimate as `count -m MODEL`
    from conftest import REPO

    for path in [REPO / "README.md", FIXTURES / "count" / "hello.txt"]:
        text = path.read_text(encoding="utf-8")
        doc = cli_json("count", path, "--json", "--model", model)
        assert doc["approximate"] is True
        want = doc["total"]["tokens"]
        assert tb.count(text, model=model) == want
        assert tb.count_batch([text, text], model=model) == [want, want]


@pytest.mark.parametrize("enc", ["o200k_base", "cl100k_base", "p50k_base", "r50k_base"])
def test_equals_tiktoken(enc, tiktoken_offline):
    ref = tiktoken_offline.get_encoding(enc)
    for t in TEXTS:
        assert tb.encode(t, encoding=enc) == ref.encode_ordinary(t)
        assert tb.count(t, encoding=enc) == len(ref.encode_ordinary(t))
    assert tb.count_batch(TEXTS, encoding=enc) == [len(x) for x in ref.encode_ordinary_batch(TEXTS)]


def test_decode_round_trip():
    for t in TEXTS:
        for enc in tb.encodings():
            ids = tb.encode(t, encoding=enc)
            assert tb.decode(ids, encoding=enc) == t
            assert tb.decode_bytes(ids, encoding=enc) == t.encode("utf-8")


def test_decode_partial_character():
    ids = tb.encode("🎉", encoding="r50k_base")
    assert len(ids) > 1
    assert tb.decode_bytes(ids[:1], encoding="r50k_base") == "🎉".encode()[: len(tb.decode_bytes(ids[:1], encoding="r50k_base"))]
    assert "\ufffd" in tb.decode(ids[:1], encoding="r50k_base")


def test_decode_bad_id():
    with pytest.raises(tb.TokenbudgetError, match="not an ordinary token"):
        tb.decode([13225, 199999], encoding="o200k_base")
    with pytest.raises(OverflowError):
        tb.decode([-1])


def test_errors_are_typed():
    with pytest.raises(tb.UnknownModelError):
        tb.count("x", model="no-such-model-xyz")
    # like the CLI without --exact: a labelled estimate with o200k_base
    with pytest.warns(tb.ApproximationWarning, match="no exact local tokenizer; estimated from o200k_base, calibrated"):
        assert tb.count("hello there", model="claude-sonnet-4-5") == 2
    with pytest.raises(tb.NoExactTokenizerError, match="--exact refuses estimates"):
        tb.cli("--exact", "count", "--text", "hi", "--model", "claude-sonnet-4-5")
    with pytest.raises(tb.TokenbudgetError, match="unknown encoding"):
        tb.count("x", encoding="o300k")
    assert issubclass(tb.TokenbudgetError, ValueError)
    with pytest.raises(TypeError):
        tb.count(b"bytes")  # type: ignore[arg-type]


def test_approximation_is_labelled():
    with pytest.warns(tb.ApproximationWarning, match="approximat"):
        n = tb.count("Hello world\n", model="claude-sonnet-4-5", encoding="cl100k_base")
    assert n == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tb.count("Hello world\n", model="gpt-4o", encoding="o200k_base") == 3


def test_default_model_from_env(monkeypatch):
    text = "naïve café — 日本語"
    assert tb.count(text) == tb.count(text, encoding="o200k_base")
    monkeypatch.setenv("TOKENBUDGET_MODEL", "gpt-4")
    assert tb.count(text) == tb.count(text, encoding="cl100k_base")
    assert tb.count(text, encoding="cl100k_base") != tb.count(text, encoding="o200k_base")


def test_count_batch_list_and_threads():
    texts = TEXTS * 50
    expected = [tb.count(t) for t in texts]
    assert tb.count_batch(texts) == expected
    assert tb.count_batch(texts, threads=1) == expected
    assert tb.count_batch(texts, threads=7) == expected
    assert tb.count_batch(tuple(texts)) == expected
    assert tb.count_batch(iter(texts)) == expected
    assert tb.count_batch([]) == []
    with pytest.raises(TypeError, match="item 1 is int"):
        tb.count_batch(["a", 3])


def test_count_batch_arrow():
    pa = pytest.importorskip("pyarrow")
    texts = TEXTS * 20
    expected = [tb.count(t) for t in texts]
    arr = pa.array(texts)
    assert tb.count_batch(arr) == expected
    assert tb.count_batch(pa.array(texts, type=pa.large_string())) == expected
    # a slice has an offset into the buffers
    assert tb.count_batch(arr.slice(3, 40)) == expected[3:43]
    # nulls stay None
    with_nulls = pa.array(["Hello world\n", None, "x" * 9])
    assert tb.count_batch(with_nulls) == [3, None, tb.count("x" * 9)]
    chunked = pa.chunked_array([texts[:10], texts[10:]])
    assert tb.count_batch(chunked) == expected
    with pytest.raises(TypeError, match="not a string array"):
        tb.count_batch(pa.array([1, 2, 3]))


def test_count_batch_arrow_from_pandas():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    s = pd.Series(TEXTS, dtype="string[pyarrow]")
    arr = pa.array(s)
    assert tb.count_batch(arr) == [tb.count(t) for t in TEXTS]
