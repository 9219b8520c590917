#include "support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace grid::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A new empty file /tmp/loadgrid-test-XXXXXX.<what>, unique among parallel tests; the
// destructor removes it (no other file is left behind).
std::string temp_name(const char* what) {
  std::string name = std::string("/tmp/loadgrid-test-XXXXXX.") + what;
  const int fd = mkstemps(name.data(), static_cast<int>(std::strlen(what)) + 1);
  if (fd < 0) throw std::runtime_error("mkstemps failed");
  close(fd);
  return name;
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv)
    : out_path_(temp_name("out")), err_path_(temp_name("err")) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Dies with the test program, even when that is killed (a ctest timeout): no child
    // outlives its test. The check covers a parent that died before prctl.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  if (reaped_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ChildProcess::signal(int sig) const {
  if (pid_ > 0 && !reaped_) kill(pid_, sig);
}

std::string ChildProcess::out() const { return slurp(out_path_); }
std::string ChildProcess::err() const { return slurp(err_path_); }

bool ChildProcess::exited() const {
  if (reaped_) return true;
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_;
}

std::optional<std::string> ChildProcess::wait_for_line_in(const std::string& path, const std::string& text,
                                                          bool at_start, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Read whether it exited first: what it wrote before exiting is then all there.
    const bool gone = exited();
    const std::string all = slurp(path);
    // Complete lines only: a line being written could otherwise be read in part.
    for (size_t begin = 0, end; (end = all.find('\n', begin)) != std::string::npos; begin = end + 1) {
      const std::string line = all.substr(begin, end - begin);
      if (at_start ? line.rfind(text, 0) == 0 : line.find(text) != std::string::npos) return line;
    }
    if (gone || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::optional<std::string> ChildProcess::wait_for_line(const std::string& prefix,
                                                       std::chrono::milliseconds timeout) const {
  return wait_for_line_in(out_path_, prefix, true, timeout);
}

std::optional<std::string> ChildProcess::wait_for_err_line(const std::string& text,
                                                           std::chrono::milliseconds timeout) const {
  return wait_for_line_in(err_path_, text, false, timeout);
}

TempDir::TempDir() {
  char name[] = "/tmp/loadgrid-dir-XXXXXX";
  if (!mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
  path_ = name;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace grid::test
