// Must not compile: see tests/layering/CMakeLists.txt.
#include "engine/ports/clock.h"

int layeringProbe() { return 0; }
