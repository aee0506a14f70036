"""The operators' documented examples with the results their docs state: the main job's CPU check.

Each example builds its inputs, runs the operator on every backend this machine has, and compares with the
expected output the doc gives (never with another run of our own code).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache
from ascdsl.ops.nsa_compress_with_cache import nsa_compress_with_cache

from ascdsl.errors import BackendUnavailableError


@dataclass(frozen=True)
class Example:
    name: str
    run: Callable[[str], bool]  # backend -> whether the result is what the doc says


def _gather_doc_example(backend: str) -> bool:
    """aclnnGatherPaKvCache doc example: every element of key and value becomes the fp16 pattern 0x0001."""
    pattern = np.array([1], dtype=np.uint16).view(np.float16)[0]
    key_cache = np.full((2, 2, 32, 2), pattern, dtype=np.float16)
    value_cache = np.full((2, 2, 32, 4), pattern, dtype=np.float16)
    block_tables = np.ones((4, 6), dtype=np.int32)
    seq_lens = np.full(4, 3, dtype=np.int32)
    seq_offset = np.full(4, 2, dtype=np.int32)
    key = np.zeros((12, 32, 2), dtype=np.float16)
    value = np.zeros((12, 32, 4), dtype=np.float16)
    gather_pa_kv_cache(key_cache, value_cache, block_tables, seq_lens, key, value, seq_offset, "Norm", False, backend=backend)
    return bool(np.all(key.view(np.uint16) == 1) and np.all(value.view(np.uint16) == 1))


def _nsa_doc_example(backend: str) -> bool:
    """aclnnNsaCompressWithCache doc example: batch 0 compresses 32 tokens of ones with weights of one, so
    output_cache row 0 becomes 32.0 (flat 4592..4607 print 32.0, 4608..4623 print 1.0); the rest stays 1.0."""
    input_ = np.ones((16, 128, 24, 192), np.float16)
    weight = np.ones((32, 24), np.float16)
    out = np.ones((512, 24, 192), np.float16)
    nsa_compress_with_cache(input_, weight, np.zeros(4, np.int32), [32, 0, 0, 0], np.zeros((4, 4), np.int32), "TND",
                            32, 16, 1, 128, out, backend=backend)
    flat = out.reshape(-1)
    printed = bool(np.all(flat[4592:4608] == 32.0) and np.all(flat[4608:4624] == 1.0))
    return printed and bool(np.all(out[0] == 32.0) and np.all(out[1:] == 1.0))


EXAMPLES = (
    Example("GatherPaKvCache doc example (Norm, fp16, seq_offset)", _gather_doc_example),
    Example("NsaCompressWithCache doc example (fp16, cbs 32, one batch of 24 heads)", _nsa_doc_example),
)
BACKENDS = ("interp", "emu", "npu")


def check_all(verbose: bool = True) -> bool:
    ok = True
    for ex in EXAMPLES:
        for backend in BACKENDS:
            start = time.perf_counter()
            try:
                good = ex.run(backend)
            except BackendUnavailableError as exc:
                if verbose:
                    print(f"SKIP  {ex.name} [{backend}]: {str(exc).splitlines()[0]}")
                continue
            ok &= good
            if verbose:
                status = "PASS" if good else "FAIL"
                print(f"{status}  {ex.name} [{backend}] {time.perf_counter() - start:.2f}s")
    if verbose:
        print("all examples match their docs" if ok else "some examples do not match their docs")
    return ok
