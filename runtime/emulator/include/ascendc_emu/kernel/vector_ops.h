// Count-form vector instructions: binary, tensor-scalar, unary, Duplicate, Axpy.
//
// 16-bit floats compute in float and round once to the element type (float's 24 bits make add, sub, mul,
// div and sqrt correctly rounded); integers compute in 64 bits and wrap to the element type.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "runtime.h"
#include "scalar_types.h"
#include "tensor.h"
#include "ub.h"

namespace ascendc_emu {

template <class T>
using calc_t = std::conditional_t<is_floating<T>, float, std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

inline void check_count(int64_t count, const char* api, const Loc& loc) {
    if (count < 0) fail(loc, api, cat("count ", count, " is negative"));
}

template <class T, class F>
void map1(const char* api, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src, int32_t count, const Loc& loc, F f) {
    CoreState& c = enter(api, loc);
    check_count(count, api, loc);
    check_ub<T>(dst.v_, uint32_t(count), api, "dst", loc);
    check_ub<T>(src.v_, uint32_t(count), api, "src", loc);
    T* d = ub_ptr<T>(dst.v_);
    const T* s = ub_ptr<T>(src.v_);
    for (int32_t i = 0; i < count; ++i) d[i] = static_cast<T>(f(static_cast<calc_t<T>>(s[i])));
    c.counters.vector_ops += 1;
}

template <class T, class F>
void map2(const char* api, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src0, const AscendC::LocalTensor<T>& src1, int32_t count,
          const Loc& loc, F f) {
    CoreState& c = enter(api, loc);
    check_count(count, api, loc);
    check_ub<T>(dst.v_, uint32_t(count), api, "dst", loc);
    check_ub<T>(src0.v_, uint32_t(count), api, "src0", loc);
    check_ub<T>(src1.v_, uint32_t(count), api, "src1", loc);
    T* d = ub_ptr<T>(dst.v_);
    const T* a = ub_ptr<T>(src0.v_);
    const T* b = ub_ptr<T>(src1.v_);
    for (int32_t i = 0; i < count; ++i) d[i] = static_cast<T>(f(static_cast<calc_t<T>>(a[i]), static_cast<calc_t<T>>(b[i])));
    c.counters.vector_ops += 1;
}

template <class T>
constexpr bool arith_type = is_one_of<T, half, float, int16_t, int32_t>;
template <class T>
constexpr bool float_type = is_one_of<T, half, float>;
template <class T>
constexpr bool bit_type = is_one_of<T, int16_t, uint16_t>;

}  // namespace ascendc_emu

