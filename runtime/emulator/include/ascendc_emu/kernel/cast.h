// Cast<T, U>(dst, src, RoundMode, count): the conversions of Atlas A2 and the rounding modes each accepts.
//
// The pairs are those of the dav-c220 implementation; a pair it lacks (float -> int8_t, bfloat16_t -> half,
// ...) has no instruction and fails to compile, a mode a pair does not accept fails at run time. Float to
// integer conversions saturate and turn NaN into 0; float -> float rounds to an integral value. CAST_NONE
// rounds like CAST_RINT where it is accepted.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "../common/fp.h"
#include "runtime.h"
#include "scalar_types.h"
#include "tensor.h"
#include "ub.h"

namespace ascendc_emu {

constexpr unsigned kNone = 1u << 0;
constexpr unsigned kRounding = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5);  // RINT FLOOR CEIL ROUND TRUNC
constexpr unsigned kOdd = 1u << 6;

// Rounding modes accepted for dst T <- src U on Atlas A2; 0 when the pair does not exist.
template <class T, class U>
constexpr unsigned cast_modes() {
    using std::is_same_v;
    if constexpr (is_same_v<U, half>) {
        if constexpr (is_same_v<T, float>) return kNone;
        else if constexpr (is_same_v<T, int32_t> || is_same_v<T, int16_t>) return kRounding;
        else if constexpr (is_same_v<T, int8_t> || is_same_v<T, uint8_t>) return kNone | kRounding;
        else return 0;
    } else if constexpr (is_same_v<U, float>) {
        if constexpr (is_same_v<T, half>) return kNone | kRounding | kOdd;
        else if constexpr (is_same_v<T, float> || is_same_v<T, bfloat16_t> || is_same_v<T, int32_t> || is_same_v<T, int16_t> ||
                           is_same_v<T, int64_t>)
            return kRounding;
        else return 0;
    } else if constexpr (is_same_v<U, bfloat16_t>) {
        if constexpr (is_same_v<T, float>) return kNone;
        else if constexpr (is_same_v<T, int32_t>) return kRounding;
        else return 0;
    } else if constexpr (is_same_v<U, int8_t> || is_same_v<U, uint8_t>) {
        return is_same_v<T, half> ? kNone : 0;
    } else if constexpr (is_same_v<U, int16_t>) {
        if constexpr (is_same_v<T, half>) return kNone | kRounding;
        else if constexpr (is_same_v<T, float>) return kNone;
        else return 0;
    } else if constexpr (is_same_v<U, int32_t>) {
        if constexpr (is_same_v<T, float>) return kNone | kRounding;
        else if constexpr (is_same_v<T, int16_t> || is_same_v<T, int64_t>) return kNone;
        else return 0;
    } else if constexpr (is_same_v<U, int64_t>) {
        if constexpr (is_same_v<T, int32_t>) return kNone;
        else if constexpr (is_same_v<T, float>) return kRounding;
        else return 0;
    } else {
        return 0;
    }
}

inline fp::Mode fp_mode(AscendC::RoundMode m) {
    switch (m) {
        case AscendC::RoundMode::CAST_FLOOR: return fp::Mode::FLOOR;
        case AscendC::RoundMode::CAST_CEIL: return fp::Mode::CEIL;
        case AscendC::RoundMode::CAST_ROUND: return fp::Mode::ROUND;
        case AscendC::RoundMode::CAST_TRUNC: return fp::Mode::TRUNC;
        case AscendC::RoundMode::CAST_ODD: return fp::Mode::ODD;
        default: return fp::Mode::RINT;
    }
}

template <class T>
constexpr fp::Format format_of() {
    if constexpr (std::is_same_v<T, half>) return fp::kHalf;
    else if constexpr (std::is_same_v<T, bfloat16_t>) return fp::kBf16;
    else return fp::kFloat;
}

template <class T>
T float_from_bits(uint64_t bits) {
    if constexpr (std::is_same_v<T, float>) return fp::bits_to_float(uint32_t(bits));
    else return T::from_bits(uint16_t(bits));
}

inline double round_integral(double x, fp::Mode m) {
    switch (m) {
        case fp::Mode::FLOOR: return std::floor(x);
        case fp::Mode::CEIL: return std::ceil(x);
        case fp::Mode::ROUND: return std::round(x);
        case fp::Mode::TRUNC: return std::trunc(x);
        default: return std::nearbyint(x);  // the default environment rounds half to even
    }
}

