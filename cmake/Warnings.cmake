# Every project target compiles with warnings as errors. Third-party headers come in as
# system includes (imported targets), so their warnings are not ours.
add_library(mta_warnings INTERFACE)
target_compile_options(mta_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough -Werror
  # g++ 12 reports impossible overlaps in inlined std::string concatenation (a known false
  # positive of its -Wrestrict); the check finds nothing real in this code.
  -Wno-restrict
  # Designated initializers that leave members to their default member initializers are
  # the intended C++20 idiom here; g++ 12 still reports them under -Wextra.
  -Wno-missing-field-initializers)

# Sanitizers come from the preset through MTA_SANITIZE (for example "address,undefined").
set(MTA_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list, empty for none")
if(MTA_SANITIZE)
  add_compile_options(-fsanitize=${MTA_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  # With sanitizers, g++ 12 inlines Asio's awaitable frame allocator and then reports its
  # sized operator delete as mismatched with the frame's operator new: a false positive
  # (both are Asio's own pair), so it is silenced for sanitizer builds only.
  add_compile_options(-Wno-mismatched-new-delete)
  # Sanitizer instrumentation also defeats g++ 12's flow analysis in Beast's HTTP parser,
  # which then reports a boost::optional as maybe used uninitialized: silenced likewise.
  add_compile_options(-Wno-maybe-uninitialized)
  add_link_options(-fsanitize=${MTA_SANITIZE})
endif()

# Adds a project library from the sources given, with the repository root as include root.
function(mta_library name)
  add_library(${name} ${ARGN})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE mta_warnings)
endfunction()

function(mta_program name)
  add_executable(${name} ${ARGN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE mta_warnings)
endfunction()

# A Boost.Test executable registered with CTest as one test.
function(mta_test name)
  add_executable(${name} ${ARGN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE mta_warnings Boost::unit_test_framework)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK)
  add_test(NAME ${name} COMMAND ${name} --log_level=test_suite --report_level=short)
  set_tests_properties(${name} PROPERTIES TIMEOUT 600)
endfunction()
