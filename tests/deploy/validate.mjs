// Validates Kubernetes objects offline, strictly, as `kubeconform -strict` would:
//   node validate.mjs FILE.yaml...   (multi-document YAML, e.g. `kubectl kustomize` output)
// Prints one line per problem ("Kind/name: path: what") and exits 1 if there is any,
// 0 when every object is valid (it then prints "N objects valid"); 2 on a usage error or
// a file that is not YAML.
//
// Two checks per object, both generated from the Kubernetes OpenAPI spec, offline:
// 1. kubernetes-models 4.5.1 (Kubernetes 1.27.1): each kind's ajv validator compiled
//    from the spec's JSON schema: required fields, types, enums, formats (int-or-string,
//    quantities). Its schemas allow unknown properties (the API server drops them), so:
// 2. strictness from @kubernetes/client-node 1.4.0's generated models (OpenAPI
//    v1.34.0): every key of every nested object must be a field of that object's type,
//    so a misspelt field (`imagePullPolicyy`, `replicass`) is an error. Only its model
//    files are loaded (dist/gen/models), never the client's network code.
// A kind either package does not know is an error too: nothing passes unchecked.
import fs from "node:fs";
import { parseAllDocuments } from "yaml";

// Loads a module, or null when it does not exist.
async function tryImport(specifier) {
  try {
    return await import(specifier);
  } catch (e) {
    if (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return null;
    throw e;
  }
}

const clientModels = new Map();
// The client-node model class NAME (V1PodSpec...), or null.
async function clientModel(name) {
  if (!clientModels.has(name)) {
    const mod = /^[A-Za-z0-9]+$/.test(name)
      ? await tryImport(`@kubernetes/client-node/dist/gen/models/${name}.js`)
      : null;
    clientModels.set(name, mod?.[name] ?? null);
  }
  return clientModels.get(name);
}

const PRIMITIVES = new Set(["string", "number", "boolean", "Date", "any", "object", "IntOrString"]);

// Every key of `value` (of client-node type `type`) that the type does not have, as
// problems "path: unknown field KEY"; recursing through arrays and maps.
async function unknownFields(value, type, path, problems) {
  if (value === null || value === undefined || PRIMITIVES.has(type)) return;
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) await unknownFields(item, m[1], `${path}[${i}]`, problems);
    }
    return;  // a type mismatch is check 1's to report
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    if (typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) await unknownFields(v, m[1], `${path}.${k}`, problems);
    }
    return;
  }
  const model = await clientModel(type);
  if (!model) {
    problems.push(`${path}: no schema for type ${type}`);
    return;
  }
  if (typeof value !== "object" || Array.isArray(value)) return;  // check 1 reports the type
  const fields = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const where = path ? `${path}.${k}` : k;
    if (!fields.has(k)) problems.push(`${where}: unknown field "${k}" (not in ${type})`);
    else await unknownFields(v, fields.get(k), where, problems);
  }
}

// Problems of one object (empty when valid).
async function validate(obj) {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return ["not a Kubernetes object (a mapping)"];
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9.\/-]+$/.test(apiVersion + kind)) {
    return ["apiVersion and kind must be strings"];
  }
  const problems = [];
  // 1. The JSON schema of the kind (kubernetes-models: one module per apiVersion/kind).
  const models = await tryImport(`kubernetes-models/${apiVersion}/${kind}`);
  const Model = models?.[kind];
  if (!Model) return [`unknown apiVersion/kind ${apiVersion} ${kind} (no schema)`];
  try {
    new Model(obj).validate();
  } catch (e) {
    for (const line of String(e.message).split("\n")) if (line.trim()) problems.push(line.trim());
  }
  // 2. No unknown fields (client-node: class V1Deployment for apps/v1 Deployment).
  const version = apiVersion.split("/").pop();
  const className = version.charAt(0).toUpperCase() + version.slice(1) + kind;
  if (!(await clientModel(className))) return [...problems, `unknown apiVersion/kind ${apiVersion} ${kind} (no model)`];
  await unknownFields(obj, className, "", problems);
  return problems;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE.yaml...");
  process.exit(2);
}
let objects = 0;
let failures = 0;
for (const file of files) {
  let docs;
  try {
    docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
  for (const doc of docs) {
    if (doc.errors.length) {
      console.error(`${file}: not YAML: ${doc.errors[0].message}`);
      process.exit(2);
    }
    const obj = doc.toJS();
    if (obj === null) continue;  // an empty document
    objects++;
    const name = `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}`;
    for (const p of await validate(obj)) {
      console.log(`${file}: ${name}: ${p}`);
      failures++;
    }
  }
}
if (failures) process.exit(1);
console.log(`${objects} objects valid`);
