#!/usr/bin/env bash
# Validates the deployment files under deploy/ with whatever tools this machine has, no container engine or
# cluster needed. Each step passes, fails, or is skipped with the reason (its tool is missing).
#
#   scripts/validate-deploy.sh        # last line: deploy: N passed, N failed, N skipped
#
# Exits 1 when a step found a real problem, 0 otherwise (skipped steps are not failures).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deploy="$root/deploy"
passed=0 failed=0 skipped=0

tmp="$(mktemp -d "${TMPDIR:-/tmp}/validate-deploy.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

pass() { passed=$((passed + 1)); echo "PASS  $1"; }
fail() {
  failed=$((failed + 1)); echo "FAIL  $1"
  [ -n "${2:-}" ] && [ -s "$2" ] && sed 's/^/      /' "$2"
  return 0
}
skip() { skipped=$((skipped + 1)); echo "SKIP  $1: $2"; }
have() { command -v "$1" >/dev/null 2>&1; }

have_pyyaml=no
if have python3 && python3 -c 'import yaml' >/dev/null 2>&1; then have_pyyaml=yes; fi

# ---- Docker Compose ------------------------------------------------------------------------------

compose=()
if have docker && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif have docker-compose && docker-compose version 2>/dev/null | grep -Eq 'version v?[2-9]'; then
  compose=(docker-compose)  # the standalone v2 binary; v1 (EOL) does not know the Compose Specification
