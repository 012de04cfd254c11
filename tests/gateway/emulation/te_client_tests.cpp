// The emulation client against a scripted HTTP service in the simulated world: every
// answer of DESIGN.md's table, uploads on NOT_FOUND, polling at the configured interval,
// the deadline, backoff under overload, the verdict cache, one judgement per file at a
// time and the request limit, in exact virtual time; and https against the emulator mock,
// with and without emulation.ca_file.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "emulator_mock/behaviour.hpp"
#include "emulator_mock/emulator.hpp"
#include "emulator_mock/file_scan.hpp"
#include "gateway/emulation/te_client.hpp"
#include "gateway/emulation/te_protocol.hpp"
#include "runtime/certificates.hpp"
#include "runtime/tls.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using gateway::emulation::Judgement;
using gateway::emulation::NotScannedReason;
using gateway::emulation::Verdict;
using sim::SimTime;

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

const std::string service_address = "10.0.0.5";
const std::string gateway_address = "10.0.0.1";

// What the service saw: one entry per request.
struct SeenRequest {
  std::string path;
  std::string body;
  SimTime at;
};

// How the service answers one request.
struct Answer {
  enum class Kind { reply, hang, reset } kind = Kind::reply;
  unsigned http_status = 200;
  std::string body;
};

Answer te(int code, const std::string& verdict = "") {
  std::string body = "{\"response\": {\"status\": {\"code\": " + std::to_string(code) +
                     ", \"label\": \"L\"}, \"sha256\": \"ab\"";
  if (!verdict.empty()) {
    body += ", \"te\": {\"combined_verdict\": \"" + verdict + "\"}";
  }
  body += "}}";
  return Answer{Answer::Kind::reply, 200, body};
}

using Script = std::function<Answer(const SeenRequest&, std::size_t index)>;

struct Service {
  std::vector<SeenRequest> requests;
  Script script;
};

// Reads one request (head, then Content-Length bytes of body) and answers it.
asio::awaitable<void> serve_one(runtime::Host& host, runtime::ByteStream stream,
                                std::shared_ptr<Service> service) {
  std::string data;
  char area[4096];
  std::size_t head_end = std::string::npos;
  std::size_t length = 0;
  for (;;) {
    if (head_end == std::string::npos) {
      head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const auto at = data.find("Content-Length: ");
        BOOST_REQUIRE(at != std::string::npos && at < head_end);
        length = std::stoul(data.substr(at + 16));
      }
    }
    if (head_end != std::string::npos && data.size() >= head_end + 4 + length) {
      break;
    }
    auto [ec, count] = co_await stream.async_read_some(asio::buffer(area), as_tuple_awaitable);
    data.append(area, count);
    if (ec) {
      co_return;
    }
  }
  const auto path_start = data.find(' ') + 1;
  SeenRequest seen{data.substr(path_start, data.find(' ', path_start) - path_start),
                   data.substr(head_end + 4, length),
                   SimTime(host.clock().now().time_since_epoch())};
  service->requests.push_back(seen);
  const Answer answer = service->script(seen, service->requests.size() - 1);
  switch (answer.kind) {
    case Answer::Kind::hang: {
      runtime::Timer forever(host);
      forever.expires_after(24h);
      runtime::error_code ec;
      co_await forever.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    case Answer::Kind::reset:
      stream.close();
      co_return;
    case Answer::Kind::reply: {
      const std::string reply = "HTTP/1.1 " + std::to_string(answer.http_status) +
                                " X\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(answer.body.size()) + "\r\n\r\n" + answer.body;
      co_await asio::async_write(stream, asio::buffer(reply), as_tuple_awaitable);
      stream.shutdown_send();
      co_return;
    }
  }
}

asio::awaitable<void> accept_loop(runtime::Host& host, runtime::Listener listener,
                                  std::shared_ptr<Service> service) {
  for (;;) {
    auto [ec, stream] = co_await listener.async_accept(as_tuple_awaitable);
    if (ec) {
      co_return;
    }
    asio::co_spawn(host.executor(), serve_one(host, std::move(stream), service), asio::detached);
  }
}

// FileToJudge::read over `bytes`, which must outlive the judging.
std::function<runtime::Result<std::size_t>(std::uint64_t, std::span<char>)> read_from(
    const std::string& bytes) {
  return [&bytes](std::uint64_t offset, std::span<char> buffer) -> runtime::Result<std::size_t> {
    const std::size_t count =
        std::min<std::size_t>(buffer.size(), bytes.size() - static_cast<std::size_t>(offset));
    std::copy_n(bytes.data() + offset, count, buffer.data());
    return count;
  };
}

