// Compare / CompareScalar (a bit mask out, one bit per element) and Select (a bit mask in).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime.h"
#include "scalar_types.h"
#include "tensor.h"
#include "ub.h"
#include "vector_ops.h"

namespace ascendc_emu {

template <class T>
double widen(T v) {
    if constexpr (is_half_like<T>) return double(float(v));
    else return double(v);
}

inline bool compare(double a, double b, AscendC::CMPMODE m) {
    switch (m) {
        case AscendC::CMPMODE::LT: return a < b;
        case AscendC::CMPMODE::GT: return a > b;
        case AscendC::CMPMODE::EQ: return a == b;
        case AscendC::CMPMODE::LE: return a <= b;
        case AscendC::CMPMODE::GE: return a >= b;
        default: return a != b;
    }
}

// The count form of Compare works on whole 256-byte repeats only.
template <class T, class U>
void check_compare(const char* api, const AscendC::LocalTensor<U>& dst, uint32_t count, const Loc& loc) {
    static_assert(is_one_of<T, half, float, int32_t>, "Compare: Atlas A2 supports half, float, int32_t sources only");
    uint64_t bytes = uint64_t(count) * sizeof(T);
    if (bytes % 256 != 0) {
        fail(loc, api, cat("count ", count, " x sizeof(", type_name<T>(), ") = ", bytes, " bytes is not a multiple of 256 (the hardware ignores the ",
                           bytes % 256, " bytes after the last full 256-byte repeat)"));
    }
    check_ub<U>(dst.v_, (uint64_t(count) / 8 + sizeof(U) - 1) / sizeof(U), api, "dst", loc);
}

template <class U>
void write_bits(const AscendC::LocalTensor<U>& dst, const std::vector<bool>& bits) {
    uint8_t* out = dst.v_.ub + dst.v_.addr;
    for (size_t i = 0; i < bits.size(); i += 8) {
        uint8_t byte = 0;
        for (size_t k = 0; k < 8 && i + k < bits.size(); ++k) byte |= uint8_t(bits[i + k]) << k;
        out[i / 8] = byte;
    }
}

template <class U>
bool mask_bit(const AscendC::LocalTensor<U>& mask, uint32_t i) {
    return (mask.v_.ub[mask.v_.addr + i / 8] >> (i % 8)) & 1;
}

}  // namespace ascendc_emu

namespace AscendC {

template <typename T, typename U>
void Compare(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1, CMPMODE cmpMode, uint32_t count, ASCENDC_EMU_LOC) {
    auto& c = ascendc_emu::enter("Compare", loc);
    ascendc_emu::check_compare<T, U>("Compare", dst, count, loc);
    ascendc_emu::check_ub<T>(src0.v_, count, "Compare", "src0", loc);
    ascendc_emu::check_ub<T>(src1.v_, count, "Compare", "src1", loc);
    const T* a = ascendc_emu::ub_ptr<T>(src0.v_);
    const T* b = ascendc_emu::ub_ptr<T>(src1.v_);
    std::vector<bool> bits(count);
    for (uint32_t i = 0; i < count; ++i) bits[i] = ascendc_emu::compare(ascendc_emu::widen(a[i]), ascendc_emu::widen(b[i]), cmpMode);
    ascendc_emu::write_bits(dst, bits);
    c.counters.vector_ops += 1;
}

template <typename T, typename U>
void CompareScalar(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const T src1Scalar, CMPMODE cmpMode, uint32_t count, ASCENDC_EMU_LOC) {
    auto& c = ascendc_emu::enter("CompareScalar", loc);
    ascendc_emu::check_compare<T, U>("CompareScalar", dst, count, loc);
    ascendc_emu::check_ub<T>(src0.v_, count, "CompareScalar", "src0", loc);
    const T* a = ascendc_emu::ub_ptr<T>(src0.v_);
    std::vector<bool> bits(count);
    for (uint32_t i = 0; i < count; ++i) bits[i] = ascendc_emu::compare(ascendc_emu::widen(a[i]), ascendc_emu::widen(src1Scalar), cmpMode);
    ascendc_emu::write_bits(dst, bits);
    c.counters.vector_ops += 1;
}

// Mask bit 1 selects src0, bit 0 selects src1.
template <typename T, typename U>
void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0, const LocalTensor<T>& src1, SELMODE selMode,
            uint32_t count, ASCENDC_EMU_LOC) {
    static_assert(ascendc_emu::float_type<T>, "Select: Atlas A2 supports half and float elements only");
    auto& c = ascendc_emu::enter("Select", loc);
    if (selMode != SELMODE::VSEL_TENSOR_TENSOR_MODE) {
        ascendc_emu::fail(loc, "Select", "two source tensors need SELMODE::VSEL_TENSOR_TENSOR_MODE (VSEL_CMPMASK_SPR is not emulated)");
    }
    ascendc_emu::check_ub<T>(dst.v_, count, "Select", "dst", loc);
    ascendc_emu::check_ub<U>(selMask.v_, (uint64_t(count) + 8 * sizeof(U) - 1) / (8 * sizeof(U)), "Select", "selMask", loc);
    ascendc_emu::check_ub<T>(src0.v_, count, "Select", "src0", loc);
    ascendc_emu::check_ub<T>(src1.v_, count, "Select", "src1", loc);
    T* d = ascendc_emu::ub_ptr<T>(dst.v_);
    const T* a = ascendc_emu::ub_ptr<T>(src0.v_);
    const T* b = ascendc_emu::ub_ptr<T>(src1.v_);
    for (uint32_t i = 0; i < count; ++i) d[i] = ascendc_emu::mask_bit(selMask, i) ? a[i] : b[i];
    c.counters.vector_ops += 1;
}

template <typename T, typename U>
void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0, T src1, SELMODE selMode, uint32_t count,
            ASCENDC_EMU_LOC) {
    static_assert(ascendc_emu::float_type<T>, "Select: Atlas A2 supports half and float elements only");
    auto& c = ascendc_emu::enter("Select", loc);
    if (selMode != SELMODE::VSEL_TENSOR_SCALAR_MODE) {
        ascendc_emu::fail(loc, "Select", "a scalar src1 needs SELMODE::VSEL_TENSOR_SCALAR_MODE");
    }
    ascendc_emu::check_ub<T>(dst.v_, count, "Select", "dst", loc);
    ascendc_emu::check_ub<U>(selMask.v_, (uint64_t(count) + 8 * sizeof(U) - 1) / (8 * sizeof(U)), "Select", "selMask", loc);
    ascendc_emu::check_ub<T>(src0.v_, count, "Select", "src0", loc);
    T* d = ascendc_emu::ub_ptr<T>(dst.v_);
    const T* a = ascendc_emu::ub_ptr<T>(src0.v_);
    for (uint32_t i = 0; i < count; ++i) d[i] = ascendc_emu::mask_bit(selMask, i) ? a[i] : src1;
    c.counters.vector_ops += 1;
}

}  // namespace AscendC
