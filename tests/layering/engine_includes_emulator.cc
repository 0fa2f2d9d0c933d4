// Must not compile: see tests/layering/CMakeLists.txt.
#include "emulators/clock/sim_clock.h"

int layeringProbe() { return 0; }