struct TeWorld {
  explicit TeWorld(Script script, const std::function<void(gateway::Emulation&)>& adjust = {},
                   bool listening = true) {
    service->script = std::move(script);
    settings.url = "http://" + service_address + ":18194";
    settings.poll_interval = 5s;
    settings.max_delay = 10min;
    settings.request_timeout = 30s;
    if (adjust) {
      adjust(settings);
    }
    if (listening) {
      service_node.boot([this](runtime::Host& host) {
        auto listener = host.network().listen(runtime::Endpoint{service_address, 18194});
        BOOST_TEST_REQUIRE(listener.has_value());
        asio::co_spawn(host.executor(), accept_loop(host, std::move(*listener), service),
                       asio::detached);
        return std::shared_ptr<void>();
      });
    }
    gateway_node.boot([this](runtime::Host& host) {
      client = std::make_shared<gateway::emulation::TeClient>(host, settings);
      host_ = &host;
      return std::shared_ptr<void>(client);
    });
  }

  // Judges files one after another (or all at once) and returns the judgements.
  std::vector<Judgement> judge(std::vector<std::string> hashes, bool together = false) {
    auto results = std::make_shared<std::vector<std::optional<Judgement>>>(hashes.size());
    auto run_one = [this, results](std::string sha, std::size_t index) -> asio::awaitable<void> {
      gateway::emulation::FileToJudge file{sha, "file-" + std::to_string(index) + ".bin",
                                           content.size(), nullptr};
      file.read = read_from(content);
      const runtime::SteadyTime deadline = host_->clock().now() + settings.max_delay;
      (*results)[index] = co_await client->judge(file, deadline);
    };
    if (together) {
      for (std::size_t i = 0; i < hashes.size(); ++i) {
        asio::co_spawn(host_->executor(), run_one(hashes[i], i), asio::detached);
      }
    } else {
      asio::co_spawn(
          host_->executor(),
          [run_one, hashes]() -> asio::awaitable<void> {
            for (std::size_t i = 0; i < hashes.size(); ++i) {
              co_await run_one(hashes[i], i);
            }
          },
          asio::detached);
    }
    const bool done = world.run_until(
        [&] {
          for (const auto& r : *results) {
            if (!r) {
              return false;
            }
          }
          return true;
        },
        world.now() + 2h);
    BOOST_TEST_REQUIRE(done);
    std::vector<Judgement> judged;
    for (const auto& r : *results) {
      judged.push_back(*r);
    }
    return judged;
  }

  std::vector<SimTime> request_times() const {
    std::vector<SimTime> times;
    for (const auto& r : service->requests) {
      times.push_back(r.at);
    }
    return times;
  }

  sim::World world;
  sim::Node& gateway_node = world.add_node("gw", gateway_address);
  sim::Node& service_node = world.add_node("te", service_address);
  std::shared_ptr<Service> service = std::make_shared<Service>();
  gateway::Emulation settings;
  std::shared_ptr<gateway::emulation::TeClient> client;
  runtime::Host* host_ = nullptr;
  std::string content = "the file's bytes\r\n--not-a-boundary\r\n";
};

bool is_query(const SeenRequest& r) {
  return r.path == "/tecloud/api/v1/file/query";
}

// Over https, against the emulator mock serving HTTPS: with emulation.ca_file's context
// the client accepts only a service whose certificate chains to those anchors for the
// url's host (one that fails the check is unreachable, as no trusted connection can be
// made); without one it encrypts and checks nothing.

runtime::Credentials authority(sim::World& world, const std::string& name) {
  const auto start = world.wall_now() - 24h;
  return runtime::make_certificate_authority(
             {.common_name = name, .not_before = start, .not_after = start + 24h * 400})
      .value();
}

// The service's certificate from `issuer`, for `ip`.
runtime::Credentials service_certificate(sim::World& world, const runtime::Credentials& issuer,
                                         const std::string& ip) {
  const auto start = world.wall_now() - 24h;
  return runtime::issue_certificate(issuer, {.common_name = "sandbox",
                                             .ip_addresses = {ip},
                                             .not_before = start,
                                             .not_after = start + 24h * 400,
                                             .serial = 2})
      .value();
}

