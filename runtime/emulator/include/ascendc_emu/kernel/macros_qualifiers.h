// The bisheng qualifiers and address-space markers: on the CPU they mean nothing.
#pragma once

#include <cstdint>

#ifndef __aicore__
#define __aicore__
#endif
#ifndef __global__
#define __global__
#endif
#ifndef __gm__
#define __gm__
#endif
#ifndef __ubuf__
#define __ubuf__
#endif
#ifndef __vector__
#define __vector__
#endif
#ifndef GM_ADDR
#define GM_ADDR __gm__ uint8_t*
#endif

// The dav-c220 (Atlas A2/A3) vector core, as a kernel built for it sees.
#ifndef __NPU_ARCH__
#define __NPU_ARCH__ 2201
#endif
#ifndef __DAV_C220_VEC__
#define __DAV_C220_VEC__ 1
#endif

// `if ASCEND_IS_AIV { ... }`: every emulated core is an AIV core.
#define ASCEND_IS_AIV constexpr (true)
#define ASCEND_IS_AIC constexpr (false)
#define ASCEND_IS_NOT_AIV constexpr (false)
#define ASCEND_IS_NOT_AIC constexpr (true)
