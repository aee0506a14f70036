// Stub of asc-devkit tiling/platform/platform_ascendc.h: the queries a tiling function makes. Syntax checks only.
#ifndef ASCDSL_STUB_TILING_PLATFORM_PLATFORM_ASCENDC_H
#define ASCDSL_STUB_TILING_PLATFORM_PLATFORM_ASCENDC_H
#include <cstdint>

namespace fe {
class PlatFormInfos;
}  // namespace fe

namespace platform_ascendc {
enum class CoreMemType { L0_A = 0, L0_B = 1, L0_C = 2, L1 = 3, L2 = 4, UB = 5, HBM = 6, FB = 7, BT = 8 };
enum class SocVersion { ASCEND910B, ASCEND310P, ASCEND910, RESERVED_VERSION };

class PlatformAscendC {
public:
    explicit PlatformAscendC(fe::PlatFormInfos* platform_info);
    uint32_t GetCoreNum() const;
    uint32_t GetCoreNumAic() const;
    uint32_t GetCoreNumAiv() const;
    void GetCoreMemSize(const CoreMemType& mem_type, uint64_t& size) const;
    uint32_t GetLibApiWorkSpaceSize() const;
    SocVersion GetSocVersion() const;
};
}  // namespace platform_ascendc
#endif
