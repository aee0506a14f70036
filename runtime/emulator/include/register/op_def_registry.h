// Host side of a CANN op project: OpDef registration, the tiling and inference contexts, ge types.
#pragma once

#include "../ascendc_emu/host/graph.h"
#include "../ascendc_emu/host/shape.h"
#include "../ascendc_emu/host/contexts.h"
#include "../ascendc_emu/host/op_def.h"
