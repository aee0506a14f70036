// fe::PlatFormInfos: what the harness knows of the target SoC; PlatformAscendC reads it.
#pragma once

#include <cstdint>
#include <string>

namespace fe {

class PlatFormInfos {
public:
    std::string soc = "ascend910b";
    uint32_t core_num = 40;       // AIV cores
    uint64_t ub_bytes = 196352;   // UB per core visible to tiling (192 KiB - 256 B reserved)
};

}  // namespace fe
