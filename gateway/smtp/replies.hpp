// The replies the gateway's SMTP server sends, in one place so that codes, enhanced status
// codes and wording stay consistent across the session, the parsers and the tests.
//
// Enhanced status codes follow RFC 3463 and RFC 5248. The greeting, the EHLO and HELO
// replies and the 354 intermediate reply carry none (RFC 2034 3).
#pragma once

#include <cstdint>
#include <string_view>

#include "gateway/smtp/reply.hpp"

namespace gateway::smtp::replies {

// 2yz and 3yz: the conversation goes on.
Reply service_ready(std::string_view hostname);    // 220, the greeting
Reply closing(std::string_view hostname);          // 221 2.0.0, QUIT
Reply ok();                                        // 250 2.0.0, RSET, NOOP
Reply helo_ok(std::string_view hostname);          // 250, HELO
Reply sender_ok();                                 // 250 2.1.0, MAIL
Reply recipient_ok();                              // 250 2.1.5, RCPT
Reply message_queued(std::string_view queue_id);   // 250 2.0.0, end of DATA
Reply chunk_received(std::uint64_t chunk_octets);  // 250 2.0.0, BDAT
Reply help();                                      // 214 2.0.0, HELP
Reply cannot_verify();                             // 252 2.0.0, VRFY
Reply start_mail_input();                          // 354, DATA
Reply ready_to_start_tls();                        // 220 2.0.0, STARTTLS

// 421: the server closes the connection after sending these (RFC 5321 3.8).
Reply too_many_connections(std::string_view hostname);  // 421 4.3.2
Reply timeout(std::string_view hostname);               // 421 4.4.2
Reply too_slow(std::string_view hostname);              // 421 4.4.2 data rate
Reply shutting_down(std::string_view hostname);         // 421 4.3.2

// 4yz: try again later.
Reply tls_not_available();    // 454 4.7.0, STARTTLS
Reply local_error();          // 451 4.3.0
Reply queue_full();           // 452 4.3.1, the spool is full
Reply too_many_recipients();  // 452 4.5.3 (RFC 5321 4.5.3.1.10)

// 5yz: syntax and sequence.
Reply command_unrecognized();                  // 500 5.5.2
Reply line_too_long();                         // 500 5.5.2, a command line
Reply nul_in_command();                        // 500 5.5.2
Reply bare_line_ending_in_command();           // 500 5.5.2
Reply bad_arguments(std::string_view detail);  // 501 5.5.4
Reply bad_sender_address();                    // 501 5.1.7
Reply bad_recipient_address();                 // 501 5.1.3
Reply sender_path_too_long();                  // 501 5.1.7
Reply recipient_path_too_long();               // 501 5.1.3
Reply non_ascii_address();                     // 553 5.6.7 (RFC 6531 3.6)
Reply not_implemented();                       // 502 5.5.1
Reply bad_sequence();                          // 503 5.5.1
Reply parameter_not_implemented();             // 504 5.5.4
Reply parameter_unrecognized();                // 555 5.5.4 (RFC 5321 4.1.1.11)

// 5yz: policy and content.
Reply must_issue_starttls();    // 530 5.7.0 (RFC 3207 4)
Reply relay_denied();           // 550 5.7.1
Reply no_valid_recipients();    // 554 5.5.1 (RFC 5321 3.3)
Reply message_too_big();        // 552 5.3.4 (RFC 1870)
Reply header_too_big();         // 552 5.3.4
Reply message_line_too_long();  // 552 5.3.4
Reply mail_loop();              // 554 5.4.6
Reply bare_line_ending();       // 554 5.6.0

}  // namespace gateway::smtp::replies
