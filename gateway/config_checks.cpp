#include "gateway/config_checks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "gateway/config_values.hpp"

namespace gateway::config_reader {
namespace {

using config_values::format_duration;

void report(Context& context, const std::string& path, std::string message) {
  context.error(context.line_of(path), path, std::move(message));
}

// Of two keys in conflict, the one to name: the first if the operator wrote it, else the
// second if they wrote that, else the first (both are defaults, which cannot conflict).
const std::string& key_to_blame(const Context& context, const std::string& first,
                                const std::string& second) {
  return !context.was_written(first) && context.was_written(second) ? second : first;
}

void check_accepted_domains(const Config& config, Context& context) {
  const auto& domains = config.accepted_domains;
  for (std::size_t index = 0; index < domains.size(); ++index) {
    auto path = item_path("accepted_domains", index);
    auto first = std::find(domains.begin(), domains.end(), domains[index]) - domains.begin();
    if (static_cast<std::size_t>(first) != index) {
      report(context, path,
             fmt::format("{} is listed twice; the first is accepted_domains[{}]", domains[index],
                         first));
      continue;
    }
    // Mail accepted for a domain no route serves could only sit in the queue and bounce.
    if (find_route(config, domains[index]) == nullptr) {
      report(context, path,
             fmt::format("no route delivers mail for {}; add a route for it or a \"*\" route",
                         domains[index]));
    }
  }
}

// Certificate settings belong to verify alone. With any other policy they would do
// nothing, and an operator who wrote them most likely believes the next hop is checked.
void check_route_tls(const Route& route, const std::string& path, Context& context) {
  auto ca_file_path = child_path(path, "ca_file");
  auto tls_name_path = child_path(path, "tls_name");
  bool verify = route.tls == TlsPolicy::verify;
  if (verify && !route.ca_file) {
    report(context, ca_file_path,
           "required when tls is verify: next hops are checked only against the trust "
           "anchors named here, never against a system-wide store");
  }
  if (!verify && route.ca_file) {
    report(context, ca_file_path,
           fmt::format("only used when tls is verify, but tls is {}", to_string(route.tls)));
  }
  if (!verify && context.was_written(tls_name_path)) {
    report(context, tls_name_path,
           fmt::format("only used when tls is verify, but tls is {}", to_string(route.tls)));
  }
}

void check_routes(const std::vector<Route>& routes, Context& context) {
  for (std::size_t index = 0; index < routes.size(); ++index) {
    auto path = item_path("routes", index);
    for (std::size_t earlier = 0; earlier < index; ++earlier) {
      if (routes[earlier].domain == routes[index].domain) {
        report(context, child_path(path, "domain"),
               fmt::format("{} already has a route, routes[{}]", routes[index].domain, earlier));
        break;
      }
    }
    check_route_tls(routes[index], path, context);
  }
}

void check_emulation(const Emulation& emulation, Context& context) {
  // Trust anchors over plain HTTP would check nothing, and an operator who wrote them most
  // likely believes the service is checked.
  if (emulation.ca_file && !emulation.url.starts_with("https://")) {
    report(context, "emulation.ca_file", "only used with an https:// url");
  }

  // A poll interval beyond the deadline would put the first poll after the deadline.
  if (emulation.poll_interval > emulation.max_delay) {
    const std::string poll_path = "emulation.poll_interval";
    const std::string delay_path = "emulation.max_delay";
    report(context, key_to_blame(context, poll_path, delay_path),
           fmt::format("poll_interval ({}) must not be longer than max_delay ({})",
                       format_duration(emulation.poll_interval),
                       format_duration(emulation.max_delay)));
  }
}

// The copies go out like any mail, so their address needs a route; and only inspection
// makes them, so without it the address would be a promise nobody keeps.
void check_quarantine(const Config& config, Context& context) {
  if (!config.quarantine.address) {
    return;
  }
  const std::string path = "quarantine.address";
  const std::string& address = *config.quarantine.address;
  const std::string domain = address.substr(address.rfind('@') + 1);
  if (!config.emulation) {
    report(context, path,
           "only used with an emulation section: without inspection no attachment is removed "
           "and no copy is made");
  } else if (find_route(config, domain) == nullptr) {
    report(
        context, path,
        fmt::format("no route delivers mail for {}; add a route for it or a \"*\" route", domain));
  }
}

void check_retry(const Retry& retry, Context& context) {
  if (retry.min_backoff > retry.max_backoff) {
    const std::string max_path = "retry.max_backoff";
    const std::string min_path = "retry.min_backoff";
    report(context, key_to_blame(context, max_path, min_path),
           fmt::format("max_backoff ({}) must not be shorter than min_backoff ({})",
                       format_duration(retry.max_backoff), format_duration(retry.min_backoff)));
  }
}

void check_metrics(const Config& config, Context& context) {
  if (config.metrics && config.metrics->listen == config.listen) {
    report(context, "metrics.listen",
           fmt::format("must differ from listen ({}): one address cannot serve both SMTP "
                       "and metrics",
                       config.listen.to_string()));
  }
}

}  // namespace

void check_config(const Config& config, Context& context) {
  check_accepted_domains(config, context);
  check_routes(config.routes, context);
  if (config.emulation) {
    check_emulation(*config.emulation, context);
  }
  check_quarantine(config, context);
  check_retry(config.retry, context);
  check_metrics(config, context);
}

}  // namespace gateway::config_reader
