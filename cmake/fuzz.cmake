# libFuzzer harnesses (tests/fuzz/). Like the sanitizers these are global flags: coverage feedback
# and ASan/UBSan have to instrument the levee libraries the harnesses call, not just the harness
# files. `fuzzer-no-link` instruments without pulling in libFuzzer's main(); only the harness
# executables link libFuzzer itself (tests/fuzz/CMakeLists.txt).
if(NOT LEVEE_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR
    "LEVEE_FUZZ=ON needs clang: libFuzzer ships with clang's runtime, GCC has no equivalent. "
    "Found ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}. Use a fresh build directory: "
    "CXX=clang++ cmake -S . -B build/fuzz -DLEVEE_FUZZ=ON (or just run scripts/fuzz.sh).")
endif()
if(LEVEE_TSAN)
  message(FATAL_ERROR "LEVEE_FUZZ and LEVEE_TSAN cannot be combined (the fuzzers use ASan)")
endif()
# -fno-sanitize-recover: a UB report must stop the run, or libFuzzer never saves the input.
# -g: the reproducer's stack trace names lines. -UNDEBUG: Beast's BOOST_ASSERTs check the parser's
# own invariants, exactly what a fuzzer should be able to trip (RelWithDebInfo defines NDEBUG).
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -g -UNDEBUG)
add_link_options(-fsanitize=address,undefined)
# levee_warnings is tuned for GCC (-Wshadow=local); clang would warn about it in every file.
add_compile_options(-Wno-unknown-warning-option)
