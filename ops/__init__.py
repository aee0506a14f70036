"""The operators, written in the ascdsl DSL, each with a Python entry named after its aclnn function."""

from __future__ import annotations

from ascdsl.ops.attention_worker_scheduler import inplace_attention_worker_scheduler
from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache
from ascdsl.ops.moe_distribute_buffer_reset import moe_distribute_buffer_reset
from ascdsl.ops.multi_scale_deformable_attn import (
    multi_scale_deformable_attn_func_v2,
    multi_scale_deformable_attn_grad_v2,
)
from ascdsl.ops.nsa_compress_with_cache import nsa_compress_with_cache

__all__ = [
    "gather_pa_kv_cache",
    "inplace_attention_worker_scheduler",
    "moe_distribute_buffer_reset",
    "multi_scale_deformable_attn_func_v2",
    "multi_scale_deformable_attn_grad_v2",
    "nsa_compress_with_cache",
]
