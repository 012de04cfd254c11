# Every dependency is a Debian 12 package installed by scripts/install-deps.sh.
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS unit_test_framework json)
find_package(OpenSSL 3 REQUIRED)
find_package(benchmark REQUIRED)

# Asio is compiled once, in runtime/asio_impl.cpp, instead of in every translation unit.
add_library(mta_asio INTERFACE)
target_link_libraries(mta_asio INTERFACE Boost::headers OpenSSL::SSL OpenSSL::Crypto
                      Threads::Threads)
target_compile_definitions(mta_asio INTERFACE
  BOOST_ASIO_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_NO_TS_EXECUTORS)

find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)

# C libraries found through pkg-config: GMime 3 (MIME parsing in the gateway's inspection)
# and libarchive (zip archives in the emulator mock's verdict rules).
find_package(PkgConfig REQUIRED)
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