// Judges the EICAR file once over https; the service presents `served`, the client trusts
// `trusted` (nothing: encrypt only).
Judgement judge_over_https(sim::World& world, const runtime::Credentials& served,
                           const std::optional<runtime::Credentials>& trusted) {
  auto& gateway_node = world.add_node("gw", "10.0.0.1");
  auto& service_node = world.add_node("te", service_address);
  service_node.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    auto emulator = std::make_shared<emulator_mock::Emulator>(host, emulator_mock::Behaviour{});
    emulator->use_tls(
        runtime::TlsContext::server(served.chain_pem, served.private_key_pem).value());
    BOOST_TEST_REQUIRE(!emulator->start(runtime::Endpoint{service_address, 443}));
    return emulator;
  });

  gateway::Emulation settings;
  settings.url = "https://" + service_address + ":443";
  settings.poll_interval = 5s;
  std::optional<Judgement> judged;
  std::shared_ptr<gateway::emulation::TeClient> client;
  const std::string eicar(emulator_mock::eicar_test_string());
  gateway_node.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    std::optional<runtime::TlsContext> verifying;
    if (trusted) {
      verifying.emplace(runtime::TlsContext::client_verifying(trusted->certificate_pem).value());
    }
    client = std::make_shared<gateway::emulation::TeClient>(host, settings, std::move(verifying));
    auto run = [](runtime::Host& h, std::shared_ptr<gateway::emulation::TeClient> c,
                  std::string bytes, std::optional<Judgement>& out) -> asio::awaitable<void> {
      gateway::emulation::FileToJudge file;
      file.sha256 = emulator_mock::sha256_hex(bytes);
      file.file_name = "eicar.com";
      file.size_bytes = bytes.size();
      file.read = read_from(bytes);
      out = co_await c->judge(file, h.clock().now() + 10min);
    };
    asio::co_spawn(host.executor(), run(host, client, eicar, judged), asio::detached);
    return client;
  });
  BOOST_TEST_REQUIRE(world.run_until([&] { return judged.has_value(); }, world.now() + 1h));
  return *judged;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulation_client)

