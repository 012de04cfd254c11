#include "gateway/observability/metrics.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdio>

namespace gateway {
namespace {

std::string format_number(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

void write_scalar(std::string& out, const char* name, const char* type, const char* help,
                  const std::string& value) {
  out += "# HELP mta_";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE mta_";
  out += name;
  out += ' ';
  out += type;
  out += "\nmta_";
  out += name;
  out += ' ';
  out += value;
  out += '\n';
}

void write_counter(std::string& out, const char* name, const char* help, std::uint64_t value) {
  write_scalar(out, name, "counter", help, std::to_string(value));
}

void write_gauge(std::string& out, const char* name, const char* help, std::int64_t value) {
  write_scalar(out, name, "gauge", help, std::to_string(value));
}

void write_histogram(std::string& out, const char* name, const char* help,
                     const Histogram& histogram) {
  const std::string full = std::string("mta_") + name;
  out += "# HELP " + full + " " + help + "\n# TYPE " + full + " histogram\n";
  const auto cumulative = histogram.cumulative();
  for (std::size_t i = 0; i < histogram.bounds().size(); ++i) {
    out += full + "_bucket{le=\"" + format_number(histogram.bounds()[i]) + "\"} " +
           std::to_string(cumulative[i]) + "\n";
  }
  out += full + "_bucket{le=\"+Inf\"} " + std::to_string(histogram.count()) + "\n";
  out += full + "_sum " + format_number(histogram.sum_seconds()) + "\n";
  out += full + "_count " + std::to_string(histogram.count()) + "\n";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds_seconds)
    : bounds_(std::move(bounds_seconds)), buckets_(bounds_.size() + 1, 0) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::observe(runtime::Duration value) {
  const double seconds = std::chrono::duration<double>(value).count();
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin();
  ++buckets_[static_cast<std::size_t>(bucket)];
  ++count_;
  sum_seconds_ += seconds;
}

std::vector<std::uint64_t> Histogram::cumulative() const {
  std::vector<std::uint64_t> totals(bounds_.size(), 0);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    running += buckets_[i];
    totals[i] = running;
  }
  return totals;
}

std::vector<double> default_latency_buckets() {
  return {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600};
}

std::string GatewayMetrics::render() const {
  std::string out;
  write_counter(out, "connections_total", "Inbound SMTP connections accepted.", connections_total);
  write_gauge(out, "connections_active", "Inbound SMTP connections open now.", connections_active);
  write_counter(out, "connections_refused_total",
                "Inbound connections refused with 421 over the connection limit.",
                connections_refused_total);
  write_counter(out, "messages_received_total", "Messages answered 250 at the end of DATA.",
                messages_received_total);
  write_counter(out, "messages_rejected_total", "Messages refused at the end of DATA.",
                messages_rejected_total);
  write_counter(out, "messages_delivered_total", "Messages delivered to every recipient.",
                messages_delivered_total);
  write_counter(out, "messages_deferred_total", "Delivery attempts deferred for a retry.",
                messages_deferred_total);
  write_counter(out, "messages_bounced_total", "Messages with at least one bounced recipient.",
                messages_bounced_total);
  write_gauge(out, "queue_depth", "Messages in the queue.", queue_depth);
  write_counter(out, "tls_handshakes_inbound_total", "Inbound STARTTLS handshakes completed.",
                tls_handshakes_inbound_total);
  write_counter(out, "tls_handshakes_inbound_failed_total", "Inbound STARTTLS handshakes failed.",
                tls_handshakes_inbound_failed_total);
  write_counter(out, "tls_handshakes_outbound_total", "Outbound STARTTLS handshakes completed.",
                tls_handshakes_outbound_total);
  write_counter(out, "tls_handshakes_outbound_failed_total", "Outbound STARTTLS handshakes failed.",
                tls_handshakes_outbound_failed_total);
  write_counter(out, "files_benign_total", "Files the sandbox judged benign.", files_benign_total);
  write_counter(out, "files_malicious_total", "Files the sandbox judged malicious (removed).",
                files_malicious_total);
  write_counter(out, "files_not_scanned_total",
                "Files without a verdict, handled by the fail mode.", files_not_scanned_total);
  write_counter(out, "messages_held_total", "Messages inspection held for an operator.",
                messages_held_total);
  write_counter(out, "quarantine_copies_total",
                "Originals of changed messages sent to quarantine.address.",
                quarantine_copies_total);
  write_histogram(out, "receive_seconds", "Time from connection to the 250 for a message.",
                  receive_seconds);
  write_histogram(out, "inspection_seconds", "Time a message spent in inspection.",
                  inspection_seconds);
  write_histogram(out, "delivery_seconds", "Time of one delivery attempt.", delivery_seconds);
  write_histogram(out, "end_to_end_seconds", "Time from the 250 to the message's final outcome.",
                  end_to_end_seconds);
  return out;
}

}  // namespace gateway
