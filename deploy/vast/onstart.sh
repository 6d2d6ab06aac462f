#!/bin/sh
# Vast.ai onstart script for the SSH and Jupyter launch modes, which replace the image's entrypoint and
# command with Vast's own: start the worker the way the image would (token, port, TLS), in the
# background, logging to /data so the log outlives the container.
#   vastai create instance <offer> --image <image> --ssh --direct --onstart deploy/vast/onstart.sh …
set -eu
# In these modes the instance's variables reach onstart through /etc/environment.
if [ -r /etc/environment ]; then
  set -a
  # shellcheck disable=SC1091
  . /etc/environment
  set +a
fi
mkdir -p /data
cd /app
nohup /opt/nodetool/entrypoint.sh python -m nodetool.worker >>/data/nodetool-worker.log 2>&1 &
