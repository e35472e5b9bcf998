-- Ends the long mutation early (the demo was stopped or removed), so its waiting ALTER returns at once.
KILL MUTATION WHERE database = 'demo' AND table = 'slow_mutation'
