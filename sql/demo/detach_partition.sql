-- Detaches one day's partition of demo.events, leaving detached parts behind (a state worth seeing).
ALTER TABLE demo.events DETACH PARTITION {day:Date}
