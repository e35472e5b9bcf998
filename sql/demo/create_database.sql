-- Creates the demo workload's database (dropped again by demo/drop_database).
CREATE DATABASE IF NOT EXISTS demo
