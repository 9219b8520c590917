// `loadgrid healthcheck [PATH] [--max-age DURATION]`: exit 0 when the health file a node
// keeps (--health-file) is fresh, 1 when it is missing, stale or unreadable, 2 for bad
// usage. For container HEALTHCHECKs and Kubernetes exec probes (docs/adr/0024).

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/command_docs.hpp"
#include "cli/subcommands.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/health_file.hpp"
#include "protocol/common/health_record.hpp"
#include "protocol/common/health_verdict.hpp"
#include "protocol/common/units.hpp"

namespace po = boost::program_options;

namespace grid::cli {

namespace {

enum class ReadStatus { ok, missing, unreadable };

// Reads at most a little more than a record may be (decode refuses what is longer).
// `error` names why a file that exists could not be read.
ReadStatus read_health_file(const std::string& path, std::string& out, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    if (errno == ENOENT) return ReadStatus::missing;
    error = std::strerror(errno);
    return ReadStatus::unreadable;
  }
  out.resize(common::kMaxHealthRecordBytes + 1);
  out.resize(std::fread(out.data(), 1, out.size(), f));
  const bool failed = std::ferror(f) != 0;
  if (failed) error = std::strerror(errno);
  std::fclose(f);
  return failed ? ReadStatus::unreadable : ReadStatus::ok;
}

}  // namespace

int healthcheck_main(int argc, char** argv) {
  std::string path, max_age_text;
  po::options_description opts(
      "usage: loadgrid healthcheck [PATH] [--max-age DURATION]\n\n"
      "Exit 0 when the health file a broker, relay or agent keeps (--health-file) was\n"
      "updated within --max-age; 1 when it is missing, stale or unparsable; 2 for bad usage.\n"
      "PATH defaults to $LOADGRID_HEALTH_FILE.\n\noptions");
  // clang-format off
  opts.add_options()
      ("max-age", po::value(&max_age_text)->value_name("DURATION")->default_value("15s"),
       "unhealthy when the file was last updated longer ago than this (nodes update it every second)")
      ("help,h", "show this help");
  // clang-format on
  if (describe_options(opts)) return common::kExitOk;  // `loadgrid man`, `loadgrid completion`
  po::options_description hidden;
  hidden.add_options()("path", po::value(&path));
  po::positional_options_description positional;
  positional.add("path", 1);
  po::options_description all;
  all.add(opts).add(hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << opts;
      return common::kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "loadgrid healthcheck: " << e.what() << "\n\n" << opts;
    return common::kExitUsage;
  }
  const auto max_age = common::parse_duration(max_age_text);
  if (!max_age) {
    std::cerr << "loadgrid healthcheck: --max-age: " << max_age.error() << "\n";
    return common::kExitUsage;
  }
  if (max_age.value().count() <= 0) {
    std::cerr << "loadgrid healthcheck: --max-age: must be above zero, got '" << max_age_text << "'\n";
    return common::kExitUsage;
  }
  if (path.empty()) path = common::default_health_file();
  if (path.empty()) {
    std::cerr << "loadgrid healthcheck: no health file: give PATH or set LOADGRID_HEALTH_FILE (the path the node "
                 "was started with, --health-file)\n";
    return common::kExitUsage;
  }
  std::string content, error;
  const ReadStatus status = read_health_file(path, content, error);
  if (status == ReadStatus::unreadable) {
    std::cout << "unhealthy: " << path << ": cannot read (" << error << ")\n";
    return common::kExitFailure;
  }
  const auto verdict =
      common::judge_health(path, status == ReadStatus::missing ? std::nullopt : std::optional<std::string>(content),
                           common::SystemClock::instance().wall_now(), max_age.value());
  std::cout << verdict.line << "\n";
  return verdict.healthy ? common::kExitOk : common::kExitFailure;
}

}  // namespace grid::cli
