# Sanitizers apply to the whole build (libraries and tests alike), so they are global flags.
if(LEVEE_SANITIZE AND LEVEE_TSAN)
  message(FATAL_ERROR "LEVEE_SANITIZE and LEVEE_TSAN cannot be combined")
endif()
if(LEVEE_SANITIZE OR LEVEE_TSAN)
  # Sanitizer builds exist to run the tests, so they are built for build time: -Og keeps the
  # instrumentation from being optimised at -O2 (GCC's UBSan checks inside Asio/Beast coroutine
  # frames are what made the ASan build 6x the Release build), and -g1 keeps the line tables a
  # sanitizer report needs without the full DWARF of every Beast template. Measured on
  # proxy/http/forwarder.cpp with ASan+UBSan: 75 s at -O2 -g, 26 s at -Og -g1. Given last, these
  # win over the build type's own -O/-g.
  add_compile_options(-Og -g1)
endif()
if(LEVEE_SANITIZE)
  # Three UBSan checks are left out for build time: they instrument every member access and
  # pointer step in Asio's coroutine frames, and cost 30% of the ASan+UBSan compile (measured on
  # proxy/http/upstream_exchange.cpp: 120 CPU-s with them, 85 without). `alignment`: x86 reads
  # unaligned data correctly and levee casts no buffers to structs; `vptr`: levee downcasts
  # nothing it did not construct, and a freed object's vtable is ASan's use-after-free;
  # `pointer-overflow`: out-of-bounds pointers are ASan's. Integer overflow, shifts, bounds,
  # enums, bools, null and missing returns stay checked.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr,alignment,pointer-overflow
                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # GCC 12 with ASan misreads Asio's coroutine frames (allocated by asio::aligned_new, freed by
  # the frame's own operator delete) as a mismatched new/delete; ASan itself checks the real pairs.
  # Its instrumented string code also trips the known -Wrestrict false positive (GCC bug 105329).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-mismatched-new-delete -Wno-restrict)
  endif()
endif()
if(LEVEE_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  # TSan does not model the stand-alone fences Asio puts around handler calls; without them the
  # handoff between threads still goes through Asio's mutex-guarded queues, which TSan does see.
  add_compile_definitions(BOOST_ASIO_DISABLE_FENCED_BLOCK)
  # Asio's reference counts still end in a fence (release decrement, acquire fence), which GCC
  # warns TSan cannot see; the decrement itself is an atomic TSan does track.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-mismatched-new-delete)
  endif()
endif()