template <class T>
T saturate(double x) {
    if (std::isnan(x)) return T(0);
    if (x <= double(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
    if (x >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return T(x);
}

// One element, dst T <- src U.
template <class T, class U>
T convert(U v, fp::Mode m) {
    if constexpr (std::is_same_v<T, float> && std::is_same_v<U, float>) {
        return float(round_integral(double(v), m));  // float -> float rounds to an integral value
    } else if constexpr (is_floating<T> && is_floating<U>) {
        return float_from_bits<T>(fp::from_double(double(float(v)), format_of<T>(), m));
    } else if constexpr (is_floating<T>) {
        if constexpr (std::is_signed_v<U>) return float_from_bits<T>(fp::from_int(int64_t(v), format_of<T>(), m));
        else return float_from_bits<T>(fp::from_uint(uint64_t(v), format_of<T>(), m));
    } else if constexpr (is_floating<U>) {
        return saturate<T>(round_integral(double(float(v)), m));
    } else {
        // Integer narrowing saturates like the float conversions.
        if constexpr (std::is_signed_v<U>) {
            int64_t x = int64_t(v);
            if (x < int64_t(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
            if (x > int64_t(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
            return T(x);
        } else {
            return uint64_t(v) > uint64_t(std::numeric_limits<T>::max()) ? std::numeric_limits<T>::max() : T(v);
        }
    }
}

}  // namespace ascendc_emu

namespace AscendC {

template <typename T, typename U>
void Cast(const LocalTensor<T>& dst, const LocalTensor<U>& src, const RoundMode& roundMode, const uint32_t count, ASCENDC_EMU_LOC) {
    static_assert(!(std::is_same_v<T, int8_t> && std::is_same_v<U, float>),
                  "Cast float -> int8_t does not exist on Atlas A2: cast float -> half, then half -> int8_t");
    static_assert(!(std::is_same_v<T, half> && std::is_same_v<U, bfloat16_t>),
                  "Cast bfloat16_t -> half does not exist on Atlas A2: cast bfloat16_t -> float, then float -> half");
    static_assert(!(std::is_same_v<T, half> && std::is_same_v<U, int32_t>),
                  "Cast int32_t -> half needs SetDeqScale, which the emulator does not implement");
    static_assert(ascendc_emu::cast_modes<T, U>() != 0 || (std::is_same_v<T, int8_t> && std::is_same_v<U, float>) ||
                      (std::is_same_v<T, half> && std::is_same_v<U, bfloat16_t>) || (std::is_same_v<T, half> && std::is_same_v<U, int32_t>),
                  "Cast: Atlas A2 has no conversion for this dst/src pair");
    const char* api = "Cast";
    auto& c = ascendc_emu::enter(api, loc);
    constexpr unsigned modes = ascendc_emu::cast_modes<T, U>();
    const int m = int(roundMode);
    if (m < 0 || m > 6 || !(modes & (1u << m))) {
        std::string ok;
        for (int k = 0; k <= 6; ++k)
            if (modes & (1u << k)) ok += ascendc_emu::cat(ok.empty() ? "" : ", ", ascendc_emu::round_name(RoundMode(k)));
        ascendc_emu::fail(loc, api, ascendc_emu::cat(ascendc_emu::type_name<U>(), " -> ", ascendc_emu::type_name<T>(), " with ", ascendc_emu::round_name(roundMode),
                                                   " is not supported on Atlas A2 (supported: ", ok, ")"));
    }
    ascendc_emu::check_ub<T>(dst.v_, count, api, "dst", loc);
    ascendc_emu::check_ub<U>(src.v_, count, api, "src", loc);
    // Read everything first: dst may overlap src (an in-place cast between types of one width).
    std::vector<U> in(ascendc_emu::ub_ptr<U>(src.v_), ascendc_emu::ub_ptr<U>(src.v_) + count);
    T* out = ascendc_emu::ub_ptr<T>(dst.v_);
    const ascendc_emu::fp::Mode mode = ascendc_emu::fp_mode(roundMode);
    for (uint32_t i = 0; i < count; ++i) out[i] = ascendc_emu::convert<T, U>(in[i], mode);
    c.counters.vector_ops += 1;
}

// Scalar conversion of one value.
template <typename T, typename U, RoundMode roundMode>
U Cast(T srcValue) {
    return ascendc_emu::convert<U, T>(srcValue, ascendc_emu::fp_mode(roundMode));
}

}  // namespace AscendC
