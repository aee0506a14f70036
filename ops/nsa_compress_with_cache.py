"""NsaCompressWithCache: compress the last compress_block_size tokens of each batch that reaches a compression
point into one cache slot (aclnnNsaCompressWithCache, Native Sparse Attention decode).

Semantics: ../shared/reference/op_semantics.md section 3 (3.2, and the "Project decision" of 3.4): for each batch
b with s = act_seq_len[b] >= cbs and (s - cbs) % stride == 0, the tokens s-cbs .. s-1 (found through
block_table and page_block_size) are weighted per (token, head) by `weight`, summed in float32 and written,
rounded half to even, to output_cache[slot_mapping[b]]; other rows are untouched.

Work split: the (compressing batch, head) items form a nested parallel loop, which the compiler flattens and
deals to the cores, so one compressing batch of 24 heads keeps 24 cores busy; each core's head accumulator
is a float32 tile the compiler keeps in the UB across the token loop and strip-mines to the UB budget.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ascdsl.runtime import run

from ascdsl import (
    Attr,
    InOut,
    Tensor,
    bf16,
    cast,
    f16,
    f32,
    i32,
    i64,
    kernel,
    load,
    parallel,
    require,
    store,
    zeros,
)
from ascdsl.errors import AclnnError

LAYOUTS = ("BSH", "SBH", "BSND", "BNSD", "TND")
ERR_INNER_TILING = 561002


@kernel(op_type="NsaCompressWithCache")
def nsa_compress_with_cache_kernel(
    input: Tensor[T, NB, PBS, N, D],
    weight: Tensor[T, CBS, NW],
    slot_mapping: Tensor[i32, B],
    output_cache: InOut[Tensor[T, S, NO, DO]],
    act_seq_len: Tensor[i64, BL],
    block_table: Tensor[i32, BT, PAGES],
    layout: Attr[str],
    compress_block_size: Attr[int],
    compress_stride: Attr[int],
    act_seq_len_type: Attr[int],
    page_block_size: Attr[int],
):
    require(T in (f16, bf16), code=161002, msg="input, weight and output_cache must be FLOAT16 or BFLOAT16")
    require(NB > 0 and PBS > 0 and N > 0 and D > 0, code=161002, msg="input must not be empty")
    require(CBS > 0 and NW > 0, code=161002, msg="weight must not be empty")
    require(S > 0 and NO > 0 and DO > 0, code=161002, msg="output_cache must not be empty")
    require(NW == N, code=561002, msg="weight.shape[1] must equal the head count N = input.shape[2]")
    require(
        compress_block_size > 0 and compress_block_size % 16 == 0,
        code=561002,
        msg="compress_block_size must be a positive multiple of 16",
    )
    require(compress_stride > 0 and compress_stride % 16 == 0, code=561002, msg="compress_stride must be a positive multiple of 16")
    require(compress_block_size >= compress_stride, code=561002, msg="compress_block_size must be at least compress_stride")
    require(compress_block_size <= 64, code=561002, msg="compress_block_size must be at most 64")
    require(act_seq_len_type == 1, code=561002, msg="act_seq_len_type must be 1 (per-batch lengths)")
    require(layout in ("BSH", "SBH", "BSND", "BNSD", "TND"), code=561002, msg="layout must be one of BSH, SBH, BSND, BNSD, TND")
    require(page_block_size == 64 or page_block_size == 128, code=561002, msg="page_block_size must be 64 or 128")
    require(D % 16 == 0, code=561002, msg="the head dim D = input.shape[3] must be a multiple of 16")
    require(D <= 256, code=561002, msg="the head dim D = input.shape[3] must be at most 256")
    require(N <= 64, code=561002, msg="the head count N = input.shape[2] must be at most 64")
    require(N <= 50 or N % 2 == 0, code=561002, msg="the head count N = input.shape[2] must be even when above 50")
    require(compress_block_size == CBS, code=561002, msg="weight.shape[0] must equal compress_block_size")
    require(page_block_size == PBS, code=561002, msg="input.shape[1] must equal page_block_size")
    require(NO == N and DO == D, code=561002, msg="output_cache.shape[1:] must equal (N, D) of input")
    require(BL == B and BT == B, code=561002, msg="act_seq_len, slot_mapping and block_table must have one entry per batch")
    require(B <= 2048, code=561002, msg="at most 2048 batches")

    for b in parallel(B):
        s = act_seq_len[b]
        heads = 0
        if s >= CBS and (s - CBS) % compress_stride == 0:
            heads = N  # this batch compresses: one work item per head
        for h in parallel(heads):
            acc = zeros([D], f32)
            for t in range(CBS):
                g = s - CBS + t
                page = block_table[b, g // PBS]
                acc += cast(load(input[page, g % PBS, h]), f32) * weight[t, h]  # fp16/bf16 products are exact in fp32
            store(output_cache[slot_mapping[b], h], cast(acc, T, round="rint"))


def _host_lengths(act_seq_len: Any) -> np.ndarray | None:
    """The aclIntArray as the int64 tensor the kernel reads (None stays None: a null argument)."""
    if act_seq_len is None:
        return None
    try:
        lengths = np.asarray(act_seq_len)
    except (TypeError, ValueError):
        raise AclnnError(161002, "act_seq_len must be a list of integers") from None
    if lengths.ndim != 1 or not (lengths.size == 0 or np.issubdtype(lengths.dtype, np.integer)):
        raise AclnnError(161002, "act_seq_len must be a 1-D list of integers")
    return lengths.astype(np.int64)


def _check_lengths(lengths: np.ndarray | None, block_table: Any, page_block_size: Any) -> None:
    """Host data, checked on the host: a batch's length must fit the pages its block-table row lists."""
    if lengths is None or not isinstance(block_table, np.ndarray) or block_table.ndim != 2 or not isinstance(page_block_size, int):
        return  # the kernel's own checks report these
    capacity = block_table.shape[1] * page_block_size
    over = np.nonzero(lengths > capacity)[0]
    if over.size:
        b = int(over[0])
        raise AclnnError(
            ERR_INNER_TILING,
            f"act_seq_len[{b}] = {int(lengths[b])} exceeds the {capacity} tokens block_table's pages hold "
            f"(block_table.shape[1] * page_block_size)",
        )
    if (lengths < 0).any():
        raise AclnnError(ERR_INNER_TILING, "act_seq_len values must not be negative")


