#!/usr/bin/env bash
# Submits a sharded capsim run to Slurm: a job array of N shards
# (capsim-shards.sbatch) and a merge job (capsim-merge.sbatch) that starts
# only when every shard has succeeded, and prints both job ids.
#
#   scripts/slurm/submit.sh SCENARIO [--trials N] [--shards N] [--seed S] [--out DIR]
#                           [--state-dir DIR] [--capsim PATH] [--max-running M]
#                           [--parsable] [-- SBATCH_OPTION...]
#
# Results go to DIR/<scenario stem>/ exactly as `capsim run SCENARIO --out DIR`
# would write them (the CSVs byte for byte). Every path must be on a
# filesystem that all nodes share; paths are made absolute before submitting.
# Options after `--` go to both sbatch calls (e.g. -- --partition=short --time=1:00:00).
set -euo pipefail

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}
die() { echo "submit.sh: $*" >&2; exit 2; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

scenario="" trials="" seed="" shards=4 out=output state_dir="" bin="${CAPSIM_BIN:-}"
max_running="" parsable=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --trials) [ $# -ge 2 ] || die "$1 needs a value"; trials=$2; shift 2 ;;
        --shards) [ $# -ge 2 ] || die "$1 needs a value"; shards=$2; shift 2 ;;
        --seed) [ $# -ge 2 ] || die "$1 needs a value"; seed=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "$1 needs a value"; out=$2; shift 2 ;;
        --state-dir) [ $# -ge 2 ] || die "$1 needs a value"; state_dir=$2; shift 2 ;;
        --capsim) [ $# -ge 2 ] || die "$1 needs a value"; bin=$2; shift 2 ;;
        --max-running) [ $# -ge 2 ] || die "$1 needs a value"; max_running=$2; shift 2 ;;
        --parsable) parsable=1; shift ;;
        -h | --help) usage 0 ;;
        --) shift; extra=("$@"); break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [ -z "$scenario" ] || die "one scenario at a time (got $scenario and $1)"
           scenario=$1; shift ;;
    esac
done

[ -n "$scenario" ] || usage >&2
[ -f "$scenario" ] || die "no scenario file $scenario"
{ is_uint "$shards" && [ "$shards" -ge 1 ]; } || die "--shards must be a positive whole number, not $shards"
[ -z "$trials" ] || { is_uint "$trials" && [ "$trials" -ge 1 ]; } || die "--trials must be a positive whole number, not $trials"
[ -z "$seed" ] || is_uint "$seed" || die "--seed must be a non-negative whole number, not $seed"
[ -z "$max_running" ] || { is_uint "$max_running" && [ "$max_running" -ge 1 ]; } \
    || die "--max-running must be a positive whole number, not $max_running"
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this on a Slurm login node"

# The binary: --capsim, else $CAPSIM_BIN, else capsim on PATH, else this
# checkout's release build.
if [ -z "$bin" ]; then
    if command -v capsim >/dev/null 2>&1; then bin=$(command -v capsim)
    elif [ -x "$repo/target/release/capsim" ]; then bin="$repo/target/release/capsim"
    else die "no capsim binary: pass --capsim PATH, or build one with cargo build --release"
    fi
fi
case "$bin" in */*) ;; *) found=$(command -v "$bin") || die "no $bin on PATH"; bin=$found ;; esac
[ -x "$bin" ] || die "capsim binary $bin is not executable"

scenario=$(realpath "$scenario")
bin=$(realpath "$bin")
out=$(realpath -m "$out")
stem=$(basename "$scenario" .toml)
state_dir=$(realpath -m "${state_dir:-$out/shards/$stem}")
logs="$state_dir/logs"

# Refuse a broken scenario here rather than in N queued jobs.
if ! check=$("$bin" validate "$scenario" 2>&1); then
    echo "$check" >&2
    die "$scenario does not validate; nothing submitted"
fi

mkdir -p "$state_dir" "$logs" "$out"

# The jobs read their settings from these variables (sbatch --export=ALL);
# unset ones fall back to the scenario's own trials and seed.
export CAPSIM_SCENARIO="$scenario" CAPSIM_SHARDS="$shards" CAPSIM_STATE_DIR="$state_dir"
export CAPSIM_OUT="$out" CAPSIM_BIN="$bin"
if [ -n "$trials" ]; then export CAPSIM_TRIALS="$trials"; else unset CAPSIM_TRIALS; fi
if [ -n "$seed" ]; then export CAPSIM_SEED="$seed"; else unset CAPSIM_SEED; fi

array="1-$shards${max_running:+%$max_running}"
array_out=$(sbatch --parsable --export=ALL --array="$array" \
    --output="$logs/shard-%A_%a.out" "${extra[@]}" "$here/capsim-shards.sbatch") \
    || die "sbatch of the shards failed; nothing submitted"
array_id=${array_out%%;*}

# --kill-on-invalid-dep: if a shard fails, the merge job is cancelled instead
# of waiting forever with DependencyNeverSatisfied.
if ! merge_out=$(sbatch --parsable --export=ALL --dependency="afterok:$array_id" \
    --kill-on-invalid-dep=yes --output="$logs/merge-%j.out" "${extra[@]}" \
    "$here/capsim-merge.sbatch"); then
    scancel "$array_id" || true
    die "sbatch of the merge job failed; cancelled the shards (job $array_id)"
fi
merge_id=${merge_out%%;*}

if [ "$parsable" = 1 ]; then
    echo "$array_id $merge_id"
else
    default="the scenario's"
    echo "shards: job $array_id (array $array: ${trials:-$default} trials in $shards shards, seed ${seed:-$default}), state files in $state_dir/"
    echo "merge:  job $merge_id (starts when every shard has succeeded), results in $out/$stem/"
    echo "logs in $logs/; follow with: squeue -j $array_id,$merge_id"
fi
