-- Benchmark set-up: merge a freshly seeded table into its steady state before timing anything.
OPTIMIZE TABLE {db:Identifier}.{table:Identifier} FINAL
