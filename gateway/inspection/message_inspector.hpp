// The gateway's inspection stage with a sandbox behind it: finds the files in a spooled
// message (analyse), has the emulation service judge each at once (TeClient, all files of
// a message in parallel, all under one deadline of emulation.max_delay from the start of
// inspection), decides per file by verdict and fail mode (verdict_policy), and replaces the
// spooled content with the rewritten version: removed files become notices, forged
// X-Threat-Emulation fields are dropped and one field per file is added at the top.
//
// A file's bytes reach the service only when it asks for an upload; they are decoded once
// into a scratch file of the spool and streamed from there, never held whole in memory.
//
// Returns hold (for `mta-gateway queue release`) when fail mode close and quarantine.hold
// meet a file without a verdict, and when the message cannot be read or rewritten (the
// reason says which); everything else goes on to delivery.
//
// Exempt recipients: a message whose every recipient is exempt is passed on untouched; a
// message with both kinds is inspected for all of them.
//
// Quarantine copies: when quarantine.address is set and a file is removed (malicious, or
// without a verdict under fail mode close), the original goes to that address as it
// arrived (quarantine_copy.hpp), spooled before the rewrite replaces it and returned among
// the outcome's companions for whoever queues the message. A message whose copy cannot be
// spooled is held unchanged, so that the original is never lost.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/emulation/te_client.hpp"
#include "gateway/observability/logger.hpp"
#include "gateway/observability/metrics.hpp"
#include "gateway/queue/inspector.hpp"
#include "gateway/spool/queued_message.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/host.hpp"
#include "runtime/random.hpp"
#include "runtime/tls.hpp"

namespace gateway::inspection {

class MessageInspector final : public Inspector {
 public:
  // What the inspector is connected to besides the spool.
  struct Wiring {
    // The verifying client context for emulation.ca_file, when it is set.
    std::optional<runtime::TlsContext> service_tls;
    GatewayMetrics* metrics = nullptr;  // counted into when given
  };

  // `config` (with an emulation section), `spool`, `log` and the metrics must outlive the
  // inspector.
  MessageInspector(runtime::Host& host, const Config& config, Spool& spool, Logger& log,
                   Wiring wiring);

  boost::asio::awaitable<InspectionOutcome> inspect(QueuedMessage& message) override;

 private:
  bool all_recipients_exempt(const QueuedMessage& message) const;
  // The outcome that holds the message, counted.
  InspectionOutcome held(std::string reason);
  void count_file(emulation::Verdict verdict);
  // Spools the original's copy for quarantine.address. Errors: the spool's.
  runtime::Result<QueuedMessage> copy_to_quarantine(const QueuedMessage& message,
                                                    std::vector<std::string> file_outcomes);

  runtime::Host& host_;
  const Config& config_;
  const Emulation& emulation_;
  Spool& spool_;
  Logger& log_;
  emulation::TeClient client_;
  GatewayMetrics* metrics_;
  runtime::Random random_;  // quarantine copies' boundaries and Message-IDs
};

}  // namespace gateway::inspection
