-- Benchmark fixture: refresh planner statistics of both tables after the bulk load.
ANALYZE {threads}, {messages}
