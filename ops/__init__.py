"""The operators, written in the ascdsl DSL, each with a Python entry named after its aclnn function."""

from __future__ import annotations

from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache
from ascdsl.ops.nsa_compress_with_cache import nsa_compress_with_cache

__all__ = ["gather_pa_kv_cache", "nsa_compress_with_cache"]
