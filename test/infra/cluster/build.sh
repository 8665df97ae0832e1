#!/usr/bin/env bash
# Builds the control plane the Kubernetes target's tests run against, from the Go module proxy
# only: kube-apiserver, kube-controller-manager and kube-scheduler from k8s.io/kubernetes, etcd
# 3.6 from go.etcd.io/etcd/server/v3, and the kwok controller from sigs.k8s.io/kwok. The binaries
# go into a cache directory outside the checkout keyed by the versions, so a machine builds
# them once. Usage: build.sh <cache-dir> (cluster.ts passes it; the versions come from the env).
set -euo pipefail

: "${KUBE_VERSION:?}" "${ETCD_VERSION:?}" "${KWOK_VERSION:?}" "${GATEWAY_API_VERSION:?}"
dir="${1:?usage: build.sh <cache-dir>}"
bin="$dir/bin"
work="$dir/build"
mkdir -p "$bin" "$work"

# The machine's cores are shared with other work: build at a lower priority, two packages at once.
go_build() { nice -n 10 go build -p 2 -trimpath "$@"; }

have() { [ -x "$bin/$1" ]; }

build_kube() {
  if have kube-apiserver && have kube-controller-manager && have kube-scheduler; then return; fi
  local staging_version="v0.${KUBE_VERSION#1.}"
  local minor="${KUBE_VERSION#1.}"; minor="${minor%%.*}"
  local mod="$work/kube"
  mkdir -p "$mod"
  # `go install k8s.io/kubernetes/cmd/...@v1.X.Y` cannot work: the root module requires its
  # staging modules at v0.0.0 and points them at ./staging with replace directives, which the Go
  # command ignores outside the main module. A wrapper module replaces each staging module with
  # its published v0.X.Y instead. The list is the root go.mod's own replace block.
  local staging
  staging="$(curl -fsS "${GOPROXY_URL:-https://proxy.golang.org}/k8s.io/kubernetes/@v/v${KUBE_VERSION}.mod" |
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p')"
  [ -n "$staging" ] || { echo "build: could not read the staging modules of k8s.io/kubernetes v${KUBE_VERSION}" >&2; exit 1; }
  {
    echo "module shipgate.test/cluster/kube"
    echo
    echo "go 1.26.0"
    echo
    echo "require k8s.io/kubernetes v${KUBE_VERSION}"
    echo
    echo "replace ("
    for m in $staging; do echo "	$m => $m $staging_version"; done
    echo ")"
  } >"$mod/go.mod"
  (cd "$mod" && go get "k8s.io/kubernetes/cmd/kube-apiserver@v${KUBE_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@v${KUBE_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-scheduler@v${KUBE_VERSION}")
  # Components print and compare their version; without these they report v0.0.0-master.
  local date; date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v${KUBE_VERSION} -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor}"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=${date}"
  done
  for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
    have "$cmd" && continue
    echo "build: $cmd v${KUBE_VERSION}"
    (cd "$mod" && go_build -ldflags "$ldflags" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
    mv "$bin/$cmd.tmp" "$bin/$cmd"
  done
}

build_etcd() {
  have etcd && return
  local mod="$work/etcd"
  mkdir -p "$mod"
  # etcd's server module has replace directives too (`=> ../api`), so `go install` refuses it;
  # a one-file main calling etcdmain.Main is what etcd's own server/main.go does.
  cat >"$mod/go.mod" <<MOD
module shipgate.test/cluster/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}
MOD
  cat >"$mod/main.go" <<'GO'
// Command etcd runs etcd's server, built from its published module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  echo "build: etcd v${ETCD_VERSION}"
  (cd "$mod" && go mod tidy && go_build -ldflags "-s -w" -o "$bin/etcd.tmp" .)
  mv "$bin/etcd.tmp" "$bin/etcd"
}

build_kwok() {
  have kwok && return
  echo "build: kwok v${KWOK_VERSION}"
  # kwok has no replace directives: go install works as published.
  GOBIN="$work/kwok-bin" nice -n 10 go install -p 2 -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v${KWOK_VERSION}"
  mv "$work/kwok-bin/kwok" "$bin/kwok"
}

fetch_gateway_api() {
  [ -d "$dir/crds/gateway-api" ] && return
  # The CRDs ship inside the module (config/crd/standard); the module cache holds them read-only.
  local src
  src="$(go mod download -json "sigs.k8s.io/gateway-api@v${GATEWAY_API_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$src/config/crd/standard" ] || { echo "build: no config/crd/standard in sigs.k8s.io/gateway-api v${GATEWAY_API_VERSION}" >&2; exit 1; }
  mkdir -p "$dir/crds/gateway-api.tmp"
  cp "$src"/config/crd/standard/*.yaml "$dir/crds/gateway-api.tmp/"
  chmod -R u+w "$dir/crds/gateway-api.tmp"
  mv "$dir/crds/gateway-api.tmp" "$dir/crds/gateway-api"
}

started=$(date +%s)
fetch_gateway_api
build_etcd
build_kwok
build_kube
echo "build: done in $(($(date +%s) - started))s into $bin"
