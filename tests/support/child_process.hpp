#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace grid::test {

/// A real child process for integration tests: started with fork/exec, its stdout and
/// stderr captured to files. The destructor ends it (SIGKILL, by its PID) if it still runs,
/// so a failing test never leaves a process behind; and it gets SIGKILL when the test
/// program dies (PR_SET_PDEATHSIG), even from a signal that skips destructors.
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

  /// Waits up to `timeout` for a complete stdout line starting with `prefix`; returns the
  /// line (without its newline). Returns std::nullopt early when the child exits without
  /// writing it.
  std::optional<std::string> wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout) const;

  /// The same for stderr, for a complete line that contains `text` anywhere (nodes prefix
  /// their stderr lines with their name).
  std::optional<std::string> wait_for_err_line(const std::string& text, std::chrono::milliseconds timeout) const;

private:
  /// True once the child has exited (it stays waitable: wait_for_exit still reaps it).
  bool exited() const;
  std::optional<std::string> wait_for_line_in(const std::string& path, const std::string& text, bool at_start,
                                              std::chrono::milliseconds timeout) const;

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
