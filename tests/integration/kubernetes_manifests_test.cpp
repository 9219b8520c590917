// deploy/kubernetes/: every overlay renders with `kubectl kustomize`, every rendered
// object passes strict offline validation against the Kubernetes API schema
// (tests/deploy/validate.mjs: unknown fields are errors, as `kubeconform -strict`), and
// follows loadgrid's own rules (tests/deploy/rules.mjs: limits, non-root, read-only root,
// parents that exist, a PDB per relay, agents spread over nodes). The negative cases show
// that each check can fail. kubectl, node and tests/deploy's npm packages are test
// dependencies like nginx: when one is missing the test fails and says what to install
// (scripts/install-deps.sh, scripts/browser-deps.sh); it never skips.
//
// The kubectl in PATH renders; LOADGRID_EXTRA_KUBECTLS (paths, colon-separated) adds more,
// e.g. Debian 12's kubectl 1.20 (kustomize v2.0.3) beside a newer one: see
// deploy/kubernetes/README.md "Checking the manifests".

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <boost/test/unit_test.hpp>

#include "browser_check.hpp"
#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

const std::string kKubernetesDir = std::string(LOADGRID_SOURCE_DIR) + "/deploy/kubernetes";
const std::string kDeployTestsDir = std::string(LOADGRID_SOURCE_DIR) + "/tests/deploy";
const std::vector<std::string> kOverlays = {"single-region", "two-regions"};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The kubectl binaries to render with: PATH's, then LOADGRID_EXTRA_KUBECTLS.
std::vector<std::string> kubectls() {
  std::vector<std::string> out;
  const std::string found = find_in_path("kubectl");
  BOOST_REQUIRE_MESSAGE(!found.empty(),
                        "kubectl is missing: install Debian's kubernetes-client (scripts/install-deps.sh does)");
  out.push_back(found);
  if (const char* extra = std::getenv("LOADGRID_EXTRA_KUBECTLS"); extra && *extra) {
    std::istringstream paths(extra);
    for (std::string p; std::getline(paths, p, ':');) {
      if (!p.empty()) out.push_back(p);
    }
  }
  return out;
}

struct Run {
  int code = -1;
  std::string out, err;
};

Run run(const std::vector<std::string>& argv) {
  ChildProcess child(argv);
  const auto code = child.wait_for_exit(120s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), argv[0] << " did not end within 120 s");
  return {*code, child.out(), child.err()};
}

// `kubectl kustomize dir`, written to `out_file`.
Run render(const std::string& kubectl, const std::string& dir, const std::string& out_file) {
  auto r = run({kubectl, "kustomize", dir});
  std::ofstream(out_file) << r.out;
  return r;
}

// `node tests/deploy/SCRIPT file`: fails the test when node or the npm packages are missing.
Run deploy_script(const std::string& script, const std::string& file) {
  const std::string node = find_in_path("node");
  BOOST_REQUIRE_MESSAGE(!node.empty(), "node is missing: Debian package nodejs (scripts/install-deps.sh)");
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(kDeployTestsDir + "/node_modules/kubernetes-models/package.json"),
                        "tests/deploy/node_modules is missing: run scripts/browser-deps.sh (npm ci there)");
  return run({node, kDeployTestsDir + "/" + script, file});
}

// A copy of deploy/kubernetes in a fresh directory, to break.
std::string copy_of_manifests(const TempDir& dir) {
  const std::string copy = dir.path() + "/kubernetes";
  std::filesystem::copy(kKubernetesDir, copy, std::filesystem::copy_options::recursive);
  return copy;
}

void replace_in_file(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, from << " not in " << path);
  text.replace(at, from.size(), to);
  std::ofstream(path) << text;
}

// The top-level keys of a kustomization.yaml (lines "key:" at column 0).
std::set<std::string> top_level_keys(const std::string& text) {
  std::set<std::string> keys;
  std::istringstream lines(text);
  static const std::regex key(R"(^([A-Za-z0-9]+):)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, key)) keys.insert(m[1]);
  }
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kubernetes_manifests)