BOOST_AUTO_TEST_CASE(every_final_answer_maps_to_its_judgement) {
  struct Case {
    const char* name;
    Answer answer;
    Judgement expected;
  };
  const std::vector<Case> cases = {
      {"found benign", te(1001, "benign"), Judgement::of(Verdict::benign)},
      {"found malicious", te(1001, "malicious"), Judgement::of(Verdict::malicious)},
      {"found unknown", te(1001, "unknown"), Judgement::not_scanned(NotScannedReason::unknown)},
      {"found without verdict", te(1001), Judgement::not_scanned(NotScannedReason::error)},
      {"no quota", te(1005), Judgement::not_scanned(NotScannedReason::no_quota)},
      {"unsupported", te(1007), Judgement::not_scanned(NotScannedReason::unsupported)},
      {"bad request", te(1008), Judgement::not_scanned(NotScannedReason::error)},
      {"internal error", te(1009), Judgement::not_scanned(NotScannedReason::error)},
      {"forbidden", te(1010), Judgement::not_scanned(NotScannedReason::error)},
      {"unknown code", te(1012), Judgement::not_scanned(NotScannedReason::error)},
      {"HTTP 500", Answer{Answer::Kind::reply, 500, te(1001, "benign").body},
       Judgement::not_scanned(NotScannedReason::error)},
      {"HTTP 503", Answer{Answer::Kind::reply, 503, ""},
       Judgement::not_scanned(NotScannedReason::error)},
      {"malformed JSON", Answer{Answer::Kind::reply, 200, "{\"response\": {"},
       Judgement::not_scanned(NotScannedReason::error)},
      {"odd verdict", te(1001, "fine"), Judgement::not_scanned(NotScannedReason::error)},
      {"reset", Answer{Answer::Kind::reset}, Judgement::not_scanned(NotScannedReason::error)},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      TeWorld w([&](const SeenRequest&, std::size_t) { return c.answer; });
      const auto judged = w.judge({"aa"});
      BOOST_TEST((judged[0] == c.expected));
      BOOST_TEST(w.service->requests.size() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(not_found_uploads_then_polls_at_the_interval_until_found) {
  TeWorld w([](const SeenRequest& r, std::size_t index) {
    if (index == 0) {
      return te(1004);
    }
    if (!is_query(r)) {
      return te(1002);
    }
    return index < 4 ? te(1003) : te(1001, "malicious");
  });
  const auto judged = w.judge({"aa"});
  BOOST_TEST((judged[0] == Judgement::of(Verdict::malicious)));
  BOOST_TEST_REQUIRE(w.service->requests.size() == 5u);
  BOOST_TEST(is_query(w.service->requests[0]));
  BOOST_TEST(!is_query(w.service->requests[1]));
  // The upload carries the request part and the file's bytes.
  const std::string& upload = w.service->requests[1].body;
  BOOST_TEST(upload.find("name=\"request\"") != std::string::npos);
  BOOST_TEST(upload.find("\"sha256\":\"aa\"") != std::string::npos);
  BOOST_TEST(upload.find("filename=\"file-0.bin\"") != std::string::npos);
  BOOST_TEST(upload.find(w.content) != std::string::npos);
  // Uploaded at once, then polled every five seconds.
  const auto times = w.request_times();
  BOOST_TEST(times[1] - times[0] < 1s);
  for (std::size_t i = 2; i < times.size(); ++i) {
    BOOST_TEST((times[i] - times[i - 1] >= 5s && times[i] - times[i - 1] < 6s));
  }
}

BOOST_AUTO_TEST_CASE(a_sandbox_slower_than_max_delay_ends_in_timeout_at_the_deadline) {
  TeWorld w([](const SeenRequest&, std::size_t) { return te(1003); },
            [](gateway::Emulation& e) { e.max_delay = 1min; });
  const SimTime started = w.world.now();
  const auto judged = w.judge({"aa"});
  BOOST_TEST((judged[0] == Judgement::not_scanned(NotScannedReason::timeout)));
  BOOST_TEST((w.world.now() - started >= 1min && w.world.now() - started < 1min + 1s));
  // One query at the start, then one 5 s after each answer: the twelfth comes just after
  // 55 s, and a thirteenth would come after the deadline.
  BOOST_TEST(w.service->requests.size() == 12u);
}

BOOST_AUTO_TEST_CASE(overload_backs_off_doubling_and_ends_overloaded_at_the_deadline) {
  TeWorld w([](const SeenRequest&, std::size_t) { return te(1011); },
            [](gateway::Emulation& e) { e.max_delay = 2min; });
  const auto judged = w.judge({"aa"});
  BOOST_TEST((judged[0] == Judgement::not_scanned(NotScannedReason::overloaded)));
  // Requests at about 0, 5, 15, 35, 75 s; the next would be at 155 s, past the deadline.
  const auto times = w.request_times();
  BOOST_TEST_REQUIRE(times.size() == 5u);
  const std::vector<SimTime> expected{0s, 5s, 15s, 35s, 75s};
  for (std::size_t i = 0; i < times.size(); ++i) {
    BOOST_TEST((times[i] >= expected[i] && times[i] < expected[i] + 1s));
  }
}

BOOST_AUTO_TEST_CASE(overload_that_clears_gives_the_verdict) {
  TeWorld w([](const SeenRequest&, std::size_t index) {
    return index < 2 ? te(1011) : te(1001, "benign");
  });
  const auto judged = w.judge({"aa"});
  BOOST_TEST((judged[0] == Judgement::of(Verdict::benign)));
}

BOOST_AUTO_TEST_CASE(a_service_nobody_listens_on_is_unreachable) {
  TeWorld w([](const SeenRequest&, std::size_t) { return te(1001, "benign"); }, {}, false);
  const auto judged = w.judge({"aa"});
  BOOST_TEST((judged[0] == Judgement::not_scanned(NotScannedReason::unreachable)));
}

BOOST_AUTO_TEST_CASE(a_hung_request_fails_at_the_request_timeout) {
  TeWorld w([](const SeenRequest&, std::size_t) { return Answer{Answer::Kind::hang}; });
  const SimTime started = w.world.now();
  const auto judged = w.judge({"aa"});
  BOOST_TEST((judged[0] == Judgement::not_scanned(NotScannedReason::error)));
  BOOST_TEST((w.world.now() - started >= 30s && w.world.now() - started < 31s));
}

BOOST_AUTO_TEST_CASE(a_hung_request_past_the_message_deadline_is_a_timeout) {
  TeWorld w([](const SeenRequest&, std::size_t) { return Answer{Answer::Kind::hang}; },
            [](gateway::Emulation& e) { e.max_delay = 10s; });
  const auto judged = w.judge({"aa"});
  BOOST_TEST((judged[0] == Judgement::not_scanned(NotScannedReason::timeout)));
}

BOOST_AUTO_TEST_CASE(verdicts_are_cached_by_hash_and_failures_are_not) {
  TeWorld w([](const SeenRequest& r, std::size_t) {
    return r.body.find("\"bb\"") != std::string::npos ? te(1009) : te(1001, "malicious");
  });
  const auto judged = w.judge({"aa", "bb", "aa", "bb"});
  BOOST_TEST((judged[0] == Judgement::of(Verdict::malicious)));
  BOOST_TEST((judged[2] == Judgement::of(Verdict::malicious)));
  BOOST_TEST((judged[3] == Judgement::not_scanned(NotScannedReason::error)));
  BOOST_TEST(w.service->requests.size() == 3u);  // aa once, bb twice
  BOOST_TEST(w.client->cached_verdicts() == 1u);
}

BOOST_AUTO_TEST_CASE(one_file_in_a_burst_of_messages_is_asked_about_once) {
  // Three messages carry the same new file at the same moment.
  TeWorld w([](const SeenRequest& r, std::size_t index) {
    if (index == 0) {
      return te(1004);
    }
    if (!is_query(r)) {
      return te(1002);
    }
    return index < 3 ? te(1003) : te(1001, "malicious");
  });
  const auto judged = w.judge({"aa", "aa", "aa"}, true);
  for (const auto& j : judged) {
    BOOST_TEST((j == Judgement::of(Verdict::malicious)));
  }
  // Query, upload, two polls: once, not three times.
  BOOST_TEST(w.service->requests.size() == 4u);
}

BOOST_AUTO_TEST_CASE(when_the_first_judgement_fails_a_waiting_one_asks_for_itself) {
  TeWorld w([](const SeenRequest&, std::size_t index) {
    return index == 0 ? te(1009) : te(1001, "benign");
  });
  const auto judged = w.judge({"aa", "aa"}, true);
  BOOST_TEST((judged[0] == Judgement::not_scanned(NotScannedReason::error)));
  BOOST_TEST((judged[1] == Judgement::of(Verdict::benign)));
  BOOST_TEST(w.service->requests.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_cached_verdict_is_asked_for_again_after_a_day) {
  TeWorld w([](const SeenRequest&, std::size_t) { return te(1001, "benign"); });
  w.judge({"aa"});
  w.world.run_for(25h);
  w.judge({"aa"});
  BOOST_TEST(w.service->requests.size() == 2u);
}

BOOST_AUTO_TEST_CASE(no_more_requests_run_at_once_than_the_limit) {
  TeWorld w([](const SeenRequest&, std::size_t) { return te(1001, "benign"); },
            [](gateway::Emulation& e) { e.max_concurrent_requests = 2; });
  // A slow link makes each exchange last: 4 files, 2 at a time, so two rounds.
  w.world.network().set_link("gw", "te", {.latency = 1s});
  const auto judged = w.judge({"a1", "a2", "a3", "a4"}, true);
  for (const auto& j : judged) {
    BOOST_TEST((j == Judgement::of(Verdict::benign)));
  }
  const auto times = w.request_times();
  BOOST_TEST_REQUIRE(times.size() == 4u);
  BOOST_TEST((times[1] - times[0] < 1s));
  // The third waits for a slot: the first answer's trip back, then a new connection.
  BOOST_TEST((times[2] - times[1] >= 3s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(emulation_client_tls)

BOOST_AUTO_TEST_CASE(a_service_whose_certificate_chains_to_ca_file_is_trusted) {
  sim::World world;
  const auto ca = authority(world, "Sandbox CA");
  const auto judged = judge_over_https(world, service_certificate(world, ca, service_address), ca);
  BOOST_TEST((judged == Judgement::of(Verdict::malicious)));
}

BOOST_AUTO_TEST_CASE(a_service_with_a_certificate_from_another_authority_is_refused) {
  sim::World world;
  const auto ca = authority(world, "Sandbox CA");
  const auto other = authority(world, "Someone Else");
  const auto judged =
      judge_over_https(world, service_certificate(world, other, service_address), ca);
  BOOST_TEST((judged == Judgement::not_scanned(NotScannedReason::unreachable)));
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_is_refused) {
  sim::World world;
  const auto ca = authority(world, "Sandbox CA");
  const auto judged = judge_over_https(world, service_certificate(world, ca, "10.0.0.6"), ca);
  BOOST_TEST((judged == Judgement::not_scanned(NotScannedReason::unreachable)));
}

BOOST_AUTO_TEST_CASE(without_ca_file_https_only_encrypts) {
  sim::World world;
  const auto other = authority(world, "Someone Else");
  const auto judged =
      judge_over_https(world, service_certificate(world, other, service_address), std::nullopt);
  BOOST_TEST((judged == Judgement::of(Verdict::malicious)));
}

BOOST_AUTO_TEST_SUITE_END()
