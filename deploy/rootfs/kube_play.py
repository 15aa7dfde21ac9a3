#!/usr/bin/env python3
"""Turns rendered deploy/k8s manifests into what `podman kube play` plays.

podman plays Pods and Deployments, not StatefulSets, Services or budgets.
From the documents `kubectl kustomize` renders (read on stdin), this writes:

  OUT/catalog.yaml    the catalog StatefulSet's Pod template as a Pod named
                      after the StatefulSet, its volume claim template bound
                      to the claim CLAIM (podman makes it a named volume);
  OUT/timeline.yaml   the timeline Deployment, with REPLICAS replicas;
  OUT/probes.json     each container's probes, as the manifests give them
                      (podman 4.3 runs exec, HTTP and TCP probes, not gRPC
                      ones: the check asks those questions itself).

A Secret volume becomes a host folder SECRETS/SECRET_NAME holding the
Secret's files: podman 4.3 crashes on Secret volumes in `kube play` (its
VolumeFromSecret is handed no secrets manager). Everything else is taken as
rendered: commands, environment, ports, the security context (user 10001,
read-only root file system, no capabilities) and the other volumes.

  kube_play.py OUT CLAIM REPLICAS SECRETS < rendered.yaml
"""

import copy
import json
import os
import sys

import yaml


def Find(documents, kind, name):
    for document in documents:
        if document.get("kind") == kind and document["metadata"]["name"] == name:
            return document
    raise SystemExit(f"no {kind} {name} in the rendered manifests")


def CatalogPod(statefulset, claim):
    template = copy.deepcopy(statefulset["spec"]["template"])
    claims = {t["metadata"]["name"] for t in statefulset["spec"].get("volumeClaimTemplates", [])}
    spec = template["spec"]
    for name in sorted(claims):
        spec.setdefault("volumes", []).append(
            {"name": name, "persistentVolumeClaim": {"claimName": claim}})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": statefulset["metadata"]["name"],
            "labels": template["metadata"].get("labels", {}),
            "annotations": template["metadata"].get("annotations", {}),
        },
        "spec": spec,
    }


def SecretsAsFolders(pod_spec, secrets):
    for volume in pod_spec.get("volumes", []):
        secret = volume.pop("secret", None)
        if secret is not None:
            volume["hostPath"] = {
                "path": os.path.join(secrets, secret["secretName"]),
                "type": "Directory",
            }


def Probes(pod_spec):
    probes = {}
    for container in pod_spec["containers"]:
        probes[container["name"]] = {
            kind: container[kind]
            for kind in ("startupProbe", "readinessProbe", "livenessProbe")
            if kind in container
        }
    return probes


def main():
    out, claim, replicas, secrets = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                                     sys.argv[4])
    documents = [d for d in yaml.safe_load_all(sys.stdin) if d]
    catalog = CatalogPod(Find(documents, "StatefulSet", "annals-catalog"), claim)
    timeline = copy.deepcopy(Find(documents, "Deployment", "annals-timeline"))
    timeline["spec"]["replicas"] = replicas
    SecretsAsFolders(catalog["spec"], secrets)
    SecretsAsFolders(timeline["spec"]["template"]["spec"], secrets)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "catalog.yaml"), "w") as f:
        yaml.safe_dump(catalog, f, sort_keys=False)
    with open(os.path.join(out, "timeline.yaml"), "w") as f:
        yaml.safe_dump(timeline, f, sort_keys=False)
    with open(os.path.join(out, "probes.json"), "w") as f:
        json.dump({"catalog": Probes(catalog["spec"]),
                   "timeline": Probes(timeline["spec"]["template"]["spec"])},
                  f, indent=1)


if __name__ == "__main__":
    main()
