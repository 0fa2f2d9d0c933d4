# Layer include roots.
#
# Sources include headers by layer path ("sim/scheduler.h", "engine/ports/clock.h"). Instead of
# putting the source root on every include path, which would let any file include any header,
# each layer gets its own include root in the build tree holding a symlink to just the headers it
# exports. A target sees a header only if it links the layer that exports it, so the dependency
# direction of ARCHITECTURE.md is enforced by the compiler, not by review.

# ebsim_export_headers(<target> <layer-root-name> <relative-path>...)
#   Exposes each <relative-path> (a file or a directory under the source root, e.g. "sim/time.h"
#   or "engine/ports") to <target> and everything that links it.
function(ebsim_export_headers target root_name)
  set(root "${CMAKE_BINARY_DIR}/layers/${root_name}")
  foreach(rel IN LISTS ARGN)
    get_filename_component(parent "${root}/${rel}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    file(CREATE_LINK "${CMAKE_SOURCE_DIR}/${rel}" "${root}/${rel}" SYMBOLIC)
  endforeach()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE "${root}")
  else()
    target_include_directories(${target} PUBLIC "${root}")
  endif()
endfunction()
