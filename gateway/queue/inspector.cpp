#include "gateway/queue/inspector.hpp"

namespace gateway {

boost::asio::awaitable<InspectionOutcome> PassThroughInspector::inspect(QueuedMessage&) {
  co_return InspectionOutcome{};
}

}  // namespace gateway
