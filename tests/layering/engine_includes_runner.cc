// Must not compile: see tests/layering/CMakeLists.txt.
#include "runner/kernel_demo.h"

int layeringProbe() { return 0; }
