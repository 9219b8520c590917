#pragma once

#include <string>
#include <string_view>

#include "broker/run_info.hpp"

namespace grid::broker {

/// Escapes `text` for XML 1.0 character data and attribute values: & < > " ' become
/// entities; tab, newline and CR character references (so attribute values keep them);
/// what XML 1.0 cannot hold at all (other control characters, invalid UTF-8, U+FFFE,
/// U+FFFF) becomes U+FFFD. Pure.
std::string xml_escape(std::string_view text);

/// The JUnit XML report of a run's thresholds (results directory `junit.xml`): one
/// <testsuite name="loadgrid.CAMPAIGN"> with tests, failures and time (the run's elapsed
/// seconds), and one <testcase name="KEY CONDITION" classname="thresholds"> per threshold,
/// in campaign order; a failed one holds <failure message="observed VALUE">. A run stopped
/// live names its threshold in an `aborted_by` property. Pure.
std::string junit_xml(const RunInfo& info);

}  // namespace grid::broker
