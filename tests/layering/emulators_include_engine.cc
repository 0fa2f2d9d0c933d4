// Must not compile: see tests/layering/CMakeLists.txt.
#include "engine/batch_plan.h"

int layeringProbe() { return 0; }
