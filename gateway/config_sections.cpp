#include "gateway/config_sections.hpp"

namespace gateway::config_reader {
namespace {

using std::chrono::milliseconds;

// A timeout or interval of zero would either spin or never wait, so every duration in the
// file must be at least this long.
constexpr DurationRule positive_duration{milliseconds{1}};
constexpr CountRule positive_count{1};

InboundTls read_inbound_tls(const Field& field, Context& context) {
  InboundTls tls;
  MapReader map(field, context);
  read_required(map, "certificate", tls.certificate_file, PathRule{});
  read_required(map, "private_key", tls.private_key_file, PathRule{});
  map.finish();
  return tls;
}

Route read_route(const Field& field, Context& context) {
  Route route;
  MapReader map(field, context);
  read_required(map, "domain", route.domain, DomainRule{.allow_wildcard = true});
  read_required(map, "next_hop", route.next_hop, EndpointRule{});
  read_optional(map, "tls", route.tls, EnumRule{tls_policy_names});
  if (auto ca_file = map.optional("ca_file")) {
    route.ca_file = read_value(*ca_file, context, PathRule{});
  }
  route.tls_name = route.next_hop.host;
  read_optional(map, "tls_name", route.tls_name, TextRule{});
  map.finish();
  return route;
}

std::vector<Route> read_routes(const Field& field, Context& context) {
  std::vector<Route> routes;
  for (const auto& item : list_items(field, context)) {
    routes.push_back(read_route(item, context));
  }
  if (field.node.IsSequence() && routes.empty()) {
    context.error(field, "must list at least one route");
  }
  return routes;
}

Limits read_limits(const Field& field, Context& context) {
  Limits limits;
  MapReader map(field, context);
  read_optional(map, "max_connections", limits.max_connections, positive_count);
  read_optional(map, "max_messages_per_session", limits.max_messages_per_session, CountRule{});
  read_optional(map, "max_recipients", limits.max_recipients, positive_count);
  read_optional(map, "max_message_size", limits.max_message_size_bytes, SizeRule{});
  read_optional(map, "max_line_length", limits.max_line_length_bytes,
                SizeRule{config_bounds::min_line_length_bytes});
  read_optional(map, "max_command_length", limits.max_command_length_bytes,
                SizeRule{config_bounds::min_command_length_bytes});
  read_optional(map, "max_header_fields", limits.max_header_fields, positive_count);
  read_optional(map, "max_header_size", limits.max_header_size_bytes, SizeRule{});
  read_optional(map, "max_received_headers", limits.max_received_headers, positive_count);
  read_optional(map, "command_timeout", limits.command_timeout, positive_duration);
  read_optional(map, "data_timeout", limits.data_timeout, positive_duration);
  read_optional(map, "min_data_rate", limits.min_data_rate_bytes_per_second,
                SizeRule{.min_bytes = 0});
  read_optional(map, "max_queue_messages", limits.max_queue_messages, positive_count);
  map.finish();
  return limits;
}

Delivery read_delivery(const Field& field, Context& context) {
  Delivery delivery;
  MapReader map(field, context);
  read_optional(map, "connect_timeout", delivery.connect_timeout, positive_duration);
  read_optional(map, "greeting_timeout", delivery.greeting_timeout, positive_duration);
  read_optional(map, "command_timeout", delivery.command_timeout, positive_duration);
  read_optional(map, "data_start_timeout", delivery.data_start_timeout, positive_duration);
  read_optional(map, "data_block_timeout", delivery.data_block_timeout, positive_duration);
  read_optional(map, "data_end_timeout", delivery.data_end_timeout, positive_duration);
  read_optional(map, "max_connections_per_hop", delivery.max_connections_per_hop, positive_count);
  map.finish();
  return delivery;
}

Retry read_retry(const Field& field, Context& context) {
  Retry retry;
  MapReader map(field, context);
  read_optional(map, "min_backoff", retry.min_backoff, positive_duration);
  read_optional(map, "max_backoff", retry.max_backoff, positive_duration);
  read_optional(map, "backoff_factor", retry.backoff_factor,
                DecimalRule{config_bounds::min_backoff_factor, config_bounds::max_backoff_factor});
  read_optional(map, "max_lifetime", retry.max_lifetime, positive_duration);
  map.finish();
  return retry;
}

Emulation read_emulation(const Field& field, Context& context) {
  Emulation emulation;
  MapReader map(field, context);
  read_required(map, "url", emulation.url, UrlRule{});
  if (auto ca_file = map.optional("ca_file")) {
    emulation.ca_file = read_value(*ca_file, context, PathRule{});
  }
  read_optional(map, "max_delay", emulation.max_delay, positive_duration);
  read_optional(map, "poll_interval", emulation.poll_interval, positive_duration);
  read_optional(map, "fail_mode", emulation.fail_mode, EnumRule{fail_mode_names});
  read_optional(map, "max_concurrent_requests", emulation.max_concurrent_requests, positive_count);
  read_optional(map, "request_timeout", emulation.request_timeout, positive_duration);
  read_optional(map, "subject_tag", emulation.subject_tag, TextRule{.allow_empty = true});
  read_optional(map, "exempt_recipients", emulation.exempt_recipients,
                ListRule<AddressRule>{.item = {.fold_local_part = true}, .min_items = 0});
  map.finish();
  return emulation;
}

Quarantine read_quarantine(const Field& field, Context& context) {
  Quarantine quarantine;
  MapReader map(field, context);
  if (auto address = map.optional("address")) {
    quarantine.address = read_value(*address, context, AddressRule{});
  }
  read_optional(map, "hold", quarantine.hold, FlagRule{});
  map.finish();
  return quarantine;
}

Metrics read_metrics(const Field& field, Context& context) {
  Metrics metrics;
  MapReader map(field, context);
  read_required(map, "listen", metrics.listen, EndpointRule{});
  map.finish();
  return metrics;
}

// Reads an optional section with `read` when its key is present.
template <typename Section, typename Read>
void read_section(MapReader& map, std::string_view key, Section& target, Read read) {
  if (auto field = map.optional(key)) {
    target = read(*field, map.context());
  }
}

}  // namespace

Config read_config(const Field& root, Context& context) {
  Config config;
  MapReader map(root, context);
  read_required(map, "hostname", config.hostname, DomainRule{});
  read_required(map, "listen", config.listen, EndpointRule{});
  read_optional(map, "mode", config.mode, EnumRule{mode_names});
  read_required(map, "accepted_domains", config.accepted_domains,
                ListRule<DomainRule>{.item = {}, .min_items = 1});
  read_required(map, "spool_dir", config.spool_dir, PathRule{});
  read_section(map, "tls", config.tls, read_inbound_tls);
  if (auto routes = map.required("routes")) {
    config.routes = read_routes(*routes, context);
  }
  read_section(map, "emulation", config.emulation, read_emulation);
  read_section(map, "metrics", config.metrics, read_metrics);
  read_section(map, "limits", config.limits, read_limits);
  read_section(map, "delivery", config.delivery, read_delivery);
  read_section(map, "retry", config.retry, read_retry);
  read_section(map, "quarantine", config.quarantine, read_quarantine);
  read_optional(map, "log_level", config.log_level, EnumRule{log_level_names});
  map.finish();
  return config;
}

}  // namespace gateway::config_reader
