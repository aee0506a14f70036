// `half` and `bfloat16_t`: builtin types of the bisheng compiler, here 16-bit classes.
//
// They convert implicitly from and to the arithmetic types; arithmetic happens in float (one conversion
// operator keeps overload resolution unambiguous) and rounds back with round-half-to-even on assignment.
#pragma once

#include <cstdint>
#include <type_traits>

#include "../common/fp.h"

class bfloat16_t;

class half {
public:
    half() = default;
    half(float v) : bits_(uint16_t(ascendc_emu::fp::from_double(v, ascendc_emu::fp::kHalf, ascendc_emu::fp::Mode::RINT))) {}
    half(double v) : bits_(uint16_t(ascendc_emu::fp::from_double(v, ascendc_emu::fp::kHalf, ascendc_emu::fp::Mode::RINT))) {}
    template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
    half(I v) : bits_(uint16_t(std::is_signed_v<I> ? ascendc_emu::fp::from_int(int64_t(v), ascendc_emu::fp::kHalf, ascendc_emu::fp::Mode::RINT)
                                                    : ascendc_emu::fp::from_uint(uint64_t(v), ascendc_emu::fp::kHalf, ascendc_emu::fp::Mode::RINT))) {}
    inline half(bfloat16_t v);

    operator float() const { return float(ascendc_emu::fp::to_double(bits_, ascendc_emu::fp::kHalf)); }

    half& operator+=(float v) { return *this = half(float(*this) + v); }
    half& operator-=(float v) { return *this = half(float(*this) - v); }
    half& operator*=(float v) { return *this = half(float(*this) * v); }
    half& operator/=(float v) { return *this = half(float(*this) / v); }

    static half from_bits(uint16_t b) {
        half h;
        h.bits_ = b;
        return h;
    }
    uint16_t bits() const { return bits_; }

private:
    uint16_t bits_;
};

class bfloat16_t {
public:
    bfloat16_t() = default;
    bfloat16_t(float v) : bits_(uint16_t(ascendc_emu::fp::from_double(v, ascendc_emu::fp::kBf16, ascendc_emu::fp::Mode::RINT))) {}
    bfloat16_t(double v) : bits_(uint16_t(ascendc_emu::fp::from_double(v, ascendc_emu::fp::kBf16, ascendc_emu::fp::Mode::RINT))) {}
    template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
    bfloat16_t(I v) : bits_(uint16_t(std::is_signed_v<I> ? ascendc_emu::fp::from_int(int64_t(v), ascendc_emu::fp::kBf16, ascendc_emu::fp::Mode::RINT)
                                                          : ascendc_emu::fp::from_uint(uint64_t(v), ascendc_emu::fp::kBf16, ascendc_emu::fp::Mode::RINT))) {}
    bfloat16_t(half v) : bfloat16_t(float(v)) {}

    operator float() const { return ascendc_emu::fp::bits_to_float(uint32_t(bits_) << 16); }

    bfloat16_t& operator+=(float v) { return *this = bfloat16_t(float(*this) + v); }
    bfloat16_t& operator-=(float v) { return *this = bfloat16_t(float(*this) - v); }
    bfloat16_t& operator*=(float v) { return *this = bfloat16_t(float(*this) * v); }
    bfloat16_t& operator/=(float v) { return *this = bfloat16_t(float(*this) / v); }

    static bfloat16_t from_bits(uint16_t b) {
        bfloat16_t h;
        h.bits_ = b;
        return h;
    }
    uint16_t bits() const { return bits_; }

private:
    uint16_t bits_;
};

inline half::half(bfloat16_t v) : half(float(v)) {}

static_assert(sizeof(half) == 2 && std::is_trivially_copyable_v<half>, "half must be a 16-bit trivially copyable type");
static_assert(sizeof(bfloat16_t) == 2 && std::is_trivially_copyable_v<bfloat16_t>, "bfloat16_t must be 16 bits");

namespace ascendc_emu {

// True for the 16-bit float classes, which compute through float.
template <class T>
constexpr bool is_half_like = std::is_same_v<T, half> || std::is_same_v<T, bfloat16_t>;

template <class T>
constexpr bool is_floating = std::is_floating_point_v<T> || is_half_like<T>;

template <class T>
const char* type_name() {
    if constexpr (std::is_same_v<T, half>) return "half";
    else if constexpr (std::is_same_v<T, bfloat16_t>) return "bfloat16_t";
    else if constexpr (std::is_same_v<T, float>) return "float";
    else if constexpr (std::is_same_v<T, double>) return "double";
    else if constexpr (std::is_same_v<T, bool>) return "bool";
    else if constexpr (std::is_same_v<T, int8_t>) return "int8_t";
    else if constexpr (std::is_same_v<T, uint8_t>) return "uint8_t";
    else if constexpr (std::is_same_v<T, int16_t>) return "int16_t";
    else if constexpr (std::is_same_v<T, uint16_t>) return "uint16_t";
    else if constexpr (std::is_same_v<T, int32_t>) return "int32_t";
    else if constexpr (std::is_same_v<T, uint32_t>) return "uint32_t";
    else if constexpr (std::is_same_v<T, int64_t>) return "int64_t";
    else if constexpr (std::is_same_v<T, uint64_t>) return "uint64_t";
    else return "T";
}

template <class T, class... Us>
constexpr bool is_one_of = (std::is_same_v<T, Us> || ...);

}  // namespace ascendc_emu
