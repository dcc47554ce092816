# One interface target carries the project's warning flags; every levee target links it.
add_library(levee_warnings INTERFACE)
target_compile_options(levee_warnings INTERFACE -Wall -Wextra -Wshadow=local -Wnon-virtual-dtor
                                                -Wold-style-cast -Woverloaded-virtual)
if(LEVEE_WERROR)
  target_compile_options(levee_warnings INTERFACE -Werror)
endif()
