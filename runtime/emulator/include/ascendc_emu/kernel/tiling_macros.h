// Kernel-side macros of a CANN op project: kernel type, tiling struct registration and loading, tiling keys.
#pragma once

#include <cstdint>
#include <type_traits>

#include "enums.h"
#include "runtime.h"
#include "sync.h"

#define KERNEL_TASK_TYPE_DEFAULT(type) ::ascendc_emu::note_kernel_type(type)
#define KERNEL_TASK_TYPE(key, type) ::ascendc_emu::note_kernel_type(type)

// REGISTER_TILING_DEFAULT names the struct that GET_TILING_DATA loads (a type alias in the enclosing scope).
#define REGISTER_TILING_DEFAULT(tiling_struct) using ascendc_emu_default_tiling_t = tiling_struct

#define GET_TILING_DATA(tiling_data, tiling_arg)                                                         \
    ascendc_emu_default_tiling_t tiling_data;                                                            \
    static_assert(std::is_trivially_copyable_v<ascendc_emu_default_tiling_t>, "tiling structs are plain data"); \
    ::ascendc_emu::load_tiling(&tiling_data, sizeof(tiling_data), (tiling_arg), ::ascendc_emu::Loc{__FILE__, __LINE__})

#define GET_TILING_DATA_WITH_STRUCT(tiling_struct, tiling_data, tiling_arg)                 \
    tiling_struct tiling_data;                                                               \
    static_assert(std::is_trivially_copyable_v<tiling_struct>, "tiling structs are plain data"); \
    ::ascendc_emu::load_tiling(&tiling_data, sizeof(tiling_struct), (tiling_arg), ::ascendc_emu::Loc{__FILE__, __LINE__})

#define GET_TILING_DATA_PTR_WITH_STRUCT(tiling_struct, dst_ptr, tiling_arg)                                            \
    tiling_struct* dst_ptr = reinterpret_cast<tiling_struct*>((::ascendc_emu::tiling_region((tiling_arg), sizeof(tiling_struct), \
                                                               "GET_TILING_DATA_PTR_WITH_STRUCT", ::ascendc_emu::Loc{__FILE__, __LINE__}), \
                                                               (tiling_arg)))

#define TILING_KEY_IS(k) (::ascendc_emu::launch().tiling_key == static_cast<uint64_t>(k))

// REGISTER_TILING_FOR_TILINGKEY tells the op compiler which struct a tiling key's data has; the emulator
// loads whatever struct the branch names in GET_TILING_DATA_WITH_STRUCT, so it only checks the struct.
#define REGISTER_TILING_FOR_TILINGKEY(key_expr, tiling_struct) \
    static_assert(std::is_trivially_copyable_v<tiling_struct>, "tiling structs are plain data")
