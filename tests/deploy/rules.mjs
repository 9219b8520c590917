// loadgrid's own rules on the rendered manifests (`kubectl kustomize` output), beyond the
// API schema (validate.mjs):
//   node rules.mjs FILE.yaml
// Prints one line per broken rule and exits 1 if there is any; otherwise exits 0. Either
// way the last line is "operator secrets: NAME..." (sorted): the Secrets the render uses
// but does not contain, which the operator makes (deploy/kubernetes/README.md must
// document each; the test checks). Exit 2 on a usage error.
//
// The rules (deploy/kubernetes/README.md, docs/adr/0023):
// - every container: cpu and memory requests and limits; runAsNonRoot, uid 10001,
//   readOnlyRootFilesystem, no privilege escalation, ALL capabilities dropped; the
//   image `loadgrid` with a tag set by kustomize `images:` (never "latest");
// - every node container: LOADGRID_HEALTH_FILE=/run/loadgrid/health on an emptyDir at
//   /run/loadgrid and a liveness probe `loadgrid healthcheck`;
// - every ConfigMap, Secret and PersistentVolumeClaim a pod uses exists in the render,
//   or (Secrets only) is one the operator makes, named loadgrid-*-keys or
//   loadgrid-http-token;
// - each relay's and agent's `parent = tcp://HOST:PORT` (its ConfigMap's .ini) names a
//   Service of the render that has ports PORT and PORT+1 and selects pods whose
//   container exposes them, and whose `listen` port is PORT;
// - every relay Deployment is selected by a PodDisruptionBudget, and every PDB selects a
//   relay; relays run one replica, replaced by Recreate (one pod behind its Service);
// - every agent Deployment spreads its pods over kubernetes.io/hostname (a topology
//   spread constraint or pod anti-affinity selecting its own pods) and gives them at
//   least 90 s to drain (terminationGracePeriodSeconds).
import fs from "node:fs";
import { parseAllDocuments } from "yaml";

const file = process.argv[2];
if (!file || process.argv.length !== 3) {
  console.error("usage: node rules.mjs FILE.yaml");
  process.exit(2);
}
const objects = parseAllDocuments(fs.readFileSync(file, "utf8"))
  .map((d) => d.toJS())
  .filter((o) => o && typeof o === "object");
const problems = [];
const fail = (obj, what) => problems.push(`${obj.kind}/${obj.metadata?.name}: ${what}`);
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const names = (kind) => new Set(byKind(kind).map((o) => o.metadata?.name));
const workloads = objects.filter((o) => ["Deployment", "Job", "StatefulSet", "DaemonSet"].includes(o.kind));
const component = (w) => w.spec?.template?.metadata?.labels?.["app.kubernetes.io/component"];
const matches = (selector, labels) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const UID = 10001;
const OPERATOR_SECRET = /^loadgrid-([a-z0-9-]+-keys|http-token)$/;
const operatorSecrets = new Set();

// The INI text of a workload's config file (`--config PATH` in its args) or "".
function nodeIni(w) {
  const c = w.spec.template.spec.containers[0];
  const args = c.args ?? [];
  const at = args.indexOf("--config");
  if (at < 0) return "";
  const path = args[at + 1];
  const mount = (c.volumeMounts ?? []).find((m) => m.mountPath === path || path.startsWith(m.mountPath + "/"));
  const volume = (w.spec.template.spec.volumes ?? []).find((v) => v.name === mount?.name);
  const cm = byKind("ConfigMap").find((m) => m.metadata.name === volume?.configMap?.name);
  const key = mount?.subPath ?? path.slice(mount?.mountPath.length + 1);
  return cm?.data?.[key] ?? "";
}
const iniValue = (ini, key) => {
  const m = new RegExp(`^${key}\\s*=\\s*(.*?)\\s*$`, "m").exec(ini);
  return m ? m[1] : null;
};
const portOf = (endpoint) => Number(/:(\d+)$/.exec(endpoint ?? "")?.[1]);

