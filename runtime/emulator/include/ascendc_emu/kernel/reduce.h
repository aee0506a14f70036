// ReduceSum / ReduceMax / ReduceMin over `count` elements, with the shared tmp buffer the real API requires.
//
// The hardware reduces one 256-byte repeat at a time, then reduces the per-repeat results again. The
// emulator follows that order: a pairwise sum inside each repeat, each partial rounded to the element type.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "runtime.h"
#include "scalar_types.h"
#include "tensor.h"
#include "ub.h"
#include "vector_ops.h"

namespace ascendc_emu {

inline float pairwise_sum(const float* x, uint32_t n) {
    if (n == 1) return x[0];
    uint32_t h = n / 2;
    return pairwise_sum(x, h) + pairwise_sum(x + h, n - h);
}

template <class T>
T reduce_sum_values(std::vector<float> x) {
    const uint32_t per_repeat = 256 / sizeof(T);
    while (x.size() > 1) {
        std::vector<float> next;
        for (size_t i = 0; i < x.size(); i += per_repeat) {
            uint32_t n = uint32_t(std::min<size_t>(per_repeat, x.size() - i));
            next.push_back(float(T(pairwise_sum(x.data() + i, n))));
        }
        x.swap(next);
    }
    return T(x[0]);
}

// Elements of tmp the count form needs: one partial per 256-byte repeat (two for max/min, value and
// index), rounded up to a 32-byte block.
template <class T>
uint32_t reduce_tmp_elems(int32_t count, bool with_index) {
    const uint32_t per_repeat = 256 / sizeof(T), per_block = 32 / sizeof(T);
    uint32_t partials = (uint32_t(count) + per_repeat - 1) / per_repeat * (with_index ? 2 : 1);
    return (partials + per_block - 1) / per_block * per_block;
}

template <class T>
std::vector<float> reduce_inputs(const char* api, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src,
                                 const AscendC::LocalTensor<T>& tmp, int32_t count, bool with_index, uint32_t dst_elems, const Loc& loc) {
    static_assert(float_type<T>, "ReduceSum/ReduceMax/ReduceMin: Atlas A2 supports half and float elements only");
    check_count(count, api, loc);
    if (count == 0) fail(loc, api, "count is 0: there is nothing to reduce");
    check_ub<T>(dst.v_, dst_elems, api, "dst", loc);
    check_ub<T>(src.v_, uint32_t(count), api, "src", loc);
    uint32_t need = reduce_tmp_elems<T>(count, with_index);
    check_live(tmp.v_, api, "sharedTmpBuffer", loc);
    if (tmp.v_.size < need) {
        fail(loc, api, cat("sharedTmpBuffer holds ", tmp.v_.size, " elements but count ", count, " needs ", need, " (one partial per 256-byte repeat",
                           with_index ? ", value and index" : "", ", rounded up to 32 bytes)"));
    }
    check_ub<T>(tmp.v_, need, api, "sharedTmpBuffer", loc);
    const T* s = ub_ptr<T>(src.v_);
    std::vector<float> x(static_cast<size_t>(count));
    for (int32_t i = 0; i < count; ++i) x[size_t(i)] = float(s[i]);
    return x;
}

template <class T>
void reduce_extreme(const char* api, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src, const AscendC::LocalTensor<T>& tmp,
                    int32_t count, bool calIndex, bool is_max, const Loc& loc) {
    CoreState& c = enter(api, loc);
    std::vector<float> x = reduce_inputs<T>(api, dst, src, tmp, count, true, calIndex ? 2 : 1, loc);
    uint32_t best = 0;
    for (uint32_t i = 1; i < x.size(); ++i)
        if (is_max ? x[i] > x[best] : x[i] < x[best]) best = i;
    T* d = ub_ptr<T>(dst.v_);
    d[0] = T(x[best]);
    if (calIndex) {
        // The index is stored as an unsigned integer of the element's width, in the second element.
        if constexpr (sizeof(T) == 2) {
            uint16_t idx = uint16_t(best);
            std::memcpy(&d[1], &idx, 2);
        } else {
            uint32_t idx = best;
            std::memcpy(&d[1], &idx, 4);
        }
    }
    c.counters.vector_ops += 1;
}

}  // namespace ascendc_emu

namespace AscendC {

template <typename T, bool isSetMask = true>
void ReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer, const int32_t count, ASCENDC_EMU_LOC) {
    auto& c = ascendc_emu::enter("ReduceSum", loc);
    std::vector<float> x = ascendc_emu::reduce_inputs<T>("ReduceSum", dst, src, sharedTmpBuffer, count, false, 1, loc);
    ascendc_emu::ub_ptr<T>(dst.v_)[0] = ascendc_emu::reduce_sum_values<T>(std::move(x));
    c.counters.vector_ops += 1;
}

template <typename T>
void ReduceMax(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer, const int32_t count, bool calIndex = false,
               ASCENDC_EMU_LOC) {
    ascendc_emu::reduce_extreme<T>("ReduceMax", dst, src, sharedTmpBuffer, count, calIndex, true, loc);
}

template <typename T>
void ReduceMin(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer, const int32_t count, bool calIndex = false,
               ASCENDC_EMU_LOC) {
    ascendc_emu::reduce_extreme<T>("ReduceMin", dst, src, sharedTmpBuffer, count, calIndex, false, loc);
}

}  // namespace AscendC
