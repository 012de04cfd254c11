// The gateway's metrics and their Prometheus text rendering (exposition format 0.0.4).
// Counters and gauges are plain integers, histograms have fixed buckets in seconds; the
// gateway runs its metrics on one executor, so nothing here is atomic.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/time.hpp"

namespace gateway {

class Histogram {
 public:
  // Upper bounds in seconds, ascending; +Inf is implied.
  explicit Histogram(std::vector<double> bounds_seconds);

  void observe(runtime::Duration value);
  std::uint64_t count() const { return count_; }
  double sum_seconds() const { return sum_seconds_; }
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count of observations at or below each bound.
  std::vector<std::uint64_t> cumulative() const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> buckets_;  // one per bound, plus +Inf
  std::uint64_t count_ = 0;
  double sum_seconds_ = 0;
};

// Latency buckets from a millisecond (a local write) to an hour (a slow sandbox).
std::vector<double> default_latency_buckets();

struct GatewayMetrics {
  std::uint64_t connections_total = 0;
  std::int64_t connections_active = 0;
  std::uint64_t connections_refused_total = 0;  // over the connection limit
  std::uint64_t messages_received_total = 0;    // answered 250 at the end of DATA
  std::uint64_t messages_rejected_total = 0;    // refused at the end of DATA
  std::uint64_t messages_delivered_total = 0;
  std::uint64_t messages_deferred_total = 0;
  std::uint64_t messages_bounced_total = 0;
  std::int64_t queue_depth = 0;
  std::uint64_t tls_handshakes_inbound_total = 0;
  std::uint64_t tls_handshakes_inbound_failed_total = 0;
  std::uint64_t tls_handshakes_outbound_total = 0;
  std::uint64_t tls_handshakes_outbound_failed_total = 0;

  // Inspection, per file by its outcome, and per message.
  std::uint64_t files_benign_total = 0;
  std::uint64_t files_malicious_total = 0;    // removed
  std::uint64_t files_not_scanned_total = 0;  // delivered or removed by the fail mode
  std::uint64_t messages_held_total = 0;      // held by inspection for an operator
  std::uint64_t quarantine_copies_total = 0;  // originals sent to quarantine.address

  // Per-stage latency: receiving (connection to 250), inspection, delivery (one attempt),
  // and end to end (250 to the last recipient's final outcome).
  Histogram receive_seconds{default_latency_buckets()};
  Histogram inspection_seconds{default_latency_buckets()};
  Histogram delivery_seconds{default_latency_buckets()};
  Histogram end_to_end_seconds{default_latency_buckets()};

  // The whole set in Prometheus text format, names prefixed "mta_".
  std::string render() const;
};

}  // namespace gateway
