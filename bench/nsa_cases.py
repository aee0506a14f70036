"""NsaCompressWithCache benchmark cases: the doc example and the issue's grid of shapes (B = 4, N, D, cbs).

Batch lengths follow the kernel UT cases of op_semantics.md 3.6 ({144, 192, 10, 45}: two of the four batches
compress with stride 16), pages of 128 tokens, fp16 data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from cases import Case

GRID_N = (8, 32, 37, 64)
GRID_D = (96, 192, 256)
GRID_CBS = (16, 32, 48, 64)
UT_LENGTHS = (144, 192, 10, 45)


def nsa_reference(a: dict[str, Any]) -> None:
    """Vectorized numpy: gather each compressing batch's tokens, weight and sum them in float32, cast once."""
    cbs, stride, pbs = a["compress_block_size"], a["compress_stride"], a["page_block_size"]
    for b, s in enumerate(a["act_seq_len"].tolist()):
        if s < cbs or (s - cbs) % stride:
            continue
        g = np.arange(s - cbs, s)
        x = a["input"][a["block_table"][b, g // pbs], g % pbs].astype(np.float32)  # [cbs, N, D]
        acc = np.einsum("tnd,tn->nd", x, a["weight"].astype(np.float32), dtype=np.float32)
        a["output_cache"][a["slot_mapping"][b]] = acc.astype(a["output_cache"].dtype)


def nsa_case(label: str, *, b: int, n: int, d: int, cbs: int, lengths: tuple[int, ...], pbs: int = 128, seed: int = 0,
             ones: bool = False, slots: int | None = None, stride: int = 16) -> Case:
    rng = np.random.default_rng(seed)
    pages = max(1, -(-max(lengths) // pbs))
    nb = b * pages
    slots = slots or 2 * b
    fill = (lambda shape: np.ones(shape, np.float16)) if ones else (lambda shape: rng.uniform(-2, 2, shape).astype(np.float16))
    args: dict[str, Any] = {
        "input": fill((nb, pbs, n, d)),
        "weight": fill((cbs, n)),
        "slot_mapping": (np.zeros(b, np.int32) if ones else rng.permutation(slots)[:b].astype(np.int32)),
        "output_cache": fill((slots, n, d)),
        "act_seq_len": np.array(lengths, np.int64),
        "block_table": (np.zeros((b, pages), np.int32) if ones else rng.permutation(nb).reshape(b, pages).astype(np.int32)),
        "layout": "TND",
        "compress_block_size": cbs,
        "compress_stride": stride,
        "act_seq_len_type": 1,
        "page_block_size": pbs,
    }
    k = sum(1 for s in lengths if s >= cbs and (s - cbs) % stride == 0)
    pages_read = k * -(-cbs // pbs)  # a window of at most 64 tokens spans one or two pages
    minimum = k * (cbs * n * d * 2 + cbs * n * 2 + n * d * 2) + 8 * b + 4 * k + 4 * pages_read
    return Case(
        op="nsa_compress_with_cache",
        label=label,
        args=args,
        outputs=("output_cache",),
        reference=nsa_reference,
        min_gm_bytes=minimum,
        min_formula=(
            "per compressing batch: cbs·N·D·2 (its tokens) + cbs·N·2 (weight) + N·D·2 (the slot written); "
            "plus 8·B (act_seq_len), 4 per compressing batch (slot_mapping) and 4 per page looked up"
        ),
        scalar_itemsize=4,
    )


def nsa_doc_case() -> Case:
    """The doc example: fp16 ones, cbs 32, stride 16, N 24, D 192, B 4, pbs 128; only batch 0 compresses."""
    return nsa_case("doc example", b=4, n=24, d=192, cbs=32, lengths=(32, 0, 0, 0), ones=True, slots=512)


def nsa_small_case() -> Case:
    return nsa_case("small", b=4, n=4, d=32, cbs=32, lengths=(32, 48, 10, 40), pbs=64)


def nsa_grid() -> list[Case]:
    return [
        nsa_case(f"B=4 N={n} D={d} cbs={cbs}", b=4, n=n, d=d, cbs=cbs, lengths=UT_LENGTHS, seed=n * d + cbs)
        for n in GRID_N
        for d in GRID_D
        for cbs in GRID_CBS
    ]


def work_items(case: Case) -> int:
    """Work items in the issue's sense: one per compressing batch and head (the kernel's head groups are heads)."""
    a = case.args
    cbs = a["compress_block_size"]
    k = sum(1 for s in a["act_seq_len"].tolist() if s >= cbs and (s - cbs) % a["compress_stride"] == 0)
    return k * a["input"].shape[2]
