"""Type stubs of the Rust extension (see tokenbudget/__init__.py for the documentation)."""

from collections.abc import Iterable
from typing import Any

__version__: str

class TokenbudgetError(ValueError):
    """Bad input: the CLI's exit code 2."""

class UnknownModelError(TokenbudgetError):
    """The model is neither in the catalog nor an OpenAI model tiktoken knows."""

class NoExactTokenizerError(TokenbudgetError):
    """The model has no exact local tokenizer; pass encoding= to approximate (labelled)."""

class ApproximationWarning(UserWarning):
    """A count was made with an encoding that is not the model's own."""

def count(text: str, *, model: str | None = None, encoding: str | None = None) -> int: ...
def encode(text: str, *, model: str | None = None, encoding: str | None = None) -> list[int]: ...
def decode(ids: Iterable[int], *, model: str | None = None, encoding: str | None = None) -> str: ...
def decode_bytes(
    ids: Iterable[int], *, model: str | None = None, encoding: str | None = None
) -> bytes: ...
def count_batch(
    texts: Iterable[str] | Any,
    *,
    model: str | None = None,
    encoding: str | None = None,
    threads: int | None = None,
) -> list[int | None]: ...
def count_messages_batch(
    texts: Iterable[str] | Any,
    *,
    model: str | None = None,
    encoding: str | None = None,
    threads: int | None = None,
) -> list[int | None]: ...
def encodings() -> list[str]: ...
def run_cli(argv: list[str]) -> tuple[int, bytes, str | None]: ...

class StreamCounter:
    """Counts text that arrives in pieces; ``feed`` returns the total so far (exact)."""

    def __init__(self, *, model: str | None = None, encoding: str | None = None) -> None: ...
    def feed(self, text: str) -> int: ...
    @property
    def tokens(self) -> int: ...
