// Exact conversions between binary floating-point formats with every Ascend C rounding mode.
//
// One routine rounds an exact value sign * m * 2^e (m an integer) to a format of `mant` fraction bits and
// `exp` exponent bits, so doubles, floats and 64-bit integers all convert with a single rounding (no
// double rounding through float), with IEEE subnormals, infinities and NaN.
#pragma once

#include <cstdint>
#include <cstring>

namespace ascendc_emu::fp {

enum class Mode { RINT, FLOOR, CEIL, ROUND, TRUNC, ODD };

struct Format {
    int mant;  // fraction bits
    int exp;   // exponent bits
};

constexpr Format kHalf{10, 5};
constexpr Format kBf16{7, 8};
constexpr Format kFloat{23, 8};

inline uint64_t inf_bits(Format f) { return ((uint64_t{1} << f.exp) - 1) << f.mant; }
inline uint64_t sign_bit(Format f) { return uint64_t{1} << (f.mant + f.exp); }

// Magnitude overflow: the mode decides between infinity and the largest finite value.
inline uint64_t overflow_bits(bool neg, Format f, Mode mode) {
    bool to_inf = mode == Mode::RINT || mode == Mode::ROUND || (mode == Mode::CEIL && !neg) ||
                  (mode == Mode::FLOOR && neg);
    return to_inf ? inf_bits(f) : inf_bits(f) - 1;
}

// Round (-1)^neg * m * 2^e, m > 0, to format f. Returns the bit pattern including the sign.
inline uint64_t round_bits(bool neg, uint64_t m, int e, Format f, Mode mode) {
    const int bias = (1 << (f.exp - 1)) - 1;
    const int emin = 1 - bias;
    const int emax = bias;
    const int msb = 63 - __builtin_clzll(m);
    const int E = msb + e;  // exponent of the leading bit
    const uint64_t sign = neg ? sign_bit(f) : 0;
    if (E > emax) return sign | overflow_bits(neg, f, mode);
    const int q = (E > emin ? E : emin) - f.mant;  // exponent of one unit in the last place
    uint64_t n;
    int cmp_half;  // remainder compared with half a unit: -1 below, 0 equal, +1 above
    bool inexact;
    if (e >= q) {
        n = m << (e - q);
        cmp_half = -1;
        inexact = false;
    } else {
        const int s = q - e;
        if (s > 64) {
            n = 0;
            cmp_half = -1;
            inexact = true;
        } else if (s == 64) {
            n = 0;
            const uint64_t half = uint64_t{1} << 63;
            cmp_half = m > half ? 1 : (m == half ? 0 : -1);
            inexact = true;
        } else {
            n = m >> s;
            const uint64_t r = m & ((uint64_t{1} << s) - 1);
            const uint64_t half = uint64_t{1} << (s - 1);
            cmp_half = r > half ? 1 : (r == half ? 0 : -1);
            inexact = r != 0;
        }
    }
    bool up = false;
    switch (mode) {
        case Mode::RINT: up = cmp_half > 0 || (cmp_half == 0 && (n & 1)); break;
        case Mode::ROUND: up = cmp_half >= 0 && inexact; break;
        case Mode::TRUNC: up = false; break;
        case Mode::FLOOR: up = neg && inexact; break;
        case Mode::CEIL: up = !neg && inexact; break;
        case Mode::ODD:
            if (inexact) n |= 1;
            break;
    }
    n += up ? 1 : 0;
    // Normal band: n in [2^mant, 2^(mant+1)]; the encoding is continuous, so a carry into the next binade
    // (n == 2^(mant+1)) lands on the right bit pattern. Subnormal band: the biased exponent field is 0.
    uint64_t bits = E >= emin ? (uint64_t(E + bias - 1) << f.mant) + n : n;
    if (bits >= inf_bits(f)) return sign | overflow_bits(neg, f, mode);
    return sign | bits;
}

inline uint64_t from_double(double x, Format f, Mode mode) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    const bool neg = (b >> 63) != 0;
    const int ef = int((b >> 52) & 0x7FF);
    const uint64_t frac = b & ((uint64_t{1} << 52) - 1);
    const uint64_t sign = neg ? sign_bit(f) : 0;
    if (ef == 0x7FF) {
        if (frac == 0) return sign | inf_bits(f);
        // NaN: keep the top payload bits and make it quiet.
        return sign | inf_bits(f) | (uint64_t{1} << (f.mant - 1)) | (frac >> (52 - f.mant));
    }
    if (ef == 0 && frac == 0) return sign;
    const uint64_t m = ef == 0 ? frac : (frac | (uint64_t{1} << 52));
    const int e = (ef == 0 ? 1 : ef) - 1075;
    return round_bits(neg, m, e, f, mode);
}

inline uint64_t from_int(int64_t v, Format f, Mode mode) {
    if (v == 0) return 0;
    const bool neg = v < 0;
    const uint64_t m = neg ? uint64_t(0) - uint64_t(v) : uint64_t(v);
    return round_bits(neg, m, 0, f, mode);
}

inline uint64_t from_uint(uint64_t v, Format f, Mode mode) { return v == 0 ? 0 : round_bits(false, v, 0, f, mode); }

inline double to_double(uint64_t bits, Format f) {
    const bool neg = (bits & sign_bit(f)) != 0;
    const int bias = (1 << (f.exp - 1)) - 1;
    const int ef = int((bits >> f.mant) & ((uint64_t{1} << f.exp) - 1));
    const uint64_t frac = bits & ((uint64_t{1} << f.mant) - 1);
    double mag;
    if (ef == (1 << f.exp) - 1) {
        if (frac != 0) {
            // NaN: widen the payload into a double NaN.
            uint64_t d = (uint64_t{0x7FF} << 52) | (frac << (52 - f.mant)) | (uint64_t{1} << 51);
            if (neg) d |= uint64_t{1} << 63;
            double out;
            std::memcpy(&out, &d, sizeof out);
            return out;
        }
        mag = __builtin_inf();
    } else if (ef == 0) {
        mag = __builtin_ldexp(double(frac), 1 - bias - f.mant);
    } else {
        mag = __builtin_ldexp(double(frac | (uint64_t{1} << f.mant)), ef - bias - f.mant);
    }
    return neg ? -mag : mag;
}

inline float bits_to_float(uint32_t b) {
    float out;
    std::memcpy(&out, &b, sizeof out);
    return out;
}

inline uint32_t float_to_bits(float x) {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

}  // namespace ascendc_emu::fp
