-- Removes the demo workload's database and everything in it.
DROP DATABASE IF EXISTS demo SYNC
