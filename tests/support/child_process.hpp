#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace grid::test {

/// A real child process for integration tests: started with fork/exec, its stdout and
/// stderr captured to files. The destructor ends it (SIGKILL, by its PID) if it still runs,
/// so a failing test never leaves a process behind.
class ChildProcess {
public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  /// Waits up to `timeout` for exit; returns the exit code (128+signal when killed by
  /// one) or std::nullopt when it is still running.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

  /// Sends `signal` to the child.
  void signal(int signal) const;

  /// Everything the child has written so far.
  std::string out() const;
  std::string err() const;

  /// Waits up to `timeout` for a stdout line starting with `prefix`; returns the line.
  std::optional<std::string> wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout) const;

private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  std::string out_path_;
  std::string err_path_;
};

/// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

}  // namespace grid::test