BOOST_AUTO_TEST_CASE(every_overlay_renders_with_kubectl_kustomize_and_passes_strict_schema_validation) {
  TempDir dir;
  for (const auto& kubectl : kubectls()) {
    for (const auto& overlay : kOverlays) {
      BOOST_TEST_CONTEXT(kubectl << " kustomize overlays/" << overlay) {
        const std::string file = dir.path() + "/" + overlay + ".yaml";
        const auto r = render(kubectl, kKubernetesDir + "/overlays/" + overlay, file);
        BOOST_TEST_REQUIRE(r.code == 0, r.err);
        const auto v = deploy_script("validate.mjs", file);
        BOOST_TEST(v.code == 0, v.out << v.err);
        BOOST_TEST(v.out.find(" objects valid") != std::string::npos, v.out);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_overlay_gives_each_region_a_relay_with_its_agents_and_the_broker_a_job) {
  TempDir dir;
  const std::map<std::string, std::vector<std::string>> regions = {{"single-region", {"eu"}},
                                                                   {"two-regions", {"eu", "us"}}};
  for (const auto& [overlay, names] : regions) {
    BOOST_TEST_CONTEXT(overlay) {
      const std::string file = dir.path() + "/" + overlay + ".yaml";
      BOOST_TEST_REQUIRE(render(kubectls().front(), kKubernetesDir + "/overlays/" + overlay, file).code == 0);
      const std::string text = read_file(file);
      BOOST_TEST(text.find("kind: Job\nmetadata:\n") != std::string::npos);
      BOOST_TEST(text.find("  name: loadgrid-broker\n") != std::string::npos);
      BOOST_TEST(text.find("  name: loadgrid-results\n") != std::string::npos);
      for (const auto& region : names) {
        for (const auto& object : {"loadgrid-relay-", "loadgrid-agent-"}) {
          BOOST_TEST(text.find("  name: " + std::string(object) + region + "\n") != std::string::npos,
                     object << region);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_overlay_follows_the_grid_rules_and_documents_the_secrets_it_needs) {
  // Limits, non-root uid 10001, read-only root, no capabilities, health probes; every
  // ConfigMap/PVC/Secret used exists or is an operator-made Secret named in the README;
  // each parent names a Service with PORT and PORT+1 in front of its parent's pods; a PDB
  // per relay; agents spread over hostnames and get 90 s to drain.
  TempDir dir;
  const std::string readme = read_file(kKubernetesDir + "/README.md");
  for (const auto& overlay : kOverlays) {
    BOOST_TEST_CONTEXT(overlay) {
      const std::string file = dir.path() + "/" + overlay + ".yaml";
      BOOST_TEST_REQUIRE(render(kubectls().front(), kKubernetesDir + "/overlays/" + overlay, file).code == 0);
      const auto r = deploy_script("rules.mjs", file);
      BOOST_TEST(r.code == 0, r.out << r.err);
      const auto at = r.out.rfind("operator secrets: ");
      BOOST_TEST_REQUIRE(at != std::string::npos, r.out);
      std::istringstream secrets(r.out.substr(at + 18));
      int count = 0;
      for (std::string secret; secrets >> secret; ++count) {
        BOOST_TEST(readme.find("kubectl create secret generic " + secret) != std::string::npos,
                   "README.md does not say how to create Secret " << secret);
      }
      BOOST_TEST(count >= 4);  // broker keys, HTTP token, a relay's and its agents' keys
    }
  }
}

BOOST_AUTO_TEST_CASE(a_manifest_with_a_misspelt_or_mistyped_field_is_rejected_by_the_validator) {
  TempDir dir;
  const std::string good = dir.path() + "/good.yaml";
  BOOST_TEST_REQUIRE(render(kubectls().front(), kKubernetesDir + "/overlays/single-region", good).code == 0);
  const std::string text = read_file(good);
  const std::vector<std::tuple<std::string, std::string, std::string>> mutations = {
      {"readOnlyRootFilesystem: true", "readOnlyRootFilesytem: true", "unknown field \"readOnlyRootFilesytem\""},
      {"  replicas: 2\n", "  replicass: 2\n", "unknown field \"replicass\""},
      {"  replicas: 2\n", "  replicas: two\n", "replicas must be integer"},
      {"  backoffLimit: 0\n", "  backoffLimit: 0\n  completionz: 1\n", "unknown field \"completionz\""}};
  for (const auto& [from, to, expected] : mutations) {
    BOOST_TEST_CONTEXT(to) {
      std::string bad = text;
      const auto at = bad.find(from);
      BOOST_TEST_REQUIRE(at != std::string::npos);
      bad.replace(at, from.size(), to);
      const std::string file = dir.path() + "/bad.yaml";
      std::ofstream(file) << bad;
      const auto v = deploy_script("validate.mjs", file);
      BOOST_TEST(v.code == 1, v.out << v.err);
      BOOST_TEST(v.out.find(expected) != std::string::npos, v.out);
    }
  }
  // An object of a kind the validator has no schema for is not waved through.
  const std::string unknown = dir.path() + "/unknown.yaml";
  std::ofstream(unknown) << "apiVersion: example.test/v1\nkind: Widget\nmetadata:\n  name: w\n";
  const auto v = deploy_script("validate.mjs", unknown);
  BOOST_TEST(v.code == 1);
  BOOST_TEST(v.out.find("no schema") != std::string::npos, v.out);
}

BOOST_AUTO_TEST_CASE(a_broken_overlay_fails_to_render) {
  TempDir dir;
  const std::string copy = copy_of_manifests(dir);
  replace_in_file(copy + "/overlays/two-regions/kustomization.yaml", "../../regions/us", "../../regions/ap");
  for (const auto& kubectl : kubectls()) {
    BOOST_TEST_CONTEXT(kubectl) {
      const auto r = render(kubectl, copy + "/overlays/two-regions", dir.path() + "/out.yaml");
      BOOST_TEST(r.code != 0);
      BOOST_TEST(r.err.find("regions/ap") != std::string::npos, r.err);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_render_that_breaks_a_grid_rule_is_reported_naming_the_object) {
  // An agent whose parent names no Service, a container without a memory limit, a relay
  // without its PDB, agents that are not spread: each is reported.
  TempDir dir;
  const std::string copy = copy_of_manifests(dir);
  replace_in_file(copy + "/regions/eu/agent.ini", "tcp://loadgrid-relay-eu:5567", "tcp://loadgrid-relay-ap:5567");
  replace_in_file(copy + "/regions/eu/agent-deployment.yaml", "            memory: 1Gi\n", "");
  replace_in_file(copy + "/regions/eu/kustomization.yaml", "- relay-pdb.yaml\n", "");
  replace_in_file(copy + "/regions/eu/agent-deployment.yaml", "topologyKey: kubernetes.io/hostname",
                  "topologyKey: topology.kubernetes.io/zone");
  replace_in_file(copy + "/regions/eu/agent-deployment.yaml", "topologyKey: kubernetes.io/hostname",
                  "topologyKey: topology.kubernetes.io/zone");
  const std::string file = dir.path() + "/out.yaml";
  const auto rendered = render(kubectls().front(), copy + "/overlays/single-region", file);
  BOOST_TEST_REQUIRE(rendered.code == 0, rendered.err);
  const auto r = deploy_script("rules.mjs", file);
  BOOST_TEST(r.code == 1);
  for (const std::string expected :
       {"Deployment/loadgrid-agent-eu: its parent tcp://loadgrid-relay-ap:5567 names no Service of the render",
        "Deployment/loadgrid-agent-eu: container agent has no memory limits",
        "Deployment/loadgrid-relay-eu: no PodDisruptionBudget selects its pods",
        "Deployment/loadgrid-agent-eu: its pods are not spread over kubernetes.io/hostname"}) {
    BOOST_TEST(r.out.find(expected) != std::string::npos, expected << "\nin:\n" << r.out);
  }
}

BOOST_AUTO_TEST_CASE(every_kustomization_uses_only_fields_that_kustomize_v2_0_3_reads) {
  // Debian 12's kubectl 1.20 embeds kustomize v2.0.3, which rejects fields added later
  // (components, labels, patches, replicas...) and reads directories only under bases.
  const std::set<std::string> known = {"apiVersion",
                                       "kind",
                                       "resources",
                                       "bases",
                                       "namePrefix",
                                       "nameSuffix",
                                       "namespace",
                                       "commonLabels",
                                       "commonAnnotations",
                                       "patchesStrategicMerge",
                                       "patchesJson6902",
                                       "configMapGenerator",
                                       "secretGenerator",
                                       "generatorOptions",
                                       "vars",
                                       "images"};
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kKubernetesDir)) {
    if (entry.path().filename() != "kustomization.yaml") continue;
    ++checked;
    const std::string text = read_file(entry.path());
    for (const auto& key : top_level_keys(text)) {
      BOOST_TEST(known.count(key) == 1, entry.path().string() << ": " << key << " is not a kustomize v2.0.3 field");
    }
    // A directory under resources: is an error for v2.0.3 (it wants files there).
    const auto resources = text.find("resources:\n");
    if (resources != std::string::npos) {
      std::istringstream items(text.substr(resources + 11));
      for (std::string line; std::getline(items, line) && line.rfind("- ", 0) == 0;) {
        BOOST_TEST(std::filesystem::is_regular_file(entry.path().parent_path() / line.substr(2)),
                   entry.path().string() << ": resources lists " << line.substr(2) << ", not a file");
      }
    }
  }
  BOOST_TEST(checked >= 5);  // base, two regions, two overlays
}

BOOST_AUTO_TEST_CASE(every_node_config_uses_options_of_its_node_and_every_campaign_passes_loadgrid_check) {
  // A misspelt key in a ConfigMap's .ini would stop the pod at start (exit 2); catch it
  // here: each key of broker.ini, relay.ini, agent.ini is a long option of `loadgrid NODE
  // --help`, and each campaign.ini passes `loadgrid check`.
  static const std::regex line(R"(^([a-z0-9-]+)\s*=)");
  int configs = 0, campaigns = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kKubernetesDir)) {
    const std::string name = entry.path().filename();
    if (name == "campaign.ini") {
      ++campaigns;
      const auto r = run({kBinary, "check", entry.path().string()});
      BOOST_TEST(r.code == 0, entry.path().string() << ":\n" << r.out << r.err);
      continue;
    }
    if (name != "broker.ini" && name != "relay.ini" && name != "agent.ini") continue;
    ++configs;
    const std::string node = name.substr(0, name.find('.'));
    const auto help = run({kBinary, node, "--help"});
    std::istringstream lines(read_file(entry.path()));
    for (std::string l; std::getline(lines, l);) {
      std::smatch m;
      if (!std::regex_search(l, m, line)) continue;
      BOOST_TEST(help.out.find("--" + m[1].str() + " ") != std::string::npos,
                 entry.path().string() << ": " << m[1] << " is not an option of loadgrid " << node);
    }
  }
  BOOST_TEST(configs >= 6);  // base broker, two relays, two agents, two-regions' broker
  BOOST_TEST(campaigns >= 2);
}

BOOST_AUTO_TEST_CASE(a_region_added_by_the_readme_runbook_renders_and_follows_the_rules) {
  // README "Add a region": copy regions/us to regions/ap with us replaced by ap, list it
  // under the overlay's bases. The new relay and agents get their own names, Secrets and
  // parent, and every rule still holds.
  TempDir dir;
  const std::string copy = copy_of_manifests(dir);
  std::filesystem::create_directory(copy + "/regions/ap");
  static const std::regex us(R"(\bus\b)");
  for (const auto& entry : std::filesystem::directory_iterator(copy + "/regions/us")) {
    std::ofstream(copy + "/regions/ap/" + entry.path().filename().string())
        << std::regex_replace(read_file(entry.path()), us, "ap");
  }
  replace_in_file(copy + "/overlays/two-regions/kustomization.yaml", "- ../../regions/us\n",
                  "- ../../regions/us\n- ../../regions/ap\n");
  const std::string file = dir.path() + "/out.yaml";
  const auto rendered = render(kubectls().front(), copy + "/overlays/two-regions", file);
  BOOST_TEST_REQUIRE(rendered.code == 0, rendered.err);
  const auto v = deploy_script("validate.mjs", file);
  BOOST_TEST(v.code == 0, v.out << v.err);
  const auto r = deploy_script("rules.mjs", file);
  BOOST_TEST(r.code == 0, r.out << r.err);
  BOOST_TEST(r.out.find("loadgrid-agent-ap-keys") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("loadgrid-relay-ap-keys") != std::string::npos, r.out);
  const std::string text = read_file(file);
  BOOST_TEST(text.find("parent = tcp://loadgrid-relay-ap:5567") != std::string::npos);
  BOOST_TEST(text.find("  name: loadgrid-relay-ap\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
