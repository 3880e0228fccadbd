#!/usr/bin/env bash
# End-to-end test of scripts/slurm/ on a real Slurm: installs a single-node
# Slurm from Debian packages (slurmctld, slurmd, slurm-client, munge), starts
# munged, slurmctld and slurmd by hand (no systemd) with a private
# configuration in a temporary folder, submits a 4-shard run of the default
# scenario with submit.sh, waits for the merge job, runs the same scenario in
# one process, and byte-compares timeseries.csv, summary.csv and targets.csv.
#
# Exit codes: 0 passed, or skipped (prints "SKIP: ...") where Slurm cannot be
# installed (not root, no apt-get, apt-get failed); 1 failed.
#
# Settings (environment): CAPSIM_SLURM_TRIALS (default 20000),
# CAPSIM_SLURM_SEED (default 4242), CAPSIM_SLURM_TIMEOUT seconds to wait for
# the jobs (default 300), CAPSIM_SLURM_KEEP=1 keeps the temporary folder.
#
# Nothing outside the temporary folder is configured: the daemons get their
# own slurm.conf (SLURM_CONF), munge key and socket, state, spool and log
# folders and free TCP ports, so a Slurm or munge already on the machine is
# neither used nor disturbed. Every daemon started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

TRIALS=${CAPSIM_SLURM_TRIALS:-20000}
SEED=${CAPSIM_SLURM_SEED:-4242}
TIMEOUT=${CAPSIM_SLURM_TIMEOUT:-300}
SHARDS=4
SCENARIO=scenarios/openai-2025.toml
STEM=openai-2025

t0=$(date +%s)
log() { echo "test-local-slurm: [$(($(date +%s) - t0))s] $*"; }
skip() { echo "SKIP: test-local-slurm.sh: $*"; exit 0; }
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- packages
need_cmds=(munged mungekey munge slurmctld slurmd sbatch squeue scontrol sinfo scancel)
missing() { for c in "${need_cmds[@]}"; do have "$c" || return 0; done; return 1; }
if missing; then
    [ "$(id -u)" -eq 0 ] || skip "Slurm is not installed and installing it needs root (apt-get); not running as root"
    have apt-get || skip "Slurm is not installed and apt-get is missing (not Debian/Ubuntu)"
    log "installing slurmctld slurmd slurm-client munge (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    pkgs=(slurmctld slurmd slurm-client munge)
    if ! apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/tmp/capsim-slurm-apt.log 2>&1; then
        # The package lists may be missing or stale on a fresh machine.
        if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}"; } \
            >>/tmp/capsim-slurm-apt.log 2>&1; then
            tail -n 20 /tmp/capsim-slurm-apt.log
            skip "apt-get could not install ${pkgs[*]} (log above, full log in /tmp/capsim-slurm-apt.log)"
        fi
    fi
    missing && skip "installed ${pkgs[*]} but some of ${need_cmds[*]} are still missing"
fi
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root to start jobs; not running as root"
log "$(slurmctld -V), $(munged -V 2>&1 | head -1)"

# ------------------------------------------------------------------- build
log "building capsim (cargo build --release --locked)"
cargo build --release --locked --quiet
BIN=$repo/target/release/capsim

# ----------------------------------------------------------------- cleanup
T=$(mktemp -d /tmp/capsim-slurm.XXXXXX)
chmod 755 "$T" # munged wants every folder above its socket searchable by all
pids=()        # daemons started here, stopped in this order (slurmd first)
jobs_submitted=""
ok=0

