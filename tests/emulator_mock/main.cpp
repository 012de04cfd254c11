#define BOOST_TEST_MODULE emulator_mock
#include <boost/test/unit_test.hpp>
