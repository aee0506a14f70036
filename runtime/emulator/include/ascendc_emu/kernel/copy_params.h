// Parameter structs of DataCopy and DataCopyPad.
//
// Their integer fields are `Field<U>`: reading one gives the value truncated to the real field type (what the
// hardware would see), but the value as assigned is kept, so `p.blockLen = 70000` is reported instead of
// silently wrapping to 4464. Constructors take the real field types, so brace-initialising from a wider
// variable is a narrowing error exactly as with the real headers.
#pragma once

#include <cstdint>
#include <type_traits>

#include "../common/fault.h"

namespace ascendc_emu {

template <class U>
struct Field {
    int64_t raw = 0;

    constexpr Field() = default;
    template <class V, std::enable_if_t<std::is_arithmetic_v<V> || std::is_enum_v<V>, int> = 0>
    constexpr Field(V v) : raw(static_cast<int64_t>(v)) {}

    constexpr operator U() const { return static_cast<U>(raw); }

    template <class V, std::enable_if_t<std::is_arithmetic_v<V> || std::is_enum_v<V>, int> = 0>
    Field& operator=(V v) {
        raw = static_cast<int64_t>(v);
        return *this;
    }
    Field& operator+=(int64_t v) {
        raw += v;
        return *this;
    }
    Field& operator-=(int64_t v) {
        raw -= v;
        return *this;
    }
    Field& operator*=(int64_t v) {
        raw *= v;
        return *this;
    }
};

inline void check_range(const char* api, const char* field, int64_t v, int64_t lo, int64_t hi, const char* unit, const Loc& loc) {
    if (v < lo || v > hi) fail(loc, api, cat(field, " = ", v, " is outside the hardware range ", lo, "..", hi, unit));
}

}  // namespace ascendc_emu

namespace AscendC {

struct DataCopyParams {
    ascendc_emu::Field<uint16_t> blockCount = 1;
    ascendc_emu::Field<uint16_t> blockLen = 0;
    ascendc_emu::Field<uint16_t> srcStride = 0;
    ascendc_emu::Field<uint16_t> dstStride = 0;

    DataCopyParams() = default;
    DataCopyParams(const uint16_t count, const uint16_t len, const uint16_t srcStrideIn, const uint16_t dstStrideIn)
        : blockCount(count), blockLen(len), srcStride(srcStrideIn), dstStride(dstStrideIn) {}
};

struct DataCopyExtParams {
    ascendc_emu::Field<uint16_t> blockCount = 1;
    ascendc_emu::Field<uint32_t> blockLen = 0;
    ascendc_emu::Field<uint32_t> srcStride = 0;
    ascendc_emu::Field<uint32_t> dstStride = 0;
    ascendc_emu::Field<uint32_t> rsv = 0;

    DataCopyExtParams() = default;
    DataCopyExtParams(const uint16_t count, const uint32_t len, const uint32_t srcStrideIn, const uint32_t dstStrideIn, const uint32_t rsvIn)
        : blockCount(count), blockLen(len), srcStride(srcStrideIn), dstStride(dstStrideIn), rsv(rsvIn) {}
};

struct DataCopyPadParams {
    bool isPad = false;
    uint8_t leftPadding = 0;
    uint8_t rightPadding = 0;
    uint64_t paddingValue = 0;

    DataCopyPadParams() = default;
    DataCopyPadParams(const bool isPadValue, const uint8_t leftPadValue, const uint8_t rightPadValue, const uint64_t padValue)
        : isPad(isPadValue), leftPadding(leftPadValue), rightPadding(rightPadValue), paddingValue(padValue) {}
};

template <typename T>
struct DataCopyPadExtParams {
    bool isPad = false;
    uint8_t leftPadding = 0;
    uint8_t rightPadding = 0;
    T paddingValue = 0;

    DataCopyPadExtParams() = default;
    DataCopyPadExtParams(const bool isPadValue, const uint8_t leftPadValue, const uint8_t rightPadValue, T padValue)
        : isPad(isPadValue), leftPadding(leftPadValue), rightPadding(rightPadValue), paddingValue(padValue) {}
};

}  // namespace AscendC
