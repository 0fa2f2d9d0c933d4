#pragma once

// Included by every sim/ file whose results depend on floating point. Replay across machines
// depends on IEEE double arithmetic without extra precision or value-changing optimisations
// (see det_math.h; CMake also sets -ffp-contract=off).

#include <cfloat>

static_assert(FLT_EVAL_METHOD == 0, "sim/ needs IEEE double evaluation (no x87 excess precision)");
#ifdef __FAST_MATH__
#error "sim/ must not be built with -ffast-math: it breaks bit-exact replay"
#endif
