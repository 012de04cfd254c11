#include "gateway/smtp/envelope.hpp"

#include <utility>
#include <vector>

#include "gateway/smtp/ascii.hpp"
#include "gateway/smtp/esmtp_parameters.hpp"
#include "gateway/smtp/replies.hpp"

namespace gateway::smtp {
namespace {

// The replies for a path fault, which differ by role in their enhanced status code.
struct PathReplies {
  Reply (*syntax)();
  Reply (*too_long)();
};

constexpr PathReplies sender_replies{replies::bad_sender_address, replies::sender_path_too_long};
constexpr PathReplies recipient_replies{replies::bad_recipient_address,
                                        replies::recipient_path_too_long};

// Reads the path and splits what follows it into parameters, or gives the refusal.
struct PathAndParameters {
  Path path;
  std::vector<EsmtpParameter> parameters;
};

ParseResult<PathAndParameters> read_path_and_parameters(std::string_view argument, PathRole role,
                                                        const PathReplies& path_replies) {
  // The path, which must be followed by the end or a space.
  argument = ascii::trim_wsp(argument);
  PathParse parse = parse_path(argument, role);
  switch (parse.fault) {
    case PathFault::none:
      break;
    case PathFault::syntax:
      return path_replies.syntax();
    case PathFault::too_long:
      return path_replies.too_long();
    case PathFault::non_ascii:
      return replies::non_ascii_address();
  }
  const std::string_view rest = argument.substr(parse.consumed_octets);
  if (!rest.empty() && !ascii::is_wsp(rest.front())) {
    return path_replies.syntax();
  }

  // The parameters, as a syntactically valid list.
  std::optional<std::vector<EsmtpParameter>> parameters = split_esmtp_parameters(rest);
  if (!parameters) {
    return replies::bad_arguments("malformed ESMTP parameter");
  }
  return PathAndParameters{std::move(parse.path), std::move(*parameters)};
}

// RFC 1870 3: SIZE=1*20DIGIT, the client's estimate of the message size in octets.
std::optional<Reply> apply_size(MailParameters& parameters, const EsmtpParameter& parameter,
                                const EnvelopeOptions& options) {
  if (parameters.declared_size_octets) {
    return replies::bad_arguments("SIZE given twice");
  }
  const std::optional<std::uint64_t> size =
      parameter.value ? ascii::parse_decimal(*parameter.value) : std::nullopt;
  if (!size) {
    return replies::bad_arguments("SIZE needs a decimal number");
  }
  if (*size > options.message_octets_max) {
    return replies::message_too_big();
  }
  parameters.declared_size_octets = size;
  return std::nullopt;
}

// RFC 6152 2: BODY=7BIT or BODY=8BITMIME; RFC 3030's BINARYMIME is not offered.
std::optional<Reply> apply_body(MailParameters& parameters, const EsmtpParameter& parameter,
                                const EnvelopeOptions& options) {
  if (parameters.body != BodyType::unspecified) {
    return replies::bad_arguments("BODY given twice");
  }
  const std::string_view value = parameter.value ? std::string_view(*parameter.value) : "";
  if (ascii::iequals(value, "7BIT")) {
    parameters.body = BodyType::seven_bit;
    return std::nullopt;
  }
  if (ascii::iequals(value, "8BITMIME") && options.eight_bit_mime) {
    parameters.body = BodyType::eight_bit_mime;
    return std::nullopt;
  }
  if (ascii::iequals(value, "8BITMIME") || ascii::iequals(value, "BINARYMIME")) {
    return replies::parameter_unrecognized();
  }
  return replies::bad_arguments("BODY must be 7BIT or 8BITMIME");
}

}  // namespace

ParseResult<MailFrom> parse_mail_from(std::string_view argument, const EnvelopeOptions& options) {
  ParseResult<PathAndParameters> read =
      read_path_and_parameters(argument, PathRole::reverse, sender_replies);
  if (!read.ok()) {
    return read.refusal();
  }

  // Each parameter is one this server offers, given once, with a valid value.
  MailFrom mail{std::move(read.value().path), {}};
  for (const EsmtpParameter& parameter : read.value().parameters) {
    std::optional<Reply> refusal;
    if (ascii::iequals(parameter.keyword, "SIZE")) {
      refusal = apply_size(mail.parameters, parameter, options);
    } else if (ascii::iequals(parameter.keyword, "BODY")) {
      refusal = apply_body(mail.parameters, parameter, options);
    } else {
      refusal = replies::parameter_unrecognized();
    }
    if (refusal) {
      return std::move(*refusal);
    }
  }
  return mail;
}

ParseResult<RcptTo> parse_rcpt_to(std::string_view argument) {
  ParseResult<PathAndParameters> read =
      read_path_and_parameters(argument, PathRole::forward, recipient_replies);
  if (!read.ok()) {
    return read.refusal();
  }

  // No RCPT parameter is offered: DSN's NOTIFY and ORCPT (RFC 3461) are not implemented.
  if (!read.value().parameters.empty()) {
    return replies::parameter_unrecognized();
  }
  return RcptTo{std::move(read.value().path)};
}

}  // namespace gateway::smtp
