// A rank of a simulated communication domain: its windows and its peers' are files the Python side created
// (runtime/comm_domain.py), mapped MAP_SHARED so that every rank's process and Python see the same bytes.
// The harness builds the HCCL resource block the kernel reads with GetHcclContext.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "ascendc_emu/kernel/hccl_context.h"
#include "ascendc_emu/kernel/runtime.h"
#include "manifest.h"
#include "mc2_hccl_context.h"

namespace harness {

class CommWindows {
public:
    ~CommWindows() {
        for (auto& [p, n] : maps_) munmap(p, n);
    }

    // Map every rank's windows, register them as GM and publish the context of this rank.
    void attach(const CommArg& c) {
        if (!c.present) return;
        if (c.world == 0 || c.world > kEmuMaxCommRanks || c.rank >= c.world) {
            ascendc_emu::host_fail(ascendc_emu::cat("comm: rank ", c.rank, " of world size ", c.world, " (at most ", kEmuMaxCommRanks, " ranks)"));
        }
        ctx_ = std::make_unique<HcclOpResParam>();
        peers_.resize(c.world);
        auto& gm = ascendc_emu::launch().gm;
        for (uint32_t r = 0; r < c.world; ++r) {
            uint8_t* data = map(c.dir + "/data" + std::to_string(r) + ".bin", c.data_bytes);
            uint8_t* state = map(c.dir + "/state" + std::to_string(r) + ".bin", c.state_bytes);
            gm.push_back({reinterpret_cast<uintptr_t>(data), c.data_bytes, ascendc_emu::cat("the data window of rank ", r)});
            gm.push_back({reinterpret_cast<uintptr_t>(state), c.state_bytes, ascendc_emu::cat("the state window of rank ", r)});
            peers_[r] = {r, r, reinterpret_cast<uint64_t>(data), 0, reinterpret_cast<uint64_t>(state)};
            ctx_->remoteRes[r] = {0, reinterpret_cast<uint64_t>(&peers_[r])};
        }
        std::sort(gm.begin(), gm.end(), [](const auto& a, const auto& b) { return a.base < b.base; });
        ctx_->localUsrRankId = c.rank;
        ctx_->rankSize = c.world;
        ctx_->winSize = c.data_bytes;
        ctx_->winExpSize = c.state_bytes;
        ctx_->localWindowsIn = peers_[c.rank].windowsIn;
        ctx_->localWindowsExp = peers_[c.rank].windowsExp;
        ctx_->remoteResNum = c.world;
        ascendc_emu::hccl_context(AscendC::HCCL_GROUP_ID_0) = reinterpret_cast<uint8_t*>(ctx_.get());
    }

private:
    uint8_t* map(const std::string& path, uint64_t bytes) {
        int fd = open(path.c_str(), O_RDWR);
        if (fd < 0) ascendc_emu::host_fail("comm: cannot open the window file " + path);
        struct stat st {};
        if (fstat(fd, &st) != 0 || uint64_t(st.st_size) < bytes) {
            close(fd);
            ascendc_emu::host_fail(ascendc_emu::cat("comm: the window file ", path, " is shorter than ", bytes, " bytes"));
        }
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (p == MAP_FAILED) ascendc_emu::host_fail("comm: cannot map the window file " + path);
        maps_.push_back({p, bytes});
        return static_cast<uint8_t*>(p);
    }

    std::unique_ptr<HcclOpResParam> ctx_;
    std::vector<HcclRankRelationResV2> peers_;
    std::vector<std::pair<void*, uint64_t>> maps_;
};

}  // namespace harness
