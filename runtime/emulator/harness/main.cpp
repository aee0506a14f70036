// The emulator's launcher: `emu_run <dir>` reads <dir>/manifest.txt and the tensor files, runs the tiling
// function and the kernel on every core, then writes out<i>.bin and report.txt, or error.txt.
//
// Exit codes: 0 success, 2 an error (error.txt), 3 a timeout (error.txt), 4 a crash (message on stderr).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "comm.h"
#include "host_side.h"
#include "launch.h"
#include "manifest.h"

namespace {

std::string g_dir;

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A raw pointer access outside the checked API can still crash: say which core and after which call.
void on_crash(int sig) {
    char buf[1024];
    ascendc_emu::CoreState* c = ascendc_emu::tls_core;
    int n;
    if (c != nullptr && c->last_api.load() != nullptr) {
        n = std::snprintf(buf, sizeof buf,
                          "core %u crashed with signal %d (%s) after its last API call %s at %s:%d; a raw pointer access outside the checked API?\n", c->idx,
                          sig, strsignal(sig), c->last_api.load(), ascendc_emu::base_name(c->last_file.load()), c->last_line.load());
    } else {
        n = std::snprintf(buf, sizeof buf, "the emulator crashed with signal %d (%s) outside any kernel API call\n", sig, strsignal(sig));
    }
    if (n > 0) {
        ssize_t w = write(2, buf, size_t(n));
        (void)w;
    }
    _exit(4);
}

std::string hex_bytes(const std::vector<uint8_t>& data) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (uint8_t b : data) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out.empty() ? "-" : out;
}

std::string report(const harness::HostResult& h) {
    std::string out = ascendc_emu::cat("block_dim ", h.block_dim, "\ntiling_key ", h.tiling_key, "\nschedule_mode ", h.schedule_mode, "\nneed_atomic ",
                                       h.need_atomic ? 1 : 0, "\nworkspace_bytes ", h.workspace_bytes, "\ntiling_data ", hex_bytes(h.tiling), "\n");
    for (auto& cp : ascendc_emu::launch().cores) {
        const ascendc_emu::Counters& k = cp->counters;
        out += ascendc_emu::cat("core ", cp->idx, " gm_read ", k.gm_read, " gm_write ", k.gm_write, " dma_ops ", k.dma_ops, " ub_copies ", k.ub_copies,
                                " vector_ops ", k.vector_ops, " scalar_gm ", k.scalar_gm, " ub_bytes ", k.ub_bytes, " tiling_read ", k.tiling_read,
                                " dma_in ", k.dma_in, " scalar_gm_read ", k.scalar_gm_read, "\n");
        out += ascendc_emu::cat("dma ", cp->idx);
        for (auto& [size, count] : k.dma_sizes) out += ascendc_emu::cat(" ", size, ":", count);
        out += "\n";
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <run directory>\n", argv[0]);
        return 64;
    }
    g_dir = argv[1];
    std::signal(SIGSEGV, on_crash);
    std::signal(SIGBUS, on_crash);
    std::signal(SIGFPE, on_crash);
    std::signal(SIGILL, on_crash);
    try {
        harness::Manifest m = harness::read_manifest(g_dir);
        harness::map_device_memory(m.memory);
        harness::HostResult h = harness::run_host(m);
        harness::Launch L;
        harness::prepare(m, h, L);
        harness::CommWindows comm;
        comm.attach(m.comm);
        if (!harness::run_cores(m, h, L)) {
            write_text(g_dir + "/error.txt", ascendc_emu::cat("the kernel did not finish within ", m.timeout, " s (a hang: a wait that is never satisfied?)",
                                                            harness::where_cores_are()));
            std::fflush(nullptr);
            _exit(3);
        }
        auto& S = ascendc_emu::launch();
        if (!S.error.empty()) {
            write_text(g_dir + "/error.txt", S.error);
            return 2;
        }
        for (auto& [t, ptr] : L.outputs) {
            if (t->address != 0) continue;  // in device memory: already there
            uint64_t bytes = harness::elements(t->shape) * harness::dtype_info(t->dtype).size;
            write_text(g_dir + "/out" + std::to_string(t->index) + ".bin", std::string(reinterpret_cast<const char*>(ptr), bytes));
        }
        write_text(g_dir + "/report.txt", report(h));
        return 0;
    } catch (const std::exception& e) {
        write_text(g_dir + "/error.txt", e.what());
        return 2;
    }
}
