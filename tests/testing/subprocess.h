// A child process for tests that need real server processes: started with
// fork/exec, its stdout read line by line, stopped with any signal.
#ifndef ANNALS_TESTS_TESTING_SUBPROCESS_H_
#define ANNALS_TESTS_TESTING_SUBPROCESS_H_

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace annals::testing {

class Subprocess {
 public:
  // Starts `argv[0]` with the arguments; stdout is piped to this process,
  // stderr is inherited.
  explicit Subprocess(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> args;
      for (const std::string& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }

  ~Subprocess() {
    if (running()) Kill(SIGKILL);
    if (out_ != nullptr) fclose(out_);
  }

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool running() const { return pid_ > 0 && !exit_status_.has_value(); }
  // The child's process id (-1 if it could not be started).
  pid_t pid() const { return pid_; }

  // Reads stdout lines until one matches `pattern`; returns its first
  // capture group, or nullopt at end of output.
  std::optional<std::string> WaitForLine(const std::string& pattern) {
    std::regex re(pattern);
    char line[4096];
    while (out_ != nullptr && fgets(line, sizeof(line), out_) != nullptr) {
      std::smatch match;
      std::string text(line);
      if (std::regex_search(text, match, re)) {
        return match.size() > 1 ? match[1].str() : match[0].str();
      }
    }
    return std::nullopt;
  }

  // Sends `signal` and waits for the process to end; returns the raw wait
  // status.
  int Kill(int signal) {
    if (!running()) return exit_status_.value_or(-1);
    ::kill(pid_, signal);
    return Wait();
  }

  int Wait() {
    if (exit_status_.has_value()) return *exit_status_;
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_status_ = status;
    return status;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::optional<int> exit_status_;
};

// What a program run to its end printed and how it ended.
struct RunOutcome {
  // -1 when the program did not end on its own within the time given.
  int exit_code = -1;
  // stdout and stderr, interleaved.
  std::string output;
};

// `word` quoted for /bin/sh.
inline std::string ShellQuote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted.push_back(c);
    }
  }
  return quoted + "'";
}

// Runs `argv` to its end, for at most `timeout_seconds`; a program still
// running then is killed (SIGKILL, by timeout(1)), and exit_code is -1.
inline RunOutcome RunToExit(const std::vector<std::string>& argv,
                            int timeout_seconds = 20) {
  std::string command = "timeout -s KILL " + std::to_string(timeout_seconds);
  for (const std::string& arg : argv) command += " " + ShellQuote(arg);
  command += " 2>&1";
  RunOutcome outcome;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    outcome.output += buffer;
  }
  const int status = pclose(pipe);
  if (WIFEXITED(status) && WEXITSTATUS(status) != 137) {
    outcome.exit_code = WEXITSTATUS(status);
  }
  return outcome;
}

}  // namespace annals::testing

#endif  // ANNALS_TESTS_TESTING_SUBPROCESS_H_