#define ASCENDC_EMU_BINARY(NAME, OK, TYPES, EXPR)                                                                                 \
    template <typename T>                                                                                                        \
    void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1, const int32_t& count, ASCENDC_EMU_LOC) { \
        static_assert(ascendc_emu::OK<T>, #NAME ": Atlas A2 supports " TYPES " elements only");                                   \
        ascendc_emu::map2<T>(#NAME, dst, src0, src1, count, loc, [](auto a, auto b) { return EXPR; });                          \
    }

#define ASCENDC_EMU_SCALAR(NAME, EXPR)                                                                                           \
    template <typename T, bool isSetMask = true>                                                                                 \
    void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src, const T& scalarValue, const int32_t& count, ASCENDC_EMU_LOC) { \
        static_assert(ascendc_emu::arith_type<T>, #NAME ": Atlas A2 supports half, float, int16_t, int32_t elements only");       \
        const ascendc_emu::calc_t<T> b = static_cast<ascendc_emu::calc_t<T>>(scalarValue);                                       \
        ascendc_emu::map1<T>(#NAME, dst, src, count, loc, [b](auto a) { return EXPR; });                                         \
    }

#define ASCENDC_EMU_UNARY(NAME, OK, TYPES, EXPR)                                                                     \
    template <typename T>                                                                                           \
    void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t& count, ASCENDC_EMU_LOC) {        \
        static_assert(ascendc_emu::OK<T>, #NAME ": Atlas A2 supports " TYPES " elements only");                      \
        ascendc_emu::map1<T>(#NAME, dst, src, count, loc, [](auto a) { return EXPR; });                             \
    }

namespace AscendC {

ASCENDC_EMU_BINARY(Add, arith_type, "half, float, int16_t, int32_t", a + b)
ASCENDC_EMU_BINARY(Sub, arith_type, "half, float, int16_t, int32_t", a - b)
ASCENDC_EMU_BINARY(Mul, arith_type, "half, float, int16_t, int32_t", a * b)
ASCENDC_EMU_BINARY(Div, float_type, "half, float", a / b)
ASCENDC_EMU_BINARY(Max, arith_type, "half, float, int16_t, int32_t", a > b ? a : b)
ASCENDC_EMU_BINARY(Min, arith_type, "half, float, int16_t, int32_t", a < b ? a : b)
ASCENDC_EMU_BINARY(And, bit_type, "int16_t, uint16_t", a & b)
ASCENDC_EMU_BINARY(Or, bit_type, "int16_t, uint16_t", a | b)

// The scalar is `const T&` with T deduced from the tensors too: like the real overloads, a scalar of another
// type (a double literal for float tensors, a float for half tensors) does not compile.
ASCENDC_EMU_SCALAR(Adds, a + b)
ASCENDC_EMU_SCALAR(Muls, a * b)
ASCENDC_EMU_SCALAR(Maxs, a > b ? a : b)
ASCENDC_EMU_SCALAR(Mins, a < b ? a : b)

ASCENDC_EMU_UNARY(Exp, float_type, "half, float", std::exp(a))
ASCENDC_EMU_UNARY(Ln, float_type, "half, float", std::log(a))
ASCENDC_EMU_UNARY(Abs, float_type, "half, float", std::fabs(a))
ASCENDC_EMU_UNARY(Sqrt, float_type, "half, float", std::sqrt(a))
ASCENDC_EMU_UNARY(Rsqrt, float_type, "half, float", 1.0f / std::sqrt(a))
ASCENDC_EMU_UNARY(Reciprocal, float_type, "half, float", 1.0f / a)
ASCENDC_EMU_UNARY(Not, bit_type, "int16_t, uint16_t", ~a)

template <typename T>
void Relu(const LocalTensor<T>& dst, const LocalTensor<T>& src, const int32_t& count, ASCENDC_EMU_LOC) {
    static_assert(ascendc_emu::is_one_of<T, half, float, int32_t>, "Relu: Atlas A2 supports half, float, int32_t elements only");
    ascendc_emu::map1<T>("Relu", dst, src, count, loc, [](auto a) { return a > 0 ? a : decltype(a)(0); });
}

template <typename T>
void Duplicate(const LocalTensor<T>& dst, const T& scalarValue, const int32_t& count, ASCENDC_EMU_LOC) {
    static_assert(ascendc_emu::is_one_of<T, half, bfloat16_t, int16_t, uint16_t, int32_t, uint32_t, float>,
                  "Duplicate: Atlas A2 supports half, bfloat16_t, int16_t, uint16_t, int32_t, uint32_t, float elements only");
    auto& c = ascendc_emu::enter("Duplicate", loc);
    ascendc_emu::check_count(count, "Duplicate", loc);
    ascendc_emu::check_ub<T>(dst.v_, uint32_t(count), "Duplicate", "dst", loc);
    T* d = ascendc_emu::ub_ptr<T>(dst.v_);
    for (int32_t i = 0; i < count; ++i) d[i] = scalarValue;
    c.counters.vector_ops += 1;
}

// dst = dst + src * scalar.
template <typename T, typename U>
void Axpy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const U& scalarValue, const int32_t& count, ASCENDC_EMU_LOC) {
    static_assert((std::is_same_v<T, U> && ascendc_emu::float_type<T>) || (std::is_same_v<T, float> && std::is_same_v<U, half>),
                  "Axpy: Atlas A2 supports half/half, float/float and float/half (dst/src) only");
    auto& c = ascendc_emu::enter("Axpy", loc);
    ascendc_emu::check_count(count, "Axpy", loc);
    ascendc_emu::check_ub<T>(dst.v_, uint32_t(count), "Axpy", "dst", loc);
    ascendc_emu::check_ub<U>(src.v_, uint32_t(count), "Axpy", "src", loc);
    T* d = ascendc_emu::ub_ptr<T>(dst.v_);
    const U* s = ascendc_emu::ub_ptr<U>(src.v_);
    const float k = float(scalarValue);
    for (int32_t i = 0; i < count; ++i) d[i] = T(float(d[i]) + float(s[i]) * k);
    c.counters.vector_ops += 1;
}

}  // namespace AscendC

#undef ASCENDC_EMU_BINARY
#undef ASCENDC_EMU_SCALAR
#undef ASCENDC_EMU_UNARY