fi
if [ ${#compose[@]} -gt 0 ]; then
  if "${compose[@]}" -f "$deploy/compose.yaml" config -q >"$tmp/compose.out" 2>&1; then
    pass "compose: ${compose[*]} config -q"
  else
    fail "compose: ${compose[*]} config -q" "$tmp/compose.out"
  fi
else
  skip "compose: docker compose config" "no Compose v2 (neither \`docker compose version\` nor docker-compose v2 works)"
fi

if [ "$have_pyyaml" = yes ]; then
  if python3 - "$deploy/compose.yaml" >"$tmp/compose-py.out" 2>&1 <<'PY'
import sys, yaml
path = sys.argv[1]
doc = yaml.safe_load(open(path))
problems = []
services = doc.get("services") or {}
secrets = doc.get("secrets") or {}
volumes = doc.get("volumes") or {}
for name in ("coordinator", "worker"):
    if name not in services:
        problems.append(f"no service {name!r}")
wanted = {
    "coordinator": ["coordinator", "--listen", "--store", "--curve-secret", "--authorized", "--metrics-listen"],
    "worker": ["worker", "--connect", "--coordinator-key", "--curve-secret"],
}
for name, service in services.items():
    command = service.get("command") or []
    if isinstance(command, str):
        command = command.split()
    for word in wanted.get(name, []):
        if word not in command:
            problems.append(f"service {name}: command lacks {word}")
    for ref in service.get("secrets") or []:
        source = ref if isinstance(ref, str) else ref.get("source")
        if source not in secrets:
            problems.append(f"service {name}: secret {source!r} is not defined under secrets:")
    for mount in service.get("volumes") or []:
        source = mount.split(":")[0] if isinstance(mount, str) else mount.get("source")
        if source and not source.startswith((".", "/", "~")) and source not in volumes:
            problems.append(f"service {name}: volume {source!r} is not defined under volumes:")
    if name == "worker" and (service.get("container_name") or service.get("ports")):
        problems.append("service worker: container_name or published ports stop `--scale worker=N`")
for name, secret in secrets.items():
    file = (secret or {}).get("file", "")
    if not file.startswith("./keys/"):
        problems.append(f"secret {name}: file {file!r} is not under deploy/keys/")
if "healthcheck" not in services.get("coordinator", {}):
    problems.append("service coordinator: no healthcheck")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
  then
    pass "compose: structure (services, secrets, volumes, flags)"
  else
    fail "compose: structure (services, secrets, volumes, flags)" "$tmp/compose-py.out"
  fi
else
  skip "compose: structure" "python3 with PyYAML is missing"
fi

# ---- Kubernetes ----------------------------------------------------------------------------------

# A copy with stand-in key files, so the secretGenerator finds its files; real keys are never copied.
mkdir -p "$tmp/deploy/keys"
cp -R "$deploy/kubernetes" "$tmp/deploy/kubernetes"
cp "$deploy/keys/kustomization.yaml" "$tmp/deploy/keys/kustomization.yaml"
sed -n 's/^[[:space:]]*-[[:space:]]*\([^[:space:]]*\.key\)[[:space:]]*$/\1/p' "$deploy/keys/kustomization.yaml" |
  sed 's/^.*=//' | while read -r file; do
    mkdir -p "$tmp/deploy/keys/$(dirname "$file")"
    echo 'E(2A:.t8X7KCBk7bw.f3[Ga<z/R+C{kqZUr5>=*t' >"$tmp/deploy/keys/$file"  # not a real key
  done

kustomize_cmd=()
if have kubectl && kubectl kustomize --help >/dev/null 2>&1; then
  kustomize_cmd=(kubectl kustomize)
elif have kustomize; then
  kustomize_cmd=(kustomize build)
fi
rendered=""
if [ ${#kustomize_cmd[@]} -gt 0 ]; then
  if "${kustomize_cmd[@]}" "$tmp/deploy/kubernetes" >"$tmp/rendered.yaml" 2>"$tmp/kustomize.err"; then
    pass "kubernetes: ${kustomize_cmd[*]} deploy/kubernetes"
    rendered="$tmp/rendered.yaml"
  else
    fail "kubernetes: ${kustomize_cmd[*]} deploy/kubernetes" "$tmp/kustomize.err"
  fi
else
  skip "kubernetes: kustomize build" "neither kubectl nor kustomize is installed"
fi

if [ "$have_pyyaml" = yes ]; then
  if python3 - "$tmp/deploy" "$rendered" >"$tmp/k8s-py.out" 2>&1 <<'PY'
import os, sys, yaml
base, rendered = sys.argv[1], sys.argv[2]
problems = []

def load(path):
    try:
        return [d for d in yaml.safe_load_all(open(path)) if d is not None]
    except yaml.YAMLError as error:
        problems.append(f"{path}: not YAML: {error}")
        return []

# Every manifest parses and names itself; every kustomization's files exist.
manifests = []
kustomizations = [os.path.join(base, "kubernetes", "kustomization.yaml"), os.path.join(base, "keys", "kustomization.yaml")]
for name in sorted(os.listdir(os.path.join(base, "kubernetes"))):
    if name.endswith((".yaml", ".yml")) and name != "kustomization.yaml":
        path = os.path.join(base, "kubernetes", name)
        for doc in load(path):
            for field in ("apiVersion", "kind"):
                if not doc.get(field):
                    problems.append(f"{name}: no {field}")
            if not (doc.get("metadata") or {}).get("name"):
                problems.append(f"{name}: no metadata.name")
            manifests.append(doc)
for path in kustomizations:
    for doc in load(path):
        if doc.get("kind") != "Kustomization":
            problems.append(f"{path}: kind is not Kustomization")
        folder = os.path.dirname(path)
        for resource in doc.get("resources") or []:
            if not os.path.exists(os.path.join(folder, resource)):
                problems.append(f"{path}: resource {resource} does not exist")
        for generator in doc.get("secretGenerator") or []:
            for entry in generator.get("files") or []:
                file = entry.split("=", 1)[-1]
                if os.path.isabs(file) or file.startswith(".."):
                    problems.append(f"{path}: {file} is outside the kustomization's folder")

# What the deployment promises: the kinds, probes, limits and security settings.
by_kind = {}
for doc in manifests:
    by_kind.setdefault(doc.get("kind"), []).append(doc)
for kind in ("Namespace", "StatefulSet", "Deployment", "Service"):
    if kind not in by_kind:
        problems.append(f"no {kind}")
for doc in by_kind.get("StatefulSet", []) + by_kind.get("Deployment", []):
    name = (doc.get("metadata") or {}).get("name", doc.get("kind"))
    spec = doc.get("spec", {})
    pod = spec.get("template", {}).get("spec", {})
    if not (pod.get("securityContext") or {}).get("runAsNonRoot"):
        problems.append(f"{name}: pod securityContext lacks runAsNonRoot: true")
    for container in pod.get("initContainers", []) + pod.get("containers", []):
        where = f"{name}/{container.get('name')}"
        security = container.get("securityContext") or {}
        if "ALL" not in ((security.get("capabilities") or {}).get("drop") or []):
            problems.append(f"{where}: does not drop ALL capabilities")
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: allowPrivilegeEscalation is not false")
        resources = container.get("resources") or {}
        if not (resources.get("limits") and resources.get("requests")):
            problems.append(f"{where}: no resource requests and limits")
    if doc["kind"] == "StatefulSet":
        if spec.get("replicas") != 1:
            problems.append(f"{name}: the coordinator must have exactly one replica")
        if not spec.get("volumeClaimTemplates"):
            problems.append(f"{name}: no volumeClaimTemplates for the store")
        for container in pod.get("containers", []):
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                if ((container.get(probe) or {}).get("httpGet") or {}).get("path") != path:
                    problems.append(f"{name}/{container.get('name')}: {probe} is not an httpGet of {path}")
ports = {p.get("port") for s in by_kind.get("Service", []) for p in s.get("spec", {}).get("ports", [])}
if not {5555, 9464} <= ports:
    problems.append(f"Service ports {sorted(ports)} lack 5555 or 9464")

# In the rendered output, every Secret a pod mounts is one the generator made.
if rendered:
    docs = load(rendered)
    made = {d["metadata"].get("name") for d in docs if d.get("kind") == "Secret"}
    for d in docs:
        pod = (d.get("spec") or {}).get("template", {}).get("spec", {})
        for volume in pod.get("volumes", []):
            secret = (volume.get("secret") or {}).get("secretName")
            if secret and secret not in made:
                problems.append(f"{d['metadata'].get('name')}: mounts Secret {secret}, which is not generated")
        if d.get("kind") != "Namespace" and d.get("metadata", {}).get("namespace") != "distembed":
            problems.append(f"{d.get('kind')} {d['metadata'].get('name')}: not in namespace distembed")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
  then
    pass "kubernetes: manifests parse (apiVersion, kind, metadata.name), probes, limits, securityContext"
  else
    fail "kubernetes: manifests" "$tmp/k8s-py.out"
  fi
else
  skip "kubernetes: manifest checks" "python3 with PyYAML is missing"
fi

# ---- systemd -------------------------------------------------------------------------------------

if have systemd-analyze; then
  mkdir -p "$tmp/systemd"
  binary=/usr/local/bin/distembed
  stand_in=""
  if [ ! -x "$binary" ]; then stand_in="$(type -P true || echo /bin/true)"; fi
  for unit in "$deploy/systemd/distembed-coordinator.service" "$deploy/systemd/distembed-worker@.service"; do
    name="$(basename "$unit")"
    # A template is checked as an instance of itself.
    [ "$name" = "distembed-worker@.service" ] && name="distembed-worker@check.service"
    if [ -n "$stand_in" ]; then
      sed "s#$binary#$stand_in#g" "$unit" >"$tmp/systemd/$name"
    else
      cp "$unit" "$tmp/systemd/$name"
    fi
  done
  note=""
  [ -n "$stand_in" ] && note=" ($binary absent: ExecStart checked with $stand_in)"
  (cd "$tmp/systemd" && systemd-analyze verify --man=no ./distembed-coordinator.service \
    ./distembed-worker@check.service) >"$tmp/systemd.out" 2>&1
  status=$?
  # verify warns about unknown or bad settings without failing: any line naming our units is a failure.
  if grep -q 'distembed-' "$tmp/systemd.out"; then
    fail "systemd: systemd-analyze verify$note" "$tmp/systemd.out"
  elif [ $status -ne 0 ]; then
    skip "systemd: systemd-analyze verify" "it cannot run here: $(head -n 1 "$tmp/systemd.out")"
  else
    pass "systemd: systemd-analyze verify$note"
  fi
else
  skip "systemd: systemd-analyze verify" "systemd-analyze is not installed"
fi

# ---- Dockerfile ----------------------------------------------------------------------------------

if have python3; then
  if python3 - "$root" >"$tmp/dockerfile.out" 2>&1 <<'PY'
import os, re, sys
root = sys.argv[1]
text = open(os.path.join(root, "deploy", "Dockerfile")).read()
lines = [l for l in re.sub(r"\\\n", " ", text).splitlines() if l.strip() and not l.lstrip().startswith("#")]
problems = []
froms = [l.split()[1:] for l in lines if l.split()[0].upper() == "FROM"]
if len(froms) < 2:
    problems.append("not a multi-stage build (fewer than two FROM)")
if not any(f[0].startswith("swift:") and f[-1] == "build" for f in froms):
    problems.append("no `FROM swift:... AS build` stage")
if froms and not froms[-1][0].startswith("debian:bookworm-slim"):
    problems.append("the last stage is not debian:bookworm-slim")
users = [l.split()[1] for l in lines if l.split()[0].upper() == "USER"]
if not users or users[-1].split(":")[0] in ("root", "0"):
    problems.append("the image runs as root (no USER, or USER root)")
entry = [l for l in lines if l.split()[0].upper() == "ENTRYPOINT"]
if not entry or "distembed" not in entry[-1]:
    problems.append("ENTRYPOINT is not distembed")
if "--static-swift-stdlib" not in text:
    problems.append("swift build lacks --static-swift-stdlib")
for l in lines:
    words = l.split()
    if words[0].upper() == "COPY" and not any(w.startswith("--from") for w in words):
        for source in [w for w in words[1:-1] if not w.startswith("--")]:
            if "*" not in source and not os.path.exists(os.path.join(root, source)):
                problems.append(f"COPY {source}: not in the build context (the repository root)")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
  then
    pass "dockerfile: stages, non-root USER, ENTRYPOINT, COPY sources exist"
  else
    fail "dockerfile: structure" "$tmp/dockerfile.out"
  fi
else
  skip "dockerfile: structure" "python3 is missing"
fi

if have hadolint; then
  if hadolint --no-color "$deploy/Dockerfile" >"$tmp/hadolint.out" 2>&1; then
    pass "dockerfile: hadolint"
  else
    fail "dockerfile: hadolint" "$tmp/hadolint.out"
  fi
else
  skip "dockerfile: hadolint" "hadolint is not installed"
fi

# ---- keys are never committed --------------------------------------------------------------------

if grep -qx '\*' "$deploy/keys/.gitignore" 2>/dev/null && grep -qx '!.gitignore' "$deploy/keys/.gitignore"; then
  pass "keys: deploy/keys/.gitignore ignores everything but itself and kustomization.yaml"
else
  fail "keys: deploy/keys/.gitignore must hold \`*\` and \`!.gitignore\`"
fi

echo "deploy: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
