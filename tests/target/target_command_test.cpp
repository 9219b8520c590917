#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "target/http_test_client.hpp"
#include "target/target_command.hpp"

namespace {

using grid::target::target_main;
using grid::target::testing::get;
using grid::target::testing::HttpTestClient;

// A streambuf that collects text under a mutex, so a test can read what another thread's
// target_main has printed so far.
class CapturedText : public std::streambuf {
public:
  std::string text() {
    const std::lock_guard lock(mutex_);
    return text_;
  }

protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      const std::lock_guard lock(mutex_);
      text_.push_back(static_cast<char>(c));
    }
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const std::lock_guard lock(mutex_);
    text_.append(s, static_cast<std::size_t>(n));
    return n;
  }

private:
  std::mutex mutex_;
  std::string text_;
};

// Redirects std::cout and std::cerr for the lifetime of the object.
class CapturedOutput {
public:
  CapturedOutput() : old_out_(std::cout.rdbuf(&out)), old_err_(std::cerr.rdbuf(&err)) {}
  ~CapturedOutput() {
    std::cout.rdbuf(old_out_);
    std::cerr.rdbuf(old_err_);
  }
  CapturedText out;
  CapturedText err;

private:
  std::streambuf* old_out_;
  std::streambuf* old_err_;
};

int run_command(std::vector<std::string> args) {
  args.insert(args.begin(), "target");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return target_main(static_cast<int>(args.size()), argv.data());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(target_command)

BOOST_AUTO_TEST_CASE(help_prints_usage_and_returns_0) {
  CapturedOutput output;
  BOOST_TEST(run_command({"--help"}) == 0);
  const std::string usage = output.out.text();
  for (const char* option : {"--listen", "--threads", "--delay", "--jitter"}) {
    BOOST_TEST(usage.find(option) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(bad_listen_value_names_the_option_and_returns_2) {
  CapturedOutput output;
  BOOST_TEST(run_command({"--listen", "localhost"}) == 2);
  const std::string error = output.err.text();
  BOOST_TEST(error.find("--listen") != std::string::npos);
  BOOST_TEST(error.find("HOST:PORT") != std::string::npos);
  BOOST_TEST(error.find("'localhost'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(out_of_range_or_unknown_options_return_2) {
  CapturedOutput output;
  BOOST_TEST(run_command({"--threads", "-1"}) == 2);
  BOOST_TEST(output.err.text().find("--threads") != std::string::npos);
  BOOST_TEST(run_command({"--delay", "soon"}) == 2);
  BOOST_TEST(run_command({"--bogus"}) == 2);
}

BOOST_AUTO_TEST_CASE(serves_until_sigterm_then_reports_the_count) {
  CapturedOutput output;
  int code = -1;
  std::thread command([&code] { code = run_command({"--listen", "127.0.0.1:0", "--threads", "1"}); });
  const std::string prefix = "listening 127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string text;
  while ((text = output.out.text()).find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  BOOST_REQUIRE(text.rfind(prefix, 0) == 0);
  const auto port = static_cast<std::uint16_t>(std::stoi(text.substr(prefix.size())));

  HttpTestClient client(port);
  for (int i = 0; i < 3; ++i) BOOST_TEST(client.request(get("/")).status == 200);
  ::kill(::getpid(), SIGTERM);
  command.join();
  BOOST_TEST(code == 0);
  BOOST_TEST(output.out.text() == text + "served 3 requests\n");
}

BOOST_AUTO_TEST_SUITE_END()
