# Type stubs for the native module built from bindings/python/src/lib.rs.
from typing import List, Optional, Tuple

Tensor = Tuple[str, str, List[int], bytes]

class Context:
    def compute(self, inputs: List[Tensor]) -> List[Tensor]: ...

class Cancel:
    def __init__(self) -> None: ...
    def cancel(self) -> None: ...
    def clear(self) -> None: ...
    def prompt_batches_started(self) -> int: ...

class Graph:
    def __init__(
        self,
        name: str,
        path: str,
        context_size: Optional[int] = None,
        threads: Optional[int] = None,
        batch_size: Optional[int] = None,
        max_context_size: Optional[int] = None,
        max_output_tokens: Optional[int] = None,
        max_image_bytes: Optional[int] = None,
        projector: Optional[str] = None,
        parallel: Optional[int] = None,
        batching: Optional[str] = None,
        packed: bool = False,
    ) -> None: ...
    def init_execution_context(self, cancel: Cancel) -> Context: ...

def abort_report(name: str, memory_cap: int) -> Optional[str]: ...
def packed_model(path: str) -> Tuple[str, bytes]: ...
