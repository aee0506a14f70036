// CPU emulator of the Ascend C kernel API (Atlas A2/A3, dav-c220 vector core).
//
// Kernels written for the real `kernel_operator.h` compile unchanged with g++ against this header and run on
// the CPU, one thread per core, with the hardware rules checked at run time (see runtime/emulator/README.md).
#pragma once

#include <cstdint>

#include "ascendc_emu/kernel/macros_qualifiers.h"
#include "ascendc_emu/kernel/scalar_types.h"
#include "ascendc_emu/kernel/enums.h"
#include "ascendc_emu/kernel/runtime.h"
#include "ascendc_emu/kernel/tensor.h"
#include "ascendc_emu/kernel/tpipe.h"
#include "ascendc_emu/kernel/copy_params.h"
#include "ascendc_emu/kernel/data_copy.h"
#include "ascendc_emu/kernel/vector_ops.h"
#include "ascendc_emu/kernel/cast.h"
#include "ascendc_emu/kernel/reduce.h"
#include "ascendc_emu/kernel/compare.h"
#include "ascendc_emu/kernel/sync.h"
#include "ascendc_emu/kernel/hccl_context.h"
#include "ascendc_emu/kernel/tiling_macros.h"
