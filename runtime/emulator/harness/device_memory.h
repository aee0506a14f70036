// The simulated device address space of a run (runtime/device_memory.py): one file that Python maps too,
// mapped here MAP_SHARED at the arena's own base address, so every device address Python hands out (and
// every pointer stored in that memory) is a valid pointer in the kernel, unchanged. Writes another agent
// makes while the kernel runs are seen at once; the kernel's writes are seen by Python at once.
//
// Manifest lines:  memory <path> <base> <size>   and one   region <address> <bytes>   per allocation.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ascendc_emu/common/fault.h"
#include "ascendc_emu/kernel/runtime.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace harness {

struct DeviceMemoryArg {
    std::string path;
    uint64_t base = 0;
    uint64_t size = 0;
    std::vector<std::pair<uint64_t, uint64_t>> regions;  // live allocations: address, bytes
    bool present() const { return size != 0; }
};

// Map the arena at its base address. MAP_FIXED_NOREPLACE never replaces a mapping the process already has:
// if the range is taken, say so rather than corrupt it.
inline void map_device_memory(const DeviceMemoryArg& m) {
    if (!m.present()) return;
    int fd = ::open(m.path.c_str(), O_RDWR);
    if (fd < 0) ascendc_emu::host_fail(ascendc_emu::cat("cannot open the device memory file ", m.path, ": ", std::strerror(errno)));
    void* want = reinterpret_cast<void*>(static_cast<uintptr_t>(m.base));
    void* got = ::mmap(want, m.size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
    int err = errno;
    ::close(fd);
    if (got == MAP_FAILED || got != want) {
        if (got != MAP_FAILED) ::munmap(got, m.size);
        ascendc_emu::host_fail(ascendc_emu::cat("cannot map the device memory at ", ascendc_emu::hex(m.base), " (", m.size,
                                                " bytes): ", got == MAP_FAILED ? std::strerror(err) : "the address is in use"));
    }
}

// The allocations as GM regions, so the emulator's bounds checks accept accesses inside them (and only them).
inline void add_device_regions(const DeviceMemoryArg& m, std::vector<ascendc_emu::GmRegion>& gm) {
    int n = 0;
    for (auto& [addr, bytes] : m.regions)
        gm.push_back({static_cast<uintptr_t>(addr), bytes, ascendc_emu::cat("device allocation ", ascendc_emu::hex(addr), " #", n++)});
}

}  // namespace harness
