# SPDX-License-Identifier: Apache-2.0
# Sourced by proof_run.sh and proof_smoke.sh: run independent Frama-C sessions PROOF_JOBS at a
# time (default 3, from acsl/frama-c.mk, on 2 cores). A WP session spends most of its time in
# Frama-C itself (one thread building and simplifying goals), not in the provers, so one
# session at a time leaves a core idle; two at a time still used only 1.6 of 2 cores, three
# use both (reports/proof-runs.md). Each job writes its own status file; the caller reads them after `wait`.
proof_jobs_max=${PROOF_JOBS:-3}
proof_jobs_running=0

# proof_slot: block until fewer than PROOF_JOBS jobs run, then count the one about to start.
proof_slot() {
  if [ "$proof_jobs_running" -ge "$proof_jobs_max" ]; then
    wait -n
    proof_jobs_running=$((proof_jobs_running - 1))
  fi
  proof_jobs_running=$((proof_jobs_running + 1))
}

# proof_each FUNCTION FILE...: FUNCTION FILE for every file, PROOF_JOBS at a time, the largest
# files first (a fair proxy for a session's time, so the last to finish is a short one); then
# wait for every job of the shell, those started before included.
proof_each() {
  local fn=$1 f
  shift
  for f in $(ls -S "$@"); do
    proof_slot
    "$fn" "$f" &
  done
  wait
}
