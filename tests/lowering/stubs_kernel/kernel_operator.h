// Stub of the Ascend C kernel API (asc-devkit kernel_operator.h) for `g++ -fsyntax-only` checks of printed
// kernels: only the names the kernel printer uses, declared with the real parameter types so that a misspelt
// call, a wrong argument type or an element-type mismatch fails to compile. Nothing here can run.
#ifndef ASCDSL_STUB_KERNEL_OPERATOR_H
#define ASCDSL_STUB_KERNEL_OPERATOR_H

#include <cstdint>

#define __global__
#define __aicore__
#define __gm__
#define GM_ADDR __gm__ uint8_t*

using half = _Float16;

struct bfloat16_t {
    bfloat16_t() = default;
    bfloat16_t(float v);
    operator float() const;
    uint16_t bits;
};

enum pipe_t { PIPE_S, PIPE_V, PIPE_M, PIPE_MTE1, PIPE_MTE2, PIPE_MTE3, PIPE_ALL };

enum KernelMetaType { KERNEL_TYPE_AIV_ONLY, KERNEL_TYPE_AIC_ONLY, KERNEL_TYPE_MIX_AIC_1_2 };
#define KERNEL_TASK_TYPE_DEFAULT(type) static_assert((type) == KERNEL_TYPE_AIV_ONLY, "AIV only")
#define REGISTER_TILING_DEFAULT(tiling_struct) static_assert(sizeof(tiling_struct) > 0, "tiling struct")
#define REGISTER_TILING_FOR_TILINGKEY(condition, tiling_struct) \
    static_assert(sizeof(condition) > 1 && sizeof(tiling_struct) > 0, "tiling struct of a key")
#define GET_TILING_DATA_WITH_STRUCT(tiling_struct, tiling_data, tiling_arg) \
    tiling_struct tiling_data = AscendC::StubReadTiling<tiling_struct>(tiling_arg)
#define TILING_KEY_IS(key) (AscendC::StubTilingKey() == static_cast<uint64_t>(key))

