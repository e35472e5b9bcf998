-- Creates an empty database with the deprecated Ordinary engine: the server then warns about it (system.warnings).
CREATE DATABASE IF NOT EXISTS demo_legacy ENGINE = Ordinary