def nsa_compress_with_cache(
    input: np.ndarray | None,
    weight: np.ndarray | None,
    slot_mapping: np.ndarray | None,
    act_seq_len: list[int] | None,
    block_table: np.ndarray | None,
    layout: str | None,
    compress_block_size: int,
    compress_stride: int,
    act_seq_len_type: int,
    page_block_size: int,
    output_cache: np.ndarray | None,
    *,
    backend: str = "interp",
) -> np.ndarray:
    """aclnnNsaCompressWithCache: updates `output_cache` in place and returns it.

    `act_seq_len` is the host int array (aclIntArray); a null `layout` is accepted, a given one is compared
    without regard to case. Raises `AclnnError` (161001 null, 161002 invalid tensor, 561002 invalid attribute
    or shape relation) before writing anything.
    """
    lengths = _host_lengths(act_seq_len)
    # aclnn makes input and weight contiguous (Contiguous()) before the kernel; output_cache must already be.
    input, weight = (np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a for a in (input, weight))
    args: dict[str, Any] = {
        "input": input,
        "weight": weight,
        "slot_mapping": slot_mapping,
        "output_cache": output_cache,
        "act_seq_len": lengths,
        "block_table": block_table,
        "layout": "TND" if layout is None else (layout.upper() if isinstance(layout, str) else layout),
        "compress_block_size": compress_block_size,
        "compress_stride": compress_stride,
        "act_seq_len_type": act_seq_len_type,
        "page_block_size": page_block_size,
    }
    if all(v is not None for v in (input, weight, slot_mapping, output_cache, lengths, block_table)):
        _check_lengths(lengths, block_table, page_block_size)
    run(nsa_compress_with_cache_kernel, args, backend=backend)
    return output_cache  # type: ignore[return-value]


def example_calls(k: object, rng: np.random.Generator, count: int = 3) -> list[dict[str, Any]]:
    """Small valid calls (compressing and non-compressing batches, both dtypes) for the main job's check."""
    calls = []
    for i in range(count):
        dtype = (np.float16, "bfloat16", np.float16)[i % 3]
        np_dtype = _np_dtype(dtype)
        cbs, stride, pbs = (16, 16, 64) if i % 2 == 0 else (32, 16, 128)
        n, d, b, pages = 2 + i, 16 * (1 + i), 3, 2
        nb = b * pages
        lengths = np.array([cbs, cbs + stride, cbs + 1][:b], np.int64)
        calls.append(
            {
                "input": rng.standard_normal((nb, pbs, n, d)).astype(np_dtype),
                "weight": rng.standard_normal((cbs, n)).astype(np_dtype),
                "slot_mapping": rng.permutation(2 * b)[:b].astype(np.int32),
                "output_cache": rng.standard_normal((2 * b, n, d)).astype(np_dtype),
                "act_seq_len": lengths,
                "block_table": rng.permutation(nb).reshape(b, pages).astype(np.int32),
                "layout": "TND",
                "compress_block_size": cbs,
                "compress_stride": stride,
                "act_seq_len_type": 1,
                "page_block_size": pbs,
            }
        )
    return calls


def _np_dtype(name: Any) -> Any:
    if name == "bfloat16":
        import ml_dtypes

        return ml_dtypes.bfloat16
    return name
