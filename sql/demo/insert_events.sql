-- Inserts one batch of generated events (one part per batch; merges follow).
INSERT INTO demo.events
SELECT
    now() - toIntervalSecond(rand() % 172800),
    rand() % 1000,
    ['view', 'click', 'buy', 'error'][1 + rand() % 4],
    rand() % 16,
    randExponential(0.1)
FROM numbers({rows:UInt64})
