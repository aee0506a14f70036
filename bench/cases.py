"""The benchmark cases: realistic inputs per operator, the numpy baseline that runs them, and the GM minimum.

`full` cases are the issue's shapes (vadd 2**20 fp32; GatherPaKvCache on its documentation shape); `quick`
cases are small ones of the same structure, for the smoke test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy_refs


@dataclass
class Case:
    op: str
    label: str
    args: dict[str, Any]  # kernel parameter -> array or attribute; the pristine inputs
    outputs: tuple[str, ...]  # the out / inout arrays
    reference: Callable[[dict[str, Any]], None]  # the numpy baseline, updating args' outputs in place
    min_gm_bytes: int  # what any implementation must move between GM and the cores
    min_formula: str
    scalar_itemsize: int  # element size of the scalar GM reads the kernel may do (index tensors)

    def fresh_args(self) -> dict[str, Any]:
        """The inputs, with the outputs copied so that a run does not touch the pristine case."""
        return {k: (v.copy() if k in self.outputs else v) for k, v in self.args.items()}

    def expected(self) -> dict[str, np.ndarray]:
        args = self.fresh_args()
        self.reference(args)
        return {k: args[k] for k in self.outputs}


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a.view(np.uint8), b.view(np.uint8)))


def random_bits(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    dt = np.dtype(dtype)
    n = int(np.prod(shape)) * dt.itemsize
    return np.frombuffer(rng.bytes(n), np.uint8).view(dt).reshape(shape).copy()


def vadd_case(n: int, *, seed: int = 0) -> Case:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n, dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    z = np.zeros(n, np.float32)
    item = x.dtype.itemsize
    log2 = n.bit_length() - 1
    label = f"2^{log2} f32" if n == 1 << log2 else f"{n} f32"
    return Case(
        op="vadd",
        label=label,
        args={"x": x, "y": y, "z": z},
        outputs=("z",),
        reference=lambda a: numpy_refs.vadd(a["x"], a["y"], a["z"]),
        min_gm_bytes=3 * n * item,
        min_formula="3·N·sizeof(T): read x and y, write z",
        scalar_itemsize=item,
    )


def _lengths(rng: np.random.Generator, batch: int, tokens: int, cap: int, first_min: int) -> np.ndarray:
    """Random per-batch lengths summing to `tokens`, each in [1, cap], the first above `first_min`."""
    for _ in range(10_000):
        w = rng.dirichlet(np.ones(batch))
        lengths = np.maximum(1, np.floor(w * tokens).astype(np.int64))
        lengths[rng.integers(batch)] += tokens - int(lengths.sum())
        if lengths.min() >= 1 and lengths.max() <= cap and lengths[0] > first_min:
            return lengths
    raise ValueError(f"cannot split {tokens} tokens into {batch} sequences of at most {cap}")


def gather_case(
    *,
    label: str,
    num_blocks: int,
    block_size: int,
    heads: int,
    head_k: int,
    head_v: int,
    batch: int,
    width: int,
    tokens: int,
    seed: int = 0,
) -> Case:
    """GatherPaKvCache, Norm layout, fp16 data and int32 indices, with seq_offset.

    Every sequence's offset has a remainder (ignored by the operator); sequence 0's last block falls one column
    past the block table, so it is zero-filled; the others stay inside the table.
    """
    rng = np.random.default_rng(seed)
    lengths = _lengths(rng, batch, tokens, (width - 1) * block_size, block_size)
    offsets = []
    for b, n in enumerate(lengths):
        blocks = -(-int(n) // block_size)
        shift = width - blocks + 1 if b == 0 else int(rng.integers(0, width - blocks + 1))
        offsets.append(shift * block_size + int(rng.integers(1, block_size)) if block_size > 1 else shift)
    args: dict[str, Any] = {
        "key_cache": random_bits(rng, (num_blocks, block_size, heads, head_k), np.float16),
        "value_cache": random_bits(rng, (num_blocks, block_size, heads, head_v), np.float16),
        "block_tables": rng.integers(0, num_blocks, size=(batch, width)).astype(np.int32),
        "seq_lens": lengths.astype(np.int32),
        "key": random_bits(rng, (tokens, heads, head_k), np.float16),
        "value": random_bits(rng, (tokens, heads, head_v), np.float16),
        "seq_offset": np.array(offsets, np.int32),
        "cache_mode": "Norm",
        "is_seq_lens_cumsum": False,
    }
    m = numpy_refs.gather_row_map(
        num_blocks, block_size, tokens, args["block_tables"], args["seq_lens"], args["seq_offset"], False
    )
    row_bytes = heads * (head_k + head_v) * 2
    copied = int((m.src >= 0).sum())
    zeroed = int((m.src < 0).sum())
    index_bytes = 4 * (len(args["seq_lens"]) + len(args["seq_offset"]) + m.table_reads)
    return Case(
        op="gather_pa_kv_cache",
        label=label,
        args=args,
        outputs=("key", "value"),
        reference=lambda a: numpy_refs.gather_pa_kv_cache_norm(
            a["key_cache"],
            a["value_cache"],
            a["block_tables"],
            a["seq_lens"],
            a["key"],
            a["value"],
            a["seq_offset"],
            a["is_seq_lens_cumsum"],
        ),
        min_gm_bytes=2 * copied * row_bytes + zeroed * row_bytes + index_bytes,
        min_formula=(
            "Σ over written rows: 2·(Hk+Hv) if copied (read+write), (Hk+Hv) if zero-filled (write only); "
            "Hk = NH·DK·sizeof(T), Hv = NH·DV·sizeof(T); plus sizeof(I)·(L + B + block-table entries used)"
        ),
        scalar_itemsize=4,
    )


def gather_doc_case() -> Case:
    """The documentation shape: caches [128,128,16,144] and [128,128,16,128], block_tables [16,12], 8,931 tokens."""
    return gather_case(
        label="doc shape",
        num_blocks=128,
        block_size=128,
        heads=16,
        head_k=144,
        head_v=128,
        batch=16,
        width=12,
        tokens=8931,
    )


def gather_small_case() -> Case:
    return gather_case(
        label="small", num_blocks=16, block_size=16, heads=2, head_k=48, head_v=32, batch=4, width=6, tokens=150
    )


def gather_nz_case(
    *, label: str, key_cache: tuple, value_cache: tuple, batch: int, width: int, tokens: int, seed: int = 1
) -> Case:
    """GatherPaKvCache, PA_NZ layout, int8 (as the doc's tiling case): caches [blocks, H/32, block_size, 32]."""
    rng = np.random.default_rng(seed)
    nb, units_k, bs, a = key_cache
    units_v = value_cache[1]
    # near-equal lengths with random pairwise moves, each within what the table can address
    lengths = np.full(batch, tokens // batch, np.int64)
    lengths[: tokens % batch] += 1
    for _ in range(4 * batch):
        i, j = rng.integers(batch, size=2)
        d = int(rng.integers(0, bs))
        if lengths[i] + d <= width * bs and lengths[j] - d >= 1:
            lengths[i] += d
            lengths[j] -= d
    args: dict[str, Any] = {
        "key_cache": random_bits(rng, key_cache, np.int8),
        "value_cache": random_bits(rng, value_cache, np.int8),
        "block_tables": rng.integers(0, nb, size=(batch, width)).astype(np.int32),
        "seq_lens": lengths.astype(np.int32),
        "key": np.zeros((tokens, units_k * a), np.int8),
        "value": np.zeros((tokens, units_v * a), np.int8),
        "seq_offset": None,
        "cache_mode": "PA_NZ",
        "is_seq_lens_cumsum": False,
    }

    def norm_view(c: np.ndarray) -> np.ndarray:  # the doc's rule: C = cache.transpose(0, 2, 1, 3).reshape(nb, bs, H)
        return np.ascontiguousarray(c.transpose(0, 2, 1, 3).reshape(c.shape[0], c.shape[2], 1, c.shape[1] * c.shape[3]))

    def reference(x: dict[str, Any]) -> None:
        t = x["key"].shape[0]
        k3, v3 = x["key"].reshape(t, 1, -1), x["value"].reshape(t, 1, -1)
        numpy_refs.gather_pa_kv_cache_norm(
            norm_view(x["key_cache"]),
            norm_view(x["value_cache"]),
            x["block_tables"],
            x["seq_lens"],
            k3,
            v3,
            None,
            False,
        )

    m = numpy_refs.gather_row_map(nb, bs, tokens, args["block_tables"], args["seq_lens"], None, False)
    row_bytes = (units_k + units_v) * a
    copied, zeroed = int((m.src >= 0).sum()), int((m.src < 0).sum())
    return Case(
        op="gather_pa_kv_cache_nz",
        label=label,
        args=args,
        outputs=("key", "value"),
        reference=reference,
        min_gm_bytes=2 * copied * row_bytes + zeroed * row_bytes + 4 * (len(lengths) + m.table_reads),
        min_formula="as Norm, with Hk = key.shape[1], Hv = value.shape[1] bytes (int8)",
        scalar_itemsize=4,
    )


def gather_nz_doc_case() -> Case:
    """The doc's PA_NZ tiling case: int8 caches [30,101,128,32] and [30,127,128,32], block_tables [36,8], 18,933 tokens."""
    return gather_nz_case(
        label="doc shape (PA_NZ int8)",
        key_cache=(30, 101, 128, 32),
        value_cache=(30, 127, 128, 32),
        batch=36,
        width=8,
        tokens=18933,
    )


def gather_nz_small_case() -> Case:
    return gather_nz_case(
        label="small (PA_NZ int8)", key_cache=(6, 3, 16, 32), value_cache=(6, 4, 16, 32), batch=3, width=4, tokens=100
    )


def cases(quick: bool) -> list[Case]:
    from nsa_cases import nsa_doc_case, nsa_small_case

    if quick:
        return [vadd_case(1 << 14), gather_small_case(), gather_nz_small_case(), nsa_small_case()]
    return [vadd_case(1 << 20), gather_doc_case(), gather_nz_doc_case(), nsa_doc_case()]


# Later operators' cases, listed so that the tables show them; they have no kernel yet: (op, case, shape).
# (MultiScaleDeformableAttn has its own run on the Deformable-DETR encoder shape: msda_bench.py.)
PENDING: list[tuple[str, str, str]] = []