for (const w of workloads) {
  const pod = w.spec?.template?.spec ?? {};
  const psc = pod.securityContext ?? {};
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const where = `container ${c.name}`;
    for (const kind of ["requests", "limits"]) {
      for (const r of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[r] === undefined) fail(w, `${where} has no ${r} ${kind}`);
      }
    }
    const sc = c.securityContext ?? {};
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) fail(w, `${where} is not runAsNonRoot`);
    if ((sc.runAsUser ?? psc.runAsUser) !== UID) fail(w, `${where} does not run as uid ${UID}`);
    if (sc.readOnlyRootFilesystem !== true) fail(w, `${where} has a writable root file system`);
    if (sc.allowPrivilegeEscalation !== false) fail(w, `${where} allows privilege escalation`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(w, `${where} does not drop ALL capabilities`);
    const [image, tag] = String(c.image).split(/:(?=[^:/]+$)/);
    if (!/(^|\/)loadgrid$/.test(image) || !tag || tag === "latest") {
      fail(w, `${where} image ${c.image} is not loadgrid:VERSION`);
    }
    const env = (c.env ?? []).find((e) => e.name === "LOADGRID_HEALTH_FILE");
    const run = (c.volumeMounts ?? []).find((m) => m.mountPath === "/run/loadgrid");
    const runVolume = (pod.volumes ?? []).find((v) => v.name === run?.name);
    if (env?.value !== "/run/loadgrid/health" || !runVolume?.emptyDir) {
      fail(w, `${where} has no LOADGRID_HEALTH_FILE=/run/loadgrid/health on an emptyDir at /run/loadgrid`);
    }
    if (JSON.stringify(c.livenessProbe?.exec?.command) !== JSON.stringify(["loadgrid", "healthcheck"])) {
      fail(w, `${where} has no liveness probe \`loadgrid healthcheck\``);
    }
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef?.name;
      if (cm && !names("ConfigMap").has(cm)) fail(w, `${where} uses ConfigMap ${cm}, not in the render`);
      const s = e.valueFrom?.secretKeyRef?.name;
      if (s) pod.volumes = [...(pod.volumes ?? []), { name: `env:${s}`, secret: { secretName: s } }];
    }
  }
  for (const v of pod.volumes ?? []) {
    if (v.configMap && !names("ConfigMap").has(v.configMap.name)) {
      fail(w, `volume ${v.name} uses ConfigMap ${v.configMap.name}, not in the render`);
    }
    if (v.persistentVolumeClaim && !names("PersistentVolumeClaim").has(v.persistentVolumeClaim.claimName)) {
      fail(w, `volume ${v.name} uses PersistentVolumeClaim ${v.persistentVolumeClaim.claimName}, not in the render`);
    }
    const secret = v.secret?.secretName;
    if (secret && !names("Secret").has(secret)) {
      if (OPERATOR_SECRET.test(secret)) operatorSecrets.add(secret);
      else fail(w, `volume ${v.name} uses Secret ${secret}, neither in the render nor an operator-made loadgrid-*-keys`);
    }
  }
}

// Parents: HOST a Service with PORT and PORT+1 that selects the parent's pods, which
// listen on PORT.
for (const w of workloads.filter((w) => ["relay", "agent"].includes(component(w)))) {
  const parent = iniValue(nodeIni(w), "parent");
  const m = /^tcp:\/\/([a-z0-9.-]+):(\d+)$/.exec(parent ?? "");
  if (!m) {
    fail(w, `its config's parent (${parent}) is not tcp://SERVICE:PORT`);
    continue;
  }
  const host = m[1].split(".")[0];  // SERVICE or SERVICE.NAMESPACE...
  const port = Number(m[2]);
  const svc = byKind("Service").find((s) => s.metadata.name === host);
  if (!svc) {
    fail(w, `its parent ${parent} names no Service of the render`);
    continue;
  }
  const svcPorts = svc.spec.ports ?? [];
  for (const p of [port, port + 1]) {
    if (!svcPorts.some((sp) => sp.port === p)) fail(w, `its parent's Service ${host} has no port ${p}`);
  }
  const targets = workloads.filter((t) => matches(svc.spec.selector, t.spec.template.metadata?.labels));
  if (targets.length !== 1) {
    fail(w, `its parent's Service ${host} selects ${targets.length} workloads, not exactly one`);
    continue;
  }
  const listen = portOf(iniValue(nodeIni(targets[0]), "listen"));
  if (listen !== port) fail(w, `its parent ${parent} is not where ${targets[0].metadata.name} listens (port ${listen})`);
  const cports = targets[0].spec.template.spec.containers.flatMap((c) => c.ports ?? []);
  for (const sp of svcPorts.filter((sp) => sp.port === port || sp.port === port + 1)) {
    const target = cports.find((cp) => cp.name === sp.targetPort || cp.containerPort === sp.targetPort);
    if (target?.containerPort !== sp.port) {
      fail(w, `its parent's Service ${host} port ${sp.port} does not reach container port ${sp.port}`);
    }
  }
}

// Relays: a PDB each, one replica, Recreate.
const pdbs = byKind("PodDisruptionBudget");
const relays = workloads.filter((w) => component(w) === "relay");
for (const r of relays) {
  const labels = r.spec.template.metadata.labels;
  if (!pdbs.some((p) => matches(p.spec?.selector?.matchLabels, labels))) fail(r, "no PodDisruptionBudget selects its pods");
  if (r.spec.replicas !== 1 || r.spec.strategy?.type !== "Recreate") {
    fail(r, "a relay must run one replica replaced by Recreate (one pod behind its Service)");
  }
}
for (const p of pdbs) {
  if (!relays.some((r) => matches(p.spec?.selector?.matchLabels, r.spec.template.metadata.labels))) {
    fail(p, "selects no relay pods");
  }
}

// Agents: spread over hostnames, time to drain.
for (const a of workloads.filter((w) => component(w) === "agent")) {
  const pod = a.spec.template.spec;
  const labels = a.spec.template.metadata.labels;
  const spread = (pod.topologySpreadConstraints ?? []).some(
    (t) => t.topologyKey === "kubernetes.io/hostname" && matches(t.labelSelector?.matchLabels, labels));
  const anti = [
    ...(pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => p.podAffinityTerm),
  ].some((t) => t?.topologyKey === "kubernetes.io/hostname" && matches(t.labelSelector?.matchLabels, labels));
  if (!spread && !anti) fail(a, "its pods are not spread over kubernetes.io/hostname");
  if (!((pod.terminationGracePeriodSeconds ?? 30) >= 90)) {
    fail(a, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds ?? 30} < 90: SIGKILL before the drain ends`);
  }
}

for (const p of problems) console.log(p);
console.log(`operator secrets: ${[...operatorSecrets].sort().join(" ")}`);
process.exit(problems.length ? 1 : 0);
