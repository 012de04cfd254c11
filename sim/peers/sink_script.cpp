#include "sim/peers/sink_script.hpp"

#include <utility>

#include "gateway/smtp/ascii.hpp"

namespace peers {

std::string_view sink_stage_name(SinkStage stage) {
  switch (stage) {
    case SinkStage::greeting:
      return "greeting";
    case SinkStage::ehlo:
      return "ehlo";
    case SinkStage::starttls:
      return "starttls";
    case SinkStage::tls_handshake:
      return "tls_handshake";
    case SinkStage::mail:
      return "mail";
    case SinkStage::rcpt:
      return "rcpt";
    case SinkStage::data:
      return "data";
    case SinkStage::dot:
      return "dot";
    case SinkStage::quit:
      return "quit";
  }
  return "unknown";
}

SinkRule reply_at(SinkStage stage, gateway::smtp::Reply reply, std::size_t times) {
  SinkRule rule;
  rule.stage = stage;
  rule.times = times;
  rule.reply = std::move(reply);
  return rule;
}

SinkRule reply_to_recipient(std::string recipient, gateway::smtp::Reply reply, std::size_t times) {
  SinkRule rule = reply_at(SinkStage::rcpt, std::move(reply), times);
  rule.recipient = std::move(recipient);
  return rule;
}

SinkRule delay_at(SinkStage stage, runtime::Duration delay, std::size_t times) {
  SinkRule rule;
  rule.stage = stage;
  rule.times = times;
  rule.delay = delay;
  return rule;
}

SinkRule drop_at(SinkStage stage, std::size_t times) {
  SinkRule rule;
  rule.stage = stage;
  rule.times = times;
  rule.drop = true;
  return rule;
}

SinkScript::SinkScript(std::vector<SinkRule> rules)
    : rules_(std::move(rules)), used_(rules_.size(), 0) {}

SinkAction SinkScript::next(SinkStage stage, std::string_view recipient) {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const SinkRule& rule = rules_[i];
    const bool matches =
        rule.stage == stage &&
        (rule.recipient.empty() || gateway::smtp::ascii::iequals(rule.recipient, recipient));
    const bool spent = rule.times != 0 && used_[i] >= rule.times;
    if (!matches || spent) {
      continue;
    }
    ++used_[i];
    return SinkAction{rule.delay, rule.reply, rule.drop};
  }
  return SinkAction{};
}

}  // namespace peers
