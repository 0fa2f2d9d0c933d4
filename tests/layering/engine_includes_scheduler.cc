// Must not compile: see tests/layering/CMakeLists.txt.
#include "sim/scheduler.h"

int layeringProbe() { return 0; }
