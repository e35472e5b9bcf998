-- Fills the long mutation's table once (a second start finds it filled and adds nothing).
INSERT INTO demo.slow_mutation
SELECT number, 0 FROM numbers({rows:UInt64})
WHERE (SELECT count() FROM demo.slow_mutation) = 0
