// DataCopy (32-byte granular) and DataCopyPad (byte granular) between GM and UB, and UB to UB.
//
// Every call checks its UB operand (live, 32-byte aligned, large enough), every GM byte it touches against
// the harness's buffers, and the parameter ranges; UB -> GM copies accumulate while SetAtomicAdd is on.
#pragma once

#include <cstdint>
#include <cstring>
#include <mutex>

#include "copy_params.h"
#include "runtime.h"
#include "tensor.h"
#include "ub.h"

namespace ascendc_emu {

inline uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Copy `count` blocks of `block` bytes; block i starts at src + i * src_pitch and lands at dst + i * dst_pitch.
inline void move_blocks(uint8_t* dst, const uint8_t* src, uint64_t count, uint64_t block, uint64_t dst_pitch, uint64_t src_pitch) {
    for (uint64_t i = 0; i < count; ++i) std::memmove(dst + i * dst_pitch, src + i * src_pitch, block);
}

// UB -> GM blocks: plain stores, or element-wise accumulation while SetAtomicAdd is active.
template <class T>
void store_gm_blocks(CoreState& c, uint8_t* gm, const uint8_t* ub, uint64_t count, uint64_t block, uint64_t gm_pitch, uint64_t ub_pitch,
                     const char* api, const Loc& loc) {
    if (c.atomic_add == nullptr) {
        move_blocks(gm, ub, count, block, gm_pitch, ub_pitch);
        return;
    }
    if (c.atomic_size != sizeof(T) || std::strcmp(c.atomic_type, type_name<T>()) != 0) {
        fail(loc, api, cat("SetAtomicAdd<", c.atomic_type, "> is active but this copy moves ", type_name<T>(),
                           " elements (the accumulation would use the wrong type)"));
    }
    std::lock_guard<std::mutex> lock(launch().atomic_mu);
    for (uint64_t i = 0; i < count; ++i) c.atomic_add(gm + i * gm_pitch, ub + i * ub_pitch, block / sizeof(T));
}

inline void check_copy_params(const AscendC::DataCopyParams& p, const char* api, const Loc& loc) {
    check_range(api, "DataCopyParams.blockCount", p.blockCount.raw, 1, 4095, "", loc);
    check_range(api, "DataCopyParams.blockLen", p.blockLen.raw, 1, 65535, " (32-byte blocks)", loc);
    check_range(api, "DataCopyParams.srcStride", p.srcStride.raw, 0, 65535, " (32-byte blocks)", loc);
    check_range(api, "DataCopyParams.dstStride", p.dstStride.raw, 0, 65535, " (32-byte blocks)", loc);
}

template <class T>
void check_count_bytes(uint32_t count, const char* api, const Loc& loc) {
    uint64_t bytes = uint64_t(count) * sizeof(T);
    if (bytes % 32 != 0) {
        fail(loc, api, cat("count ", count, " x sizeof(", type_name<T>(), ") = ", bytes, " bytes is not a multiple of 32 (the hardware would move only ",
                           bytes / 32 * 32, " bytes); use DataCopyPad for an unaligned length"));
    }
}

// Geometry of one DataCopyPad: `len`-byte blocks, GM pitch in bytes, UB pitch in bytes.
struct PadGeometry {
    uint64_t count, len, gm_pitch, ub_block, ub_pitch;
    uint64_t ub_span() const { return (count - 1) * ub_pitch + ub_block; }
    uint64_t gm_span() const { return (count - 1) * gm_pitch + len; }
};

template <class T>
bool pad_geometry(int64_t count, int64_t len, int64_t gm_stride, int64_t ub_stride, int64_t max_len, uint64_t pad_bytes, const char* api,
                  const Loc& loc, PadGeometry& g) {
    check_range(api, "blockCount", count, 0, 4095, "", loc);
    check_range(api, "blockLen", len, 0, max_len, " bytes", loc);
    check_range(api, "GM stride", gm_stride, 0, INT64_MAX, " bytes", loc);
    check_range(api, "UB stride", ub_stride, 0, INT64_MAX, " (32-byte blocks)", loc);
    if (len % int64_t(sizeof(T)) != 0) fail(loc, api, cat("blockLen ", len, " bytes is not a multiple of sizeof(", type_name<T>(), ") = ", sizeof(T)));
    if (count == 0 || len == 0) return false;  // A2/A3: nothing moves
    g.count = uint64_t(count);
    g.len = uint64_t(len);
    g.gm_pitch = uint64_t(len + gm_stride);
    g.ub_block = align32(uint64_t(len) + pad_bytes);
    g.ub_pitch = g.ub_block + uint64_t(ub_stride) * 32;
    return true;
}

// GM -> UB DataCopyPad body shared by the Ext and the older overloads.
template <class T>
void pad_in(const AscendC::LocalTensor<T>& dst, const AscendC::GlobalTensor<T>& src, int64_t count, int64_t len, int64_t gm_stride, int64_t ub_stride,
            int64_t max_len, bool is_pad, uint8_t left, uint8_t right, T value, const Loc& loc) {
    const char* api = "DataCopyPad (GM->UB)";
    CoreState& c = enter(api, loc);
    if (uint64_t(left) * sizeof(T) > 32 || uint64_t(right) * sizeof(T) > 32) {
        fail(loc, api, cat("leftPadding ", int(left), " / rightPadding ", int(right), " elements of ", type_name<T>(), " exceed 32 bytes"));
    }
    PadGeometry g;
    if (!pad_geometry<T>(count, len, gm_stride, ub_stride, max_len, (uint64_t(left) + right) * sizeof(T), api, loc, g)) return;
    check_ub<T>(dst.v_, ceil_div(g.ub_span(), sizeof(T)), api, "dst", loc);
    gm_check(src.addr_, g.gm_span(), api, "reads", loc);
    uint8_t* ub = dst.v_.ub + dst.v_.addr;
    const uint8_t* gm = reinterpret_cast<const uint8_t*>(src.addr_);
    for (uint64_t i = 0; i < g.count; ++i) {
        uint8_t* block = ub + i * g.ub_pitch;
        std::memcpy(block + left * sizeof(T), gm + i * g.gm_pitch, g.len);
        if (!is_pad) continue;
        T* elems = reinterpret_cast<T*>(block);
        for (unsigned k = 0; k < left; ++k) elems[k] = value;
        T* tail = reinterpret_cast<T*>(block + left * sizeof(T) + g.len);
        for (unsigned k = 0; k < right; ++k) tail[k] = value;
    }
    count_dma(c, g.count * g.len, false);
}

// UB -> GM DataCopyPad body.
template <class T>
void pad_out(const AscendC::GlobalTensor<T>& dst, const AscendC::LocalTensor<T>& src, int64_t count, int64_t len, int64_t ub_stride,
             int64_t gm_stride, int64_t max_len, const Loc& loc) {
    const char* api = "DataCopyPad (UB->GM)";
    CoreState& c = enter(api, loc);
    PadGeometry g;
    if (!pad_geometry<T>(count, len, gm_stride, ub_stride, max_len, 0, api, loc, g)) return;
    check_ub<T>(src.v_, ceil_div((g.count - 1) * g.ub_pitch + g.len, sizeof(T)), api, "src", loc);
    gm_check(dst.addr_, g.gm_span(), api, "writes", loc);
    store_gm_blocks<T>(c, reinterpret_cast<uint8_t*>(dst.addr_), src.v_.ub + src.v_.addr, g.count, g.len, g.gm_pitch, g.ub_pitch, api, loc);
    count_dma(c, g.count * g.len, true);
}

}  // namespace ascendc_emu

