// platform_ascendc::PlatformAscendC for tiling functions.
#pragma once

#include "../../ascendc_emu/host/platform.h"
