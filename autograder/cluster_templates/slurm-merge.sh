#!/bin/bash
#SBATCH --job-name=merge-{assignment}
#SBATCH --cpus-per-task=1
#SBATCH --mem={mem}
#SBATCH --time={time}
# Fails, naming the students without a result, when a shard did not finish.
set -euo pipefail
cd {kit}
exec {python} -m autograder --course-dir {course} merge {assignment}
