"""One exception hierarchy, mapped one to one onto the WIT `error` variant."""

from __future__ import annotations

from typing import Dict, Type


class InfWasiError(Exception):
    """Base of every inf-wasi error. ``code`` is the WIT case name, the same in every language."""

    code: str = ""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelNotFoundError(InfWasiError, LookupError):
    """No model is registered under this name."""

    code = "model-not-found"


class InvalidModelError(InfWasiError):
    """The registered file is missing, not a GGUF, truncated, or rejected by llama.cpp."""

    code = "invalid-model"


class InvalidInputError(InfWasiError, ValueError):
    """A bad argument: an empty prompt, an out-of-range option, a bad JSON schema, ..."""

    code = "invalid-input"


class ContextOverflowError(InfWasiError):
    """The prompt or conversation does not fit in the session's context."""

    code = "context-overflow"


class UnsupportedError(InfWasiError):
    """Valid, but not supported by this model or build."""

    code = "unsupported"


class CancelledError(InfWasiError):
    """The operation was cancelled or ran past its deadline."""

    code = "cancelled"


class BackendError(InfWasiError):
    """llama.cpp, the runtime or the host failed; the request itself may be fine."""

    code = "backend"


BY_CODE: Dict[str, Type[InfWasiError]] = {
    cls.code: cls
    for cls in (
        ModelNotFoundError,
        InvalidModelError,
        InvalidInputError,
        ContextOverflowError,
        UnsupportedError,
        CancelledError,
        BackendError,
    )
}


def from_code(code: str, message: str) -> InfWasiError:
    """The exception for a WIT error case; an unknown case is a backend error."""
    return BY_CODE.get(code, BackendError)(message)
