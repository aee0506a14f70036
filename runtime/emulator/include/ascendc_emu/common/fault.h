// Errors of the emulator: every broken hardware rule ends the run with one message that names the call,
// the kernel source line and the values involved.
#pragma once

#include <cstdint>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <utility>

namespace ascendc_emu {

// The call site of an API call. Public API functions take it as a trailing default argument
// (`ASCENDC_EMU_LOC`), so GCC fills in the kernel's file and line, not the header's.
struct Loc {
    const char* file;
    int line;
    // The builtins must be default arguments of a call inside the default argument: GCC then resolves them
    // at the outer call site (written directly in the outer default argument they give this header's line).
    static constexpr Loc here(const char* file = __builtin_FILE(), int line = __builtin_LINE()) { return Loc{file, line}; }
};

#define ASCENDC_EMU_LOC ::ascendc_emu::Loc loc = ::ascendc_emu::Loc::here()

inline const char* base_name(const char* path) {
    const char* slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

template <class... Args>
std::string cat(Args&&... args) {
    std::ostringstream out;
    (out << ... << std::forward<Args>(args));
    return out.str();
}

// A kernel broke a hardware rule (or misused the API). Thrown on the core's thread; the harness reports it.
class KernelFault : public std::exception {
public:
    explicit KernelFault(std::string msg) : msg_(std::move(msg)) {}
    const char* what() const noexcept override { return msg_.c_str(); }

private:
    std::string msg_;
};

// Another core already failed: this core stops quietly so that only the first error is reported.
struct Aborted {};

// The host side (tiling function, OpDef) misused the API.
class HostError : public std::exception {
public:
    explicit HostError(std::string msg) : msg_(std::move(msg)) {}
    const char* what() const noexcept override { return msg_.c_str(); }

private:
    std::string msg_;
};

[[noreturn]] inline void fail(const Loc& loc, const char* api, const std::string& what) {
    if (loc.file == nullptr) throw KernelFault(cat(api, ": ", what));
    throw KernelFault(cat(base_name(loc.file), ":", loc.line, ": ", api, ": ", what));
}

[[noreturn]] inline void host_fail(const std::string& what) { throw HostError(what); }

}  // namespace ascendc_emu
