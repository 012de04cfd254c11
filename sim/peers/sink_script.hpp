// How a test scripts the simulated mail server (smtp_sink.hpp): at chosen points of the
// SMTP conversation it may wait, answer with another reply than usual, or drop the
// connection, always or for the first few times that point is reached.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/smtp/reply.hpp"
#include "runtime/time.hpp"

namespace peers {

// The points of the conversation a rule can act at.
enum class SinkStage {
  greeting,       // the 220 on connection
  ehlo,           // the reply to EHLO or HELO
  starttls,       // the reply to STARTTLS
  tls_handshake,  // right after the 220 to STARTTLS: drop makes the handshake fail
  mail,           // the reply to MAIL FROM
  rcpt,           // the reply to RCPT TO
  data,           // the reply to DATA (354)
  dot,            // the reply after the final "."
  quit,           // the reply to QUIT
};

std::string_view sink_stage_name(SinkStage stage);

struct SinkRule {
  SinkStage stage = SinkStage::mail;
  // RCPT only: the recipient address the rule is for, compared case-insensitively;
  // empty for every recipient.
  std::string recipient;
  // The rule applies to the first `times` commands it matches; 0 means to every one.
  std::size_t times = 0;
  // How long to wait before acting.
  runtime::Duration delay{0};
  // The reply sent instead of the usual one; nothing for the usual one.
  std::optional<gateway::smtp::Reply> reply;
  // Close the connection instead of replying.
  bool drop = false;
};

// Rules for the common cases, to keep test tables short.
SinkRule reply_at(SinkStage stage, gateway::smtp::Reply reply, std::size_t times = 0);
SinkRule reply_to_recipient(std::string recipient, gateway::smtp::Reply reply,
                            std::size_t times = 0);
SinkRule delay_at(SinkStage stage, runtime::Duration delay, std::size_t times = 0);
SinkRule drop_at(SinkStage stage, std::size_t times = 0);

// What to do at one point of the conversation.
struct SinkAction {
  runtime::Duration delay{0};
  std::optional<gateway::smtp::Reply> reply;
  bool drop = false;
};

class SinkScript {
 public:
  explicit SinkScript(std::vector<SinkRule> rules);

  // The action of the first rule that matches and has uses left, which uses one; the
  // usual behaviour (no delay, usual reply) when none does.
  SinkAction next(SinkStage stage, std::string_view recipient = {});

 private:
  std::vector<SinkRule> rules_;
  std::vector<std::size_t> used_;  // per rule
};

}  // namespace peers