namespace AscendC {
template <typename T>
T StubReadTiling(__gm__ uint8_t* tiling);
uint64_t StubTilingKey();

enum class TPosition : uint8_t { GM, A1, A2, B1, B2, C1, C2, CO1, CO2, VECIN, VECOUT, VECCALC, LCM = VECCALC };
enum class RoundMode : uint8_t { CAST_NONE, CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC, CAST_ODD };
enum class HardEvent : uint8_t { MTE2_V, V_MTE2, MTE3_V, V_MTE3, MTE2_S, S_MTE2, S_V, V_S, MTE3_S, S_MTE3, MTE2_MTE3, MTE3_MTE2 };
enum class CacheLine : uint8_t { SINGLE_CACHE_LINE, ENTIRE_DATA_CACHE };
enum class DcciDst : uint8_t { CACHELINE_ALL, CACHELINE_UB, CACHELINE_OUT, CACHELINE_ATOMIC };

template <typename T>
class GlobalTensor {
public:
    void SetGlobalBuffer(__gm__ T* buffer, uint64_t bufferSize);
    GlobalTensor operator[](const uint64_t offset) const;
    T GetValue(const uint64_t offset) const;
    void SetValue(const uint64_t offset, T value);
    __gm__ T* GetPhyAddr() const;
};

template <typename T>
class LocalTensor {
public:
    template <typename U>
    LocalTensor<U> ReinterpretCast() const;
    T GetValue(const uint32_t index) const;
};

template <TPosition pos, int32_t depth>
class TQue {
public:
    template <typename T>
    LocalTensor<T> AllocTensor();
    template <typename T>
    void FreeTensor(LocalTensor<T>& tensor);
    template <typename T>
    bool EnQue(const LocalTensor<T>& tensor);
    template <typename T>
    LocalTensor<T> DeQue();
};

template <TPosition src, TPosition dst, int32_t depth>
class TQueBind {
public:
    template <typename T>
    LocalTensor<T> AllocTensor();
    template <typename T>
    void FreeTensor(LocalTensor<T>& tensor);
    template <typename T>
    bool EnQue(const LocalTensor<T>& tensor);
    template <typename T>
    LocalTensor<T> DeQue();
};

template <TPosition pos = TPosition::LCM>
class TBuf {
public:
    template <typename T>
    LocalTensor<T> Get();
    template <typename T>
    LocalTensor<T> Get(uint32_t len);
};

class TPipe {
public:
    TPipe();
    ~TPipe();
    template <TPosition pos, int32_t depth>
    bool InitBuffer(TQue<pos, depth>& que, uint8_t num, uint32_t len);
    template <TPosition src, TPosition dst, int32_t depth>
    bool InitBuffer(TQueBind<src, dst, depth>& que, uint8_t num, uint32_t len);
    template <TPosition pos>
    bool InitBuffer(TBuf<pos>& buf, uint32_t bufferSize);
};

int64_t GetBlockIdx();
int64_t GetBlockNum();

struct DataCopyParams {
    DataCopyParams();
    DataCopyParams(const uint16_t count, const uint16_t len, const uint16_t srcStrideIn, const uint16_t dstStrideIn);
    uint16_t blockCount;
    uint16_t blockLen;
    uint16_t srcStride;
    uint16_t dstStride;
};

struct DataCopyExtParams {
    DataCopyExtParams();
    DataCopyExtParams(const uint16_t count, const uint32_t len, const uint32_t srcStrideIn, const uint32_t dstStrideIn,
                      const uint32_t rsvIn);
    uint16_t blockCount;
    uint32_t blockLen;
    uint32_t srcStride;
    uint32_t dstStride;
    uint32_t rsv;
};

template <typename T>
struct DataCopyPadExtParams {
    DataCopyPadExtParams();
    DataCopyPadExtParams(const bool isPadValue, const uint8_t leftPadValue, const uint8_t rightPadValue, T padValue);
    bool isPad;
    uint8_t leftPadding;
    uint8_t rightPadding;
    T paddingValue;
};

template <typename T>
void DataCopy(const LocalTensor<T>& dstLocal, const GlobalTensor<T>& srcGlobal, const uint32_t calCount);
template <typename T>
void DataCopy(const GlobalTensor<T>& dstGlobal, const LocalTensor<T>& srcLocal, const uint32_t calCount);
template <typename T>
void DataCopy(const LocalTensor<T>& dstLocal, const GlobalTensor<T>& srcGlobal, const DataCopyParams& repeatParams);
template <typename T>
void DataCopy(const GlobalTensor<T>& dstGlobal, const LocalTensor<T>& srcLocal, const DataCopyParams& repeatParams);
template <typename T>
void DataCopyPad(const LocalTensor<T>& dstLocal, const GlobalTensor<T>& srcGlobal, const DataCopyExtParams& dataCopyParams,
                 const DataCopyPadExtParams<T>& padParams);
template <typename T>
void DataCopyPad(const GlobalTensor<T>& dstGlobal, const LocalTensor<T>& srcLocal, const DataCopyExtParams& dataCopyParams);

#define ASCDSL_STUB_BINARY(NAME)                                                                                      \
    template <typename T>                                                                                             \
    void NAME(const LocalTensor<T>& dstLocal, const LocalTensor<T>& src0Local, const LocalTensor<T>& src1Local,       \
              const int32_t& calCount);
ASCDSL_STUB_BINARY(Add)
ASCDSL_STUB_BINARY(Sub)
ASCDSL_STUB_BINARY(Mul)
ASCDSL_STUB_BINARY(Div)
ASCDSL_STUB_BINARY(Max)
ASCDSL_STUB_BINARY(Min)
ASCDSL_STUB_BINARY(And)
ASCDSL_STUB_BINARY(Or)
#undef ASCDSL_STUB_BINARY

#define ASCDSL_STUB_SCALAR(NAME)                                                                                      \
    template <typename T, bool isSetMask = true>                                                                      \
    void NAME(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal, const T& scalarValue,                   \
              const int32_t& calCount);
ASCDSL_STUB_SCALAR(Adds)
ASCDSL_STUB_SCALAR(Muls)
ASCDSL_STUB_SCALAR(Maxs)
ASCDSL_STUB_SCALAR(Mins)
#undef ASCDSL_STUB_SCALAR

#define ASCDSL_STUB_UNARY(NAME)                                                                                       \
    template <typename T>                                                                                             \
    void NAME(const LocalTensor<T>& dstLocal, const LocalTensor<T>& srcLocal, const int32_t& calCount);
ASCDSL_STUB_UNARY(Exp)
ASCDSL_STUB_UNARY(Ln)
ASCDSL_STUB_UNARY(Abs)
ASCDSL_STUB_UNARY(Sqrt)
ASCDSL_STUB_UNARY(Relu)
ASCDSL_STUB_UNARY(Not)
#undef ASCDSL_STUB_UNARY

template <typename T>
void Duplicate(const LocalTensor<T>& dstLocal, const T& scalarValue, const int32_t& calCount);

template <typename T1, typename T2>
void Cast(const LocalTensor<T1>& dstLocal, const LocalTensor<T2>& srcLocal, const RoundMode& round_mode,
          const uint32_t calCount);

template <typename T, bool isSetMask = true>
void ReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer, const int32_t count);

template <pipe_t pipe>
void PipeBarrier();

template <HardEvent event>
void SetFlag(int32_t eventID);
template <HardEvent event>
void WaitFlag(int32_t eventID);

template <typename T, CacheLine entireType, DcciDst dcciDst>
void DataCacheCleanAndInvalid(const GlobalTensor<T>& dstTensor);
}  // namespace AscendC

#endif  // ASCDSL_STUB_KERNEL_OPERATOR_H
