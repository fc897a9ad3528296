"""Developer tools that drive the pipeline from outside: builds with a lock,
benchmarks, job-graph parsing, report diffs, the rule graph, scaffolding of
new chapters/tables/figures, a local SLURM cluster, lint, verify and the live
preview. No rule's script reaches this package (a test checks it)."""