show_logs() {
    echo "---- squeue"
    squeue -a 2>&1 || true
    for j in $jobs_submitted; do
        echo "---- scontrol show job $j"
        scontrol show job "$j" 2>&1 || true
    done
    # With -D the daemons log to both files; show the log, or stderr where
    # a daemon died before opening its log.
    local f d
    for d in munged slurmctld slurmd; do
        f=$T/log/$d.log
        [ -s "$f" ] || f=$T/log/$d.err
        [ -s "$f" ] && { echo "---- $f (last 40 lines)"; tail -n 40 "$f"; }
    done
    for f in "$T/out/shards/$STEM/logs/"*.out; do
        [ -f "$f" ] || continue
        echo "---- $f (last 40 lines)"
        tail -n 40 "$f"
    done
}
fail() {
    echo "FAIL: test-local-slurm.sh: $*" >&2
    show_logs >&2
    exit 1
}
cleanup() {
    local rc=$?
    set +e
    if [ -n "$jobs_submitted" ] && [ "$ok" != 1 ]; then
        # shellcheck disable=SC2086
        scancel $jobs_submitted >/dev/null 2>&1
        sleep 1
    fi
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [ "$ok" = 1 ] && [ "${CAPSIM_SLURM_KEEP:-0}" != 1 ]; then
        rm -rf "$T"
    else
        echo "test-local-slurm: kept $T (configuration, logs, outputs)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------- munge
mkdir -p "$T/munge" "$T/ctld" "$T/spool" "$T/log" "$T/out"
mungekey --create --keyfile="$T/munge/munge.key"
chmod 600 "$T/munge/munge.key"
SOCK=$T/munge/munge.socket
munged --foreground --force --socket="$SOCK" --key-file="$T/munge/munge.key" \
    --pid-file="$T/munge/munged.pid" --log-file="$T/log/munged.log" \
    --seed-file="$T/munge/munged.seed" 2>"$T/log/munged.err" &
pids=("$!" "${pids[@]}")
for _ in $(seq 50); do munge -n -S "$SOCK" 2>/dev/null | unmunge -S "$SOCK" >/dev/null 2>&1 && break; sleep 0.2; done
munge -n -S "$SOCK" | unmunge -S "$SOCK" >/dev/null || fail "munged does not answer on $SOCK"
log "munged up"

# ------------------------------------------------------------------- slurm
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
CTLD_PORT=""
for p in $(seq 16817 2 16899); do
    if port_free "$p" && port_free $((p + 1)); then CTLD_PORT=$p; break; fi
done
[ -n "$CTLD_PORT" ] || fail "no two free TCP ports in 16817-16900"
HOST=$(hostname -s)
# The node's real CPUs, sockets, cores and memory, as slurmd sees them.
node_hw=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* //')
[ -n "$node_hw" ] || fail "slurmd -C printed nothing"

cat >"$T/slurm.conf" <<CONF
# Single-node Slurm for scripts/slurm/test-local-slurm.sh; no systemd, no cgroups,
# no accounting database.
ClusterName=capsimtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$((CTLD_PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$T/ctld
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 $node_hw State=UNKNOWN
PartitionName=capsimtest Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
# Only this configuration: no settings inherited from a Slurm job or login
# shell this test may itself run in (SBATCH_PARTITION, SLURM_JOB_ID, ...).
for v in $(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN|SQUEUE|SINFO)_' || true); do unset "$v"; done
export SLURM_CONF=$T/slurm.conf

slurmctld -D 2>"$T/log/slurmctld.err" &
pids=("$!" "${pids[@]}")
slurmd -D -N "$HOST" 2>"$T/log/slurmd.err" &
pids=("$!" "${pids[@]}")
state=""
for _ in $(seq 60); do
    state=$(sinfo -h -N -n "$HOST" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a Slurm daemon (pid $pid) exited at start"; done
    sleep 1
done
[ "$state" = idle ] || fail "node $HOST is not idle after 60 s (sinfo: '${state:-no answer}')"
log "slurmctld and slurmd up (ports $CTLD_PORT, $((CTLD_PORT + 1))), node $HOST idle"

# ------------------------------------------------------------ sharded run
t_submit=$(date +%s)
ids=$(scripts/slurm/submit.sh "$SCENARIO" --trials "$TRIALS" --shards "$SHARDS" --seed "$SEED" \
    --out "$T/out" --capsim "$BIN" --parsable) || fail "submit.sh failed"
read -r array_id merge_id <<<"$ids"
[[ "$array_id" =~ ^[0-9]+$ && "$merge_id" =~ ^[0-9]+$ ]] || fail "submit.sh printed '$ids', not two job ids"
jobs_submitted="$array_id $merge_id"
log "submitted $SHARDS shards as array job $array_id, merge as job $merge_id"

job_state() { scontrol show job "$1" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort | uniq -c | xargs; }
deadline=$(($(date +%s) + TIMEOUT))
while :; do
    merge_state=$(scontrol show job "$merge_id" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
    case "$merge_state" in
        COMPLETED) break ;;
        PENDING | CONFIGURING | RUNNING | COMPLETING) ;;
        "") fail "merge job $merge_id is unknown to slurmctld" ;;
        *) fail "merge job $merge_id ended $merge_state (shards: $(job_state "$array_id"))" ;;
    esac
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a daemon (pid $pid) died while the jobs ran"; done
    [ "$(date +%s)" -lt "$deadline" ] \
        || fail "timed out after ${TIMEOUT}s: merge job $merge_id is $merge_state, shards: $(job_state "$array_id")"
    sleep 1
done
shards_state=$(job_state "$array_id")
[ "$shards_state" = "$SHARDS COMPLETED" ] || fail "shards of job $array_id: '$shards_state', expected '$SHARDS COMPLETED'"
t_slurm=$(($(date +%s) - t_submit))
log "$SHARDS shards and the merge completed on Slurm in ${t_slurm}s"

# --------------------------------------------------- single run, compare
"$BIN" run "$SCENARIO" --trials "$TRIALS" --seed "$SEED" --out "$T/single" --quiet --no-charts
for k in $(seq "$SHARDS"); do
    [ -s "$T/out/shards/$STEM/$STEM-$k-of-$SHARDS.state" ] || fail "shard $k wrote no state file"
done
for f in timeseries.csv summary.csv targets.csv; do
    a=$T/single/$STEM/$f b=$T/out/$STEM/$f
    [ -s "$a" ] || fail "the single run wrote no $f"
    [ -s "$b" ] || fail "the Slurm merge wrote no $f"
    cmp "$a" "$b" || fail "$f differs between the single run and the Slurm run"
    log "$f identical ($(wc -c <"$b") bytes, $(sha256sum "$b" | cut -c1-16))"
done
grep -q "\"trials\": $TRIALS" "$T/out/$STEM/manifest.json" || fail "merged manifest.json does not say $TRIALS trials"
ok=1
log "PASS: $SHARDS-shard Slurm run of $SCENARIO ($TRIALS trials, seed $SEED) is byte-identical to one process"
