-- A long mutation: every row sleeps a moment while its part is rewritten (a running merge, its ALTER waiting on it).
ALTER TABLE demo.slow_mutation UPDATE v = v + sleepEachRow({pause:Float64}) WHERE true