namespace AscendC {

template <typename T>
void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const uint32_t count, ASCENDC_EMU_LOC) {
    const char* api = "DataCopy (GM->UB)";
    auto& c = ascendc_emu::enter(api, loc);
    ascendc_emu::check_count_bytes<T>(count, api, loc);
    ascendc_emu::check_ub<T>(dst.v_, count, api, "dst", loc);
    uint64_t bytes = uint64_t(count) * sizeof(T);
    ascendc_emu::gm_check(src.addr_, bytes, api, "reads", loc);
    std::memcpy(dst.v_.ub + dst.v_.addr, src.addr_, bytes);
    ascendc_emu::count_dma(c, bytes, false);
}

template <typename T>
void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const uint32_t count, ASCENDC_EMU_LOC) {
    const char* api = "DataCopy (UB->GM)";
    auto& c = ascendc_emu::enter(api, loc);
    ascendc_emu::check_count_bytes<T>(count, api, loc);
    ascendc_emu::check_ub<T>(src.v_, count, api, "src", loc);
    uint64_t bytes = uint64_t(count) * sizeof(T);
    ascendc_emu::gm_check(dst.addr_, bytes, api, "writes", loc);
    ascendc_emu::store_gm_blocks<T>(c, reinterpret_cast<uint8_t*>(dst.addr_), src.v_.ub + src.v_.addr, 1, bytes, 0, 0, api, loc);
    ascendc_emu::count_dma(c, bytes, true);
}

template <typename T>
void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const uint32_t count, ASCENDC_EMU_LOC) {
    const char* api = "DataCopy (UB->UB)";
    auto& c = ascendc_emu::enter(api, loc);
    ascendc_emu::check_count_bytes<T>(count, api, loc);
    ascendc_emu::check_ub<T>(dst.v_, count, api, "dst", loc);
    ascendc_emu::check_ub<T>(src.v_, count, api, "src", loc);
    std::memmove(dst.v_.ub + dst.v_.addr, src.v_.ub + src.v_.addr, uint64_t(count) * sizeof(T));
    c.counters.ub_copies += 1;
}

