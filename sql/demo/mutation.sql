-- A demo mutation: rewrites the value of one kind of event.
ALTER TABLE demo.events UPDATE value = value * 2 WHERE kind = 'buy'
