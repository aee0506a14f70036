// The Atlas A3 HCCL resource block as MC2 kernels read it (fields by name: this rank, the rank count, the
// window sizes and addresses, and per peer a pointer to its mapped windows). On the CPU emulator only these
// fields exist; the harness fills them.
#pragma once

#include <cstdint>

#include "kernel_operator.h"

struct HcclRankRelationResV2 {
    uint32_t remoteUsrRankId;
    uint32_t remoteWorldRank;
    uint64_t windowsIn;   // the peer's data window
    uint64_t windowsOut;
    uint64_t windowsExp;  // the peer's state window
};

struct RemoteResPtr {
    uint64_t nextHostPtr;
    uint64_t nextDevicePtr;  // -> HcclRankRelationResV2
};

constexpr uint32_t kEmuMaxCommRanks = 1024;

struct HcclOpResParam {
    uint32_t localUsrRankId;
    uint32_t rankSize;
    uint64_t winSize;          // bytes of each data window
    uint64_t localWindowsIn;   // this rank's data window
    uint64_t localWindowsOut;
    uint64_t winExpSize;       // bytes of each state window
    uint64_t localWindowsExp;  // this rank's state window
    uint32_t remoteResNum;
    RemoteResPtr remoteRes[kEmuMaxCommRanks];
};
