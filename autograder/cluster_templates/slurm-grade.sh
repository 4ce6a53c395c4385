#!/bin/bash
#SBATCH --job-name=grade-{assignment}
#SBATCH --array=1-{shards}
#SBATCH --cpus-per-task={cpus}
#SBATCH --mem={mem}
#SBATCH --time={time}
# Shard i grades the students at positions i, i+{shards}, ... of the class sorted by id.
# Submit it, then the merge step:
#   jobid=$(sbatch --parsable {grade_script})
#   sbatch --dependency=afterok:$jobid {merge_script}
# Grade shards again (cancelled, failed): sbatch --array=2,5 {grade_script}
set -euo pipefail
cd {kit}
exec {python} -m autograder --course-dir {course} grade {assignment} {submissions} \
    --workers "$SLURM_CPUS_PER_TASK" --shard "$SLURM_ARRAY_TASK_ID/{shards}"
