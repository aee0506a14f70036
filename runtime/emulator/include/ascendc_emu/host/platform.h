// platform_ascendc::PlatformAscendC: core counts, memory sizes and the SoC of the target, for tiling.
#pragma once

#include <cstdint>
#include <string>

#include "../common/fault.h"
#include "platform_infos.h"

namespace platform_ascendc {

enum class CoreMemType { L0_A = 0, L0_B = 1, L0_C = 2, L1 = 3, L2 = 4, UB = 5, HBM = 6, FB = 7, BT = 8, RESERVED };

enum class SocVersion { ASCEND910 = 0, ASCEND910B, ASCEND310P, ASCEND310B, RESERVED_VERSION = 99999 };

enum class ReservedSize { RESERVED_SIZE_8K = 0, RESERVED_SIZE_16K, RESERVED_SIZE_32K };

class PlatformAscendC {
public:
    PlatformAscendC() = delete;
    explicit PlatformAscendC(fe::PlatFormInfos* platformInfo) : info_(platformInfo) {
        if (info_ == nullptr) ascendc_emu::host_fail("PlatformAscendC: null PlatFormInfos (pass context->GetPlatformInfo())");
    }

    // On the split (AIC/AIV) architecture GetCoreNum counts the vector cores.
    uint32_t GetCoreNum() const { return info_->core_num; }
    uint32_t GetCoreNumAiv() const { return info_->core_num; }
    uint32_t GetCoreNumAic() const { return info_->core_num / 2; }
    uint32_t GetCoreNumVector() const { return 0; }

    void GetCoreMemSize(const CoreMemType& memType, uint64_t& size) const {
        switch (memType) {
            case CoreMemType::UB: size = info_->ub_bytes - reserved_; break;
            case CoreMemType::L1: size = 512 * 1024; break;
            case CoreMemType::L0_A:
            case CoreMemType::L0_B: size = 64 * 1024; break;
            case CoreMemType::L0_C: size = 128 * 1024; break;
            case CoreMemType::BT: size = 1024; break;
            case CoreMemType::FB: size = 2048; break;
            case CoreMemType::L2: size = 192ull * 1024 * 1024; break;
            case CoreMemType::HBM: size = 64ull * 1024 * 1024 * 1024; break;
            default: size = 0; break;
        }
    }

    void GetCoreMemBw(const CoreMemType&, uint64_t& bwSize) const { bwSize = 0; }

    // Ascend910_93 (A3) reports ASCEND910B, like the real library.
    SocVersion GetSocVersion() const {
        const std::string& s = info_->soc;
        if (s.rfind("ascend910b", 0) == 0 || s.rfind("ascend910_93", 0) == 0) return SocVersion::ASCEND910B;
        if (s.rfind("ascend310p", 0) == 0) return SocVersion::ASCEND310P;
        if (s.rfind("ascend310b", 0) == 0) return SocVersion::ASCEND310B;
        if (s.rfind("ascend910", 0) == 0) return SocVersion::ASCEND910;
        return SocVersion::RESERVED_VERSION;
    }

    uint32_t GetLibApiWorkSpaceSize() const { return 16 * 1024 * 1024; }

    uint32_t CalcTschBlockDim(uint32_t sliceNum, uint32_t aicCoreNum, uint32_t aivCoreNum) const {
        if (aicCoreNum == 0 || aivCoreNum == 0 || aicCoreNum > aivCoreNum) return sliceNum;
        uint32_t ratio = aivCoreNum / aicCoreNum;
        return (sliceNum + ratio - 1) / ratio;
    }

    int64_t ReserveLocalMemory(ReservedSize size) {
        static const uint32_t bytes[] = {8 * 1024, 16 * 1024, 32 * 1024};
        reserved_ = bytes[int(size)];
        return int64_t(info_->ub_bytes - reserved_);
    }

    fe::PlatFormInfos* GetPlatFormInfo() const { return info_; }

private:
    fe::PlatFormInfos* info_;
    uint32_t reserved_ = 0;
};

}  // namespace platform_ascendc
