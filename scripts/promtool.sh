#!/usr/bin/env bash
# Makes sure this machine has promtool, Prometheus' own checker for rule files, and prints its path on the last
# line of stdout. The chart's alert tests (src/test/java/digital/govuk/access/chart/AlertRulesPromtoolTest.java)
# run `promtool check rules` and `promtool test rules` on the rendered PrometheusRule.
#
# Fast path: promtool on PATH, or already installed here: print it, no apt calls.
# Slow path: Debian's package "prometheus" (2.42 on bookworm; about 100 MB installed, under a minute here), which
# brings promtool. The package also installs a Prometheus service; this script stops nothing and starts nothing,
# and on a machine without systemd nothing runs.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  command -v promtool
  exit 0
fi
if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
  echo "promtool: not installed, and installing Debian's prometheus package needs root (apt-get install prometheus)" >&2
  exit 1
fi
sudo=""
[[ $(id -u) -ne 0 ]] && sudo=sudo
echo "promtool: installing Debian's prometheus package for promtool (once)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q --no-install-recommends prometheus >&2; then
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q --no-install-recommends prometheus >&2
fi
command -v promtool