template <typename T>
void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& p, ASCENDC_EMU_LOC) {
    const char* api = "DataCopy (GM->UB)";
    auto& c = ascendc_emu::enter(api, loc);
    ascendc_emu::check_copy_params(p, api, loc);
    uint64_t n = p.blockCount.raw, block = uint64_t(p.blockLen.raw) * 32;
    uint64_t gm_pitch = block + uint64_t(p.srcStride.raw) * 32, ub_pitch = block + uint64_t(p.dstStride.raw) * 32;
    ascendc_emu::check_ub<T>(dst.v_, ((n - 1) * ub_pitch + block) / sizeof(T), api, "dst", loc);
    ascendc_emu::gm_check(src.addr_, (n - 1) * gm_pitch + block, api, "reads", loc);
    ascendc_emu::move_blocks(dst.v_.ub + dst.v_.addr, reinterpret_cast<const uint8_t*>(src.addr_), n, block, ub_pitch, gm_pitch);
    ascendc_emu::count_dma(c, n * block, false);
}

template <typename T>
void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p, ASCENDC_EMU_LOC) {
    const char* api = "DataCopy (UB->GM)";
    auto& c = ascendc_emu::enter(api, loc);
    ascendc_emu::check_copy_params(p, api, loc);
    uint64_t n = p.blockCount.raw, block = uint64_t(p.blockLen.raw) * 32;
    uint64_t ub_pitch = block + uint64_t(p.srcStride.raw) * 32, gm_pitch = block + uint64_t(p.dstStride.raw) * 32;
    ascendc_emu::check_ub<T>(src.v_, ((n - 1) * ub_pitch + block) / sizeof(T), api, "src", loc);
    ascendc_emu::gm_check(dst.addr_, (n - 1) * gm_pitch + block, api, "writes", loc);
    ascendc_emu::store_gm_blocks<T>(c, reinterpret_cast<uint8_t*>(dst.addr_), src.v_.ub + src.v_.addr, n, block, gm_pitch, ub_pitch, api, loc);
    ascendc_emu::count_dma(c, n * block, true);
}

template <typename T>
void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p, ASCENDC_EMU_LOC) {
    const char* api = "DataCopy (UB->UB)";
    auto& c = ascendc_emu::enter(api, loc);
    ascendc_emu::check_copy_params(p, api, loc);
    uint64_t n = p.blockCount.raw, block = uint64_t(p.blockLen.raw) * 32;
    uint64_t src_pitch = block + uint64_t(p.srcStride.raw) * 32, dst_pitch = block + uint64_t(p.dstStride.raw) * 32;
    ascendc_emu::check_ub<T>(dst.v_, ((n - 1) * dst_pitch + block) / sizeof(T), api, "dst", loc);
    ascendc_emu::check_ub<T>(src.v_, ((n - 1) * src_pitch + block) / sizeof(T), api, "src", loc);
    ascendc_emu::move_blocks(dst.v_.ub + dst.v_.addr, src.v_.ub + src.v_.addr, n, block, dst_pitch, src_pitch);
    c.counters.ub_copies += 1;
}

template <typename T, PaddingMode mode = PaddingMode::Normal>
void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyExtParams& p, const DataCopyPadExtParams<T>& pad,
                 ASCENDC_EMU_LOC) {
    static_assert(mode == PaddingMode::Normal, "the emulator implements PaddingMode::Normal only");
    ascendc_emu::pad_in<T>(dst, src, p.blockCount.raw, p.blockLen.raw, p.srcStride.raw, p.dstStride.raw, 2097151, pad.isPad, pad.leftPadding,
                           pad.rightPadding, pad.paddingValue, loc);
}

template <typename T, PaddingMode mode = PaddingMode::Normal>
void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyExtParams& p, ASCENDC_EMU_LOC) {
    static_assert(mode == PaddingMode::Normal, "the emulator implements PaddingMode::Normal only");
    ascendc_emu::pad_out<T>(dst, src, p.blockCount.raw, p.blockLen.raw, p.srcStride.raw, p.dstStride.raw, 2097151, loc);
}

// Older overloads: DataCopyParams with blockLen in bytes, DataCopyPadParams with a raw 64-bit pad value.
template <typename T>
void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& p, const DataCopyPadParams& pad, ASCENDC_EMU_LOC) {
    T value;
    std::memcpy(&value, &pad.paddingValue, sizeof(T));
    ascendc_emu::pad_in<T>(dst, src, p.blockCount.raw, p.blockLen.raw, p.srcStride.raw, p.dstStride.raw, 65535, pad.isPad, pad.leftPadding,
                           pad.rightPadding, value, loc);
}

template <typename T>
void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p, ASCENDC_EMU_LOC) {
    ascendc_emu::pad_out<T>(dst, src, p.blockCount.raw, p.blockLen.raw, p.srcStride.raw, p.dstStride.raw, 65535, loc);
}

}  // namespace AscendC
