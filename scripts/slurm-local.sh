#!/usr/bin/env bash
# A single-node Slurm on this machine, for the Slurm integration test (test/cluster/slurm.test.ts) and CI (.ci/run).
#
#   scripts/slurm-local.sh start    write the config, start munged, slurmctld and slurmd, wait until the node is idle
#   scripts/slurm-local.sh stop     stop the daemons this script started (by their pid files), keep the logs
#   scripts/slurm-local.sh status   sinfo of the local cluster; exit 0 iff its node answers
#   scripts/slurm-local.sh env      print SLURM_CONF=…, what a client (sbatch, squeue, scontrol) needs to reach it
#
# Everything lives under one state directory (METADYN_SLURM_DIR, default /tmp/metadyn-slurm): slurm.conf, the munge
# key and socket, slurmctld's state, slurmd's spool, logs and pid files. The daemons listen on ports of their own
# (METADYN_SLURM_PORT and the next one, default 16817/16818) and the clients find this cluster through SLURM_CONF,
# so nothing under /etc is touched and a real cluster's daemons on the default ports are left alone.
# Needs root (slurmd runs jobs as their submitter) and Debian's slurm-wlm and munge.
set -euo pipefail

STATE="${METADYN_SLURM_DIR:-/tmp/metadyn-slurm}"
PORT="${METADYN_SLURM_PORT:-16817}"
CONF="$STATE/slurm.conf"
SOCKET="$STATE/run/munge.socket.2"
HOST="$(hostname -s)"
export SLURM_CONF="$CONF"

log() { echo "[slurm-local] $*"; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

node_state() { timeout 10 sinfo -h -N -n "$HOST" -o '%T' 2>/dev/null | head -n 1 || true; }

write_config() {
  mkdir -p "$STATE/munge" "$STATE/run" "$STATE/ctld" "$STATE/spool" "$STATE/log"
  # munged wants its key readable by root only and its socket's directory (and the ones above) searchable by all
  chmod 755 "$STATE" "$STATE/run"
  chmod 700 "$STATE/munge"
  [ -f "$STATE/munge/munge.key" ] || mungekey --create --keyfile="$STATE/munge/munge.key"
  chmod 400 "$STATE/munge/munge.key"
  # CPUs=2 and a small RealMemory with config_overrides: the node is what this file says whatever the machine
  # (jobs ask for one CPU each, memory is not scheduled); proctrack/linuxproc and task/none need no cgroups, and
  # no accounting daemon is run (job states come from scontrol while slurmctld keeps them, MinJobAge).
  cat >"$CONF" <<EOF
ClusterName=metadyn-local
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=2 RealMemory=1024 State=UNKNOWN
PartitionName=local Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null || { echo "slurm-wlm and munge are not installed: apt-get install -y slurm-wlm munge" >&2; exit 1; }
  if pid_alive "$STATE/slurmctld.pid" && pid_alive "$STATE/slurmd.pid" && [ "$(node_state)" = idle ]; then
    log "already running ($CONF)"
    return 0
  fi
  write_config
  pid_alive "$STATE/munged.pid" || munged --socket="$SOCKET" --key-file="$STATE/munge/munge.key" \
    --pid-file="$STATE/munged.pid" --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge/munged.seed"
  # -i: ignore saved state on a fresh start (a stale node or job from an earlier run would otherwise come back)
  pid_alive "$STATE/slurmctld.pid" || slurmctld -i
  pid_alive "$STATE/slurmd.pid" || slurmd
  local state=''
  for _ in $(seq 1 60); do
    state="$(node_state)"
    case "$state" in
      idle) log "node $HOST idle; clients: SLURM_CONF=$CONF"; return 0 ;;
      down*|drain*) scontrol update nodename="$HOST" state=resume 2>/dev/null || true ;;
    esac
    sleep 1
  done
  echo "[slurm-local] the node did not become idle within 60 s (state '${state:-no answer}'); logs in $STATE/log" >&2
  tail -n 20 "$STATE"/log/*.log >&2 || true
  exit 1
}

stop() {
  # slurmd first (it may have job steps), then the controller, then munge, each by the pid it wrote
  for daemon in slurmd slurmctld munged; do
    local pidfile="$STATE/$daemon.pid"
    if pid_alive "$pidfile"; then
      local pid
      pid="$(cat "$pidfile")"
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
      log "stopped $daemon ($pid)"
    fi
    rm -f "$pidfile"
  done
}

status() {
  [ -f "$CONF" ] || { log "not configured ($CONF missing)"; exit 1; }
  # not started here: say so at once rather than after sinfo's retries
  pid_alive "$STATE/slurmctld.pid" && pid_alive "$STATE/slurmd.pid" || { log "not running (no live slurmctld and slurmd pid files in $STATE)"; exit 1; }
  local state
  state="$(node_state)"
  [ -n "$state" ] || { log "no answer from slurmctld ($CONF)"; exit 1; }
  timeout 10 sinfo
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
