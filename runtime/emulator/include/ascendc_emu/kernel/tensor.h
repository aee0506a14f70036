// GlobalTensor<T> (a window of GM) and LocalTensor<T> (a window of a UB buffer).
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "macros_qualifiers.h"
#include "runtime.h"
#include "ub.h"

namespace ascendc_emu {

// Scalar GM access goes through atomics of the element's width, so a core polling a flag that another
// core writes sees the write (the compiler may not cache the load).
template <class T>
T gm_load(const T* p) {
    T out;
    if constexpr (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8) {
        using U = std::conditional_t<sizeof(T) == 1, uint8_t, std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
        if (reinterpret_cast<uintptr_t>(p) % sizeof(T) == 0) {
            U bits = __atomic_load_n(reinterpret_cast<const U*>(p), __ATOMIC_ACQUIRE);
            std::memcpy(&out, &bits, sizeof out);
            return out;
        }
    }
    std::memcpy(&out, p, sizeof out);
    return out;
}

template <class T>
void gm_store(T* p, const T& v) {
    if constexpr (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8) {
        using U = std::conditional_t<sizeof(T) == 1, uint8_t, std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
        if (reinterpret_cast<uintptr_t>(p) % sizeof(T) == 0) {
            U bits;
            std::memcpy(&bits, &v, sizeof bits);
            __atomic_store_n(reinterpret_cast<U*>(p), bits, __ATOMIC_RELEASE);
            return;
        }
    }
    std::memcpy(p, &v, sizeof v);
}

}  // namespace ascendc_emu

namespace AscendC {

template <typename T>
class GlobalTensor {
public:
    using PrimType = T;

    GlobalTensor() = default;

    void SetGlobalBuffer(__gm__ T* buffer, uint64_t bufferSize, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("GlobalTensor::SetGlobalBuffer", loc);
        if (buffer != nullptr || bufferSize != 0) {
            ascendc_emu::gm_check(
                buffer, bufferSize * sizeof(T), "GlobalTensor::SetGlobalBuffer",
                [&] { return ascendc_emu::cat("a buffer of ", bufferSize, " x ", ascendc_emu::type_name<T>(), " covers"); }, loc);
        }
        addr_ = buffer;
        size_ = bufferSize;
    }

    void SetGlobalBuffer(__gm__ T* buffer, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("GlobalTensor::SetGlobalBuffer", loc);
        if (buffer != nullptr) ascendc_emu::gm_check(buffer, 0, "GlobalTensor::SetGlobalBuffer", "the buffer start is at", loc);
        addr_ = buffer;
        size_ = 0;
    }

    T GetValue(const uint64_t offset, ASCENDC_EMU_LOC) const {
        auto& c = ascendc_emu::enter("GlobalTensor::GetValue", loc);
        ascendc_emu::gm_check(addr_ + offset, sizeof(T), "GlobalTensor::GetValue", [&] { return ascendc_emu::cat("element ", offset, " reads"); }, loc);
        c.counters.scalar_gm += 1;
        c.counters.scalar_gm_read += 1;
        c.counters.gm_read += sizeof(T);
        return ascendc_emu::gm_load(addr_ + offset);
    }

    void SetValue(const uint64_t offset, T value, ASCENDC_EMU_LOC) {
        auto& c = ascendc_emu::enter("GlobalTensor::SetValue", loc);
        ascendc_emu::gm_check(addr_ + offset, sizeof(T), "GlobalTensor::SetValue", [&] { return ascendc_emu::cat("element ", offset, " writes"); }, loc);
        c.counters.scalar_gm += 1;
        c.counters.gm_write += sizeof(T);
        ascendc_emu::gm_store(addr_ + offset, value);
    }

    GlobalTensor operator[](const uint64_t offset) const {
        GlobalTensor out;
        out.addr_ = addr_ + offset;
        out.size_ = size_ > offset ? size_ - offset : 0;
        return out;
    }

    uint64_t GetSize() const { return size_; }
    __gm__ T* GetPhyAddr() const { return addr_; }
    __gm__ T* GetPhyAddr(const uint64_t offset) const { return addr_ + offset; }

    template <CacheRwMode rwMode = CacheRwMode::RW>
    void SetL2CacheHint(CacheMode) {}

    // Emulator state.
    T* addr_ = nullptr;
    uint64_t size_ = 0;
};

template <typename T>
class LocalTensor {
public:
    using PrimType = T;

    LocalTensor() = default;

    T GetValue(const uint32_t index, ASCENDC_EMU_LOC) const {
        ascendc_emu::enter("LocalTensor::GetValue", loc);
        check_index(index, "LocalTensor::GetValue", loc);
        T out;
        std::memcpy(&out, v_.ub + v_.addr + uint64_t(index) * sizeof(T), sizeof(T));
        return out;
    }

    template <typename S>
    void SetValue(const uint32_t index, const S value, ASCENDC_EMU_LOC) const {
        ascendc_emu::enter("LocalTensor::SetValue", loc);
        check_index(index, "LocalTensor::SetValue", loc);
        T converted = static_cast<T>(value);
        std::memcpy(v_.ub + v_.addr + uint64_t(index) * sizeof(T), &converted, sizeof(T));
    }

    T& operator()(const uint32_t index) const {
        check_index(index, "LocalTensor::operator()", ascendc_emu::Loc{nullptr, 0});
        return reinterpret_cast<T*>(v_.ub + v_.addr)[index];
    }

    LocalTensor operator[](const uint32_t offset) const {
        if (v_.ub != nullptr && offset > v_.size) {
            ascendc_emu::fail(ascendc_emu::Loc{nullptr, 0}, "LocalTensor::operator[]",
                              ascendc_emu::cat("offset ", offset, " is beyond the ", v_.size, " elements of the LocalTensor<",
                                               ascendc_emu::type_name<T>(), ">"));
        }
        LocalTensor out = *this;
        out.v_.addr = v_.addr + uint32_t(offset * sizeof(T));
        out.v_.size = v_.size - offset;
        return out;
    }

    template <typename U>
    LocalTensor<U> ReinterpretCast() const {
        LocalTensor<U> out;
        out.v_ = v_;
        out.v_.size = uint32_t(uint64_t(v_.size) * sizeof(T) / sizeof(U));
        return out;
    }

    uint32_t GetSize() const { return v_.size; }
    uint32_t GetLength() const { return v_.size * uint32_t(sizeof(T)); }

    void SetSize(const uint32_t size, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("LocalTensor::SetSize", loc);
        if (uint64_t(v_.addr) + uint64_t(size) * sizeof(T) > v_.limit) {
            ascendc_emu::fail(loc, "LocalTensor::SetSize",
                              ascendc_emu::cat(size, " elements of ", ascendc_emu::type_name<T>(), " do not fit the ", v_.limit - v_.addr,
                                               " bytes left in the buffer"));
        }
        v_.size = size;
    }

    int32_t GetPosition() const { return int32_t(v_.pos); }
    uint64_t GetPhyAddr() const { return v_.addr; }
    uint64_t GetPhyAddr(const uint32_t offset) const { return v_.addr + uint64_t(offset) * sizeof(T); }

    // Emulator state.
    ascendc_emu::UbView v_;

private:
    void check_index(uint32_t index, const char* api, const ascendc_emu::Loc& loc) const {
        ascendc_emu::check_live(v_, api, "the tensor", loc);
        if (index >= v_.size) {
            ascendc_emu::fail(loc, api, ascendc_emu::cat("index ", index, " is out of range for a LocalTensor<", ascendc_emu::type_name<T>(),
                                                         "> of ", v_.size, " elements"));
        }
    }
};

}  // namespace AscendC
