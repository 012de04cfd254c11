// Asio and its SSL layer are compiled here once (BOOST_ASIO_SEPARATE_COMPILATION), which
// keeps every other translation unit lighter.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
